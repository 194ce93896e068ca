//! Why a log file could not be read: one value for each kind of damage the engine finds, said in
//! the session's language only when it is shown (`trail search`'s list of skipped files, the
//! CloudTrail step's warnings). What a parser or the system said is quoted as it said it.

use crate::i18n::Lang;
use crate::t;

/// What is wrong with one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Damage {
    /// 0 bytes, or nothing but whitespace.
    Empty,
    /// Shorter than a gzip header and trailer.
    GzipTooShort,
    /// Deflate data that does not decode (cut off or corrupted).
    GzipBad,
    /// Says it inflates beyond what deflate can make of its size.
    GzipImpossible { mib: usize, bytes: usize },
    /// Reading failed (the system's or the decoder's words).
    Unreadable(String),
    /// Not JSON where JSON was expected (the parser's words).
    Json(String),
    /// JSON that stops in the middle.
    JsonTruncated,
    /// JSON with this character where a record should begin.
    JsonFound(char),
    /// JSON with an unexpected byte at this offset.
    JsonAt(usize),
    /// JSON, but no `Records` array.
    NoRecords,
    /// One record longer than any CloudTrail writes.
    RecordTooLong { mib: usize },
    /// Not a log file at all: what its first bytes say it is, and those bytes in hex.
    NotALog {
        kind: Option<Kind>,
        first_bytes: String,
    },
}

/// What a file that is not a log file is, from its first bytes (the Japanese begins with a
/// Japanese word: it follows 「中身は」 with no space).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    pub en: &'static str,
    pub ja: &'static str,
}

impl Damage {
    /// The reason, in `lang`.
    pub fn say(&self, lang: Lang) -> String {
        match self {
            Damage::Empty => t!(lang, "empty file (0 bytes)", "空のファイルです（0 バイト）"),
            Damage::GzipTooShort => t!(
                lang,
                "damaged gzip (truncated: shorter than a gzip header and trailer)",
                "壊れた gzip です（gzip のヘッダーとトレーラーより短く、途中で切れています）"
            ),
            Damage::GzipBad => t!(
                lang,
                "damaged gzip (bad or truncated data): download the file again",
                "壊れた gzip です（データが壊れているか途中で切れています）。ファイルをダウンロードし直してください"
            ),
            Damage::GzipImpossible { mib, bytes } => t!(
                lang,
                "damaged gzip (inflates beyond {mib} MiB, more than deflate can make of {bytes} bytes)",
                "壊れた gzip です（{bytes} バイトの deflate からは作れない {mib} MiB 超に展開されます）"
            ),
            Damage::Unreadable(why) => {
                t!(lang, "unreadable: {why}", "読み込めませんでした（{why}）")
            }
            Damage::Json(why) => t!(
                lang,
                "invalid JSON: {why}",
                "JSON として読めません（パーサーの報告: {why}）"
            ),
            Damage::JsonTruncated => {
                t!(lang, "invalid JSON: truncated", "JSON が途中で切れています")
            }
            Damage::JsonFound(found) => t!(
                lang,
                "invalid JSON: expected a record, found {found:?}",
                "JSON のレコードがあるはずの位置に {found:?} があります"
            ),
            Damage::JsonAt(at) => t!(
                lang,
                "invalid JSON: unexpected byte at {at}",
                "JSON の {at} バイト目に想定外の文字があります"
            ),
            Damage::NoRecords => t!(
                lang,
                "not CloudTrail records (no \"Records\" array)",
                "CloudTrail のレコードではありません（\"Records\" 配列がありません）"
            ),
            Damage::RecordTooLong { mib } => t!(
                lang,
                "damaged file: a record longer than {mib} MiB, more than any CloudTrail record",
                "壊れたファイルです: {mib} MiB を超えるレコードがあります（CloudTrail のレコードはそれより短いものです）"
            ),
            Damage::NotALog {
                kind: Some(kind),
                first_bytes,
            } => t!(
                lang,
                "not a CloudTrail log file: it is {}, not gzip-compressed JSON whatever its name says (first bytes {first_bytes}); download the log file from the trail's bucket again",
                "CloudTrail のログファイルではありません。名前に関わらず中身は{}で、gzip 圧縮の JSON ではありません（先頭のバイト {first_bytes}）。証跡のバケットからログファイルをダウンロードし直してください",
                lang.pick(kind.en, kind.ja)
            ),
            Damage::NotALog {
                kind: None,
                first_bytes,
            } => t!(
                lang,
                "not a CloudTrail log file: neither gzip nor JSON (first bytes {first_bytes})",
                "CloudTrail のログファイルではありません。gzip でも JSON でもありません（先頭のバイト {first_bytes}）"
            ),
        }
    }
}

/// English, for logs and tests (`{damage}`).
impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.say(Lang::En))
    }
}

/// English in JSON (the benchmark's and `--json`'s outcome).
impl serde::Serialize for Damage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_is_said_in_japanese_without_english_sentences() {
        let all = [
            Damage::Empty,
            Damage::GzipTooShort,
            Damage::GzipBad,
            Damage::GzipImpossible { mib: 16, bytes: 20 },
            Damage::Unreadable("Connection reset by peer".into()),
            Damage::Json("EOF while parsing".into()),
            Damage::JsonTruncated,
            Damage::JsonFound('x'),
            Damage::JsonAt(12),
            Damage::NoRecords,
            Damage::RecordTooLong { mib: 1 },
            Damage::NotALog {
                kind: Some(Kind {
                    en: "bzip2-compressed data",
                    ja: "圧縮データ（bzip2）",
                }),
                first_bytes: "42 5a 68 39".into(),
            },
            Damage::NotALog {
                kind: None,
                first_bytes: "00 00".into(),
            },
        ];
        for damage in &all {
            let ja = damage.say(Lang::Ja);
            // The only Latin words left are names (gzip, JSON, CloudTrail, MiB) and quoted words.
            let unquoted = ja
                .split(['（', '）'])
                .step_by(2)
                .collect::<String>()
                .replace("Records", "");
            for word in ["file", "the ", "not ", "invalid", "damaged"] {
                assert!(!unquoted.contains(word), "{ja}");
            }
            assert_ne!(ja, damage.say(Lang::En));
        }
    }
}
