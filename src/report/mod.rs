//! `lecture06 report`: the submission Markdown, written from a template (`report-templates/`,
//! embedded) filled with the checklist's evidence, then masked as a whole (and so are its assets):
//! reports go to GitHub. A step that is not done shows as not done, never as made-up content.
//!
//! Templates (minijinja): `report.md` is the main one; it includes one partial per step
//! (`{% include "cloudtrail.md" %}` …). `--template FILE` replaces the main one only, so a
//! student's own layout still includes the built-in sections by those names. Each partial sees
//! `steps.<id>` = the framework's facts (below) merged with the step's `report_context()`:
//!
//! | key | what |
//! |---|---|
//! | `done`, `status` | the checklist's state of the step |
//! | `number`, `title`, `check` | `1`, the step's title, `✅` when done else `⬜` |
//! | `asked` | the assignment's wording: the item, then its sub-items |
//! | `headline` | the first line of the step's `summary()` (empty when not done) |
//! | `chart` | the relative path of the step's SVG chart (when the step draws one) |
//! | `unreadable` | when the step is marked done but its evidence cannot be read: what to do |
//! | `remark` | the student's own remark on the step (`crate::remarks`), as Markdown lines |
//!
//! Filters for partials: `cell` (safe inside a GFM table cell), `code` (an inline code span that
//! survives backticks inside).

pub mod chart;
pub mod check;
pub mod html;
pub mod written;

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::session::Session;
use crate::state::{FileAction, Mode, State, StepStatus, file_error};
use crate::step_id::StepId;
use crate::steps::{Facts, Reading};
use crate::{mask, t};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

pub const DEFAULT_FILE: &str = "lecture06.md";

/// The embedded templates of a language: the main `report.md`, and each step's section
/// (`report.<lang>.md` in its folder) under the name `<id>.md`, which `report.md` includes.
pub fn templates(lang: Lang) -> Vec<(String, &'static str)> {
    let main = match lang {
        Lang::Ja => include_str!("../../report-templates/ja/report.md"),
        Lang::En => include_str!("../../report-templates/en/report.md"),
    };
    let mut all = vec![("report.md".to_string(), main)];
    for &step in StepId::ALL {
        all.push((format!("{}.md", step.id()), step.report_section(lang)));
    }
    all
}

/// How the report is made: masking, the main template, where assets are linked from.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    pub mask: bool,
    /// The student's own main template (`--template`), replacing the built-in `report.md`.
    pub template: Option<(PathBuf, String)>,
    /// The assets folder, relative to the Markdown file (`lecture06-assets`).
    pub assets_dir: String,
    /// The session's flags, for the command that runs a step again.
    pub session: Session,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            mask: true,
            template: None,
            assets_dir: assets_dir_name(Path::new(DEFAULT_FILE)),
            session: Session::default(),
        }
    }
}

/// The report and its assets (paths relative to the Markdown file), masked unless told not to.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub markdown: String,
    pub assets: Vec<(String, String)>,
}

/// `lecture06.md` → `lecture06-assets`.
pub fn assets_dir_name(out: &Path) -> String {
    let stem = out
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("lecture06");
    format!("{stem}-assets")
}

/// A relative path as a Markdown link's address: a space (`--out "提出 レポート.md"`) or a
/// parenthesis would end the address, so they are percent-encoded (GitHub and `--check` decode
/// them).
pub fn link_address(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '%' => out.push_str("%25"),
            other => out.push(other),
        }
    }
    out
}

/// The student's learnings as saved at the end of `run` (`state.notes.learnings`).
pub fn learnings(state: &State) -> (String, String) {
    let notes = state.notes.get("learnings");
    let get = |key: &str| {
        notes
            .and_then(|n| n.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    (get("learned"), get("unclear"))
}

/// Lines as Markdown list items (lines that already are list items stay as written).
fn as_list(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let trimmed = line.trim_start();
            let is_item = trimmed.starts_with("- ")
                || trimmed.starts_with("* ")
                || trimmed
                    .split_once(". ")
                    .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if is_item {
                line.to_string()
            } else {
                format!("- {trimmed}")
            }
        })
        .collect()
}

