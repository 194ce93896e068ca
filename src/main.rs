//! The binary: parses the command line, runs it through the library (`lecture06::run`) and maps
//! the outcome to an exit code (0, 1, 2 bad usage, 130 interrupted), printing the error once.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    end_quietly_when_stdout_closes();
    let mut cli = lecture06::cli::Cli::parse();
    note_a_locale_that_is_not_utf8(&mut cli);
    match lecture06::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lecture06: {}", lecture06::explain(&err, &cli));
            ExitCode::from(err.exit_code())
        }
    }
}

/// lecture06 writes UTF-8. A terminal set to another encoding (`LANG=ja_JP.eucJP`) would show
/// Japanese as garbage, so this is said once, in English (which any encoding shows), and, unless
/// `--lang` chose, messages are English. The report is a UTF-8 file either way.
fn note_a_locale_that_is_not_utf8(cli: &mut lecture06::cli::Cli) {
    let Some((name, locale)) = ["LC_ALL", "LC_CTYPE", "LANG"].iter().find_map(|name| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .map(|v| (*name, v))
    }) else {
        return;
    };
    let Some(codeset) = locale
        .split_once('.')
        .map(|(_, rest)| rest.split('@').next().unwrap_or_default())
    else {
        return;
    };
    let plain: String = codeset
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    if plain == "utf8" {
        return;
    }
    eprintln!(
        "lecture06: your locale ({name}={locale}) is not UTF-8, and lecture06 writes UTF-8, so Japanese would not show correctly here: messages are in English. Use a UTF-8 locale (export LANG=ja_JP.UTF-8) for Japanese; --lang ja chooses it anyway (the report is a UTF-8 file)."
    );
    if cli.lang.is_none() {
        cli.lang = Some(lecture06::i18n::Lang::En);
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
