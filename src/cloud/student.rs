//! What the student does by hand, outside lecture06: clicking the subscription's confirmation
//! link, stopping and starting the app server, reading the alarm mails, and the answers only they
//! can give (their e-mail address, the exchange rate, the calculator's link). Steps say what should
//! happen through this one trait and never ask which account they talk to: with a real account
//! (`OwnHands`) the student does it and lecture06 asks, with the simulated one the sandbox plays the
//! student (`crate::sandbox`). A practice account's example answers are plain data (`Examples`),
//! composed by the app.

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

/// The example answers a practice account offers, composed by the app (none for a real account):
/// steps take them as defaults and label them wherever they show, never as the student's own.
#[derive(Clone, Debug, Default)]
pub struct Examples {
    answers: Vec<(ExampleAnswer, String)>,
    /// What an example is called where it shows (`sandbox example`), in English and Japanese.
    label: Option<(&'static str, &'static str)>,
}

impl Examples {
    /// A real account: the student's answers only.
    pub fn none() -> Examples {
        Examples::default()
    }

    /// A practice account's answers, called `label` where they show.
    pub fn practice(
        answers: Vec<(ExampleAnswer, String)>,
        label: (&'static str, &'static str),
    ) -> Examples {
        Examples {
            answers,
            label: Some(label),
        }
    }

    /// The example for `answer`, if this account offers one.
    pub fn get(&self, answer: ExampleAnswer) -> Option<String> {
        self.answers
            .iter()
            .find(|(a, _)| *a == answer)
            .map(|(_, v)| v.clone())
    }

    /// Whether a kept answer is the example itself.
    pub fn is(&self, answer: ExampleAnswer, value: &str) -> bool {
        self.get(answer).is_some_and(|e| e.trim() == value.trim())
    }

    /// What an example is called where it shows (`example`, `sandbox example`).
    pub fn label(&self, lang: Lang) -> &'static str {
        let (en, ja) = self.label.unwrap_or(("example", "例示の"));
        lang.pick(en, ja)
    }
}

/// What only the student's hands do. Every method says what a real account's student does (see
/// `OwnHands`) and what the practice account does in their place (`crate::sandbox`).
pub trait StudentHands: Send + Sync {
    /// A question to ask before the confirmation link is clicked, when lecture06 plays the
    /// student; `None` when the student clicks it in their own mail.
    fn offer_confirmation_click(&self, lang: Lang) -> Option<String>;

    /// The student clicked the confirmation link of `email`'s pending subscription to `topic_arn`.
    fn click_confirmation_link(&self, topic_arn: &str, email: &str) -> Result<(), CloudError>;

    /// The question asked after telling the student to run the stop or start command by hand.
    fn ask_app_server_changed(&self, process: ServerProcess, stop: bool, lang: Lang) -> String;

    /// `process` was stopped (`running` false) or started, by whichever way.
    fn apply_app_server_change(
        &self,
        process: ServerProcess,
        running: bool,
    ) -> Result<(), CloudError>;

    /// Where lecture06 can read the alarm mails itself (`None`: only the student can).
    fn mailbox(&self) -> Option<std::path::PathBuf>;

    /// The mails lecture06 can see that name `alarm` (oldest first); empty when it sees none.
    fn mails_about(&self, alarm: &str) -> Vec<Mail>;

    /// The text of a mail `mails_about` listed, if lecture06 can read it.
    fn mail_text(&self, mail: &Mail) -> Option<String>;

    /// When the `state` mail (`ALARM` or `OK`) of `alarm` arrived at or after `after`, if
    /// lecture06 can see it.
    fn mail_received(
        &self,
        alarm: &str,
        state: &str,
        after: DateTime<Utc>,
    ) -> Option<DateTime<Utc>>;
}

/// A real account: the student's own hands; lecture06 only asks.
pub struct OwnHands;

impl StudentHands for OwnHands {
    /// The student clicks the link in their own mail.
    fn offer_confirmation_click(&self, _lang: Lang) -> Option<String> {
        None
    }

    fn click_confirmation_link(&self, _topic_arn: &str, _email: &str) -> Result<(), CloudError> {
        Ok(())
    }

    fn ask_app_server_changed(&self, _process: ServerProcess, _stop: bool, lang: Lang) -> String {
        lang.pick(
            "Done? (answer when the command has run)",
            "実行しましたか？（コマンドを実行したら答えてください）",
        )
        .to_string()
    }

    /// The student ran the command themselves: nothing more to do.
    fn apply_app_server_change(
        &self,
        _process: ServerProcess,
        _running: bool,
    ) -> Result<(), CloudError> {
        Ok(())
    }

    /// Only the student can read their mail.
    fn mailbox(&self) -> Option<std::path::PathBuf> {
        None
    }

    fn mails_about(&self, _alarm: &str) -> Vec<Mail> {
        Vec::new()
    }

    fn mail_text(&self, _mail: &Mail) -> Option<String> {
        None
    }

    fn mail_received(
        &self,
        _alarm: &str,
        _state: &str,
        _after: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        None
    }
}
