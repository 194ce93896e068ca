//! The binary: parses the command line, runs it through the library (`lecture06::run`) and maps
//! the outcome to an exit code (0, 1, 2 bad usage, 130 interrupted), printing the error once.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    end_quietly_when_stdout_closes();
    let cli = lecture06::cli::Cli::parse();
    match lecture06::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lecture06: {}", lecture06::explain(&err, &cli));
            ExitCode::from(err.exit_code())
        }
    }
}

/// `lecture06 status | head -1`: once the reader has gone there is nobody left to tell anything,
/// so the program ends quietly with exit code 0, as ripgrep does. Output goes through `println!`
/// (the UI, every command), which panics on a closed stdout ("failed printing to stdout: Broken
/// pipe"); that one panic becomes the quiet exit here, in one place, whatever is printing.
/// Everything answered so far is already saved: the state is written after each change.
/// (Only stdout: an error here is never an AWS connection's, which returns its errors.)
fn end_quietly_when_stdout_closes() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload_as_str().unwrap_or_default();
        if message.starts_with("failed printing to stdout")
            && (message.contains("Broken pipe") || message.contains("os error 32"))
        {
            std::process::exit(0);
        }
        default(info);
    }));
}
