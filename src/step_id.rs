//! The assignment's steps as names and words, declared once: `for_each_step!` below is the one
//! list of steps. From it follow the `StepId` every layer shares (CLI argument, state key, guide,
//! answers-file table, report section), the registry of their behaviour (`steps::registry`) and
//! the data each step keeps in its own folder `src/steps/<id>/`: `step.toml` (title, the
//! assignment's wording, answers-file keys), `guide.<lang>.md` and `report.<lang>.md`, embedded
//! here. A leaf: it imports nothing of the app, so the state, the CLI and the steps can all use it
//! without reaching each other.

use crate::i18n::Lang;
use serde::Deserialize;
use std::sync::LazyLock;

/// The one list of steps, in the order the student walks them: `module: Variant`. Adding a step is
/// one line here and the step's folder `src/steps/<module>/` (code, `step.toml`, guides and report
/// sections in both languages); `tests/integration/architecture.rs` says what a folder lacks.
#[macro_export]
macro_rules! for_each_step {
    ($then:ident) => {
        $then! {
            cloudtrail: Cloudtrail,
            alarm: Alarm,
            transitions: Transitions,
            estimate: Estimate,
            billing: Billing,
        }
    };
}

macro_rules! declare_step_ids {
    ($($module:ident: $variant:ident),* $(,)?) => {
        /// A step of the assignment (kebab-case in the CLI, the state and the answers file).
        #[derive(
            Clone,
            Copy,
            Debug,
            PartialEq,
            Eq,
            PartialOrd,
            Ord,
            Hash,
            serde::Serialize,
            serde::Deserialize,
            clap::ValueEnum,
        )]
        #[serde(rename_all = "kebab-case")]
        #[value(rename_all = "kebab-case")]
        pub enum StepId {
            $($variant),*
        }

        impl StepId {
            /// Every step, in order.
            pub const ALL: &'static [StepId] = &[$(StepId::$variant),*];

            /// The kebab-case name: `cloudtrail`, `alarm`, …
            pub fn id(self) -> &'static str {
                match self {
                    $(StepId::$variant => stringify!($module)),*
                }
            }

            /// The files of the step's folder, embedded.
            fn files(self) -> &'static StepFiles {
                match self {
                    $(StepId::$variant => {
                        static FILES: StepFiles = StepFiles {
                            words: step_file!($module, "step.toml"),
                            guide: [step_file!($module, "guide.en.md"), step_file!($module, "guide.ja.md")],
                            report: [step_file!($module, "report.en.md"), step_file!($module, "report.ja.md")],
                        };
                        &FILES
                    })*
                }
            }
        }
    };
}

/// A file of a step's folder, embedded.
macro_rules! step_file {
    ($module:ident, $name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/steps/",
            stringify!($module),
            "/",
            $name
        ))
    };
}

for_each_step!(declare_step_ids);

/// What a step's folder holds besides its code (`[en, ja]`).
struct StepFiles {
    words: &'static str,
    guide: [&'static str; 2],
    report: [&'static str; 2],
}

/// One step's words in both languages, as its `step.toml` declares them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepWords {
    title: Bilingual<String>,
    asked: Bilingual<Vec<String>>,
    answers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
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

fn by_lang(pair: &[&'static str; 2], lang: Lang) -> &'static str {
    match lang {
        Lang::En => pair[0],
        Lang::Ja => pair[1],
    }
}

/// Every step's words, parsed once (in the order of `StepId::ALL`).
static WORDS: LazyLock<Vec<StepWords>> = LazyLock::new(|| {
    StepId::ALL
        .iter()
        .map(|step| {
            toml::from_str(step.files().words).unwrap_or_else(|e| {
                panic!("src/steps/{}/step.toml (checked by a test): {e}", step.id())
            })
        })
        .collect()
});

impl StepId {
    /// 1 for the first step.
    pub fn number(self) -> usize {
        StepId::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    fn words(self) -> &'static StepWords {
        &WORDS[self.number() - 1]
    }

    /// The keys of the step's answers-file table, as its `step.toml` declares them.
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

    /// The guide's own text (`guide.<lang>.md` of the step's folder).
    pub fn guide(self, lang: Lang) -> &'static str {
        by_lang(&self.files().guide, lang)
    }

    /// The report section's template (`report.<lang>.md` of the step's folder), included by the
    /// main report template as `<id>.md`.
    pub fn report_section(self, lang: Lang) -> &'static str {
        by_lang(&self.files().report, lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_folder_has_its_words_guides_and_sections_in_both_languages() {
        for &step in StepId::ALL {
            for lang in [Lang::En, Lang::Ja] {
                assert!(!step.title(lang).is_empty(), "{step:?} {lang:?} title");
                assert!(!step.asked(lang).is_empty(), "{step:?} {lang:?} asked");
                assert!(
                    step.guide(lang).trim().len() > 100,
                    "{step:?} {lang:?} guide"
                );
                assert!(
                    step.report_section(lang).contains("steps."),
                    "{step:?} {lang:?}: the report section reads the step's facts"
                );
            }
            // The id that serde and clap use is the one `id()` names.
            assert_eq!(
                serde_json::to_value(step).unwrap(),
                serde_json::json!(step.id())
            );
        }
    }
}
