//! `lecture06 run`: shows who and where the student is, then walks the steps in order from the
//! first one not done (or the one named by `--step`, up to `--until`), and is the only code that
//! moves the checklist forward.

use crate::app::App;
use crate::cli::RunArgs;
use crate::cloud::Cloud;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::prompt::{Answers, Ask, Prompter, Scripted, Terminal};
use crate::state::{Mode, State, StepStatus, Workspace};
use crate::step_id::StepId;
use crate::steps::{self, Reading, RunOptions, RunScope, StepCtx};
use crate::{guide, mask, t};
use std::io::IsTerminal;

pub fn run(app: &App, args: &RunArgs) -> AppResult<()> {
    let lang = app.lang;
    if args.step.is_some() && args.until.is_some() {
        return Err(AppError::Usage(t!(
            lang,
            "--step runs one step; --until runs up to a step: give only one.",
            "--step は 1 ステップだけ、--until は指定ステップまで実行します。どちらか一方を指定してください。"
        )));
    }
    let answers = load_answers(args, lang)?;
    let mut workspace = app.workspace();
    // A dry run creates nothing: no `.lecture06/` where there is none (a simulated account, if
    // one is needed, lives in a scratch folder removed at the end).
    let scratch = if args.dry_run && !workspace.dir.exists() {
        Some(Scratch::new()?)
    } else {
        workspace.lock()?;
        None
    };
    let existing = app.load_state(&workspace)?;
    let account_home = match &scratch {
        Some(scratch) => crate::state::Workspace::at(&scratch.0, lang),
        None => app.workspace(),
    };
    let (cloud, examples) = app.connect_with_examples(&account_home, &answers)?;
    let mut state = existing.unwrap_or_else(|| State::new(app.mode, cloud.clock.now()));
    let options = RunOptions {
        dry_run: args.dry_run,
        refresh: args.refresh,
        ssh: args.ssh.clone(),
    };
    let mut prompter = prompter_for(args, answers, lang);
    if args.dry_run {
        app.ui.warn(t!(lang, "Dry run: AWS calls that would change something are printed, not made; nothing is saved.", "ドライラン: 変更を伴う AWS 呼び出しは表示のみで実行せず、何も保存しません。"));
    }
    introduce_account(app, &cloud, &mut state, prompter.as_mut())?;
    save(&workspace, &state, &options)?;
    let scope = RunScope {
        lang,
        ui: &app.ui,
        cloud: &cloud,
        workspace: &workspace,
        options: &options,
        session: &app.session,
        examples: &examples,
    };
    let Some(plan) = plan(app, args, &scope, &mut state, prompter.as_mut())? else {
        return Ok(());
    };
    for step in plan {
        walk_step(app, &scope, step, &mut state, prompter.as_mut())?;
    }
    finish(
        app,
        args,
        &workspace,
        &mut state,
        prompter.as_mut(),
        &options,
    )
}

/// The answers file, checked against the keys lecture06 reads (none without `--answers`).
fn load_answers(args: &RunArgs, lang: Lang) -> AppResult<Answers> {
    let Some(path) = &args.answers else {
        return Ok(Answers::default());
    };
    let answers = Answers::load(path, lang)?;
    answers
        .check_known(&answers_file_keys(), lang)
        .map_err(|why| {
            let shown = path.display();
            AppError::Usage(t!(
                lang,
                "The answers file {shown}: {why}",
                "回答ファイル {shown}: {why}"
            ))
        })?;
    Ok(answers)
}

/// The terminal's prompts, or the answers file and defaults (`--yes`, or no terminal).
fn prompter_for(args: &RunArgs, answers: Answers, lang: Lang) -> Box<dyn Prompter> {
    let interactive =
        !args.yes && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if interactive {
        Box::new(Terminal { answers, lang })
    } else {
        Box::new(Scripted { answers, lang })
    }
}

