//! The binary: parses the command line, runs it through the library (`lecture06::run`) and maps
//! the outcome to an exit code (0, 1, 2 bad usage, 130 interrupted), printing the error once; a
//! failed write to stdout or stderr ends cleanly (see `end_cleanly_when_output_fails`).

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut cli = lecture06::cli::Cli::parse();
    note_a_locale_that_is_not_utf8(&mut cli);
    let lang = cli.lang.unwrap_or_else(lecture06::i18n::Lang::from_env);
    end_cleanly_when_output_fails(lang);
    match lecture06::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Laid out for the terminal stderr is on.
            let message = format!("lecture06: {}", lecture06::explain(&err, &cli));
            let columns = lecture06::text_flow::stderr_columns();
            eprintln!("{}", lecture06::text_flow::fit(&message, columns));
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

/// Output goes through `println!`/`eprintln!` (the UI, every command), which panic when a write
/// fails; that panic becomes an ordinary end here, in one place, whatever is printing:
/// - `lecture06 status | head -1`: once the reader has gone there is nobody left to tell
///   anything, so the program ends quietly with exit code 0, as ripgrep does;
/// - any other failure (`lecture06 status > /dev/full`: no space left on the device) is said on
///   stderr (when stderr itself can still be written) and ends with exit code 1.
///
/// Everything answered so far is already saved: the state is written after each change, never
/// through stdout. (An AWS connection's errors are returned, never printed, so never caught here.)
fn end_cleanly_when_output_fails(lang: lecture06::i18n::Lang) {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload_as_str().unwrap_or_default();
        let stream = if message.starts_with("failed printing to stdout") {
            lang.pick("standard output", "標準出力")
        } else if message.starts_with("failed printing to stderr") {
            lang.pick("standard error", "標準エラー出力")
        } else {
            return default(info);
        };
        if message.contains("Broken pipe") || message.contains("os error 32") {
            std::process::exit(0);
        }
        let why = message.split_once(": ").map_or(message, |(_, why)| why);
        let said = match lang {
            lecture06::i18n::Lang::En => format!(
                "lecture06: could not write to {stream} ({why}). Free some space or write elsewhere, then run the command again; your progress is saved.\n"
            ),
            lecture06::i18n::Lang::Ja => format!(
                "lecture06: {stream}に書き込めませんでした（{why}）。空き容量を確保するか別の出力先を指定して、もう一度実行してください。進み具合は保存されています。\n"
            ),
        };
        let _ = std::io::Write::write_all(&mut std::io::stderr(), said.as_bytes());
        std::process::exit(1);
    }));
}