/// A remark's lines as one Markdown paragraph (hard line breaks between the student's lines).
fn as_paragraphs(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("  \n")
}

/// Every step's saved evidence, read (in the order of `StepId::ALL`).
pub fn readings(state: &State, lang: Lang) -> Vec<(StepId, Reading)> {
    crate::steps::registry()
        .iter()
        .map(|step| (step.id(), step.read(&state.step(step.id()), lang)))
        .collect()
}

/// One step's part of the context: the framework's facts, then the step's own when it is done.
fn section(
    step: StepId,
    status: StepStatus,
    reading: &Reading,
    chart: Option<&String>,
    lang: Lang,
    redo: &str,
    remark: Option<String>,
) -> Value {
    let done = reading.is_done();
    let headline = match reading {
        Reading::Done(facts) => facts.summary.first().cloned().unwrap_or_default(),
        _ => String::new(),
    };
    let unreadable = match reading {
        Reading::Unreadable { why } => Some(t!(
            lang,
            "This step is marked done, but {why}. Run `{redo}` to do it again; nothing else is lost.",
            "このステップは完了になっていますが、{why}。`{redo}` でやり直してください（ほかのものは失われていません）。"
        )),
        _ => None,
    };
    let mut section = json!({
        "done": done,
        "status": if unreadable.is_some() { json!("needs_rerun") } else { json!(status) },
        "number": step.number(),
        "title": step.title(lang),
        "check": if done { "✅" } else { "⬜" },
        "asked": step.asked(lang),
        "headline": headline,
        "chart": chart,
        "unreadable": unreadable,
        "remark": remark,
    });
    if let Reading::Done(facts) = reading
        && let Value::Object(extra) = &facts.report
    {
        section
            .as_object_mut()
            .expect("object")
            .extend(extra.clone());
    }
    section
}

/// The templates' context: `steps.<id>` for each step (see the module's header), the session's
/// mode and Region, and the learnings. `session` gives the command that runs a step again.
pub fn context(
    state: &State,
    lang: Lang,
    readings: &[(StepId, Reading)],
    charts: &[(StepId, String)],
    session: &Session,
) -> Value {
    let mut steps = serde_json::Map::new();
    let mut done_count = 0;
    for (step, reading) in readings {
        done_count += usize::from(reading.is_done());
        let chart = charts.iter().find(|(s, _)| s == step).map(|(_, path)| path);
        let redo = session.rerun(step.id());
        steps.insert(
            step.id().to_string(),
            section(
                *step,
                state.status(*step),
                reading,
                chart,
                lang,
                &redo,
                crate::remarks::of(state, *step).map(|text| as_paragraphs(&text)),
            ),
        );
    }
    let (learned, unclear) = learnings(state);
    json!({
        "steps": steps,
        "order": StepId::ALL.iter().map(|s| s.id()).collect::<Vec<_>>(),
        "done_count": done_count,
        "total": StepId::ALL.len(),
        "mode": state.mode,
        "sandbox": state.mode == Mode::Sandbox,
        "region": state.region,
        "learnings": {
            "learned": as_list(&learned),
            "unclear": as_list(&unclear),
        },
    })
}

