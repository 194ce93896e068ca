//! The commands besides `run`: `status`, `guide`, `reset` and `cleanup`.

use crate::app::App;
use crate::cli::{ResetArgs, StatusArgs};
use crate::error::{AppError, AppResult};
use crate::prompt::{Answers, Ask, Prompter, Terminal};
use crate::state::StepStatus;
use crate::steps::{self, StepId};
use crate::{guide, mask, t};
use serde_json::{Value, json};
use std::io::IsTerminal;

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
                    steps::summary(step, e, lang)
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
        return Ok(());
    }
    let Some(state) = state else {
        app.ui.line(t!(
            lang,
            "No lecture06 session here yet. Start one with `lecture06 run` (or try `lecture06 --sandbox run` without an AWS account).",
            "ここにはまだ lecture06 のセッションがありません。`lecture06 run` で始めてください（AWS アカウントなしで試すなら `lecture06 --sandbox run`）。"
        ));
        return Ok(());
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

pub fn guide(app: &App, step: Option<StepId>) -> AppResult<()> {
    let styled = std::io::stdout().is_terminal();
    let steps: Vec<StepId> = step
        .map(|s| vec![s])
        .unwrap_or_else(|| StepId::ALL.to_vec());
    for step in steps {
        app.ui
            .line(guide::render(guide::source(step, app.lang), styled));
    }
    Ok(())
}

/// A yes/no before something that forgets or deletes: `--yes` answers it, and without a
/// terminal the command stops (exit 2) asking for `--yes`.
pub fn confirm_destructive(app: &App, yes: bool, prompt: String) -> AppResult<bool> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        let lang = app.lang;
        return Err(AppError::Usage(t!(
            lang,
            "{prompt} — add --yes to confirm without a terminal.",
            "{prompt} — 端末なしで実行するには --yes を付けてください。"
        )));
    }
    let mut terminal = Terminal {
        answers: Answers::default(),
        lang: app.lang,
    };
    let ask = Ask {
        table: "confirm",
        key: "confirm",
        prompt,
        default: None,
    };
    terminal.confirm(&ask, false)
}

pub fn reset(app: &App, args: &ResetArgs) -> AppResult<()> {
    let lang = app.lang;
    let mut workspace = app.workspace();
    workspace.lock()?;
    let Some(mut state) = app.load_state(&workspace)? else {
        app.ui.line(t!(
            lang,
            "Nothing to reset: no session here.",
            "リセットするものがありません（セッションがありません）。"
        ));
        return Ok(());
    };
    let targets: Vec<StepId> = if args.all {
        StepId::ALL.to_vec()
    } else {
        args.step.into_iter().collect()
    };
    let names: Vec<&str> = targets.iter().map(|s| s.id()).collect();
    let names = names.join(", ");
    let prompt = t!(
        lang,
        "Forget the answers and evidence of: {names}?",
        "次のステップの回答と証跡を消去しますか: {names}"
    );
    if !confirm_destructive(app, args.yes, prompt)? {
        return Ok(());
    }
    for step in &targets {
        state.steps.remove(step);
        // Evidence files are moved aside, not deleted: a reset by mistake can be undone by hand.
        let dir = workspace.evidence_dir(*step);
        if dir.exists() {
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
            let aside = workspace
                .dir
                .join("reset")
                .join(format!("{}-{stamp}", step.id()));
            std::fs::create_dir_all(aside.parent().expect("has a parent"))?;
            std::fs::rename(&dir, &aside)?;
        }
    }
    workspace.save(&state)?;
    app.ui.ok(t!(lang, "Reset: {names}. Resources lecture06 created stay listed for `lecture06 cleanup`.", "リセットしました: {names}。作成済みのリソースは `lecture06 cleanup` 用に記録されたままです。"));
    Ok(())
}

pub fn cleanup(app: &App, yes: bool) -> AppResult<()> {
    let lang = app.lang;
    let mut workspace = app.workspace();
    workspace.lock()?;
    let Some(mut state) = app.load_state(&workspace)? else {
        app.ui.line(t!(
            lang,
            "lecture06 has created no AWS resources here: nothing to clean up.",
            "lecture06 はここで AWS リソースを作成していません。削除するものはありません。"
        ));
        return Ok(());
    };
    if state.resources.is_empty() {
        app.ui.line(t!(
            lang,
            "lecture06 has created no AWS resources here: nothing to clean up.",
            "lecture06 はここで AWS リソースを作成していません。削除するものはありません。"
        ));
        return Ok(());
    }
    app.ui.line(t!(
        lang,
        "Resources lecture06 created:",
        "lecture06 が作成したリソース:"
    ));
    for r in &state.resources {
        app.ui
            .line(format!("  {} {} ({})", r.kind, mask::text(&r.id), r.region));
    }
    let count = state.resources.len();
    let prompt = t!(
        lang,
        "Delete these {count} resources from AWS?",
        "これら {count} 個のリソースを AWS から削除しますか？"
    );
    if !confirm_destructive(app, yes, prompt)? {
        return Ok(());
    }
    let cloud = app.connect(&workspace, &Answers::default())?;
    let (kept, failures) = crate::cleanup::delete_all(&cloud, &state.resources, lang);
    for (resource, outcome) in state.resources.iter().zip(&failures) {
        let id = mask::text(&resource.id);
        match outcome {
            None => app.ui.ok(t!(
                lang,
                "Deleted {} {id}",
                "削除しました: {} {id}",
                resource.kind
            )),
            Some(why) => app.ui.warn(t!(
                lang,
                "Not deleted: {} {id} — {why}",
                "削除できませんでした: {} {id} — {why}",
                resource.kind
            )),
        }
    }
    state.resources = kept;
    state.updated_at = cloud.clock.now();
    workspace.save(&state)?;
    if state.resources.is_empty() {
        Ok(())
    } else {
        Err(AppError::Failed(t!(
            lang,
            "Some resources were not deleted (reasons above); they stay listed for the next `lecture06 cleanup`.",
            "削除できなかったリソースがあります（理由は上記）。次回の `lecture06 cleanup` のために記録を残しています。"
        )))
    }
}
