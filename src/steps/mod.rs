//! The assignment's steps, the unit everyone thinks in: the `StepId` is the CLI argument, the
//! state key, the guide's file name, the answers-file table and the report section. Each step is a
//! module with one entry point that reads what it needs through a `StepCtx` and returns the
//! evidence it captured; only the runner moves the checklist forward.

pub mod alarm;
pub mod billing;
pub mod cloudtrail;
pub mod estimate;
pub mod transitions;

use crate::cloud::Cloud;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::prompt::{Ask, Choice, Prompter};
use crate::state::{Resource, State, StepStatus, Workspace};
use crate::ui::Ui;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
#[value(rename_all = "kebab-case")]
pub enum StepId {
    Cloudtrail,
    Alarm,
    Transitions,
    Estimate,
    Billing,
}

impl StepId {
    pub const ALL: [StepId; 5] = [
        StepId::Cloudtrail,
        StepId::Alarm,
        StepId::Transitions,
        StepId::Estimate,
        StepId::Billing,
    ];

    pub fn id(self) -> &'static str {
        match self {
            StepId::Cloudtrail => "cloudtrail",
            StepId::Alarm => "alarm",
            StepId::Transitions => "transitions",
            StepId::Estimate => "estimate",
            StepId::Billing => "billing",
        }
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            StepId::Cloudtrail => lang.pick(
                "Your latest CloudTrail event",
                "CloudTrail で最後に AWS を使った記録を探す",
            ),
            StepId::Alarm => lang.pick(
                "An ALB alarm that mails you (SNS, with OK action)",
                "ALB の CloudWatch アラームと SNS メール通知（OK アクションも）",
            ),
            StepId::Transitions => lang.pick(
                "Stop and start Unicorn: ALARM and OK",
                "Unicorn を停止・起動してアラームと OK を確認する",
            ),
            StepId::Estimate => lang.pick(
                "Cost estimate and calculator link",
                "AWS 利用料の見積もりと共有 URL",
            ),
            StepId::Billing => lang.pick(
                "Last month's EC2 charge and the Free Tier",
                "先月の EC2 の利用料と無料利用枠",
            ),
        }
    }
}

/// The step's evidence as `status` shows it: a few key lines.
pub fn summary(step: StepId, evidence: &Value, lang: Lang) -> Vec<String> {
    match step {
        StepId::Cloudtrail => cloudtrail::summary(evidence, lang),
        StepId::Alarm => alarm::summary(evidence, lang),
        StepId::Billing => billing::summary(evidence, lang),
        StepId::Transitions => transitions::summary(evidence, lang),
        StepId::Estimate => estimate::summary(evidence, lang),
    }
}

/// What the step's report section needs from its evidence (merged into `steps.<id>` of the
/// report templates' context).
pub fn report_context(step: StepId, evidence: &Value, lang: Lang) -> Value {
    match step {
        StepId::Cloudtrail => cloudtrail::report_context(evidence, lang),
        StepId::Alarm => alarm::report_context(evidence, lang),
        StepId::Billing => billing::report_context(evidence, lang),
        StepId::Transitions => transitions::report_context(evidence, lang),
        StepId::Estimate => estimate::report_context(evidence, lang),
    }
}

/// The step's timeline chart, for the steps that draw one (the report writes it as an SVG asset
/// and links it). The transitions step provides it; every other step has none.
pub fn chart(
    step: StepId,
    evidence: &Value,
    lang: Lang,
) -> Option<crate::report::chart::TimelineChart> {
    match step {
        StepId::Transitions => transitions::chart(evidence, lang),
        StepId::Cloudtrail | StepId::Alarm | StepId::Estimate | StepId::Billing => None,
    }
}

/// Carries the step out; returns its evidence.
pub fn run(step: StepId, ctx: &mut StepCtx) -> AppResult<Value> {
    match step {
        StepId::Cloudtrail => cloudtrail::run(ctx),
        StepId::Alarm => alarm::run(ctx),
        StepId::Billing => billing::run(ctx),
        StepId::Transitions => transitions::run(ctx),
        StepId::Estimate => estimate::run(ctx),
    }
}

/// Re-checks a done step cheaply on resume; `Some(reason)` when its result no longer holds.
pub fn recheck(step: StepId, ctx: &mut StepCtx) -> AppResult<Option<String>> {
    match step {
        // An event found in the history stays what it was: nothing can go stale.
        StepId::Cloudtrail => Ok(None),
        StepId::Alarm => alarm::recheck(ctx),
        // Last month's bill is closed; the saved answer is re-asked only with --refresh.
        StepId::Billing => Ok(None),
        _ => Ok(None),
    }
}

/// Options of `run` that particular steps read.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub dry_run: bool,
    /// Ask Cost Explorer again instead of using the saved answer (billing).
    pub refresh: bool,
    /// `--ssh HOST`: the transitions step stops and starts Unicorn over SSH on this host.
    pub ssh: Option<String>,
}

/// Everything a step may use. Every answer and every progress mark is saved the moment it is
/// given (unless `--dry-run`), so a step resumed after a crash finds it again.
pub struct StepCtx<'a> {
    pub step: StepId,
    pub lang: Lang,
    pub ui: &'a Ui,
    pub cloud: &'a Cloud,
    pub prompter: &'a mut dyn Prompter,
    pub workspace: &'a Workspace,
    pub state: &'a mut State,
    pub options: &'a RunOptions,
}

impl StepCtx<'_> {
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

    /// Records a resource lecture06 created, once, and saves at once (before anything else can
    /// fail) so that `cleanup` and a resumed run know of it.
    pub fn record_resource(&mut self, kind: &str, id: &str, region: &str) -> AppResult<()> {
        if self
            .state
            .resources
            .iter()
            .any(|r| r.kind == kind && r.id == id)
        {
            return Ok(());
        }
        let created_at = self.cloud.clock.now();
        self.state.resources.push(Resource {
            kind: kind.into(),
            id: id.into(),
            region: region.into(),
            step: self.step,
            created_at,
        });
        self.save()
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
}
