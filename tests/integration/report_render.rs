//! The sandbox report as GitHub renders it (pulldown-cmark with GitHub's extensions: tables,
//! strikethrough, task lists, footnotes, alerts): no masked value turns into Markdown syntax, no
//! ordered steps hide inside a bullet list (`- 1. …` renders as bullets holding `i.`), and every
//! image and link resolves. The masked values are found without trusting the mask's own form: the
//! same session's report written with `--no-mask` gives the sensitive values
//! (`mask::findings`), and `mask::text` of each is what must appear as written.

use crate::harness::Workspace;
use crate::report::full_run;
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::BTreeSet;
use std::ops::Range;

fn github_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
}

/// The masked forms of the values the unmasked report holds.
fn masked_forms(ws: &Workspace) -> BTreeSet<String> {
    let raw_path = ws.path().join("raw.md");
    ws.run_sandbox(&["report", "--no-mask", "--out", raw_path.to_str().unwrap()])
        .success();
    let raw = std::fs::read_to_string(&raw_path).unwrap();
    let forms: BTreeSet<String> = lecture06::mask::findings(&raw)
        .into_iter()
        .map(|(_, value)| lecture06::mask::text(&value))
        .filter(|masked| !masked.trim().is_empty())
        .collect();
    assert!(
        forms.len() >= 3,
        "the report holds masked values: {forms:?}"
    );
    forms
}

fn occurrences(text: &str, what: &str) -> Vec<Range<usize>> {
    text.match_indices(what)
        .map(|(at, _)| at..at + what.len())
        .collect()
}

/// The text a reader sees: text and code contents, each block's run joined.
fn visible_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(markdown, github_options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            _ => out.push('\u{0}'),
        }
    }
    out
}

fn masked_values_render_as_written(lang: &str) {
    let (ws, text) = full_run(lang);
    let forms = masked_forms(&ws);
    let shown = visible_text(&text);
    for form in &forms {
        let in_source = occurrences(&text, form);
        if in_source.is_empty() {
            continue;
        }
        // Emphasis or a link made from a masked value eats its characters or wraps them.
        for (event, range) in Parser::new_ext(&text, github_options()).into_offset_iter() {
            let syntax = matches!(
                event,
                Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. })
            );
            if !syntax {
                continue;
            }
            for at in &in_source {
                let delimiter_inside =
                    at.contains(&range.start) || at.contains(&(range.end.saturating_sub(1)));
                assert!(
                    !delimiter_inside,
                    "{lang}: {event:?} made from the masked value {form:?} at {at:?}: {:?}",
                    &text[range.clone()]
                );
            }
        }
        assert_eq!(
            occurrences(&shown, form).len(),
            in_source.len(),
            "{lang}: the masked value {form:?} is not shown as written every time"
        );
    }
}

#[test]
fn masked_values_render_as_written_ja() {
    masked_values_render_as_written("ja");
}

#[test]
fn masked_values_render_as_written_en() {
    masked_values_render_as_written("en");
}

/// Ordered steps are ordered lists, never an ordered list as the first thing in a bullet item;
/// every link and image resolves (a relative one to a file beside the report, an absolute one to
/// an https address with a host); at least one ordered list and the chart are there.
fn structure_is_clean(lang: &str) {
    let (ws, text) = full_run(lang);
    // Which kind of list each open list is (true: ordered), and whether an item just opened.
    let mut lists: Vec<bool> = Vec::new();
    let mut item_just_opened = false;
    let mut ordered_lists = 0;
    let mut images = 0;
    for (event, range) in Parser::new_ext(&text, github_options()).into_offset_iter() {
        match &event {
            Event::Start(Tag::List(start)) => {
                let ordered = start.is_some();
                assert!(
                    !(ordered && item_just_opened && lists.last() == Some(&false)),
                    "{lang}: a bullet item holds an ordered list: {:?}",
                    &text[range.clone()]
                );
                ordered_lists += usize::from(ordered);
                lists.push(ordered);
                item_just_opened = false;
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => item_just_opened = true,
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                ..
            }) => {
                images += usize::from(matches!(event, Event::Start(Tag::Image { .. })));
                let dest = dest_url.to_string();
                assert!(
                    !dest.is_empty(),
                    "{lang}: an empty link: {:?}",
                    &text[range.clone()]
                );
                if matches!(link_type, LinkType::Email) {
                    panic!("{lang}: an e-mail link: {dest}");
                } else if let Some(rest) = dest.strip_prefix("https://") {
                    let host = rest.split(['/', '#', '?']).next().unwrap_or_default();
                    assert!(host.contains('.'), "{lang}: a link without a host: {dest}");
                } else {
                    assert!(
                        !dest.contains("://") && !dest.starts_with('#'),
                        "{lang}: not https and not relative: {dest}"
                    );
                    let path = dest
                        .replace("%20", " ")
                        .replace("%28", "(")
                        .replace("%29", ")");
                    assert!(
                        ws.path().join(&path).is_file(),
                        "{lang}: {dest} does not resolve beside the report"
                    );
                }
                item_just_opened = false;
            }
            _ => item_just_opened = false,
        }
    }
    assert!(
        ordered_lists >= 1,
        "{lang}: the delay's parts are an ordered list"
    );
    assert!(images >= 1, "{lang}: the chart is linked");
    let bullet_numbers = regex::Regex::new(r"(?m)^\s*[-*] \d+\. ").unwrap();
    assert!(
        !bullet_numbers.is_match(&text),
        "{lang}: a bullet starting with a number"
    );
}

#[test]
fn structure_is_clean_ja() {
    structure_is_clean("ja");
}

#[test]
fn structure_is_clean_en() {
    structure_is_clean("en");
}
