//! `lecture06 status`: the checklist, for a person or (`--json`) for a program.

use crate::app::App;
use crate::cli::StatusArgs;
use crate::error::{AppError, AppResult};
use crate::state::StepStatus;
use crate::step_id::StepId;
use crate::steps;
use crate::{mask, t};
use serde_json::{Value, json};

pub fn status(app: &App, args: &StatusArgs) -> AppResult<()> {
    let lang = app.lang;
    let workspace = app.workspace();
    let state = workspace.load()?;
    let steps_json: Vec<Value> = StepId::ALL
        .iter()
        .map(|&step| {
            let entry = state.as_ref().map(|s| s.step(step)).unwrap_or_default();
            let summary: Vec<String> = entry
                .evidence
                .as_ref()
                .filter(|_| entry.status == StepStatus::Done)
                .map(|e| {
                    steps::get(step)
                        .summary(e, lang)
                        .iter()
                        .map(|l| mask::text(l))
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "id": step.id(),
                "status": entry.status,
                "title": step.title(lang),
                "started_at": entry.started_at,
                "completed_at": entry.completed_at,
                "reopened": entry.reopened,
                "summary": summary,
            })
        })
        .collect();
    let resources: Vec<Value> = state
        .as_ref()
        .map(|s| s.resources.iter().map(|r| json!({"kind": r.kind, "id": mask::text(&r.id), "region": r.region, "step": r.step, "created_at": r.created_at})).collect())
        .unwrap_or_default();
    // No session: said, and exit 1; `--json` still prints its usual shape (every step pending).
    let no_session = || {
        AppError::Failed(t!(
            lang,
            "No lecture06 session here yet. Start one with `lecture06 run` (or try `lecture06 --sandbox run` without an AWS account).",
            "ここにはまだ lecture06 のセッションがありません。`lecture06 run` で始めてください（AWS アカウントなしで試すなら `lecture06 --sandbox run`）。"
        ))
    };
    if args.json {
        let out = json!({
            "workspace": app.dir,
            "mode": state.as_ref().map(|s| s.mode),
            "region": state.as_ref().and_then(|s| s.region.clone()),
            "steps": steps_json,
            "resources": resources,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(anyhow::Error::from)?
        );
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
    for (step, entry) in StepId::ALL.iter().zip(&steps_json) {
        let mark = match state.status(*step) {
            StepStatus::Done => "[x]",
            StepStatus::InProgress => "[~]",
            StepStatus::Pending => "[ ]",
        };
        let word = match state.status(*step) {
            StepStatus::Done => lang.pick("done", "完了"),
            StepStatus::InProgress => lang.pick("in progress", "作業中"),
            StepStatus::Pending => lang.pick("pending", "未着手"),
        };
        app.ui.line(format!(
            "{mark} {} — {} — {word}",
            step.id(),
            step.title(lang)
        ));
        if let Some(reason) = &state.step(*step).reopened {
            app.ui.line(format!(
                "      {} {reason}",
                lang.pick("reopened:", "再開理由:")
            ));
        }
        for line in entry["summary"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            app.ui.line(format!("      {line}"));
        }
    }
    if !state.resources.is_empty() {
        app.ui.line(lang.pick(
            "Resources lecture06 created:",
            "lecture06 が作成したリソース:",
        ));
        for r in &state.resources {
            app.ui
                .line(format!("  {} {} ({})", r.kind, mask::text(&r.id), r.region));
        }
    }
    Ok(())
}
