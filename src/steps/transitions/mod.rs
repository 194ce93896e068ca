//! Step 3: stop Unicorn (or Nginx, or the instance), watch the ALB and the alarm go to ALARM,
//! start it again, watch OK come back, and keep the timeline with the measured delays as evidence, with the reason the delay is
//! minutes and not the one-minute period, computed from the actual settings.
//!
//! This file is the `Step` impl; `walk` is the sequence the student walks, one part a function;
//! `preflight` checks, before
//! anything is stopped, that the health check can see the app server (`health` holds the pure
//! decisions: Rails or a file, too long healthy, reason codes); `calls` asks what to stop and
//! how, stops and starts it, and gathers the mails; `watch` is the polling loop; `evidence` is
//! what is kept and how the status, the report and its chart show it. Every change is saved as
//! it happens: a watch resumed after Ctrl-C or a crash keeps the recorded moments.

mod calls;
mod evidence;
mod health;
mod preflight;
mod walk;
mod watch;

pub use evidence::{Moments, TransitionsEvidence};
pub use preflight::{HEALTH_CHECK_PATH, Preflight};
pub use watch::{Change, Observation};

use super::alarm::AlarmStep;
use super::{Outcome, StepCtx};
use crate::clock::{duration, jst};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::step_id::StepId;
use crate::t;
use crate::timeline::{Mark, StateBand, TimelineChart};
use calls::ask_how_to_stop;
use evidence::{delay, explanation, summary_lines, timeline};
use serde_json::{Value, json};

pub const DEFAULT_STOP: &str = "sudo systemctl stop unicorn";
pub const DEFAULT_START: &str = "sudo systemctl start unicorn";

/// The transitions step, as the one list of steps declares it.
pub struct TransitionsStep;

pub const STEP: TransitionsStep = TransitionsStep;

