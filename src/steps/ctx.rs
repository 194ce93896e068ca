//! What a step may touch while it works: its own answers and progress (saved the moment they are
//! given), other steps' evidence (read-only), the resources it creates, the account, the prompts
//! and the terminal. The checklist itself stays private here: only the runner moves a status.

use super::{RunOptions, Step};
use crate::cloud::student::Examples;
use crate::cloud::{Cloud, CloudError};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::prompt::{Ask, Choice, Prompter};
use crate::session::Session;
use crate::state::{Resource, State, StepStatus, Workspace};
use crate::step_id::StepId;
use crate::ui::Ui;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What every step of one run shares.
pub struct RunScope<'a> {
    pub lang: Lang,
    /// The session's own flags, for every "run this next" hint.
    pub session: &'a Session,
    /// The example answers a practice account offers (none for a real account).
    pub examples: &'a Examples,
    pub ui: &'a Ui,
    pub cloud: &'a Cloud,
    pub workspace: &'a Workspace,
    pub options: &'a RunOptions,
}

/// Everything a step may use. Every answer and every progress mark is saved the moment it is
/// given (unless `--dry-run`), so a step resumed after a crash finds it again.
pub struct StepCtx<'a> {
    pub step: StepId,
    pub lang: Lang,
    pub examples: &'a Examples,
    session: &'a Session,
    pub ui: &'a Ui,
    pub cloud: &'a Cloud,
    pub prompter: &'a mut dyn Prompter,
    pub options: &'a RunOptions,
    workspace: &'a Workspace,
    /// The checklist: a step reads its own answers and progress, other steps' evidence and the
    /// resources lecture06 created through the methods below; only the runner moves a status.
    state: &'a mut State,
}