/// The steps this run walks: `--step`'s, else from the first one not done up to `--until`.
/// `None` when there is nothing to do (said, and the learnings asked when all is done).
fn plan(
    app: &App,
    args: &RunArgs,
    scope: &RunScope,
    state: &mut State,
    prompter: &mut dyn Prompter,
) -> AppResult<Option<Vec<StepId>>> {
    let lang = app.lang;
    if let Some(step) = args.step {
        return Ok(Some(vec![step]));
    }
    reopen_stale_steps(app, scope, state, prompter)?;
    let Some(first) = StepId::ALL
        .iter()
        .position(|s| state.status(*s) != StepStatus::Done)
    else {
        ask_learnings(app, scope.workspace, state, prompter, scope.options)?;
        say_all_done(app);
        return Ok(None);
    };
    let last = args
        .until
        .and_then(|u| StepId::ALL.iter().position(|s| *s == u))
        .unwrap_or(StepId::ALL.len() - 1);
    if last < first {
        let until = args.until.map(StepId::id).unwrap_or_default();
        app.ui.ok(t!(
            lang,
            "Steps up to {until} are already done.",
            "{until} までのステップは完了済みです。"
        ));
        return Ok(None);
    }
    Ok(Some(StepId::ALL[first..=last].to_vec()))
}

/// One step: its heading and guide, then the step itself; its evidence saved and the checklist
/// moved forward (not under `--dry-run`).
fn walk_step(
    app: &App,
    scope: &RunScope,
    step: StepId,
    state: &mut State,
    prompter: &mut dyn Prompter,
) -> AppResult<()> {
    let lang = app.lang;
    if crate::clock::stop_requested() {
        return Err(crate::prompt::interrupted(lang));
    }
    let number = step.number();
    app.ui.heading(format!(
        "{number}/{} {}",
        StepId::ALL.len(),
        step.title(lang)
    ));
    app.ui.line(guide::render(
        &guide::source_under_heading(step, lang),
        guide::Layout::stdout(),
    ));
    let now = scope.cloud.clock.now();
    if !scope.options.dry_run {
        let entry = state.steps.entry(step).or_default();
        if entry.status != StepStatus::InProgress {
            entry.status = StepStatus::InProgress;
            entry.started_at = Some(now);
        }
    }
    save(scope.workspace, state, scope.options)?;
    let mut ctx = StepCtx::new(step, scope, prompter, state);
    let Some(evidence) = steps::get(step).run(&mut ctx)? else {
        // A dry run: nothing was done; the next steps plan as if this one had not run.
        return Ok(());
    };
    if scope.options.dry_run {
        return Ok(());
    }
    let entry = state.steps.entry(step).or_default();
    entry.status = StepStatus::Done;
    entry.evidence = Some(evidence);
    entry.completed_at = Some(scope.cloud.clock.now());
    entry.reopened = None;
    save(scope.workspace, state, scope.options)?;
    app.ui
        .ok(t!(lang, "Step {number} done.", "ステップ {number} 完了。"));
    crate::remarks::ask_after(step, lang, scope.workspace, state, prompter)
}

/// The end of a run: the learnings when the whole checklist is done, and what comes next.
fn finish(
    app: &App,
    args: &RunArgs,
    workspace: &Workspace,
    state: &mut State,
    prompter: &mut dyn Prompter,
    options: &RunOptions,
) -> AppResult<()> {
    let lang = app.lang;
    if args.dry_run {
        app.ui.ok(t!(
            lang,
            "Dry run finished; nothing was changed or saved.",
            "ドライラン終了。何も変更・保存していません。"
        ));
        return Ok(());
    }
    let finished = StepId::ALL
        .iter()
        .all(|s| state.status(*s) == StepStatus::Done);
    if !finished {
        let next = StepId::ALL
            .iter()
            .find(|s| state.status(**s) != StepStatus::Done)
            .map(|s| s.title(lang))
            .unwrap_or_default();
        let resume = app.session.command("run");
        app.ui.line(t!(
            lang,
            "Next: {next}. `{resume}` continues where you are.",
            "次は「{next}」です。`{resume}` で続きから再開します。"
        ));
        return Ok(());
    }
    // A run that went through the whole checklist (not one limited by --step or --until).
    if args.step.is_none() && args.until.is_none() {
        ask_learnings(app, workspace, state, prompter, options)?;
    }
    say_all_done(app);
    Ok(())
}

