//! `report --html`: a preview of the submission as GitHub would show it (pulldown-cmark with the
//! GFM extensions), with the charts inline so the one file can be opened anywhere.

use super::Rendered;
use super::check::markdown_options;
use crate::i18n::Lang;
use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};

const STYLE: &str = "body{font-family:sans-serif;max-width:960px;margin:2em auto;padding:0 1em;line-height:1.6;color:#1f2328}\
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:4px 10px}\
pre{background:#f6f8fa;padding:1em;overflow:auto}code{background:#f6f8fa}\
ul.contains-task-list{list-style:none}svg{max-width:100%;height:auto}";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page: images whose target is one of the report's own SVG assets become the SVG itself.
pub fn page(rendered: &Rendered, lang: Lang) -> String {
    let mut events = Vec::new();
    let mut skipping = false;
    for event in Parser::new_ext(&rendered.markdown, markdown_options()) {
        match event {
            Event::Start(Tag::Image { ref dest_url, .. }) => {
                if let Some((_, svg)) = rendered.assets.iter().find(|(p, _)| *p == **dest_url) {
                    // Drop the XML prolog-free document's outer newline; keep the markup.
                    events.push(Event::Html(CowStr::from(svg.trim().to_string())));
                    skipping = true;
                } else {
                    events.push(event);
                }
            }
            Event::End(TagEnd::Image) if skipping => skipping = false,
            _ if skipping => {}
            other => events.push(other),
        }
    }
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, events.into_iter());
    let title = rendered
        .markdown
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or("lecture06");
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        lang.code(),
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_inlined_and_tables_rendered() {
        let rendered = Rendered {
            markdown: "# T\n\n- [x] done\n\n| a |\n|---|\n| 1 |\n\n![chart](x-assets/t.svg)\n"
                .into(),
            assets: vec![(
                "x-assets/t.svg".into(),
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>c</title></svg>\n".into(),
            )],
        };
        let html = page(&rendered, Lang::Ja);
        assert!(html.contains("<svg xmlns"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("<table>") && html.contains("type=\"checkbox\""),
            "{html}"
        );
        assert!(html.contains("<html lang=\"ja\">"));
    }
}