impl<'a> StepCtx<'a> {
    /// The runner's view of one step at work.
    pub fn new(
        step: StepId,
        run: &RunScope<'a>,
        prompter: &'a mut dyn Prompter,
        state: &'a mut State,
    ) -> StepCtx<'a> {
        StepCtx {
            step,
            lang: run.lang,
            examples: run.examples,
            session: run.session,
            ui: run.ui,
            cloud: run.cloud,
            prompter,
            options: run.options,
            workspace: run.workspace,
            state,
        }
    }

    fn table(&self) -> &'static str {
        self.step.id()
    }

    pub fn save(&mut self) -> AppResult<()> {
        if self.options.dry_run {
            return Ok(());
        }
        self.state.updated_at = self.cloud.clock.now();
        self.workspace.save(self.state)
    }

    fn step_state(&mut self) -> &mut crate::state::StepState {
        self.state.steps.entry(self.step).or_default()
    }

    /// The answer saved earlier for `key`, if any (as text).
    pub fn saved_answer(&self, key: &str) -> Option<String> {
        let value = self.state.steps.get(&self.step)?.answers.get(key)?;
        Some(match value {
            Value::String(s) => s.clone(),
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        })
    }

    fn remember(&mut self, key: &str, value: Value) -> AppResult<()> {
        self.step_state().answers.insert(key.to_string(), value);
        self.save()
    }

    /// Asks for text; a saved answer is the default, then `default`.
    pub fn ask_text(
        &mut self,
        key: &str,
        prompt: String,
        default: Option<String>,
        validate: &dyn Fn(&str) -> Result<(), String>,
    ) -> AppResult<String> {
        let default = self.saved_answer(key).or(default);
        let ask = Ask {
            table: self.table(),
            key,
            prompt,
            default,
        };
        let value = self.prompter.text(&ask, validate)?;
        self.remember(key, Value::String(value.clone()))?;
        Ok(value)
    }

    pub fn ask_confirm(&mut self, key: &str, prompt: String, default: bool) -> AppResult<bool> {
        let default = self
            .saved_answer(key)
            .map(|v| v == "true")
            .unwrap_or(default);
        let ask = Ask {
            table: self.table(),
            key,
            prompt,
            default: None,
        };
        let value = self.prompter.confirm(&ask, default)?;
        self.remember(key, Value::Bool(value))?;
        Ok(value)
    }

    /// Asks to pick one; the answer saved is the choice's id.
    pub fn ask_select(
        &mut self,
        key: &str,
        prompt: String,
        choices: &[Choice],
        default: usize,
    ) -> AppResult<usize> {
        let default = self
            .saved_answer(key)
            .and_then(|id| choices.iter().position(|c| c.id == id))
            .unwrap_or(default);
        let ask = Ask {
            table: self.table(),
            key,
            prompt,
            default: None,
        };
        let index = self.prompter.select(&ask, choices, default)?;
        self.remember(key, Value::String(choices[index].id.clone()))?;
        Ok(index)
    }

    pub fn ask_multi(
        &mut self,
        key: &str,
        prompt: String,
        choices: &[Choice],
        defaults: &[usize],
        count: usize,
    ) -> AppResult<Vec<usize>> {
        let saved: Option<Vec<usize>> = self.saved_answer(key).map(|ids| {
            ids.split(',')
                .filter_map(|id| choices.iter().position(|c| c.id == id))
                .collect()
        });
        let defaults = saved
            .filter(|s| s.len() == count)
            .unwrap_or_else(|| defaults.to_vec());
        let ask = Ask {
            table: self.table(),
            key,
            prompt,
            default: None,
        };
        let picked = self
            .prompter
            .multi_select(&ask, choices, &defaults, count)?;
        let ids: Vec<Value> = picked
            .iter()
            .map(|&i| Value::String(choices[i].id.clone()))
            .collect();
        self.remember(key, Value::Array(ids))?;
        Ok(picked)
    }

    pub fn progress<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let value = self.state.steps.get(&self.step)?.progress.get(key)?.clone();
        serde_json::from_value(value).ok()
    }

    pub fn set_progress<T: Serialize>(&mut self, key: &str, value: &T) -> AppResult<()> {
        let value = serde_json::to_value(value).map_err(anyhow::Error::from)?;
        self.step_state().progress.insert(key.to_string(), value);
        self.save()
    }

    /// Whether lecture06 recorded this resource (kind, id and Region: an alarm's name is only
    /// unique within its Region).
    pub fn recorded(&self, kind: &str, id: &str, region: &str) -> bool {
        self.state.is_recorded(kind, id, region)
    }

    /// This folder's workspace id (for the tag on what the step creates), made and saved once.
    pub fn workspace_id(&mut self) -> AppResult<String> {
        if self.state.workspace_id.is_empty() {
            self.state.workspace_id = self.workspace.folder_id();
            self.save()?;
        }
        Ok(self.state.workspace_id.clone())
    }

    /// Records a resource lecture06 created, once, and saves at once (before anything else can
    /// fail) so that `cleanup` and a resumed run know of it.
    pub fn record_resource(&mut self, kind: &str, id: &str, region: &str) -> AppResult<()> {
        let created_at = self.cloud.clock.now();
        let new = self.state.record(Resource {
            kind: kind.into(),
            id: id.into(),
            region: region.into(),
            step: self.step,
            created_at,
        });
        if new { self.save() } else { Ok(()) }
    }

    /// Takes back a record that names nothing lecture06 made, and saves.
    pub fn forget_resource(&mut self, kind: &str, id: &str, region: &str) -> AppResult<()> {
        self.state
            .resources
            .retain(|r| !(r.kind == kind && r.id == id && r.region == region));
        self.save()
    }

    /// Records the resource first (so a crash right after `call` cannot leave it unrecorded),
    /// then makes the call that creates it. When AWS surely refused the call, a record made here
    /// is taken back: it would list something that does not exist, and `cleanup` could later
    /// delete someone else's resource of that name.
    pub fn record_then<T>(
        &mut self,
        kind: &str,
        id: &str,
        region: &str,
        call: impl FnOnce(&Cloud) -> Result<T, CloudError>,
    ) -> AppResult<T> {
        let new = !self.recorded(kind, id, region);
        self.record_resource(kind, id, region)?;
        match call(self.cloud) {
            Err(err) if new && err.surely_not_done() => {
                self.forget_resource(kind, id, region)?;
                Err(err.into())
            }
            other => Ok(other?),
        }
    }

    /// Keeps a raw API answer as an evidence file (skipped under `--dry-run`).
    pub fn evidence_file(&self, name: &str, bytes: &[u8]) -> AppResult<()> {
        if !self.options.dry_run {
            self.workspace.write_evidence_file(self.step, name, bytes)?;
        }
        Ok(())
    }

    pub fn status(&self) -> StepStatus {
        self.state.status(self.step)
    }

    /// Forgets a saved answer (so that it is asked again) and saves.
    pub fn forget_answer(&mut self, key: &str) -> AppResult<()> {
        self.step_state().answers.remove(key);
        self.save()
    }

    /// Forgets a progress mark (so that the step does that part again) and saves.
    pub fn forget_progress(&mut self, key: &str) -> AppResult<()> {
        self.step_state().progress.remove(key);
        self.save()
    }

    /// The evidence step `S` saved when it was done, as its own type; `None` when it is not
    /// done or its evidence cannot be read (the runner says so and runs it again).
    pub fn evidence_of<S: Step>(&self) -> Option<S::Evidence> {
        let saved = self.state.steps.get(&S::ID)?;
        if saved.status != StepStatus::Done {
            return None;
        }
        super::decode::<S::Evidence>(saved)?.ok()
    }

    /// The command that does `what` (`run --step alarm`) in this session: the same account,
    /// folder, Region and language (`lecture06 --dir w --profile p run --step alarm`).
    pub fn next_command(&self, what: &str) -> String {
        self.session.command(what)
    }

    /// Whether lecture06 recorded `id` as a resource it created.
    pub fn created_by_lecture06(&self, id: &str) -> bool {
        self.state.resources.iter().any(|r| r.id == id)
    }

    /// The Region the session started in (the state's), else the account's.
    pub fn session_region(&self) -> String {
        self.state
            .region
            .clone()
            .unwrap_or_else(|| self.cloud.region.clone())
    }
}
