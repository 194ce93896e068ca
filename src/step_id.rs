//! The assignment's steps as names and words: the `StepId` every layer shares (CLI argument, state
//! key, guide file, answers-file table, report section) and each step's title and assignment
//! wording, read from `steps/steps.toml`. A leaf: it imports nothing of the app, so the state, the
//! CLI and the steps can all use it without reaching each other.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
#[value(rename_all = "kebab-case")]
pub enum StepId {
    Cloudtrail,
    Alarm,
    Transitions,
    Estimate,
    Billing,
}

/// One step's words in both languages, as `steps/steps.toml` declares them.
#[derive(Debug, Deserialize)]
pub struct StepWords {
    pub id: StepId,
    title: Bilingual<String>,
    asked: Bilingual<Vec<String>>,
    answers: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Bilingual<T> {
    en: T,
    ja: T,
}

impl<T> Bilingual<T> {
    fn pick(&self, lang: Lang) -> &T {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }
}

#[derive(Deserialize)]
struct StepsFile {
    step: Vec<StepWords>,
}

/// The declared steps, in the order the student walks them.
static STEPS: LazyLock<Vec<StepWords>> = LazyLock::new(|| {
    let file: StepsFile = toml::from_str(include_str!("../steps/steps.toml"))
        .expect("steps/steps.toml is embedded and checked by a test");
    file.step
});

impl StepId {
    /// Every step, in order (the order of `steps/steps.toml`, checked by a test).
    pub const ALL: [StepId; 5] = [
        StepId::Cloudtrail,
        StepId::Alarm,
        StepId::Transitions,
        StepId::Estimate,
        StepId::Billing,
    ];

    /// The kebab-case name: `cloudtrail`, `alarm`, …
    pub fn id(self) -> &'static str {
        match self {
            StepId::Cloudtrail => "cloudtrail",
            StepId::Alarm => "alarm",
            StepId::Transitions => "transitions",
            StepId::Estimate => "estimate",
            StepId::Billing => "billing",
        }
    }

    /// 1 for the first step.
    pub fn number(self) -> usize {
        StepId::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    fn words(self) -> &'static StepWords {
        STEPS
            .iter()
            .find(|w| w.id == self)
            .expect("every step is declared in steps/steps.toml (checked by a test)")
    }

    /// The keys of the step's answers-file table, as `steps/steps.toml` declares them.
    pub fn answer_keys(self) -> Vec<&'static str> {
        self.words().answers.iter().map(String::as_str).collect()
    }

    pub fn title(self, lang: Lang) -> &'static str {
        self.words().title.pick(lang)
    }

    /// What the assignment asks (the course's 課題 list): the item, then its sub-items.
    pub fn asked(self, lang: Lang) -> Vec<&'static str> {
        self.words()
            .asked
            .pick(lang)
            .iter()
            .map(String::as_str)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_toml_declares_every_step_once_in_order() {
        let declared: Vec<StepId> = STEPS.iter().map(|w| w.id).collect();
        assert_eq!(declared, StepId::ALL.to_vec());
        for step in StepId::ALL {
            for lang in [Lang::En, Lang::Ja] {
                assert!(!step.title(lang).is_empty());
                assert!(!step.asked(lang).is_empty(), "{step:?} {lang:?}");
            }
            // The id that serde and clap use is the one `id()` names.
            assert_eq!(
                serde_json::to_value(step).unwrap(),
                serde_json::json!(step.id())
            );
        }
    }
}
