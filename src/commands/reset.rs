//! `lecture06 reset`: forgets a step's answers and evidence (evidence files are moved aside, not
//! deleted); the resources lecture06 created stay listed for `cleanup`.

use super::confirm_destructive;
use crate::app::App;
use crate::cli::ResetArgs;
use crate::error::AppResult;
use crate::state::{FileAction, file_error};
use crate::step_id::StepId;
use crate::t;
use std::path::{Path, PathBuf};

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
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S").to_string();
            let aside = aside_name(&workspace.dir.join("reset"), step.id(), &stamp);
            let failed = |path: &Path, e| file_error(lang, FileAction::Move, path, e);
            std::fs::create_dir_all(aside.parent().expect("has a parent"))
                .map_err(|e| failed(&aside, e))?;
            std::fs::rename(&dir, &aside).map_err(|e| failed(&dir, e))?;
        }
    }
    workspace.save(&state)?;
    app.ui.ok(t!(lang, "Reset: {names}. Resources lecture06 created stay listed for `lecture06 cleanup`.", "リセットしました: {names}。作成済みのリソースは `lecture06 cleanup` 用に記録されたままです。"));
    Ok(())
}

/// `reset/<step>-<time>`, with `-2`, `-3`… added when a reset in the same second already used it.
fn aside_name(reset_dir: &Path, step: &str, stamp: &str) -> PathBuf {
    let base = format!("{step}-{stamp}");
    (1..)
        .map(|n| match n {
            1 => reset_dir.join(&base),
            n => reset_dir.join(format!("{base}-{n}")),
        })
        .find(|candidate| !candidate.exists())
        .expect("an unused name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_twice_in_one_second_moves_evidence_aside_under_a_new_name() {
        let dir = tempfile::tempdir().unwrap();
        let stamp = "20261121T010000";
        let first = aside_name(dir.path(), "alarm", stamp);
        assert_eq!(first, dir.path().join("alarm-20261121T010000"));
        std::fs::create_dir_all(&first).unwrap();
        let second = aside_name(dir.path(), "alarm", stamp);
        assert_eq!(second, dir.path().join("alarm-20261121T010000-2"));
    }
}