impl super::Step for TransitionsStep {
    const ID: StepId = StepId::Transitions;
    const IAM_ACTIONS: &'static [&'static str] = &[
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:ModifyTargetGroup",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DescribeAlarmHistory",
        "cloudwatch:GetMetricData",
        "ssm:SendCommand",
        "ssm:GetCommandInvocation",
    ];
    const CREATES: &'static [&'static str] = &[HEALTH_CHECK_PATH];
    type Evidence = TransitionsEvidence;

    /// The sequence the student walks: before, stop, watch for ALARM, start, watch for OK.
    fn run(&self, ctx: &mut StepCtx) -> AppResult<Outcome<TransitionsEvidence>> {
        if ctx.options.dry_run && ctx.evidence_of::<AlarmStep>().is_none() {
            walk::plan_without_alarm(ctx);
            return Ok(Outcome::Planned);
        }
        let alarm = walk::alarm_of(ctx)?;
        let how = ask_how_to_stop(ctx, &alarm.region, &alarm.target_group.arn)?;
        if ctx.options.dry_run {
            walk::plan(ctx, &alarm, &how);
            return Ok(Outcome::Planned);
        }
        let preflight = walk::preflight_of(ctx, &alarm)?;
        let mut w = walk::Watch::new(ctx, &alarm, preflight.health_check.clone());
        let before = w.before(ctx)?;
        let stopped_at = walk::change_server(ctx, &how, true, "stopped_at")?;
        // Until it is started again, an interruption leaves the app server stopped: say so.
        let (alarm_at, alarm_mail_at) =
            match walk::wait_for_alarm(ctx, &mut w, &how, &preflight, &before, stopped_at) {
                Err(AppError::Interrupted(why)) => {
                    walk::remind_to_start(ctx, &how);
                    return Err(AppError::Interrupted(why));
                }
                other => other?,
            };
        let started_at = walk::change_server(ctx, &how, false, "started_at")?;
        let ok_seen = walk::wait_for_ok(ctx, &mut w, &before, stopped_at)?;
        let seen = walk::Seen {
            before,
            how,
            preflight,
            stopped_at,
            alarm_at,
            alarm_mail_at,
            started_at,
            ok_seen,
        };
        Ok(Outcome::Captured(walk::capture(ctx, w, seen)?))
    }

    fn summary(&self, evidence: &TransitionsEvidence, lang: Lang) -> Vec<String> {
        summary_lines(evidence, lang)
    }

    /// The report section's facts (see `report.<lang>.md` beside this file).
    fn report_context(&self, e: &TransitionsEvidence, lang: Lang) -> Value {
        let m = &e.moments;
        json!({
            "alarm_name": e.alarm_name,
            "region": e.region,
            "method": evidence::method_words(&e.method, lang),
            "process": e.process.name(lang),
            "timeline": timeline(e, lang),
            "stop_to_alarm": delay(m.stopped_at, m.alarm_at).map(|s| duration(lang, s)),
            "start_to_ok": m.started_at.and_then(|s| delay(s, m.ok_at)).map(|s| duration(lang, s)),
            "explanation": explanation(e, lang),
            "history": e.history.iter().filter(|h| h.kind == "StateUpdate").map(|h| json!({"jst": jst(h.timestamp), "summary": h.summary})).collect::<Vec<_>>(),
            "datapoints": e.datapoints.iter().map(|p| json!({"jst": jst(p.timestamp), "value": p.value})).collect::<Vec<_>>(),
            "health_check": e.preflight.as_ref().map(|p| evidence::preflight_context(p, lang)),
            "target_changes": e.changes.iter().filter(|c| c.what == "target").map(|c| {
                let code = c.reason.as_deref().map(|r| r.split(':').next().unwrap_or(r));
                json!({
                    "jst": jst(c.at),
                    "from": c.from,
                    "to": c.to,
                    "reason": c.reason,
                    "why": code.and_then(|code| health::reason_explained(code, lang)),
                })
            }).collect::<Vec<_>>(),
            "mails": evidence::mails_context(e, lang),
            "polls": e.polls,
            "api_calls": e.polls * 2,
        })
    }

    /// The chart the report draws: HealthyHostCount, the alarm's state as bands, the moments as marks.
    fn chart(&self, e: &TransitionsEvidence, lang: Lang) -> Option<TimelineChart> {
        let m = &e.moments;
        let start = e
            .datapoints
            .first()
            .map(|p| p.timestamp)
            .unwrap_or(m.stopped_at)
            .min(m.stopped_at);
        let end = e.captured_at;
        let mut bands = Vec::new();
        let mut state = e.before.alarm.clone();
        let mut from = start;
        for item in e
            .history
            .iter()
            .filter(|h| h.kind == "StateUpdate" && h.timestamp >= start)
        {
            if let Some((_, new)) = item.states() {
                bands.push(StateBand {
                    from,
                    to: item.timestamp,
                    state: state.clone(),
                });
                state = new;
                from = item.timestamp;
            }
        }
        bands.push(StateBand {
            from,
            to: end,
            state,
        });
        bands.retain(|b| b.to > b.from);
        let mut marks = vec![Mark {
            at: m.stopped_at,
            label: evidence::stopped_label(e.process, lang),
        }];
        marks.extend(evidence::mail_test_marks(e, lang));
        let started = evidence::started_label(e.process, lang);
        let optional = [
            (m.alarm_mail_at, lang.pick("ALARM mail", "ALARM メール")),
            (m.started_at, started.as_str()),
            (m.ok_mail_at, lang.pick("OK mail", "OK メール")),
        ];
        for (at, label) in optional {
            if let Some(at) = at {
                marks.push(Mark {
                    at,
                    label: label.into(),
                });
            }
        }
        Some(TimelineChart {
            title: t!(
                lang,
                "{}: HealthyHostCount and alarm state",
                "{}: HealthyHostCount とアラームの状態",
                e.alarm_name
            ),
            series_label: "HealthyHostCount".into(),
            points: e
                .datapoints
                .iter()
                .map(|p| (p.timestamp, p.value))
                .collect(),
            bands,
            marks,
        })
    }
}
