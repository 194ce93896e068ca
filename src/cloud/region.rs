//! Region codes as students type them: the shape AWS uses (`ap-northeast-1`), checked before any
//! call or any save, and the city names people write instead (`tokyo`, `東京`) turned into a
//! suggestion. One check for `--region` and for the answers file's `[cloudtrail] region`.

use crate::i18n::Lang;
use crate::t;

/// City names (and Japanese ones) → the Region code of that city.
const CITIES: &[(&[&str], &str)] = &[
    (&["tokyo", "東京"], "ap-northeast-1"),
    (&["seoul", "ソウル"], "ap-northeast-2"),
    (&["osaka", "大阪"], "ap-northeast-3"),
    (&["singapore", "シンガポール"], "ap-southeast-1"),
    (&["sydney", "シドニー"], "ap-southeast-2"),
    (&["mumbai"], "ap-south-1"),
    (
        &["virginia", "n.virginia", "northern virginia", "バージニア"],
        "us-east-1",
    ),
    (&["ohio", "オハイオ"], "us-east-2"),
    (&["california", "n.california"], "us-west-1"),
    (&["oregon", "オレゴン"], "us-west-2"),
    (&["frankfurt"], "eu-central-1"),
    (&["ireland"], "eu-west-1"),
    (&["london"], "eu-west-2"),
];

/// `Ok` for a Region code's shape (`ap-northeast-1`, `us-gov-west-1`), else why, with the code
/// of a city name when one was given.
pub fn check_code(text: &str, lang: Lang) -> Result<(), String> {
    let parts: Vec<&str> = text.split('-').collect();
    let shaped = parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()));
    if shaped {
        return Ok(());
    }
    let typed = text.trim().to_lowercase();
    let city = CITIES
        .iter()
        .find(|(names, _)| names.iter().any(|n| typed == *n || typed.contains(n)))
        .map(|(_, code)| *code);
    Err(match city {
        Some(code) => t!(
            lang,
            "\"{text}\" is not a Region code; for that city it is {code}",
            "「{text}」はリージョンコードではありません。その都市なら {code} です"
        ),
        None => t!(
            lang,
            "\"{text}\" is not a Region code; a Region code looks like ap-northeast-1 (Tokyo)",
            "「{text}」はリージョンコードではありません。リージョンコードは ap-northeast-1（東京）のような形式です"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_pass_and_city_names_get_their_code() {
        for code in [
            "ap-northeast-1",
            "us-east-1",
            "us-gov-west-1",
            "eu-central-2",
        ] {
            assert_eq!(check_code(code, Lang::En), Ok(()), "{code}");
        }
        let err = check_code("tokyo", Lang::En).unwrap_err();
        assert!(err.contains("ap-northeast-1"), "{err}");
        let err = check_code("東京", Lang::Ja).unwrap_err();
        assert!(err.contains("ap-northeast-1"), "{err}");
        for wrong in [
            "Tokyo-1",
            "ap-northeast",
            "apnortheast1",
            "ap_northeast_1",
            "",
        ] {
            assert!(check_code(wrong, Lang::En).is_err(), "{wrong}");
        }
    }
}