/// Every step is done: what is next, with the command.
fn say_all_done(app: &App) {
    let lang = app.lang;
    let total = StepId::ALL.len();
    let report = app.session.command("report");
    app.ui.ok(t!(
        lang,
        "All {total} steps are done. Next, write the submission: `{report}`.",
        "{total} つのステップがすべて完了しました。次は提出用レポートを作成します: `{report}`"
    ));
}

/// A folder of its own in the system's temp folder, removed when dropped: where a dry run's
/// simulated account lives when the workspace has none.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new() -> AppResult<Scratch> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("lecture06-dry-run-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The answers-file table of the learnings (`[learnings] learned`, `unclear`).
pub const LEARNINGS_TABLE: &str = "learnings";

/// Every table of the answers file with the keys read from it: each step's (declared in
/// the step's `step.toml`), `[run]`'s, `[learnings]`', `[remarks]`' and `[sandbox]`'s.
pub fn answers_file_keys() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut known: Vec<(&str, Vec<&str>)> = StepId::ALL
        .iter()
        .map(|step| (step.id(), step.answer_keys()))
        .collect();
    known.push(("run", vec!["confirm"]));
    known.push((LEARNINGS_TABLE, vec!["learned", "unclear", "update"]));
    known.push((crate::remarks::TABLE, crate::remarks::keys()));
    known.push(("sandbox", crate::sandbox::settings::KEYS.to_vec()));
    known
}

/// At the end of the assignment: what the student learned and what is still unclear (the seed
/// reports' 今回の学び・わからない事), saved in `state.notes.learnings` for the report's own
/// section. Optional: an empty answer (or, under `--yes`, no answers-file entry) skips it, and
/// what was written before stays unless replaced.
fn ask_learnings(
    app: &App,
    workspace: &Workspace,
    state: &mut State,
    prompter: &mut dyn Prompter,
    options: &RunOptions,
) -> AppResult<()> {
    let lang = app.lang;
    let saved = state
        .notes
        .get(LEARNINGS_TABLE)
        .cloned()
        .unwrap_or_else(|| serde_json::json!({}));
    let written_before = ["learned", "unclear"].iter().any(|k| {
        saved
            .get(k)
            .and_then(|v| v.as_str())
            .is_some_and(|v| !v.is_empty())
    });
    if prompter.is_interactive() && written_before {
        let ask = Ask {
            table: LEARNINGS_TABLE,
            key: "update",
            prompt: t!(
                lang,
                "You wrote what you learned earlier. Write it again?",
                "今回の学び・わからない事は入力済みです。書き直しますか？"
            ),
            default: None,
        };
        if !prompter.confirm(&ask, false)? {
            return Ok(());
        }
    } else if prompter.is_interactive() {
        app.ui.heading(t!(
            lang,
            "For the report: what you learned, what is still unclear",
            "レポート用: 今回の学び・わからない事"
        ));
    }
    let mut notes = saved;
    let mut changed = false;
    for (key, prompt) in [
        (
            "learned",
            t!(
                lang,
                "What did you learn in this assignment?",
                "今回の課題で学んだことは？"
            ),
        ),
        (
            "unclear",
            t!(
                lang,
                "What is still unclear (or what will you look into next)?",
                "わからない事・これから調べたい事は？"
            ),
        ),
    ] {
        let ask = Ask {
            table: LEARNINGS_TABLE,
            key,
            prompt,
            default: None,
        };
        if let Some(text) = prompter.lines(&ask)? {
            notes[key] = serde_json::Value::String(text);
            changed = true;
        }
    }
    if changed {
        state.notes.insert(LEARNINGS_TABLE.to_string(), notes);
        save(workspace, state, options)?;
        app.ui.ok(t!(
            lang,
            "Saved for the report's last section (`lecture06 report`).",
            "レポートの最後のセクションに載せます（`lecture06 report`）。"
        ));
    }
    Ok(())
}

fn save(workspace: &Workspace, state: &State, options: &RunOptions) -> AppResult<()> {
    if options.dry_run {
        Ok(())
    } else {
        workspace.save(state)
    }
}

