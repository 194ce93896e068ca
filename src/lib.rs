//! lecture06: a guided, resumable session for lecture 6 of the RaiseTech AWS course. `main.rs`
//! only parses arguments and maps the outcome to an exit code; everything else starts here.

pub mod app;
pub mod aws;
pub mod cleanup;
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
pub mod runner;
pub mod sandbox;
pub mod state;
pub mod steps;
pub mod text_flow;
pub mod trail_record;
pub mod trail_search;
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
        Command::Run(args) => runner::run(&app, args),
        Command::Status(args) => commands::status(&app, args),
        Command::Report(args) => report::write(&app, args),
        Command::Guide { step } => commands::guide(&app, *step),
        Command::Reset(args) => commands::reset(&app, args),
        Command::Cleanup { yes } => commands::cleanup(&app, *yes),
        Command::Completions { .. } => Ok(()),
        Command::Trail {
            command: cli::TrailCommand::Search(args),
        } => trail_search::command(&app, args),
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
