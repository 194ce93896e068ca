//! Japanese and English. Every user-facing sentence is written as a pair at the place that says it
//! (`t!(lang, "english", "日本語")`), so the two languages are read and changed together and
//! neither can be forgotten.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    /// The language of the user's locale: `ja*` in `LC_ALL`, `LC_MESSAGES` or `LANG` means
    /// Japanese, anything else English.
    pub fn from_env() -> Lang {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty())
            .unwrap_or_default();
        if locale.starts_with("ja") {
            Lang::Ja
        } else {
            Lang::En
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn pick<'a>(self, en: &'a str, ja: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

/// `t!(lang, "Hello {name}", "こんにちは {name}")`: the sentence in the user's language, formatted
/// like `format!` (inline `{name}` captures work).
#[macro_export]
macro_rules! t {
    ($lang:expr, $en:literal, $ja:literal $(,)?) => {
        match $lang {
            $crate::i18n::Lang::En => format!($en),
            $crate::i18n::Lang::Ja => format!($ja),
        }
    };
    ($lang:expr, $en:literal, $ja:literal, $($arg:tt)+) => {
        match $lang {
            $crate::i18n::Lang::En => format!($en, $($arg)+),
            $crate::i18n::Lang::Ja => format!($ja, $($arg)+),
        }
    };
}
