//! `lecture06 status`: the checklist, for a person or (`--json`) for a program. A step marked
//! done whose evidence cannot be read shows as `needs_rerun`, with why and the command that
//! redoes it.

use crate::app::App;
use crate::cli::StatusArgs;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::state::{State, StepStatus};
use crate::step_id::StepId;
use crate::steps::{self, Reading};
use crate::{mask, t};
use serde_json::{Value, json};

/// One step as `status` shows it.
struct StepLine {
    step: StepId,
    /// `pending`, `in_progress`, `done` or `needs_rerun`.
    status: &'static str,
    summary: Vec<String>,
    /// Why a done step must run again (its evidence cannot be read).
    rerun: Option<String>,
}

fn lines_of(app: &App, state: Option<&State>) -> Vec<StepLine> {
    let lang = app.lang;
    StepId::ALL
        .iter()
        .map(|&step| {
            let saved = state.map(|s| s.step(step)).unwrap_or_default();
            let (status, summary, rerun) = match steps::get(step).read(&saved, lang) {
                Reading::Done(facts) => (
                    "done",
                    facts.summary.iter().map(|l| mask::text(l)).collect(),
                    None,
                ),
                Reading::Unreadable { why } => {
                    let redo = app.session.rerun(step.id());
                    let rerun = t!(
                        lang,
                        "{why}; run `{redo}` to do it again",
                        "{why}。`{redo}` でやり直してください"
                    );
                    ("needs_rerun", Vec::new(), Some(rerun))
                }
                Reading::NotDone => (
                    match saved.status {
                        StepStatus::InProgress => "in_progress",
                        _ => "pending",
                    },
                    Vec::new(),
                    None,
                ),
            };
            StepLine {
                step,
                status,
                summary,
                rerun,
            }
        })
        .collect()
}

pub fn status(app: &App, args: &StatusArgs) -> AppResult<()> {
    let lang = app.lang;
    let workspace = app.workspace();
    let state = workspace.load()?;
    let lines = lines_of(app, state.as_ref());
    // No session: said, and exit 1; `--json` still prints its usual shape (every step pending).
    let no_session = || {
        AppError::Failed(t!(
            lang,
            "No lecture06 session here yet. Start one with `lecture06 run` (or try `lecture06 --sandbox run` without an AWS account).",
            "ここにはまだ lecture06 のセッションがありません。`lecture06 run` で始めてください（AWS アカウントなしで試すなら `lecture06 --sandbox run`）。"
        ))
    };
    if args.json {
        print_json(app, state.as_ref(), &lines)?;
        return match state {
            Some(_) => Ok(()),
            None => Err(no_session()),
        };
    }
    let Some(state) = state else {
        return Err(no_session());
    };
    let mode = match state.mode {
        crate::state::Mode::Sandbox => lang.pick("sandbox", "サンドボックス"),
        crate::state::Mode::Real => lang.pick("real AWS account", "実際の AWS アカウント"),
    };
    let region = state.region.clone().unwrap_or_else(|| "-".into());
    app.ui.line(format!("lecture06 — {mode}, {region}"));
    for line in &lines {
        print_step(app, &state, line, lang);
    }
    if !state.resources.is_empty() {
        app.ui.line(lang.pick(
            "Resources lecture06 created:",
            "lecture06 が作成したリソース:",
        ));
        for r in &state.resources {
            app.ui.line(t!(
                lang,
                "  {} {} ({})",
                "  {} {}（{}）",
                r.kind,
                mask::text(&r.id),
                r.region
            ));
        }
    }
    Ok(())
}

fn print_step(app: &App, state: &State, line: &StepLine, lang: Lang) {
    let (mark, word) = match line.status {
        "done" => ("[x]", lang.pick("done", "完了")),
        "in_progress" => ("[~]", lang.pick("in progress", "作業中")),
        "needs_rerun" => ("[!]", lang.pick("needs a re-run", "要再実行")),
        _ => ("[ ]", lang.pick("pending", "未着手")),
    };
    let step = line.step;
    app.ui.line(format!(
        "{mark} {} — {} — {word}",
        step.id(),
        step.title(lang)
    ));
    if let Some(why) = &line.rerun {
        app.ui.line(format!("      {why}"));
    } else if let Some(reason) = &state.step(step).reopened {
        app.ui.line(format!(
            "      {} {reason}",
            lang.pick("reopened:", "再開理由:")
        ));
    }
    for summary in &line.summary {
        app.ui.line(format!("      {summary}"));
    }
}

fn print_json(app: &App, state: Option<&State>, lines: &[StepLine]) -> AppResult<()> {
    let lang = app.lang;
    let steps_json: Vec<Value> = lines
        .iter()
        .map(|line| {
            let entry = state.map(|s| s.step(line.step)).unwrap_or_default();
            json!({
                "id": line.step.id(),
                "status": line.status,
                "title": line.step.title(lang),
                "started_at": entry.started_at,
                "completed_at": entry.completed_at,
                "reopened": entry.reopened,
                "needs_rerun": line.rerun,
                "summary": line.summary,
            })
        })
        .collect();
    let resources: Vec<Value> = state
        .map(|s| s.resources.iter().map(|r| json!({"kind": r.kind, "id": mask::text(&r.id), "region": r.region, "step": r.step, "created_at": r.created_at})).collect())
        .unwrap_or_default();
    let out = json!({
        "workspace": app.dir,
        "mode": state.map(|s| s.mode),
        "region": state.and_then(|s| s.region.clone()),
        "steps": steps_json,
        "resources": resources,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&out).map_err(anyhow::Error::from)?
    );
    Ok(())
}
