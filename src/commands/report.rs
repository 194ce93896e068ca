//! `lecture06 report`: writes the submission (rendered by `crate::report`) where the student asked,
//! or with `--check` checks the file as it is now.

use crate::app::App;
use crate::cli::ReportArgs;
use crate::error::{AppError, AppResult};
use crate::report;
use crate::state::{FileAction, StepStatus, file_error};
use crate::step_id::StepId;
use crate::t;
use std::path::{Path, PathBuf};

pub fn write(app: &App, args: &ReportArgs) -> AppResult<()> {
    let lang = app.lang;
    let out = out_path(app, args)?;
    if args.check {
        return check(app, &out);
    }
    let (workspace, state) = locked_session(app)?;
    let template = match &args.template {
        Some(path) => Some((path.clone(), read_template(path, lang)?)),
        None => None,
    };
    if args.no_mask {
        app.ui.warn(t!(
            lang,
            "--no-mask: account IDs, access key IDs, IP and e-mail addresses are written as they are. Do not publish this report (GitHub, chat, mentors' review): run `lecture06 report` without --no-mask for that.",
            "--no-mask: アカウント ID・アクセスキー ID・IP アドレス・メールアドレスをそのまま書き出します。このレポートは公開しないでください（GitHub、チャット、レビュー依頼など）。公開用は --no-mask なしで `lecture06 report` を実行してください。"
        ));
    }
    let options = report::RenderOptions {
        mask: !args.no_mask,
        template,
        assets_dir: report::assets_dir_name(&out),
        session: app.session.clone(),
    };
    let rendered = report::render(&state, lang, &options)?;
    let done = StepId::ALL
        .iter()
        .filter(|step| state.status(**step) == StepStatus::Done)
        .count();
    if done == 0 {
        keep_a_report_with_results(app, &out, &rendered.markdown, args.force)?;
    }
    let mut written = report::written::Written::load(&workspace.dir.join(report::written::FILE));
    let wrote = report::write_files(&out, &rendered, &options, &mut written, args.force, lang)?;
    let base = wrote.base;
    for (path, kept) in &wrote.kept {
        let (path, kept) = (path.display(), kept.display());
        app.ui.warn(t!(
            lang,
            "{path} had changed since lecture06 wrote it: your version is kept as {kept}",
            "{path} は lecture06 が書き出した後に変更されていました。編集した版は {kept} に残しました"
        ));
    }
    for stale in &wrote.left {
        let stale = stale.display();
        app.ui.line(t!(
            lang,
            "{stale} is no longer linked from the report; lecture06 did not write it (or it was changed), so it is left as it is.",
            "{stale} はもうレポートからリンクされていませんが、lecture06 が書いたものではない（または変更されている）ため、そのまま残しました。"
        ));
    }
    let shown = out.display();
    let bytes = rendered.markdown.len();
    let count = report::sections(&rendered.markdown).len();
    app.ui.ok(t!(
        lang,
        "Wrote {shown} ({count} sections, {bytes} bytes)",
        "{shown} を書き出しました（{count} セクション、{bytes} バイト）"
    ));
    for (path, _) in &rendered.assets {
        let shown = base.join(path);
        let shown = shown.display();
        app.ui
            .ok(t!(lang, "Wrote {shown}", "{shown} を書き出しました"));
    }
    if args.html {
        let html_path = out.with_extension("html");
        let page = report::html::page(&rendered, lang);
        crate::atomic_file::write_atomically(&html_path, page.as_bytes())
            .map_err(|e| file_error(lang, FileAction::Save, &html_path, e))?;
        let shown = html_path.display();
        app.ui.ok(t!(
            lang,
            "Wrote {shown} (a preview; submit the Markdown)",
            "{shown} を書き出しました（プレビュー用。提出するのは Markdown です）"
        ));
    }
    let mut problems = report::check::problems(&out, lang);
    problems.extend(sections_without_evidence(app, Some(&state)));
    if !problems.is_empty() {
        app.ui.warn(t!(
            lang,
            "The report has problems (`lecture06 report --check` lists them again):",
            "レポートに問題があります（`lecture06 report --check` で再確認できます）:"
        ));
        for problem in problems {
            app.ui.line(format!("  - {problem}"));
        }
    }
    Ok(())
}

/// The workspace, locked, and its session: what lecture06 wrote is remembered in the workspace,
/// under its lock like the state. Without a session nothing is made (not even `.lecture06/`).
fn locked_session(app: &App) -> AppResult<(crate::state::Workspace, crate::state::State)> {
    let lang = app.lang;
    let no_session = || {
        AppError::Failed(t!(
            lang,
            "No lecture06 session here yet: run `lecture06 run` first (or use --dir).",
            "ここにはまだセッションがありません。先に `lecture06 run` を実行してください（または --dir を指定）。"
        ))
    };
    let mut workspace = app.workspace();
    // Looked at before the lock, which would make `.lecture06/` in a folder without a session.
    if app.load_state(&workspace)?.is_none() {
        return Err(no_session());
    }
    workspace.lock()?;
    match app.load_state(&workspace)? {
        Some(state) => Ok((workspace, state)),
        None => Err(no_session()),
    }
}

