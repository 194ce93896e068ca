//! The validated configuration of one invocation (global flags turned into decisions before any
//! side effect) and the two things every command needs from it: the workspace's state, checked
//! against the mode, and the account to talk to.

use crate::aws::Aws;
use crate::cli::{Cli, Command};
use crate::cloud::student::Examples;
use crate::cloud::{Cloud, CloudError, CloudErrorKind};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::prompt::Answers;
use crate::sandbox::Sandbox;
use crate::sandbox::settings::SandboxSettings;
use crate::session::Session;
use crate::state::{FileAction, Mode, STATE_DIR, State, Workspace};
use crate::t;
use crate::ui::Ui;
use std::path::PathBuf;

pub struct App {
    pub dir: PathBuf,
    pub mode: Mode,
    pub lang: Lang,
    pub profile: Option<String>,
    /// The profile was named by the environment variable `AWS_PROFILE`, not by `--profile`.
    pub profile_from_env: bool,
    pub region: Option<String>,
    pub ui: Ui,
    /// The session's own flags, for every "run this next" hint.
    pub session: Session,
}

impl App {
    pub fn from_cli(cli: &Cli) -> AppResult<App> {
        let lang = cli.lang.unwrap_or_else(Lang::from_env);
        if !cli.dir.exists() {
            make_workspace_folder(cli, lang)?;
        }
        if !cli.dir.is_dir() {
            let dir = cli.dir.display();
            return Err(AppError::Usage(t!(
                lang,
                "--dir {dir} is a file, not a folder. Name a folder (it is created when it does not exist).",
                "--dir {dir} はファイルでフォルダーではありません。フォルダーを指定してください（存在しなければ作成します）。"
            )));
        }
        refuse_state_folder(cli, lang)?;
        if cli.sandbox {
            // The test hooks (a simulated full disk) act on the simulated account's workspaces only.
            crate::atomic_file::allow_test_hooks();
        }
        if let Some(region) = &cli.region {
            crate::cloud::region::check_code(region, lang).map_err(|why| {
                AppError::Usage(t!(
                    lang,
                    "--region {region}: {why}. Nothing was done or saved.",
                    "--region {region}: {why}。何も実行・保存していません。"
                ))
            })?;
        }
        if cli.sandbox && cli.profile.is_some() {
            return Err(AppError::Usage(t!(
                lang,
                "--profile chooses a real AWS account and --sandbox the simulated one: give only one.",
                "--profile は実際の AWS アカウント、--sandbox は模擬アカウントを選びます。どちらか一方だけを指定してください。"
            )));
        }
        let profile_from_env = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
        Ok(App {
            dir: cli.dir.clone(),
            mode: if cli.sandbox {
                Mode::Sandbox
            } else {
                Mode::Real
            },
            lang,
            profile: cli.profile.clone().or_else(|| profile_from_env.clone()),
            profile_from_env: cli.profile.is_none() && profile_from_env.is_some(),
            region: cli.region.clone(),
            ui: Ui::new(lang, cli.verbose).with_session(cli.session()),
            session: cli.session(),
        })
    }

    pub fn workspace(&self) -> Workspace {
        Workspace::at(&self.dir, self.lang)
    }

    /// The workspace's state, refusing one made for the other mode.
    pub fn load_state(&self, workspace: &Workspace) -> AppResult<Option<State>> {
        let Some(state) = workspace.load()? else {
            return Ok(None);
        };
        if state.mode != self.mode {
            let lang = self.lang;
            let dir = self.dir.display();
            return Err(AppError::Workspace(match state.mode {
                Mode::Sandbox => t!(
                    lang,
                    "{dir} holds a --sandbox session. Add --sandbox to continue it, or use another --dir for your real AWS account.",
                    "{dir} は --sandbox のセッションです。続けるには --sandbox を付けてください。実際の AWS アカウントには別の --dir を使ってください。"
                ),
                Mode::Real => t!(
                    lang,
                    "{dir} holds a session with a real AWS account. Remove --sandbox to continue it, or use another --dir for the sandbox.",
                    "{dir} は実際の AWS アカウントのセッションです。続けるには --sandbox を外してください。サンドボックスには別の --dir を使ってください。"
                ),
            }));
        }
        Ok(Some(state))
    }

