//! The assignment's steps, the unit everyone thinks in. The one list of steps is
//! `for_each_step!` (in `step_id`); from it this module declares each step's module and the
//! registry. A step is one typed unit in its own folder `src/steps/<id>/`: its behaviour behind
//! the `Step` trait (with the evidence type it captures, the IAM actions it calls and the kinds of
//! resource it creates), its words (`step.toml`), its guides and report sections.
//!
//! Evidence crosses into the state as JSON in one place only, `Typed` below: `run` stores what the
//! step returns, and every reader (`status`, the report, a resumed run, other steps) gets either
//! the step's own type or a `Reading::Unreadable` that says why — never an empty "done".

mod ctx;
pub mod permissions;

pub use ctx::{RunScope, StepCtx};
pub use permissions::SharedPermissions;

use crate::error::AppResult;
use crate::i18n::Lang;
use crate::state::{StepState, StepStatus};
use crate::step_id::StepId;
use crate::t;
use crate::timeline::TimelineChart;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

macro_rules! declare_registry {
    ($($module:ident: $variant:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every step, in the order the student walks them (the order of `StepId::ALL`).
        pub fn registry() -> &'static [&'static dyn AnyStep] {
            &[$(&$module::STEP),*]
        }
    };
}

crate::for_each_step!(declare_registry);

/// One step of the assignment, typed: what it does and what it captures.
pub trait Step: Sync {
    /// Its entry in the one list of steps.
    const ID: StepId;
    /// The IAM actions it calls (what `iam-policy --step <id>` prints).
    const IAM_ACTIONS: &'static [&'static str];
    /// Statements shared with other commands that it also needs.
    const ALSO_NEEDS: &'static [SharedPermissions] = &[];
    /// The kinds of AWS resource it creates and records (what `cleanup` deletes).
    const CREATES: &'static [&'static str] = &[];

    /// What the step captures: saved in the state, read back by `status`, the report and later
    /// steps.
    type Evidence: Serialize + DeserializeOwned;

    /// Carries the step out; returns its evidence (or, under `--dry-run`, that it only planned).
    fn run(&self, ctx: &mut StepCtx) -> AppResult<Outcome<Self::Evidence>>;

    /// Re-checks a done step cheaply on resume; `Some(reason)` when its result no longer holds.
    /// Most results cannot go stale (an event found, last month's closed bill).
    fn recheck(&self, ctx: &mut StepCtx, evidence: &Self::Evidence) -> AppResult<Option<String>> {
        let _ = (ctx, evidence);
        Ok(None)
    }

    /// The evidence as `status` shows it: a few key lines (the first is the report's headline).
    fn summary(&self, evidence: &Self::Evidence, lang: Lang) -> Vec<String>;

    /// What the step's report section needs from its evidence (merged into `steps.<id>` of the
    /// report templates' context).
    fn report_context(&self, evidence: &Self::Evidence, lang: Lang) -> Value;

    /// The step's timeline chart, for a step that draws one (the report writes it as an SVG).
    fn chart(&self, evidence: &Self::Evidence, lang: Lang) -> Option<TimelineChart> {
        let _ = (evidence, lang);
        None
    }
}

/// What a run of a step gave.
#[derive(Debug)]
pub enum Outcome<E> {
    Captured(E),
    /// `--dry-run`: the step printed its plan and changed nothing; there is no evidence.
    Planned,
}

/// What a step's saved evidence reads as.
#[derive(Debug)]
pub enum Reading {
    /// The step is not done (pending or in progress).
    NotDone,
    /// The step is marked done but its evidence is missing or has a shape this lecture06 cannot
    /// read (an older version, a hand edit): it must be run again. The evidence is kept as it is.
    Unreadable {
        why: String,
    },
    Done(Facts),
}

/// A done step's evidence as the other layers use it.
#[derive(Debug)]
pub struct Facts {
    pub summary: Vec<String>,
    pub report: Value,
    pub chart: Option<TimelineChart>,
}

impl Reading {
    pub fn is_done(&self) -> bool {
        matches!(self, Reading::Done(_))
    }
}