/// Safe inside a GFM table cell: pipes escaped, line breaks as spaces.
fn cell_filter(value: String) -> String {
    value.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// An inline code span for any text: a longer fence (and spaces) when the text holds backticks.
fn code_filter(value: String) -> String {
    let longest = value.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if value.is_empty() {
        return "` `".into();
    }
    if longest == 0 {
        return format!("`{value}`");
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {value} {fence}")
}

fn environment(lang: Lang, main: Option<&str>) -> AppResult<minijinja::Environment<'static>> {
    let mut env = minijinja::Environment::new();
    env.add_filter("cell", cell_filter);
    env.add_filter("code", code_filter);
    for (name, source) in templates(lang) {
        if name == "report.md" && main.is_some() {
            continue;
        }
        env.add_template_owned(name, source)
            .map_err(anyhow::Error::from)?;
    }
    if let Some(main) = main {
        env.add_template_owned("report.md", main.to_string())
            .map_err(|e| template_error(lang, &e))?;
    }
    Ok(env)
}

fn template_error(lang: Lang, err: &minijinja::Error) -> AppError {
    let mut why = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        why.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    AppError::Usage(t!(
        lang,
        "The report template given with --template cannot be used: {why}",
        "--template で指定したレポートテンプレートを使えません: {why}"
    ))
}

/// Renders the report and its charts from the state.
pub fn render(state: &State, lang: Lang, options: &RenderOptions) -> AppResult<Rendered> {
    render_with(state, lang, options, &readings(state, lang))
}

/// Renders the report from readings of the steps' evidence (`readings`; tests pass their own).
pub fn render_with(
    state: &State,
    lang: Lang,
    options: &RenderOptions,
    readings: &[(StepId, Reading)],
) -> AppResult<Rendered> {
    let mut assets = Vec::new();
    let mut charts = Vec::new();
    for (step, reading) in readings {
        if let Reading::Done(Facts {
            chart: Some(timeline),
            ..
        }) = reading
        {
            let path = format!("{}/{}.svg", options.assets_dir, step.id());
            assets.push((path.clone(), chart::render_svg(timeline, lang)));
            charts.push((*step, link_address(&path)));
        }
    }
    let env = environment(lang, options.template.as_ref().map(|(_, t)| t.as_str()))?;
    let rendered = env.get_template("report.md").and_then(|t| {
        t.render(minijinja::value::Serde(context(
            state,
            lang,
            readings,
            &charts,
            &options.session,
        )))
    });
    let text = match rendered {
        Ok(text) => format!("{}\n", text.trim_end()),
        Err(err) if options.template.is_some() => return Err(template_error(lang, &err)),
        Err(err) => return Err(anyhow::Error::from(err).into()),
    };
    if options.mask {
        Ok(Rendered {
            markdown: mask::text(&text),
            assets: assets
                .into_iter()
                .map(|(path, body)| (path, mask::text(&body)))
                .collect(),
        })
    } else {
        Ok(Rendered {
            markdown: text,
            assets,
        })
    }
}

/// The `## ` headings of a Markdown text, in order (what the report's sections are).
pub fn sections(markdown: &str) -> Vec<String> {
    let mut in_fence = false;
    markdown
        .lines()
        .filter(|line| {
            if line.starts_with("```") {
                in_fence = !in_fence;
            }
            !in_fence && line.starts_with("## ")
        })
        .map(|line| line.trim_start_matches("## ").trim().to_string())
        .collect()
}

/// What [`write_files`] did besides writing.
#[derive(Debug, Default)]
pub struct Wrote {
    /// The folder the report's links start from.
    pub base: PathBuf,
    /// Each file the student had changed, and where their version was kept (with `--force`).
    pub kept: Vec<(PathBuf, PathBuf)>,
    /// Charts a step no longer draws that lecture06 did not write (or that were edited): left.
    pub left: Vec<PathBuf>,
}

/// Writes the Markdown at `out` and its assets relative to it, and remembers them in `written`.
/// A file that is neither what lecture06 last wrote there nor what it is about to write (the
/// student edited it) is not replaced: without `force` nothing at all is written and the error
/// names the files and `--force`; with `force` each is first kept beside itself as
/// `<name>.edited-<date-time>.<ext>`. A chart a step no longer draws is removed only when it is
/// exactly what lecture06 wrote.
pub fn write_files(
    out: &Path,
    rendered: &Rendered,
    options: &RenderOptions,
    written: &mut written::Written,
    force: bool,
    lang: Lang,
) -> AppResult<Wrote> {
    let base = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut planned: Vec<(PathBuf, &str)> = rendered
        .assets
        .iter()
        .map(|(path, body)| (base.join(path), body.as_str()))
        .collect();
    planned.push((out.to_path_buf(), rendered.markdown.as_str()));
    let mut edited = Vec::new();
    for (path, body) in &planned {
        let state = written.on_disk(path, body).map_err(|e| {
            let shown = path.display();
            AppError::Failed(t!(
                lang,
                "Cannot read {shown} to see whether you edited it: {e}",
                "{shown} を読めないため、手で編集したかどうか確かめられません: {e}"
            ))
        })?;
        if state == written::OnDisk::Theirs {
            edited.push(path.clone());
        }
    }
    if !edited.is_empty() && !force {
        return Err(AppError::Failed(refuse_message(&edited, lang)));
    }
    let mut wrote = Wrote {
        base: base.clone(),
        ..Wrote::default()
    };
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    for path in edited {
        let kept = written::kept_copy_path(&path, &stamp);
        written::keep_copy(&path, &kept)
            .map_err(|e| file_error(lang, FileAction::Save, &kept, e))?;
        wrote.kept.push((path, kept));
    }
    for step in StepId::ALL {
        let path = format!("{}/{}.svg", options.assets_dir, step.id());
        if !rendered.assets.iter().any(|(p, _)| *p == path) {
            let stale = base.join(&path);
            if written.is_ours(&stale) {
                std::fs::remove_file(&stale)?;
                written.forget(&stale);
            } else if stale.is_file() {
                wrote.left.push(stale);
            }
        }
    }
    for (path, body) in &planned {
        if let Err(e) = crate::atomic_file::write_atomically(path, body.as_bytes()) {
            // What was written so far stays lecture06's, so the next run may replace it.
            let _ = written.save();
            return Err(file_error(lang, FileAction::Save, path, e));
        }
        written.remember(path, body);
    }
    written
        .save()
        .map_err(|e| file_error(lang, FileAction::Save, written.path(), e))?;
    Ok(wrote)
}

/// Why `report` wrote nothing: the files the student changed, and `--force`.
fn refuse_message(edited: &[PathBuf], lang: Lang) -> String {
    let list: Vec<String> = edited
        .iter()
        .map(|path| {
            let shown = path.display();
            let kept = written::kept_copy_path(path, lang.pick("<date-time>", "<日時>"));
            let kept = kept.file_name().unwrap_or_default().to_string_lossy();
            t!(
                lang,
                "  - {shown} (yours would be kept as {kept})",
                "  - {shown}（編集した版は {kept} として残します）"
            )
        })
        .collect();
    let list = list.join("\n");
    t!(
        lang,
        "Not written: these files changed since lecture06 last wrote them (edited by hand?), and `report` does not overwrite your edits:\n{list}\nRun the same command again with --force to write the new report anyway: each file above is first kept beside itself under the name shown, so nothing you wrote is lost. (To have text in every report, put it in the learnings, which `lecture06 run` asks for, or in your own --template.)",
        "書き出しませんでした。次のファイルは lecture06 が前回書き出した後に変更されています（手で編集しましたか？）。`report` は編集内容を上書きしません:\n{list}\nそれでも新しいレポートを書き出すには、同じコマンドに --force を付けて実行してください。上の各ファイルは、表示した名前で同じフォルダーに残してから書き出すので、書いた内容は失われません（毎回のレポートに入れたい文章は、`lecture06 run` が尋ねる「学んだこと」か、自分の --template に書いてください）。"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code_filter("abc".into()), "`abc`");
        assert_eq!(code_filter("a`b".into()), "`` a`b ``");
        assert_eq!(code_filter(String::new()), "` `");
    }

    #[test]
    fn cells_escape_pipes_and_newlines() {
        assert_eq!(cell_filter("a|b\nc".into()), "a\\|b c");
    }

    #[test]
    fn learnings_become_list_items() {
        assert_eq!(
            as_list("CloudTrail は 90 日\n\n- already a list\n1. numbered"),
            ["- CloudTrail は 90 日", "- already a list", "1. numbered"]
        );
    }

    #[test]
    fn assets_folder_follows_the_file_name() {
        assert_eq!(
            assets_dir_name(Path::new("x/submission.md")),
            "submission-assets"
        );
        assert_eq!(assets_dir_name(Path::new(DEFAULT_FILE)), "lecture06-assets");
    }

    #[test]
    fn every_template_renders_in_both_languages_for_an_empty_state() {
        let state = State::new(Mode::Sandbox, "2026-11-21T01:00:00Z".parse().unwrap());
        for lang in [Lang::En, Lang::Ja] {
            let rendered = render(&state, lang, &RenderOptions::default()).unwrap();
            assert!(!rendered.markdown.contains("{{"), "{}", rendered.markdown);
            // The assignment list, one per step, the learnings.
            assert_eq!(sections(&rendered.markdown).len(), StepId::ALL.len() + 2);
        }
    }
}