fn read_template(path: &Path, lang: crate::i18n::Lang) -> AppResult<String> {
    std::fs::read_to_string(path).map_err(|e| {
        let shown = path.display();
        AppError::Usage(t!(
            lang,
            "Cannot read the template given with --template ({shown}): {e}",
            "--template で指定したテンプレート（{shown}）を読めません: {e}"
        ))
    })
}

/// The report's file: `--out`, else `DIR/lecture06.md`. A folder given to `--out` is refused
/// with the file name to add, rather than guessed.
fn out_path(app: &App, args: &ReportArgs) -> AppResult<PathBuf> {
    let Some(out) = &args.out else {
        return Ok(app.dir.join(report::DEFAULT_FILE));
    };
    if out.is_dir() {
        let lang = app.lang;
        let shown = out.display();
        let example = out.join(report::DEFAULT_FILE);
        let example = example.display();
        return Err(AppError::Usage(t!(
            lang,
            "--out {shown} is a folder: name the file to write, for example --out {example}",
            "--out {shown} はフォルダーです。書き出すファイル名を指定してください（例: --out {example}）"
        )));
    }
    Ok(out.clone())
}

/// No step is done (all were reset, say) yet a report with other content is at `out`: writing
/// would replace the student's results with an empty outline. Refused as a hand edit is; with
/// `--force` their report is first kept beside it.
fn keep_a_report_with_results(app: &App, out: &Path, outline: &str, force: bool) -> AppResult<()> {
    let lang = app.lang;
    let current = match std::fs::read(out) {
        Ok(current) => current,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(file_error(lang, FileAction::Read, out, e)),
    };
    if current == outline.as_bytes() {
        return Ok(());
    }
    let shown = out.display();
    if !force {
        return Err(AppError::Failed(t!(
            lang,
            "Not written: no step of this session is done (were they reset?), so the report would be an empty outline, and {shown} holds a report with other content (your results?). It is kept as it is. Run `lecture06 run` to do the steps again, then `lecture06 report`; or add --force to write the empty outline anyway (your report is first kept beside it).",
            "書き出しませんでした。このセッションには完了したステップが 1 つもない（リセットしましたか？）ため、レポートは空のひな形になります。一方 {shown} には別の内容のレポート（あなたの結果？）があるので、そのまま残しました。`lecture06 run` でステップをやり直してから `lecture06 report` を実行してください。それでも空のひな形を書き出すなら --force を付けてください（今のレポートは先に同じフォルダーに残します）。"
        )));
    }
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    let kept = report::written::kept_copy_path(out, &stamp);
    report::written::keep_copy(out, &kept)
        .map_err(|e| file_error(lang, FileAction::Save, &kept, e))?;
    let kept = kept.display();
    app.ui.warn(t!(
        lang,
        "No step is done, so {shown} becomes an empty outline: your report is kept as {kept}",
        "完了したステップがないため {shown} は空のひな形になります。今のレポートは {kept} に残しました"
    ));
    Ok(())
}

/// The sections the report cannot back with evidence: a step marked done whose evidence cannot
/// be read (or was never saved), with the command that redoes it.
fn sections_without_evidence(app: &App, state: Option<&crate::state::State>) -> Vec<String> {
    let lang = app.lang;
    let Some(state) = state else {
        return Vec::new();
    };
    report::readings(state, lang)
        .into_iter()
        .filter_map(|(step, reading)| match reading {
            crate::steps::Reading::Unreadable { why } => {
                let (number, title) = (step.number(), step.title(lang));
                let redo = app.session.rerun(step.id());
                Some(t!(
                    lang,
                    "section {number} ({title}) has no evidence behind it: {why}. Run `{redo}`, then `lecture06 report` again.",
                    "セクション {number}（{title}）には裏付けとなる記録がありません: {why}。`{redo}` を実行してから、もう一度 `lecture06 report` を実行してください。"
                ))
            }
            _ => None,
        })
        .collect()
}

/// `report --check`: the file as it is now (after hand edits), not as lecture06 would write it.
fn check(app: &App, path: &Path) -> AppResult<()> {
    let lang = app.lang;
    let shown = path.display();
    if !path.is_file() {
        return Err(AppError::Failed(t!(
            lang,
            "There is no report at {shown} to check: write it with `lecture06 report` (or name it with --out).",
            "{shown} にレポートがありません。`lecture06 report` で書き出してください（または --out で指定）。"
        )));
    }
    let mut found = report::check::problems(path, lang);
    let state = app.workspace().load().ok().flatten();
    found.extend(sections_without_evidence(app, state.as_ref()));
    if found.is_empty() {
        app.ui.ok(t!(
            lang,
            "{shown}: links and images exist, no placeholder left, nothing unmasked.",
            "{shown}: リンク・画像はすべて存在し、プレースホルダーの残りもマスク漏れもありません。"
        ));
        return Ok(());
    }
    let count = found.len();
    let list: Vec<String> = found.iter().map(|p| format!("  - {p}")).collect();
    let list = list.join("\n");
    Err(AppError::Failed(t!(
        lang,
        "{shown} has {count} problem(s):\n{list}",
        "{shown} に問題が {count} 件あります:\n{list}"
    )))
}
