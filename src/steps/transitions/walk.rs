//! The sequence the student walks, one part a function: what the alarm step left, the plan under
//! `--dry-run`, the state before, the stop, the wait for ALARM, the start, the wait for OK, and
//! what is kept. `Watch` carries what every part shares (the observer, the counts, the changes
//! seen); each part saves its moment the instant it happens, so a resumed run skips what is done.

use super::calls::{HowToStop, alarm_mails, ask_mail_time, control};
use super::evidence::{Moments, TransitionsEvidence, explanation, summary_lines};
use super::health::{reason_explained, still_healthy_too_long};
use super::preflight::{self, Preflight};
use super::watch::{
    Change, CloudObserver, Observation, Observe, give_up_after, http_text, transition_time, watch,
};
use super::{DEFAULT_START, DEFAULT_STOP};
use crate::clock::{duration, jst, utc};
use crate::cloud::alarms::AlarmSpec;
use crate::cloud::elb::HealthCheck;
use crate::cloud::student::ServerProcess;
use crate::error::{AppError, AppResult};
use crate::steps::StepCtx;
use crate::steps::alarm::{AlarmEvidence, AlarmStep};
use crate::t;
use chrono::{DateTime, Duration as Span, Utc};
use serde_json::json;
use std::time::Duration;

/// The alarm step's evidence, which this step watches; an error naming the command when the
/// alarm step is not done.
pub(super) fn alarm_of(ctx: &StepCtx) -> AppResult<AlarmEvidence> {
    let lang = ctx.lang;
    ctx.evidence_of::<AlarmStep>().ok_or_else(|| {
        let first = ctx.next_command("run --step alarm");
        AppError::Failed(t!(
            lang,
            "The alarm step is not done yet: run `{first}` first.",
            "アラームのステップがまだ完了していません。先に `{first}` を実行してください。"
        ))
    })
}

/// `--dry-run` before the alarm exists: the watch in outline.
pub(super) fn plan_without_alarm(ctx: &StepCtx) {
    ctx.ui.plan(
        "(after the alarm step) http:GET + elasticloadbalancing:DescribeTargetHealth + cloudwatch:DescribeAlarms every 20 s",
        &json!({"Stop": DEFAULT_STOP, "Start": DEFAULT_START}),
    );
}

/// `--dry-run`: the calls the watch would make and how the app server would be stopped.
pub(super) fn plan(ctx: &StepCtx, alarm: &AlarmEvidence, how: &HowToStop) {
    let url = format!("http://{}/", alarm.load_balancer.dns_name);
    ctx.ui.plan("http:GET (read-only)", &json!({"Url": url}));
    ctx.ui.plan(
        "elasticloadbalancing:DescribeTargetHealth (read-only, every 20 s)",
        &json!({"TargetGroupArn": alarm.target_group.arn}),
    );
    ctx.ui.plan(
        "cloudwatch:DescribeAlarms (read-only, every 20 s)",
        &json!({"AlarmNames": [alarm.alarm.spec.name]}),
    );
    let (stop, start) = (&how.stop_command, &how.start_command);
    match how.method.as_str() {
        "ssh" => ctx.ui.plan(
            "ssh",
            &json!({"Host": how.host, "Stop": stop, "Start": start}),
        ),
        "ssm" => {
            for command in [stop, start] {
                ctx.ui.plan("ssm:SendCommand", &json!({"InstanceIds": [how.host], "DocumentName": "AWS-RunShellScript", "Parameters": {"commands": [command]}}));
            }
        }
        _ => ctx
            .ui
            .plan("manual", &json!({"Stop": stop, "Start": start})),
    }
}

/// Before anything is stopped: can the health check see the app server at all? Asked again on
/// every run until the watch has begun (a resumed run repeats it).
pub(super) fn preflight_of(ctx: &mut StepCtx, alarm: &AlarmEvidence) -> AppResult<Preflight> {
    if let Some(p) = ctx.progress::<Preflight>("preflight")
        && ctx.progress::<DateTime<Utc>>("stopped_at").is_some()
    {
        return Ok(p);
    }
    let p = preflight::run(
        ctx,
        &alarm.region,
        &alarm.load_balancer.arn,
        &alarm.target_group.arn,
        &alarm.load_balancer.dns_name,
        &alarm.target_group.health_check,
    )?;
    ctx.set_progress("preflight", &p)?;
    Ok(p)
}

