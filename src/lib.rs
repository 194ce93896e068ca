//! lecture06: a guided, resumable session for lecture 6 of the RaiseTech AWS course. `main.rs`
//! only parses arguments and maps the outcome to an exit code; everything else starts here.
//!
//! The layers, each using only the ones below it (`python3 ../shared/tools/modloops.py src`
//! prints any loop):
//! - `commands`: one module per subcommand;
//! - `app` composes one invocation: the workspace, the account (real or simulated), the prompts;
//! - `steps` (the assignment, declared once in `steps::registry`) and `report`;
//! - `state`, `prompt`, `ui`, `guide`;
//! - the account: the traits in `cloud`, implemented by `aws` and by `sandbox`;
//! - leaves that import nothing of the app: `step_id`, `atomic_file`, `timeline`, `trail`, `mask`,
//!   `i18n`, `clock`, `money`, `decimal`, `error`.

pub mod app;
pub mod atomic_file;
pub mod aws;
pub mod cli;
pub mod clock;
pub mod cloud;
pub mod commands;
pub mod decimal;
pub mod error;
pub mod guide;
pub mod i18n;
pub mod mask;
pub mod money;
pub mod prompt;
pub mod report;
pub mod sandbox;
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
    install_interrupt_handler(app.lang);
    match &cli.command {
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
    }
}

/// Ctrl-C outside a prompt (during a wait): every answer and piece of evidence is already saved
/// (the state is written after each), so leaving at once is safe; the OS releases the lock.
fn install_interrupt_handler(lang: i18n::Lang) {
    let _ = ctrlc::set_handler(move || {
        let _ = console::Term::stderr().show_cursor();
        eprintln!("\n{}", prompt::interrupted(lang));
        std::process::exit(130);
    });
}

/// The message printed for an error, with the next thing to do.
pub fn explain(err: &AppError, cli: &Cli) -> String {
    let lang = cli.lang.unwrap_or_else(i18n::Lang::from_env);
    match err {
        AppError::Cloud(cloud) => {
            let profile = cli
                .profile
                .clone()
                .or_else(|| std::env::var("AWS_PROFILE").ok());
            cloud.explain(lang, profile.as_deref())
        }
        AppError::Other(other) => format!("{other:#}"),
        other => other.to_string(),
    }
}
