//! lecture06: a guided, resumable session for lecture 6 of the RaiseTech AWS course. `main.rs`
//! only parses arguments and maps the outcome to an exit code; everything else starts here.
//!
//! The layers, each using only the ones below it (`python3 ../shared/tools/modloops.py src`
//! prints any loop):
//! - `commands`: one module per subcommand;
//! - `app` composes one invocation: the workspace, the account (real or simulated), the prompts;
//! - `steps` (the assignment: one folder a step, from the one list in `step_id`) and `report`;
//! - `state`, `prompt`, `ui`, `guide`, `remarks`;
//! - the account: the traits in `cloud`, implemented by `aws` and by `sandbox`;
//! - leaves that import nothing of the app: `step_id` (the one list of steps), `session` (the
//!   session's flags for every hint), `atomic_file`, `timeline`, `trail`, `mask`, `i18n`, `clock`,
//!   `money`, `decimal`, `cloud_error`, and `error` (which wraps `cloud_error`).

pub mod app;
pub mod atomic_file;
pub mod aws;
pub mod cli;
pub mod clock;
pub mod cloud;
pub mod cloud_error;
pub mod commands;
pub mod decimal;
pub mod error;
pub mod guide;
pub mod i18n;
pub mod mask;
pub mod money;
pub mod prompt;
pub mod remarks;
pub mod report;
pub mod sandbox;
pub mod session;
pub mod state;
pub mod step_id;
pub mod steps;
pub mod text_flow;
pub mod timeline;
pub mod trail;
pub mod ui;

use app::App;
use cli::{Cli, Command};
use error::{AppError, AppResult};

/// Runs one parsed command line.
pub fn run(cli: &Cli) -> AppResult<()> {
    ui::set_color(cli.color);
    if let Command::Completions { shell } = &cli.command {
        cli::completions(*shell, &mut std::io::stdout());
        return Ok(());
    }
    let app = App::from_cli(cli)?;
    install_interrupt_handler(app.lang, resume_command(cli));
    let result = match &cli.command {
        Command::Run(args) => commands::run::run(&app, args),
        Command::Status(args) => commands::status::status(&app, args),
        Command::Report(args) => commands::report::write(&app, args),
        Command::Guide { step } => commands::guide::guide(&app, *step),
        Command::Reset(args) => commands::reset::reset(&app, args),
        Command::Cleanup { yes } => commands::cleanup::cleanup(&app, *yes),
        Command::IamPolicy { step } => commands::iam_policy::iam_policy(*step),
        // Printed above, before any workspace check.
        Command::Completions { .. } => Ok(()),
        Command::Trail {
            command: cli::TrailCommand::Search(args),
        } => commands::trail_search::command(&app, args),
    };
    // A stop requested during the last wait ends as an interruption, whatever came after it.
    match result {
        Err(AppError::Interrupted(_)) => result,
        _ if clock::stop_requested() => Err(prompt::interrupted(app.lang)),
        _ => result,
    }
}

/// Ctrl-C and SIGTERM only raise a flag: the wait in progress ends early, the step saves what it
/// has seen, puts back what it changed for the moment (a forced alarm state) and returns
/// `Interrupted`, which exits 130. At a prompt nothing is pending and the process ends at once, as
/// it does on a second Ctrl-C, or when no wait notices the flag within `STOP_GRACE` (a long search
/// has no wait; every save is atomic, and the OS releases the lock either way).
fn install_interrupt_handler(lang: i18n::Lang, resume: String) {
    const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(10);
    let _ = ctrlc::set_handler(move || {
        let leave = {
            let resume = resume.clone();
            move || {
                let _ = console::Term::stderr().show_cursor();
                eprintln!("\n{}", prompt::interrupted_text(lang, &resume));
                std::process::exit(130);
            }
        };
        let again = clock::request_stop();
        if again || clock::at_prompt() {
            leave();
        }
        std::thread::spawn(move || {
            std::thread::sleep(STOP_GRACE);
            leave();
        });
        eprintln!(
            "\n{}",
            lang.pick(
                "Stopping: saving what was seen so far (Ctrl-C again to quit at once)…",
                "停止しています。ここまでの結果を保存します（すぐに終了するにはもう一度 Ctrl-C）…",
            )
        );
    });
}

/// The command that continues the session, with the global flags the student gave
/// (`lecture06 --dir ws --sandbox run`), so that the hint after an interruption works as printed.
pub fn resume_command(cli: &Cli) -> String {
    let mut what = vec!["run".to_string()];
    if let Command::Run(args) = &cli.command {
        if args.yes {
            what.push("--yes".into());
        }
        if let Some(answers) = &args.answers {
            what.push(format!(
                "--answers {}",
                session::shell_word(&answers.to_string_lossy())
            ));
        }
    }
    cli.session().command(&what.join(" "))
}

/// The message printed for an error, with the next thing to do.
pub fn explain(err: &AppError, cli: &Cli) -> String {
    cli.session().with_flags(&explain_plainly(err, cli))
}

/// The message, with hints as they are written.
fn explain_plainly(err: &AppError, cli: &Cli) -> String {
    let lang = cli.lang.unwrap_or_else(i18n::Lang::from_env);
    match err {
        AppError::Cloud(cloud) => {
            let profile = cli
                .profile
                .clone()
                .or_else(|| std::env::var("AWS_PROFILE").ok());
            cloud.explain(lang, profile.as_deref())
        }
        AppError::Interrupted(_) => prompt::interrupted_text(lang, &resume_command(cli)),
        AppError::Other(other) => format!("{other:#}"),
        other => other.to_string(),
    }
}