/// Who and where: the account (masked), the identity and the Region, and a chance to stop before
/// anything happens in the wrong account or Region.
fn introduce_account(
    app: &App,
    cloud: &Cloud,
    state: &mut State,
    prompter: &mut dyn Prompter,
) -> AppResult<()> {
    let lang = app.lang;
    let ui = &app.ui;
    let caller = cloud.identity.caller()?;
    ui.heading(match app.mode {
        Mode::Sandbox => t!(
            lang,
            "Simulated AWS account (sandbox)",
            "模擬 AWS アカウント（サンドボックス）"
        ),
        Mode::Real => t!(lang, "Your AWS account", "あなたの AWS アカウント"),
    });
    let kind = caller.principal_kind(lang);
    ui.line(format!(
        "  {} {}",
        crate::ui::pad(lang.pick("Account", "アカウント"), 10),
        mask::account_id(&caller.account)
    ));
    ui.line(t!(
        lang,
        "  {} {} ({kind})",
        "  {} {}（{kind}）",
        crate::ui::pad(lang.pick("Identity", "ユーザー"), 10),
        caller.principal_name()
    ));
    ui.line(format!(
        "  {} {}",
        crate::ui::pad(lang.pick("Region", "リージョン"), 10),
        cloud.region
    ));
    // A Region named with --region is the student's choice (perhaps on lecture06's advice): the
    // session moves there. One from the profile or the default may be an accident: warn.
    let chosen = app.region.as_deref() == Some(cloud.region.as_str());
    if let Some(earlier) = state
        .region
        .clone()
        .filter(|r| *r != cloud.region && chosen)
    {
        let now = &cloud.region;
        ui.line(t!(
            lang,
            "This session moves from {earlier} to {now} (--region).",
            "このセッションを {earlier} から {now} に移します（--region）。"
        ));
    } else if let Some(earlier) = state.region.clone().filter(|r| *r != cloud.region) {
        let now = &cloud.region;
        ui.warn(t!(
            lang,
            "This session was started in {earlier}, and now the Region is {now}. Alarms and event history are per Region: pass --region {earlier} unless you really moved.",
            "このセッションは {earlier} で始めましたが、現在のリージョンは {now} です。アラームやイベント履歴はリージョンごとです。移動したのでなければ --region {earlier} を指定してください。"
        ));
    }
    let ask = Ask {
        table: "run",
        key: "confirm",
        prompt: t!(
            lang,
            "Go on with this account and Region?",
            "このアカウントとリージョンで続けますか？"
        ),
        default: None,
    };
    if !prompter.confirm(&ask, true)? {
        return Err(AppError::Failed(t!(
            lang,
            "Stopped before doing anything. Choose the account with --profile and the Region with --region.",
            "何もせずに終了しました。アカウントは --profile、リージョンは --region で指定できます。"
        )));
    }
    if chosen || state.region.is_none() {
        state.region = Some(cloud.region.clone());
    }
    Ok(())
}

/// On resume, re-checks each done step cheaply and reopens the ones whose result no longer holds,
/// or whose evidence cannot be read (kept as it is until the step runs again).
fn reopen_stale_steps(
    app: &App,
    scope: &RunScope,
    state: &mut State,
    prompter: &mut dyn Prompter,
) -> AppResult<()> {
    for &step in StepId::ALL {
        if state.status(step) != StepStatus::Done {
            continue;
        }
        let saved = state.step(step);
        let reason = match steps::get(step).read(&saved, app.lang) {
            Reading::Unreadable { why } => Some(why),
            _ => {
                let mut ctx = StepCtx::new(step, scope, &mut *prompter, &mut *state);
                steps::get(step).recheck(&mut ctx, &saved)?
            }
        };
        if let Some(reason) = reason {
            let id = step.id();
            app.ui.warn(t!(
                app.lang,
                "The {id} step is reopened: {reason}",
                "{id} ステップを再開します: {reason}"
            ));
            let entry = state.steps.entry(step).or_default();
            entry.status = StepStatus::InProgress;
            entry.reopened = Some(reason);
            save(scope.workspace, state, scope.options)?;
        }
    }
    Ok(())
}