/// A step as the runner, `status`, the report and `iam-policy` see it, whatever its evidence
/// type. Implemented once, for every `Step`: the one codec between evidence and the state.
pub trait AnyStep: Sync {
    fn id(&self) -> StepId;
    fn iam_actions(&self) -> &'static [&'static str];
    fn also_needs(&self) -> &'static [SharedPermissions];
    fn creates(&self) -> &'static [&'static str];
    /// Runs the step; its evidence as the state keeps it (`None` under `--dry-run`).
    fn run(&self, ctx: &mut StepCtx) -> AppResult<Option<Value>>;
    /// `Step::recheck` on the saved evidence (none when it cannot be read: that is said elsewhere).
    fn recheck(&self, ctx: &mut StepCtx, saved: &StepState) -> AppResult<Option<String>>;
    /// The saved evidence, read.
    fn read(&self, saved: &StepState, lang: Lang) -> Reading;
}

impl<S: Step> AnyStep for S {
    fn id(&self) -> StepId {
        S::ID
    }

    fn iam_actions(&self) -> &'static [&'static str] {
        S::IAM_ACTIONS
    }

    fn also_needs(&self) -> &'static [SharedPermissions] {
        S::ALSO_NEEDS
    }

    fn creates(&self) -> &'static [&'static str] {
        S::CREATES
    }

    fn run(&self, ctx: &mut StepCtx) -> AppResult<Option<Value>> {
        match Step::run(self, ctx)? {
            Outcome::Captured(evidence) => Ok(Some(
                serde_json::to_value(&evidence).map_err(anyhow::Error::from)?,
            )),
            Outcome::Planned => Ok(None),
        }
    }

    fn recheck(&self, ctx: &mut StepCtx, saved: &StepState) -> AppResult<Option<String>> {
        match decode::<S::Evidence>(saved) {
            Some(Ok(evidence)) => Step::recheck(self, ctx, &evidence),
            _ => Ok(None),
        }
    }

    fn read(&self, saved: &StepState, lang: Lang) -> Reading {
        if saved.status != StepStatus::Done {
            return Reading::NotDone;
        }
        match decode::<S::Evidence>(saved) {
            Some(Ok(evidence)) => Reading::Done(Facts {
                summary: self.summary(&evidence, lang),
                report: self.report_context(&evidence, lang),
                chart: self.chart(&evidence, lang),
            }),
            Some(Err(err)) => Reading::Unreadable {
                why: t!(
                    lang,
                    "its saved evidence cannot be read ({err}): it was written by another version of lecture06 or edited by hand",
                    "保存した記録を読めません（{err}）。別のバージョンの lecture06 で書かれたか、手で編集されたものです"
                ),
            },
            None => Reading::Unreadable {
                why: t!(
                    lang,
                    "no evidence was saved for it",
                    "記録が保存されていません"
                ),
            },
        }
    }
}

/// The evidence of a step as its own type: `None` when there is none, `Err` when it does not parse.
pub fn decode<T: DeserializeOwned>(saved: &StepState) -> Option<Result<T, serde_json::Error>> {
    let value = saved.evidence.as_ref()?;
    Some(serde_json::from_value(value.clone()))
}

/// The step declared for `id`.
pub fn get(id: StepId) -> &'static dyn AnyStep {
    registry()[id.number() - 1]
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
    use serde_json::json;

    #[test]
    fn the_registry_follows_the_one_list() {
        let ids: Vec<StepId> = registry().iter().map(|s| s.id()).collect();
        assert_eq!(ids, StepId::ALL.to_vec());
        for &id in StepId::ALL {
            assert_eq!(get(id).id(), id);
            assert!(
                !get(id).iam_actions().is_empty(),
                "{id:?} names its IAM actions"
            );
        }
    }

    #[test]
    fn evidence_of_the_wrong_shape_or_none_reads_as_unreadable_and_is_kept() {
        let step = get(StepId::Alarm);
        let damaged = StepState {
            status: StepStatus::Done,
            evidence: Some(json!({"region": 7})),
            ..StepState::default()
        };
        let Reading::Unreadable { why } = step.read(&damaged, Lang::En) else {
            panic!("a wrong shape must not read as done");
        };
        assert!(why.contains("cannot be read"), "{why}");
        assert_eq!(damaged.evidence, Some(json!({"region": 7})));
        let bare = StepState {
            status: StepStatus::Done,
            ..StepState::default()
        };
        let Reading::Unreadable { why } = step.read(&bare, Lang::Ja) else {
            panic!("done without evidence must not read as done");
        };
        assert!(why.contains("記録が保存されていません"), "{why}");
        let pending = StepState::default();
        assert!(matches!(step.read(&pending, Lang::En), Reading::NotDone));
    }
}
