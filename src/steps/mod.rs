//! The assignment's steps, the unit everyone thinks in. A step is declared once, in `registry()`
//! below: its behaviour behind the `Step` trait, its words (title, the assignment's wording) in
//! `steps/steps.toml`, its guide in `steps/<lang>/<id>.md` and its report section in
//! `report-templates/<lang>/<id>.md`. Each step reads what it needs through a `StepCtx` and
//! returns the evidence it captured; only the runner (`commands::run`) moves the checklist forward.
//!
//! Adding a sixth step: a `StepId` variant and its `steps.toml` entry, a module here with a `Step`
//! implementation listed in `registry()`, a guide and a report section in each language.

pub mod alarm;
pub mod billing;
pub mod cloudtrail;
pub mod estimate;
pub mod transitions;

mod ctx;

pub use ctx::{RunScope, StepCtx};

use crate::error::AppResult;
use crate::i18n::Lang;
use crate::step_id::StepId;
use crate::timeline::TimelineChart;
use serde_json::Value;

/// One step of the assignment: what `run`, `status` and the report ask of it.
pub trait Step: Sync {
    fn id(&self) -> StepId;

    /// Carries the step out; returns its evidence.
    fn run(&self, ctx: &mut StepCtx) -> AppResult<Value>;

    /// Re-checks a done step cheaply on resume; `Some(reason)` when its result no longer holds.
    /// Most results cannot go stale (an event found, last month's closed bill).
    fn recheck(&self, ctx: &mut StepCtx) -> AppResult<Option<String>> {
        let _ = ctx;
        Ok(None)
    }

    /// The evidence as `status` shows it: a few key lines.
    fn summary(&self, evidence: &Value, lang: Lang) -> Vec<String>;

    /// What the step's report section needs from its evidence (merged into `steps.<id>` of the
    /// report templates' context).
    fn report_context(&self, evidence: &Value, lang: Lang) -> Value;

    /// The step's timeline chart, for a step that draws one (the report writes it as an SVG).
    fn chart(&self, evidence: &Value, lang: Lang) -> Option<TimelineChart> {
        let _ = (evidence, lang);
        None
    }
}

/// Every step, in the order the student walks them (the order of `StepId::ALL`).
pub fn registry() -> [&'static dyn Step; 5] {
    [
        &cloudtrail::CloudtrailStep,
        &alarm::AlarmStep,
        &transitions::TransitionsStep,
        &estimate::EstimateStep,
        &billing::BillingStep,
    ]
}

/// The step declared for `id`.
pub fn get(id: StepId) -> &'static dyn Step {
    registry()
        .into_iter()
        .find(|step| step.id() == id)
        .expect("every StepId is in the registry (checked by a test)")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_declares_every_step_once_in_order() {
        let ids: Vec<StepId> = registry().iter().map(|s| s.id()).collect();
        assert_eq!(ids, StepId::ALL.to_vec());
    }
}
