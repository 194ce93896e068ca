//! One module per subcommand: each turns its parsed arguments into the work and prints the
//! outcome. `lib.rs` dispatches to them; everything they share lives below them (the app, the
//! state, the steps, the report).

pub mod cleanup;
pub mod guide;
pub mod iam_policy;
pub mod report;
pub mod reset;
pub mod run;
pub mod status;
pub mod trail_search;

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::prompt::{Answers, Ask, Prompter, Terminal};
use crate::t;
use std::io::IsTerminal;

/// A yes/no before something that forgets or deletes: `--yes` answers it, and without a
/// terminal the command stops (exit 2) asking for `--yes`.
pub fn confirm_destructive(app: &App, yes: bool, prompt: String) -> AppResult<bool> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        let lang = app.lang;
        return Err(AppError::Usage(t!(
            lang,
            "{prompt} — add --yes to confirm without a terminal.",
            "{prompt} — 端末なしで実行するには --yes を付けてください。"
        )));
    }
    let mut terminal = Terminal {
        answers: Answers::default(),
        lang: app.lang,
    };
    let ask = Ask {
        table: "confirm",
        key: "confirm",
        prompt,
        default: None,
    };
    terminal.confirm(&ask, false)
}
