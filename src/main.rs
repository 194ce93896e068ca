use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = lecture06::cli::Cli::parse();
    match lecture06::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lecture06: {}", lecture06::explain(&err, &cli));
            ExitCode::from(err.exit_code())
        }
    }
}
