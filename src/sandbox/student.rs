//! The sandbox plays the student: it clicks the confirmation link, stops and starts the simulated
//! Unicorn, delivers the alarm mails as files in `.lecture06/sandbox/mailbox/`, and offers example
//! answers (an example.com address, a round exchange rate, a calculator link of zeros) that the
//! steps and the report label as examples.

use super::Sandbox;
use super::billing::SandboxPlan;
use crate::cloud::CloudError;
use crate::cloud::student::{ExampleAnswer, Examples, Mail, ServerProcess, StudentHands};
use crate::i18n::Lang;
use crate::t;
use chrono::{DateTime, Utc};

/// The example address (a reserved example domain; the mail stays in the mailbox folder).
pub const EXAMPLE_EMAIL: &str = "student@example.com";
/// The example exchange rate, yen per US dollar.
pub const EXAMPLE_JPY_RATE: &str = "150";
/// The example share link: the right shape, and plainly not a real estimate.
pub const EXAMPLE_CALCULATOR_URL: &str =
    "https://calculator.aws/#/estimate?id=0000000000000000000000000000000000000000";

impl Sandbox {
    /// The practice account's example answers, labelled `sandbox example` where they show. The
    /// simulated account was opened before 2025-07-15 (a legacy Free Tier plan) unless
    /// `[sandbox] plan` says otherwise.
    pub fn examples(&self) -> Examples {
        let plan = match self.read(|w| w.billing.plan) {
            SandboxPlan::Legacy => "legacy",
            SandboxPlan::Credit | SandboxPlan::PaidCredit => "credit",
        };
        let answers = [
            (ExampleAnswer::Email, EXAMPLE_EMAIL),
            (ExampleAnswer::JpyRate, EXAMPLE_JPY_RATE),
            (ExampleAnswer::CalculatorUrl, EXAMPLE_CALCULATOR_URL),
            (ExampleAnswer::FreeTierPlan, plan),
        ];
        Examples::practice(
            answers.map(|(a, v)| (a, v.to_string())).to_vec(),
            ("sandbox example", "サンドボックスの例示"),
        )
    }
}

impl StudentHands for Sandbox {
    fn offer_confirmation_click(&self, lang: Lang) -> Option<String> {
        let mailbox = self.mailbox_dir().display().to_string();
        Some(t!(
            lang,
            "(sandbox) The confirmation mail is in {mailbox}. Click its link?",
            "（サンドボックス）確認メールは {mailbox} にあります。リンクをクリックしますか？"
        ))
    }

    fn click_confirmation_link(&self, topic_arn: &str, email: &str) -> Result<(), CloudError> {
        self.monitor(None, |m, _| {
            for s in m.subscriptions.iter_mut() {
                if s.topic_arn == topic_arn && s.endpoint.eq_ignore_ascii_case(email) {
                    s.confirmed = true;
                }
            }
        })
    }

    fn ask_app_server_changed(&self, process: ServerProcess, stop: bool, lang: Lang) -> String {
        let verb = if stop {
            lang.pick("Stop", "停止")
        } else {
            lang.pick("Start", "起動")
        };
        let what = match process {
            ServerProcess::Instance => lang.pick("instance", "インスタンス"),
            other => other.name(lang),
        };
        t!(
            lang,
            "(sandbox) {verb} the simulated {what} now?",
            "（サンドボックス）模擬 {what} を今{verb}しますか？"
        )
    }

    fn apply_app_server_change(
        &self,
        process: ServerProcess,
        running: bool,
    ) -> Result<(), CloudError> {
        self.monitor(None, |m, facts| m.set_running(process, running, facts.now))
    }

    fn mailbox(&self) -> Option<std::path::PathBuf> {
        Some(self.mailbox_dir())
    }

    fn mails_about(&self, alarm: &str) -> Vec<Mail> {
        let Ok(entries) = std::fs::read_dir(self.mailbox_dir()) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(alarm))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|name| Mail {
                received_at: stamp_of(&name),
                name,
            })
            .collect()
    }

    fn mail_text(&self, mail: &Mail) -> Option<String> {
        std::fs::read_to_string(self.mailbox_dir().join(&mail.name)).ok()
    }

    fn mail_received(
        &self,
        alarm: &str,
        state: &str,
        after: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let suffix = format!("-{}-{alarm}.eml", state.to_ascii_lowercase());
        self.mails_about(alarm)
            .into_iter()
            .filter(|mail| mail.name.ends_with(&suffix))
            .filter_map(|mail| mail.received_at)
            .filter(|t| *t >= after)
            .min()
    }
}

/// A mail file is named `<UTC stamp>-<state>-<alarm>.eml`.
fn stamp_of(name: &str) -> Option<DateTime<Utc>> {
    let stamp = name.split('-').next()?;
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|n| n.and_utc())
}
