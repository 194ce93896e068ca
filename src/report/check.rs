//! `report --check`: what GitHub and a reviewer would stumble on, found before the push. The
//! written file is parsed as GitHub does (pulldown-cmark, GFM), every relative link and image
//! must exist, no template placeholder may be left, and nothing may still look like a secret,
//! in the file or in the local files it links (the chart).

use crate::i18n::Lang;
use crate::{mask, t};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use regex::Regex;
use std::path::Path;
use std::sync::LazyLock;

/// `src="…"` and `href="…"` in raw HTML (`<img>`, `<a>`).
/// A Markdown link or image whose address holds a space outside `<…>`: Markdown does not read it
/// as a link at all (GitHub shows the brackets as text), though the file may exist.
static UNREAD_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"!?\[[^\]\n]*\]\(([^)<\n][^)\n]*)\)").unwrap());

static HTML_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)\b(?:src|href)\s*=\s*["']([^"']*)["']"#).unwrap());

pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
}

/// A link that points into the repository (not a URL, not an anchor, not root-relative), without
/// its `#fragment` or `?query`, percent-decoded.
fn local_target(dest: &str) -> Option<String> {
    let dest = dest.trim();
    if dest.is_empty()
        || dest.starts_with('#')
        || dest.starts_with('/')
        || dest.contains("://")
        || dest.starts_with("mailto:")
        || dest.starts_with("data:")
        || dest.starts_with("tel:")
    {
        return None;
    }
    let path = dest.split(['#', '?']).next().unwrap_or_default();
    Some(percent_decode(path))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Line numbers of byte offsets, by a binary search over where each line starts (counting from
/// the start of the text for each offset made the check quadratic in the report's length).
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        let starts =
            std::iter::once(0).chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1));
        Lines(starts.collect())
    }

    /// The 1-based line holding byte `offset`.
    fn of(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

/// Everything wrong with the Markdown `text` of a file in `base` (the folder links start from).
pub fn problems_in(text: &str, base: &Path, lang: Lang) -> Vec<String> {
    let mut problems = Vec::new();
    let mut linked = Vec::new();
    let mut in_code = false;
    let lines = Lines::new(text);
    for (event, range) in Parser::new_ext(text, markdown_options()).into_offset_iter() {
        let line = lines.of(range.start);
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                linked.push((line, dest_url.to_string()));
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                for c in HTML_LINK.captures_iter(&html) {
                    linked.push((line, c[1].to_string()));
                }
                if html.contains("{{") || html.contains("{%") {
                    problems.push(placeholder(lang, line));
                }
            }
            Event::Text(text)
                if !in_code
                    && (text.contains("{{") || text.contains("{%") || text.contains("%}")) =>
            {
                problems.push(placeholder(lang, line));
            }
            _ => {}
        }
    }
    let mut in_fence = false;
    for (index, raw) in text.lines().enumerate() {
        if raw.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if in_fence {
            continue;
        }
        for c in UNREAD_LINK.captures_iter(raw) {
            let dest = c[1].trim();
            let Some((address, rest)) = dest.split_once(char::is_whitespace) else {
                continue;
            };
            // `[text](address "title")` is a link with a title, not a broken one.
            if rest.trim_start().starts_with(['"', '\'', '(']) {
                continue;
            }
            let line = index + 1;
            problems.push(t!(
                lang,
                "line {line}: `{dest}` has a space in its address, so Markdown does not read it as a link or image (GitHub shows it as text): write the space as %20 (after `{address}`), or put the address in <…>",
                "{line} 行目: `{dest}` はアドレスに空白があるため、Markdown はリンク／画像として読みません（GitHub では文字のまま表示されます）。空白を %20 と書くか（`{address}` の後）、アドレスを <…> で囲んでください"
            ));
        }
    }
    problems.dedup();
    // Each linked file is read and checked once, however often the report links it.
    let mut checked = std::collections::HashSet::new();
    for (line, dest) in linked {
        let Some(target) = local_target(&dest) else {
            continue;
        };
        if target.contains("{{") || target.contains("{%") {
            problems.push(placeholder(lang, line));
            continue;
        }
        let path = base.join(&target);
        if !path.exists() {
            problems.push(t!(
                lang,
                "line {line}: the link or image `{dest}` points to {target}, which does not exist (GitHub would show a broken link)",
                "{line} 行目: リンク／画像 `{dest}` の指す {target} がありません（GitHub ではリンク切れになります）"
            ));
        } else if path.is_file()
            && checked.insert(path.clone())
            && let Ok(body) = std::fs::read_to_string(&path)
        {
            for (kind, found) in mask::findings(&body) {
                let kind = lang.pick(kind, kind_ja(kind));
                problems.push(t!(
                    lang,
                    "{target}: an unmasked {kind} ({found})",
                    "{target}: マスクされていない{kind}があります（{found}）"
                ));
            }
        }
    }
    for mask::Finding { kind, found, line } in mask::findings_with_lines(text) {
        let kind = lang.pick(kind, kind_ja(kind));
        problems.push(t!(
            lang,
            "line {line}: an unmasked {kind} ({found}); run `lecture06 report` again (it masks by default) or mask it by hand",
            "{line} 行目: マスクされていない{kind}があります（{found}）。`lecture06 report` を再実行する（既定でマスクします）か、手でマスクしてください"
        ));
    }
    problems
}

