//! The student's own remark on each step: after a step is done, `run` asks (optionally) what
//! surprised them or what went wrong, in their own words, and the report shows it in that step's
//! section. Real submissions carry such lines (the mail in the spam folder, the Region that
//! switched by itself); a log written by a tool cannot.
//!
//! Kept in the state as `notes.remarks.<step id>` (a string); in the answers file as the table
//! `[remarks]` with one key per step id (`[remarks] alarm = "…"`). The report is masked as a
//! whole, so a remark is masked like everything else in it.

use crate::error::AppResult;
use crate::i18n::Lang;
use crate::prompt::{Ask, Prompter};
use crate::state::{State, Workspace};
use crate::step_id::StepId;
use crate::t;
use serde_json::Value;

/// The answers-file table and the state's `notes` key.
pub const TABLE: &str = "remarks";

/// The answers-file keys of `[remarks]`: one per step id.
pub fn keys() -> Vec<&'static str> {
    StepId::ALL.iter().map(|step| step.id()).collect()
}

/// The remark saved for a step, if the student wrote one.
pub fn of(state: &State, step: StepId) -> Option<String> {
    state
        .notes
        .get(TABLE)
        .and_then(|notes| notes.get(step.id()))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_string)
}

/// Asks for the remark on a step just done and saves it. Skipping (an empty answer, or no
/// answers-file entry under `--yes`) keeps what was written before.
pub fn ask_after(
    step: StepId,
    lang: Lang,
    workspace: &Workspace,
    state: &mut State,
    prompter: &mut dyn Prompter,
) -> AppResult<()> {
    let ask = Ask {
        table: TABLE,
        key: step.id(),
        prompt: t!(
            lang,
            "Your own remark on this step for the report (what surprised you, what went wrong)?",
            "このステップについて、レポートに載せる自分の一言は？（驚いたこと、うまくいかなかったこと）"
        ),
        default: None,
    };
    let Some(text) = prompter.lines(&ask)? else {
        return Ok(());
    };
    if text.trim().is_empty() {
        return Ok(());
    }
    let notes = state
        .notes
        .entry(TABLE.to_string())
        .or_insert_with(|| Value::Object(Default::default()));
    if !notes.is_object() {
        *notes = Value::Object(Default::default());
    }
    notes[step.id()] = Value::String(text);
    workspace.save(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Mode;

    #[test]
    fn a_saved_remark_is_read_back_per_step_and_blank_ones_are_none() {
        let mut state = State::new(Mode::Sandbox, "2026-11-21T01:00:00Z".parse().unwrap());
        state.notes.insert(
            TABLE.into(),
            serde_json::json!({"alarm": "迷惑メールに入っていた", "billing": "  "}),
        );
        assert_eq!(
            of(&state, StepId::Alarm).as_deref(),
            Some("迷惑メールに入っていた")
        );
        assert_eq!(of(&state, StepId::Billing), None);
        assert_eq!(of(&state, StepId::Estimate), None);
    }
}
