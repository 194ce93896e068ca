//! `lecture06 reset`: forgets a step's answers and evidence (evidence files are moved aside, not
//! deleted); the resources lecture06 created stay listed for `cleanup`.

use super::confirm_destructive;
use crate::app::App;
use crate::cli::ResetArgs;
use crate::error::AppResult;
use crate::step_id::StepId;
use crate::t;

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