    /// The account: the simulated one of this workspace, or the real one from the credential chain.
    pub fn connect(&self, workspace: &Workspace, answers: &Answers) -> AppResult<Cloud> {
        Ok(self.connect_with_examples(workspace, answers)?.0)
    }

    /// The account, and the example answers it offers: a practice account's own (labelled as
    /// such wherever they show), none for a real one.
    pub fn connect_with_examples(
        &self,
        workspace: &Workspace,
        answers: &Answers,
    ) -> AppResult<(Cloud, Examples)> {
        match self.mode {
            Mode::Sandbox => {
                let region = self.region.as_deref().unwrap_or(crate::aws::DEFAULT_REGION);
                let settings = SandboxSettings::read(
                    |key| answers.get("sandbox", key),
                    |name| std::env::var(name).ok(),
                    region,
                    self.lang,
                )
                .map_err(AppError::Usage)?;
                let sandbox = Sandbox::open(&workspace.dir, &settings).map_err(|e| {
                    if e.raw_os_error().is_some() {
                        let world = workspace.dir.join("sandbox");
                        crate::state::file_error(self.lang, FileAction::Save, &world, e)
                    } else {
                        AppError::Workspace(format!("{}: {e}", workspace.dir.display()))
                    }
                })?;
                let examples = sandbox.examples();
                Ok((crate::sandbox::connect(sandbox), examples))
            }
            Mode::Real => {
                let aws = Aws::from_environment(self.profile.as_deref(), self.region.as_deref())
                    .map_err(|mut err| {
                        if err.kind == CloudErrorKind::ProfileMissing && self.profile_from_env {
                            err.action = CloudError::PROFILE_FROM_ENV.into();
                        }
                        err
                    })?;
                Ok((aws.connect(), Examples::none()))
            }
        }
    }
}

/// `--dir` names a folder that does not exist. `run` (and `trail search`, which keeps its own
/// record) makes it, like `git init DIR`; any other command refuses, so that a mistyped name
/// leaves no empty folder behind.
fn make_workspace_folder(cli: &Cli, lang: Lang) -> AppResult<()> {
    let dir = cli.dir.display();
    if !matches!(cli.command, Command::Run(_) | Command::Trail { .. }) {
        return Err(AppError::Usage(t!(
            lang,
            "--dir {dir} does not exist (check its spelling); nothing was created. `lecture06 --dir {dir} run` starts a new workspace there.",
            "--dir {dir} は存在しません（綴りを確認してください）。何も作成していません。そこで新しく始めるには `lecture06 --dir {dir} run` を実行してください。"
        )));
    }
    std::fs::create_dir_all(&cli.dir).map_err(|err| {
        AppError::Usage(t!(
            lang,
            "--dir {dir} does not exist and could not be created ({err}). Name a folder you can write to.",
            "--dir {dir} は存在せず、作成もできませんでした（{err}）。書き込めるフォルダーを指定してください。"
        ))
    })?;
    eprintln!(
        "{}",
        t!(
            lang,
            "lecture06: created the folder {dir} for this workspace",
            "lecture06: ワークスペース用にフォルダー {dir} を作成しました"
        )
    );
    Ok(())
}

/// Run inside a workspace's own `.lecture06/` folder (`cd .lecture06`), a command would start a
/// second, nested session there; it says where the workspace is instead.
fn refuse_state_folder(cli: &Cli, lang: Lang) -> AppResult<()> {
    let Ok(dir) = cli.dir.canonicalize() else {
        return Ok(());
    };
    let Some(inside) = dir
        .ancestors()
        .find(|p| p.file_name() == Some(STATE_DIR.as_ref()))
    else {
        return Ok(());
    };
    let shown = dir.display();
    let workspace = inside.parent().unwrap_or(inside).display();
    Err(AppError::Usage(t!(
        lang,
        "{shown} is inside a workspace's own {STATE_DIR} folder, where lecture06 keeps its files; a session cannot live there. Run lecture06 in the workspace itself: cd {workspace} (or --dir {workspace}).",
        "{shown} はワークスペースの {STATE_DIR} フォルダーの中です（lecture06 が自分のファイルを置く場所で、ここにはセッションを作れません）。ワークスペース自体で実行してください: cd {workspace}（または --dir {workspace}）。"
    )))
}
