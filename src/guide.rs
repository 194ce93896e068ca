//! Step guides: Markdown in `steps/<lang>/<step>.md`, embedded in the binary, rendered for the
//! terminal with pulldown-cmark (headings, lists, emphasis, code, links with their address).

use crate::i18n::Lang;
use crate::step_id::StepId;
use console::style;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};

/// The guide's Markdown: the step's heading and the assignment's wording from the registry of
/// steps (`steps/steps.toml`), then the guide's own text.
pub fn source(step: StepId, lang: Lang) -> String {
    let number = step.number();
    let title = step.title(lang);
    let asked = step.asked(lang);
    let (step_word, assignment) = match lang {
        Lang::En => ("Step", "The assignment"),
        Lang::Ja => ("ステップ", "課題"),
    };
    let mut out = format!(
        "# {step_word} {number} — {title}\n\n**{assignment}:** {}\n",
        asked[0]
    );
    for sub in &asked[1..] {
        out.push_str(&format!("- {sub}\n"));
    }
    out.push('\n');
    out.push_str(body(step, lang));
    out
}

/// The guide's own text: `steps/<lang>/<step>.md`, embedded.
fn body(step: StepId, lang: Lang) -> &'static str {
    macro_rules! guides {
        ($($step:ident => $file:literal),* $(,)?) => {
            match (step, lang) {
                $(
                    (StepId::$step, Lang::En) => include_str!(concat!("../steps/en/", $file, ".md")),
                    (StepId::$step, Lang::Ja) => include_str!(concat!("../steps/ja/", $file, ".md")),
                )*
            }
        };
    }
    guides!(
        Cloudtrail => "cloudtrail",
        Alarm => "alarm",
        Transitions => "transitions",
        Estimate => "estimate",
        Billing => "billing",
    )
}

/// Markdown rendered as terminal text; `styled` adds bold and colour.
pub fn render(markdown: &str, styled: bool) -> String {
    let mut out = String::new();
    let mut list_depth: Vec<Option<u64>> = Vec::new();
    let mut in_code = false;
    let mut link: Option<String> = None;
    let bold = |s: &str| {
        if styled {
            style(s).bold().to_string()
        } else {
            s.to_string()
        }
    };
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                if !out.is_empty() && !out.ends_with("\n\n") {
                    out.push('\n');
                }
                out.push_str(match level {
                    HeadingLevel::H1 => "# ",
                    HeadingLevel::H2 => "## ",
                    _ => "### ",
                });
            }
            Event::End(TagEnd::Heading(_)) => out.push_str("\n\n"),
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) => {
                out.push('\n');
                if list_depth.is_empty() {
                    out.push('\n');
                }
            }
            Event::Start(Tag::List(start)) => {
                if !out.ends_with('\n') {
                    out.push('\n');
                }
                list_depth.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                list_depth.pop();
                if list_depth.is_empty() {
                    out.push('\n');
                }
            }
            Event::Start(Tag::Item) => {
                let indent = "  ".repeat(list_depth.len().saturating_sub(1));
                let marker = match list_depth.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "• ".to_string(),
                };
                out.push_str(&format!("{indent}{marker}"));
            }
            Event::End(TagEnd::Item) if !out.ends_with('\n') => out.push('\n'),
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code = true;
                if let CodeBlockKind::Fenced(_) = kind {
                    out.push('\n');
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                out.push('\n');
            }
            Event::Start(Tag::Link { dest_url, .. }) => link = Some(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = link.take() {
                    out.push_str(&format!(" <{url}>"));
                }
            }
            Event::Text(text) => {
                if in_code {
                    for line in text.lines() {
                        out.push_str("    ");
                        out.push_str(line);
                        out.push('\n');
                    }
                } else {
                    out.push_str(&text);
                }
            }
            Event::Code(code) => out.push_str(&bold(&format!("`{code}`"))),
            Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) => {}
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Rule => out.push_str("────────\n"),
            _ => {}
        }
    }
    out.trim_end().to_string() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_has_a_guide_in_every_language() {
        for step in StepId::ALL {
            for lang in [Lang::En, Lang::Ja] {
                let own = body(step, lang);
                assert!(
                    !own.starts_with('#')
                        && !own.contains("**The assignment")
                        && !own.contains("**課題"),
                    "{step:?} {lang:?}: the heading and the assignment come from steps.toml"
                );
                assert!(own.len() > 200, "{step:?} {lang:?} is too short");
                let text = source(step, lang);
                assert!(text.contains(step.title(lang)), "{step:?} {lang:?}");
                let rendered = render(&text, false);
                assert!(
                    !rendered.contains("**") && !rendered.contains("]("),
                    "{step:?} {lang:?}: {rendered}"
                );
            }
        }
    }

    #[test]
    fn renders_lists_code_and_links() {
        let text = render(
            "# T\n\nSee [docs](https://x.test).\n\n- a\n- b\n\n```\nls\n```\n",
            false,
        );
        assert_eq!(
            text,
            "# T\n\nSee docs <https://x.test>.\n\n• a\n• b\n\n\n    ls\n"
        );
    }
}
