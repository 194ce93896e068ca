//! What the student does by hand, outside lecture06: clicking the subscription's confirmation
//! link, stopping and starting the app server, reading the alarm mails, and the answers only they
//! can give (their e-mail address, the exchange rate, the calculator's link). Steps say what should
//! happen through this one trait and never ask which account they talk to: with a real account
//! (`OwnHands`) the student does it and lecture06 asks, with the simulated one the sandbox plays the
//! student (`crate::sandbox`), offering its own example answers, labelled as such.

use super::CloudError;
use crate::i18n::Lang;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the student stops so that the target fails its health check (and starts again).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServerProcess {
    /// The app server behind Nginx: Nginx answers 502.
    #[default]
    Unicorn,
    /// The web server: the connection is refused.
    Nginx,
    /// The EC2 instance itself: the target is unused.
    Instance,
}

impl ServerProcess {
    pub const ALL: [ServerProcess; 3] = [
        ServerProcess::Unicorn,
        ServerProcess::Nginx,
        ServerProcess::Instance,
    ];

    /// The id in the answers file (`[transitions] process`) and the evidence.
    pub fn id(self) -> &'static str {
        match self {
            ServerProcess::Unicorn => "unicorn",
            ServerProcess::Nginx => "nginx",
            ServerProcess::Instance => "instance",
        }
    }

    /// The name shown to the student.
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            ServerProcess::Unicorn => "Unicorn",
            ServerProcess::Nginx => "Nginx",
            ServerProcess::Instance => lang.pick("The instance", "インスタンス"),
        }
    }
}

/// An answer only the student can give, which a practice account may offer an example for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExampleAnswer {
    /// Where the alarm mails go.
    Email,
    /// Yen per US dollar for the estimate.
    JpyRate,
    /// The AWS Pricing Calculator's share link.
    CalculatorUrl,
    /// The account's Free Tier plan (`legacy`, `credit` or `none`).
    FreeTierPlan,
}

/// A mail that reached the student's mailbox, as far as lecture06 can see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    /// The file (or message) name.
    pub name: String,
    pub received_at: Option<DateTime<Utc>>,
}

pub trait StudentHands: Send + Sync {
    /// An example for an answer only the student can give; `None` on a real account.
    fn example(&self, answer: ExampleAnswer) -> Option<String> {
        let _ = answer;
        None
    }

    /// What an example answer is called where it shows (`example`, `sandbox example`).
    fn example_label(&self, lang: Lang) -> &'static str {
        lang.pick("example", "例示の")
    }

    /// Whether a kept answer is this account's own example (then it is labelled, never taken for
    /// the student's own).
    fn is_example(&self, answer: ExampleAnswer, value: &str) -> bool {
        self.example(answer)
            .is_some_and(|e| e.trim() == value.trim())
    }

    /// A question to ask before the confirmation link is clicked, when lecture06 plays the
    /// student; `None` when the student clicks it in their own mail.
    fn offer_confirmation_click(&self, lang: Lang) -> Option<String> {
        let _ = lang;
        None
    }

    /// The student clicked the confirmation link of `email`'s pending subscription to `topic_arn`.
    fn click_confirmation_link(&self, topic_arn: &str, email: &str) -> Result<(), CloudError> {
        let _ = (topic_arn, email);
        Ok(())
    }

    /// The question asked after telling the student to run the stop or start command by hand.
    fn ask_app_server_changed(&self, process: ServerProcess, stop: bool, lang: Lang) -> String {
        let _ = (process, stop);
        lang.pick(
            "Done? (answer when the command has run)",
            "実行しましたか？（コマンドを実行したら答えてください）",
        )
        .to_string()
    }

    /// `process` was stopped (`running` false) or started, by whichever way.
    fn app_server_changed(&self, process: ServerProcess, running: bool) -> Result<(), CloudError> {
        let _ = (process, running);
        Ok(())
    }

    /// Where lecture06 can read the alarm mails itself (`None`: only the student can).
    fn mailbox(&self) -> Option<std::path::PathBuf> {
        None
    }

    /// The mails lecture06 can see that name `alarm` (oldest first); empty when it sees none.
    fn mails_about(&self, alarm: &str) -> Vec<Mail> {
        let _ = alarm;
        Vec::new()
    }

    /// The text of a mail `mails_about` listed, if lecture06 can read it.
    fn mail_text(&self, mail: &Mail) -> Option<String> {
        let _ = mail;
        None
    }

    /// When the `state` mail (`ALARM` or `OK`) of `alarm` arrived at or after `after`, if
    /// lecture06 can see it.
    fn mail_received(
        &self,
        alarm: &str,
        state: &str,
        after: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let _ = (alarm, state, after);
        None
    }
}

/// A real account: the student's own hands; lecture06 only asks.
pub struct OwnHands;

impl StudentHands for OwnHands {}