/// What every part of the watch shares.
pub(super) struct Watch<'a> {
    observer: CloudObserver<'a>,
    pub spec: AlarmSpec,
    pub region: String,
    pub url: String,
    pub health: HealthCheck,
    timeout: Duration,
    pub polls: u32,
    pub throttled: u32,
    pub changes: Vec<Change>,
}

impl<'a> Watch<'a> {
    /// The watch of `alarm`'s ALB and alarm, with the counts a resumed run saved.
    pub fn new(ctx: &StepCtx<'a>, alarm: &AlarmEvidence, health: HealthCheck) -> Watch<'a> {
        let spec = alarm.alarm.spec.clone();
        let url = format!("http://{}/", alarm.load_balancer.dns_name);
        let timeout = give_up_after(
            &health,
            spec.period,
            spec.datapoints_to_alarm,
            spec.evaluation_periods,
        );
        Watch {
            observer: CloudObserver {
                cloud: ctx.cloud,
                region: alarm.region.clone(),
                tg_arn: alarm.target_group.arn.clone(),
                alarm: spec.name.clone(),
                url: url.clone(),
            },
            region: alarm.region.clone(),
            url,
            health,
            timeout,
            polls: ctx.progress("polls").unwrap_or(0),
            throttled: ctx.progress("throttled").unwrap_or(0),
            changes: ctx.progress("changes").unwrap_or_default(),
            spec,
        }
    }

    /// Before: the app answers, the target is healthy, the alarm is OK (waiting for OK first).
    pub fn before(&mut self, ctx: &mut StepCtx) -> AppResult<Observation> {
        if let Some(before) = ctx.progress("before") {
            return Ok(before);
        }
        let lang = ctx.lang;
        let seen = self.observer.observe()?;
        self.polls += 1;
        let url = &self.url;
        ctx.ui.line(t!(
            lang,
            "Before: GET {url} → {} ({} ms), target {}, alarm {}",
            "開始前: GET {url} → {}（{} ms）、ターゲット {}、アラーム {}",
            http_text(seen.http),
            seen.http_millis,
            seen.target,
            seen.alarm
        ));
        let seen = if seen.alarm == "OK" {
            seen
        } else {
            self.wait_for_ok_first(ctx, seen)?
        };
        ctx.set_progress("before", &seen)?;
        Ok(seen)
    }

    fn wait_for_ok_first(
        &mut self,
        ctx: &mut StepCtx,
        seen: Observation,
    ) -> AppResult<Observation> {
        let lang = ctx.lang;
        ctx.ui.line(t!(
            lang,
            "Waiting for the alarm to be OK first…",
            "まずアラームが OK になるのを待ちます…"
        ));
        let clock = ctx.cloud.clock.clone();
        let r = watch(
            &mut self.observer,
            clock.as_ref(),
            Some(seen.clone()),
            &["OK"],
            self.timeout,
            &|_| false,
            &mut |_, _| {},
        )?;
        self.polls += r.polls;
        if r.reached_at.is_none() {
            return Err(AppError::Failed(t!(
                lang,
                "The alarm did not become OK. Check that the app answers through the ALB and the target is healthy, then run again.",
                "アラームが OK になりませんでした。ALB 経由でアプリが応答し、ターゲットが正常か確認してから再実行してください。"
            )));
        }
        Ok(r.last.unwrap_or(seen))
    }

    /// Watches until the alarm is in one of `goals` (saved under `key`), printing and saving each
    /// change as it is seen. `(when it got there, whether waiting was pointless)`.
    pub fn until(
        &mut self,
        ctx: &mut StepCtx,
        goals: &[&str],
        key: &str,
        before: &Observation,
        stopped_at: DateTime<Utc>,
    ) -> AppResult<(Option<DateTime<Utc>>, bool)> {
        if let Some(at) = ctx.progress::<DateTime<Utc>>(key) {
            return Ok((Some(at), false));
        }
        let lang = ctx.lang;
        let goal = goals.join(" / ");
        let spinner = ctx
            .ui
            .spinner(t!(lang, "Watching for {goal}…", "{goal} を待っています…"));
        let previous = ctx
            .progress::<Observation>("last")
            .or_else(|| Some(before.clone()));
        let clock = ctx.cloud.clock.clone();
        let health = self.health.clone();
        let changes = &mut self.changes;
        // Each change is saved the moment it is seen: a crash or Ctrl-C keeps it.
        let mut save_error = None;
        let result = watch(
            &mut self.observer,
            clock.as_ref(),
            previous,
            goals,
            self.timeout,
            // A target still healthy well after the stop: the health check cannot see it.
            &|seen| {
                goals.contains(&"ALARM")
                    && still_healthy_too_long(&health, stopped_at, &seen.target, seen.at)
            },
            &mut |change, seen| {
                for line in change_lines(change, stopped_at, lang) {
                    spinner.println(line);
                }
                changes.push(change.clone());
                let saved = ctx
                    .set_progress("changes", &*changes)
                    .and_then(|_| ctx.set_progress("last", seen));
                if let Err(e) = saved {
                    save_error.get_or_insert(e);
                }
            },
        );
        spinner.finish();
        if let Some(e) = save_error {
            return Err(e);
        }
        let result = result?;
        self.polls += result.polls;
        self.throttled += result.throttled;
        self.save_counts(ctx, result.last.as_ref())?;
        if let Some(at) = result.reached_at {
            ctx.set_progress(key, &at)?;
        } else if crate::clock::stop_requested() {
            return Err(crate::prompt::interrupted(lang));
        }
        Ok((result.reached_at, result.ended_early))
    }

    fn save_counts(&self, ctx: &mut StepCtx, last: Option<&Observation>) -> AppResult<()> {
        ctx.set_progress("changes", &self.changes)?;
        ctx.set_progress("polls", &self.polls)?;
        ctx.set_progress("throttled", &self.throttled)?;
        if let Some(last) = last {
            ctx.set_progress("last", last)?;
        }
        Ok(())
    }

    /// The first change of `what` to a state `to` accepts, at or after `after`.
    fn first(
        &self,
        what: &str,
        to: &dyn Fn(&str) -> bool,
        after: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        self.changes
            .iter()
            .find(|c| c.what == what && c.at >= after && to(&c.to))
            .map(|c| c.at)
    }
}

/// A change as the watch prints it: when, how long after the stop, what changed, and why.
fn change_lines(
    change: &Change,
    stopped_at: DateTime<Utc>,
    lang: crate::i18n::Lang,
) -> Vec<String> {
    let elapsed = duration(lang, (change.at - stopped_at).num_seconds());
    let mut lines = vec![format!(
        "  [{} +{elapsed}] {}: {} → {}",
        jst(change.at),
        change.what,
        change.from,
        change.to
    )];
    if let Some(reason) = &change.reason {
        let code = reason.split(':').next().unwrap_or(reason);
        let why = reason_explained(code, lang).unwrap_or_default();
        lines.push(format!("      {reason} — {why}"));
    }
    lines
}

/// Stops (or starts) the app server once; a resumed run finds the moment saved under `key`.
pub(super) fn change_server(
    ctx: &mut StepCtx,
    how: &HowToStop,
    stop: bool,
    key: &str,
) -> AppResult<DateTime<Utc>> {
    if let Some(at) = ctx.progress::<DateTime<Utc>>(key) {
        if stop {
            let name = how.process.name(ctx.lang);
            ctx.ui.line(t!(
                ctx.lang,
                "{name} was stopped at {}; watching on.",
                "{name} は {} に停止済み。監視を続けます。",
                jst(at)
            ));
        }
        return Ok(at);
    }
    let command = if stop {
        &how.stop_command
    } else {
        &how.start_command
    };
    let at = control(
        ctx,
        how.process,
        &how.method,
        how.host.as_deref(),
        command,
        stop,
    )?;
    ctx.set_progress(key, &at)?;
    Ok(at)
}

/// `(when the alarm went to ALARM, when its mail came)`.
type AlarmMoments = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// After the stop: the wait for ALARM (INSUFFICIENT_DATA too for a stopped instance), then when
/// it happened by the alarm history and when its mail came. `(ALARM at, ALARM mail at)`.
pub(super) fn wait_for_alarm(
    ctx: &mut StepCtx,
    w: &mut Watch,
    how: &HowToStop,
    preflight: &Preflight,
    before: &Observation,
    stopped_at: DateTime<Utc>,
) -> AppResult<AlarmMoments> {
    let lang = ctx.lang;
    // A stopped instance leaves no datapoints: INSUFFICIENT_DATA unless missing data breaches.
    let goals: &[&str] = if how.process == ServerProcess::Instance {
        &["ALARM", "INSUFFICIENT_DATA"]
    } else {
        &["ALARM"]
    };
    let (seen, ended_early) = w.until(ctx, goals, "alarm_seen_at", before, stopped_at)?;
    if ended_early {
        return Err(preflight::end_blind_watch(
            ctx, how, preflight, stopped_at, &w.changes,
        )?);
    }
    if seen.is_none() {
        let minutes = w.timeout.as_secs() / 60;
        let resume = ctx.next_command("run");
        return Err(AppError::Failed(t!(
            lang,
            "No ALARM after {minutes} minutes, much longer than these settings need. Check: the alarm's dimensions (LoadBalancer and TargetGroup must be the ones the ALB really uses), the Region (the alarm must be in the ALB's Region), that the stopped app really fails the health check (the target shows unhealthy), and the missing-data treatment. Your moments are saved; `{resume}` continues the watch.",
            "{minutes} 分待っても ALARM になりません（この設定なら十分な時間です）。確認: アラームのディメンション（ALB が実際に使う LoadBalancer と TargetGroup か）、リージョン（ALB と同じか）、停止したアプリがヘルスチェックに失敗しているか（ターゲットが unhealthy か）、欠落データの扱い。記録した時刻は保存済みです。`{resume}` で監視を続けます。"
        )));
    }
    let (state, alarm_at) = alarm_moment(ctx, w, goals, seen, stopped_at)?;
    let mail_at = if state == "ALARM" {
        ask_mail_time(ctx, "alarm_mail_time", "ALARM", &w.spec.name, stopped_at)?
    } else {
        ctx.ui.line(t!(
            lang,
            "The alarm went to {state}, not ALARM: with the instance stopped its target is unused, HealthyHostCount has no datapoints, and missing data is treated as \"{}\". No mail is sent for it (the alarm's actions are for ALARM and OK).",
            "アラームは ALARM ではなく {state} になりました。インスタンスを止めるとターゲットは unused になり、HealthyHostCount のデータポイントが来なくなります（欠落データの扱い: {}）。この状態ではメールは届きません（アクションは ALARM と OK のみ）。",
            w.spec.treat_missing_data
        ));
        None
    };
    Ok((alarm_at, mail_at))
}

/// Ctrl-C while the app server is stopped: it stays stopped until someone starts it.
pub(super) fn remind_to_start(ctx: &StepCtx, how: &HowToStop) {
    let lang = ctx.lang;
    let name = how.process.name(lang);
    let start = &how.start_command;
    let resume = ctx.next_command("run");
    ctx.ui.warn(t!(
        lang,
        "{name} is still stopped. Start it again with `{start}` (on the instance), or run `{resume}` later: it goes on watching and starts it after ALARM.",
        "{name} はまだ停止したままです。`{start}` で起動し直すか（インスタンス上で）、あとで `{resume}` を実行してください（監視を続け、ALARM の後に起動します）。"
    ));
}

/// When the alarm reached one of `goals`, by its own history (the watch only saw it later).
fn alarm_moment(
    ctx: &mut StepCtx,
    w: &Watch,
    goals: &[&'static str],
    seen: Option<DateTime<Utc>>,
    stopped_at: DateTime<Utc>,
) -> AppResult<(&'static str, Option<DateTime<Utc>>)> {
    let lang = ctx.lang;
    let now = ctx.cloud.clock.now();
    let history =
        ctx.cloud
            .alarms
            .history(&w.region, &w.spec.name, stopped_at - Span::minutes(5), now)?;
    let (state, at) = goals
        .iter()
        .filter_map(|g| transition_time(&history, g, stopped_at).map(|t| (*g, t)))
        .min_by_key(|(_, t)| *t)
        .map(|(g, t)| (g, Some(t)))
        .unwrap_or(("ALARM", seen));
    if let Some(at) = at {
        ctx.ui.ok(t!(
            lang,
            "{state} at {} / {} ({} after the stop, from the alarm history)",
            "{state}: {} / {}（停止から {}、アラーム履歴より）",
            jst(at),
            utc(at),
            duration(lang, (at - stopped_at).num_seconds())
        ));
    }
    Ok((state, at))
}

/// After the start: the wait for OK. When the watch saw it.
pub(super) fn wait_for_ok(
    ctx: &mut StepCtx,
    w: &mut Watch,
    before: &Observation,
    stopped_at: DateTime<Utc>,
) -> AppResult<DateTime<Utc>> {
    let lang = ctx.lang;
    let (seen, _) = w.until(ctx, &["OK"], "ok_seen_at", before, stopped_at)?;
    seen.ok_or_else(|| {
        let resume = ctx.next_command("run");
        AppError::Failed(t!(
            lang,
            "The alarm is not OK again yet. Check the app answers on the instance (curl localhost) and the target turns healthy; `{resume}` continues the watch.",
            "アラームがまだ OK に戻りません。インスタンス上でアプリが応答するか（curl localhost）、ターゲットが healthy になるか確認してください。`{resume}` で監視を続けます。"
        ))
    })
}

/// The moments the watch and the student saw, and where they came from.
pub(super) struct Seen {
    pub before: Observation,
    pub how: HowToStop,
    pub preflight: Preflight,
    pub stopped_at: DateTime<Utc>,
    pub alarm_at: Option<DateTime<Utc>>,
    pub alarm_mail_at: Option<DateTime<Utc>>,
    pub started_at: DateTime<Utc>,
    pub ok_seen: DateTime<Utc>,
}

/// The evidence: the alarm history and metric data read once more, the OK mail asked, the
/// moments put together and kept as `timeline.json` too.
pub(super) fn capture(ctx: &mut StepCtx, w: Watch, seen: Seen) -> AppResult<TransitionsEvidence> {
    let lang = ctx.lang;
    let (stopped_at, started_at) = (seen.stopped_at, seen.started_at);
    let end = ctx.cloud.clock.now();
    let from = stopped_at - Span::minutes(5);
    let history = ctx
        .cloud
        .alarms
        .history(&w.region, &w.spec.name, from, end)?;
    let ok_at = transition_time(&history, "OK", started_at).or(Some(seen.ok_seen));
    let ok_mail_at = ask_mail_time(ctx, "ok_mail_time", "OK", &w.spec.name, started_at)?;
    let datapoints = ctx
        .cloud
        .alarms
        .metric_data(&w.region, &w.spec, from, end)?;
    let moments = Moments {
        stopped_at,
        first_5xx_at: w.first("http", &|s| s.starts_with('5'), stopped_at),
        target_unhealthy_at: w.first("target", &|s| s.contains("unhealthy"), stopped_at),
        alarm_at: seen.alarm_at,
        alarm_mail_at: seen.alarm_mail_at,
        started_at: Some(started_at),
        target_healthy_at: w.first("target", &|s| s == "healthy", started_at),
        ok_at,
        ok_mail_at,
    };
    let (mails, mails_from) = alarm_mails(
        ctx,
        &w.spec.name,
        &w.region,
        &history,
        stopped_at,
        started_at,
    );
    let evidence = TransitionsEvidence {
        region: w.region,
        alarm_name: w.spec.name.clone(),
        url: w.url,
        method: seen.how.method,
        process: seen.how.process,
        before: seen.before,
        moments,
        changes: w.changes,
        history,
        datapoints,
        health_check: w.health,
        preflight: Some(seen.preflight),
        period: w.spec.period,
        evaluation_periods: w.spec.evaluation_periods,
        datapoints_to_alarm: w.spec.datapoints_to_alarm,
        treat_missing_data: w.spec.treat_missing_data.clone(),
        mails,
        mails_from: mails_from.into(),
        polls: w.polls,
        throttled: w.throttled,
        captured_at: end,
    };
    ctx.evidence_file(
        "timeline.json",
        &serde_json::to_vec_pretty(&evidence).map_err(anyhow::Error::from)?,
    )?;
    ctx.ui.ok(t!(lang, "Captured:", "記録しました:"));
    for line in summary_lines(&evidence, lang)
        .into_iter()
        .chain(explanation(&evidence, lang))
    {
        ctx.ui.line(format!("  {line}"));
    }
    Ok(evidence)
}