fn kind_ja(kind: &str) -> &'static str {
    match kind {
        "account ID" => "アカウント ID",
        "access key ID" => "アクセスキー ID",
        "secret access key" => "シークレットアクセスキー",
        "session token" => "セッショントークン",
        "e-mail address" => "メールアドレス",
        "IPv6 address" => "IPv6 アドレス",
        _ => "IPv4 アドレス",
    }
}

fn placeholder(lang: Lang, line: usize) -> String {
    t!(
        lang,
        "line {line}: a template placeholder (`{{{{ … }}}}` or `{{% … %}}`) is left",
        "{line} 行目: テンプレートのプレースホルダー（`{{{{ … }}}}` や `{{% … %}}`）が残っています"
    )
}

/// The problems of the file at `path` (one when it cannot be read).
pub fn problems(path: &Path, lang: Lang) -> Vec<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let base = path.parent().filter(|p| !p.as_os_str().is_empty());
            problems_in(&text, base.unwrap_or(Path::new(".")), lang)
        }
        Err(e) => {
            let shown = path.display();
            vec![t!(
                lang,
                "cannot read {shown}: {e}",
                "{shown} を読めません: {e}"
            )]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/chart.svg"), "<svg/>").unwrap();
        problems_in(text, dir.path(), Lang::En)
    }

    #[test]
    fn an_address_with_a_space_is_not_read_as_a_link_and_is_named() {
        let found = check("# R\n\n![chart](提出 レポート-assets/transitions.svg)\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("line 3") && found[0].contains("%20"),
            "{found:?}"
        );
        // A title, an address in <…>, and %20 are all links Markdown reads.
        assert_eq!(
            check("# R\n\n[web](https://example.com \"the site\") ![c](<a/chart.svg>)\n"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_clean_report_passes() {
        let text = "# R\n\n- [x] done\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![chart](a/chart.svg)\n[web](https://example.com) [top](#r)\n\n```\n{{ in code is fine }}\n```\n";
        assert_eq!(check(text), Vec::<String>::new());
    }

    #[test]
    fn broken_links_placeholders_and_secrets_are_named_with_their_line() {
        let found = check(
            "# R\n\n![x](a/missing.svg)\n\n{{ steps.alarm.title }}\n\narn:aws:iam::556312345678:user/x\n<img src=\"b/none.png\">\n",
        );
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(
            found[0].contains("line 5") && found[0].contains("placeholder"),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.contains("line 3") && p.contains("a/missing.svg"))
        );
        assert!(found.iter().any(|p| p.contains("b/none.png")));
        assert!(
            found
                .iter()
                .any(|p| p.contains("line 7") && p.contains("account ID"))
        );
    }

    /// A report of 50,000 lines (the size that took 271 s while the check was quadratic): every
    /// planted secret is found on its own line.
    #[test]
    fn a_long_report_is_checked_with_each_problem_on_its_line() {
        let mut text = String::from("# R\n\n");
        let mut planted = Vec::new();
        let mut lines = 2;
        while lines < 50_000 {
            let n = planted.len();
            text.push_str(&format!(
                "## Section {n}\n\n| a | b |\n|---|---|\n| {n} | [web](https://example.com/{n}) |\n\n- item with `code` and ![chart](a/chart.svg)\n\n"
            ));
            planted.push(lines + 9);
            text.push_str(&format!("account 5563-1234-{:04}\n\n", n % 10_000));
            lines += 10;
        }
        assert_eq!(text.lines().count(), lines);
        let found = check(&text);
        let expected: Vec<String> = planted
            .iter()
            .map(|line| format!("line {line}: "))
            .collect();
        assert_eq!(
            found.len(),
            planted.len(),
            "{:?}",
            &found[..3.min(found.len())]
        );
        for (problem, prefix) in found.iter().zip(&expected) {
            assert!(
                problem.starts_with(prefix),
                "{problem} (expected {prefix}…)"
            );
            assert!(problem.contains("account ID"), "{problem}");
        }
    }

    #[test]
    fn a_file_linked_twice_is_reported_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("c.svg"), "<svg>556312345678</svg>").unwrap();
        let found = problems_in("![a](c.svg)\n\n![b](c.svg)\n", dir.path(), Lang::En);
        assert_eq!(found, ["c.svg: an unmasked account ID (556312345678)"]);
    }

    #[test]
    fn lines_are_counted_from_one() {
        let lines = Lines::new("a\nbc\n\nd");
        let at: Vec<usize> = [0, 1, 2, 4, 5, 6].iter().map(|&o| lines.of(o)).collect();
        assert_eq!(at, [1, 1, 2, 2, 3, 4]);
    }

    #[test]
    fn percent_encoded_links_are_decoded() {
        assert_eq!(local_target("a%20b.png#x").as_deref(), Some("a b.png"));
        assert_eq!(local_target("https://x/y"), None);
    }
}
