//! Step 3: stop Unicorn, watch the ALB and the alarm go to ALARM, start it again, watch OK come
//! back, and keep the timeline with the measured delays as evidence, with the reason the delay is
//! minutes and not the one-minute period (health checks × threshold, the datapoint's minute, its
//! publication, the evaluation), computed from the actual settings.
//!
//! The watch is a plain loop over an `Observe` source and a `Clock`, so it is tested against
//! scripted states with a fake clock. It polls every `POLL` (two AWS calls: DescribeTargetHealth
//! and DescribeAlarms, plus one HTTP GET), doubles its interval while throttled, gives up after a
//! timeout computed from the settings, and saves every change as it happens: a watch resumed after
//! Ctrl-C or a crash keeps the recorded moments, and the exact transition times come from
//! `DescribeAlarmHistory` afterwards, including transitions that happened while lecture06 was not
//! running.

use super::StepCtx;
use super::alarm::AlarmEvidence;
use crate::clock::{Clock, human_duration, jst, utc};
use crate::cloud::alarms::{Datapoint, HistoryItem};
use crate::cloud::elb::HealthCheck;
use crate::cloud::{Cloud, CloudError, CloudErrorKind};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::prompt::Choice;
use crate::step_id::StepId;
use crate::t;
use crate::timeline::{Mark, StateBand, TimelineChart};
use chrono::{DateTime, Duration as Span, FixedOffset, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;

/// Between two looks: 3 looks a minute, 2 AWS calls each (well under every API's limits).
pub const POLL: Duration = Duration::from_secs(20);
/// SNS/CloudWatch publication: how long after its minute a datapoint can be evaluated.
pub const PUBLICATION_SECONDS: i64 = 60;

pub const DEFAULT_STOP: &str = "sudo systemctl stop unicorn";
pub const DEFAULT_START: &str = "sudo systemctl start unicorn";

/// One look at the three things watched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub at: DateTime<Utc>,
    pub http: Option<u16>,
    pub http_millis: u64,
    pub target: String,
    pub alarm: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub at: DateTime<Utc>,
    /// `http`, `target` or `alarm`.
    pub what: String,
    pub from: String,
    pub to: String,
}

pub trait Observe {
    fn observe(&mut self) -> Result<Observation, CloudError>;
}

#[derive(Clone, Debug, PartialEq)]
pub struct WatchResult {
    pub reached_at: Option<DateTime<Utc>>,
    pub changes: Vec<Change>,
    pub polls: u32,
    pub throttled: u32,
    pub last: Option<Observation>,
}

fn http_text(status: Option<u16>) -> String {
    status.map_or_else(|| "no answer".to_string(), |s| s.to_string())
}

/// Looks every `poll` until the alarm is in `goal` or `timeout` has passed; reports each change
/// to `on_change` as it is seen. Throttling doubles the interval (up to 8×) instead of failing.
pub fn watch(
    source: &mut dyn Observe,
    clock: &dyn Clock,
    mut previous: Option<Observation>,
    goal: &str,
    poll: Duration,
    timeout: Duration,
    on_change: &mut dyn FnMut(&Change, &Observation),
) -> Result<WatchResult, CloudError> {
    let started = clock.now();
    let mut delay = poll;
    let mut result = WatchResult {
        reached_at: None,
        changes: Vec::new(),
        polls: 0,
        throttled: 0,
        last: None,
    };
    loop {
        result.polls += 1;
        match source.observe() {
            Ok(seen) => {
                delay = poll;
                if let Some(before) = &previous {
                    let pairs = [
                        ("http", http_text(before.http), http_text(seen.http)),
                        ("target", before.target.clone(), seen.target.clone()),
                        ("alarm", before.alarm.clone(), seen.alarm.clone()),
                    ];
                    for (what, from, to) in pairs {
                        if from != to {
                            let change = Change {
                                at: seen.at,
                                what: what.into(),
                                from,
                                to,
                            };
                            on_change(&change, &seen);
                            result.changes.push(change);
                        }
                    }
                }
                let reached = seen.alarm == goal;
                previous = Some(seen.clone());
                result.last = Some(seen.clone());
                if reached {
                    result.reached_at = Some(seen.at);
                    return Ok(result);
                }
            }
            Err(err) if err.kind == CloudErrorKind::Throttled => {
                result.throttled += 1;
                delay = (delay * 2).min(poll * 8);
            }
            Err(err) => return Err(err),
        }
        if clock.now() - started >= Span::from_std(timeout).unwrap_or_default() {
            return Ok(result);
        }
        clock.sleep(delay);
        // Ctrl-C or SIGTERM: end with what was seen; the caller saves it.
        if crate::clock::stop_requested() {
            return Ok(result);
        }
    }
}

/// The exact time the alarm entered `state` after `after`, from its history.
pub fn transition_time(
    history: &[HistoryItem],
    state: &str,
    after: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    history
        .iter()
        .filter(|h| h.kind == "StateUpdate" && h.timestamp >= after)
        .find(|h| h.states().is_some_and(|(_, new)| new == state))
        .map(|h| h.timestamp)
}

/// How long to wait for ALARM before saying what to check: every part of the delay at its worst,
/// twice, plus five minutes.
pub fn give_up_after(
    health: &HealthCheck,
    period: u32,
    datapoints: u32,
    evaluation: u32,
) -> Duration {
    let worst = i64::from(health.interval_seconds) * i64::from(health.unhealthy_threshold.max(1))
        + i64::from(period) * i64::from(datapoints.max(evaluation).max(1))
        + PUBLICATION_SECONDS
        + 60;
    Duration::from_secs((2 * worst + 300) as u64)
}

struct CloudObserver<'a> {
    cloud: &'a Cloud,
    region: String,
    tg_arn: String,
    alarm: String,
    url: String,
}

impl Observe for CloudObserver<'_> {
    fn observe(&mut self) -> Result<Observation, CloudError> {
        let probe = self.cloud.http.get(&self.url);
        let targets = self.cloud.elb.target_health(&self.region, &self.tg_arn)?;
        let target = if targets.is_empty() {
            "no target".to_string()
        } else {
            let mut states: Vec<String> = targets.iter().map(|t| t.state.clone()).collect();
            states.dedup();
            states.join("/")
        };
        let alarm = self
            .cloud
            .alarms
            .describe_alarm(&self.region, &self.alarm)?
            .map(|a| a.state)
            .unwrap_or_else(|| "(deleted)".into());
        Ok(Observation {
            at: self.cloud.clock.now(),
            http: probe.status,
            http_millis: probe.millis,
            target,
            alarm,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    pub stopped_at: DateTime<Utc>,
    pub first_5xx_at: Option<DateTime<Utc>>,
    pub target_unhealthy_at: Option<DateTime<Utc>>,
    pub alarm_at: Option<DateTime<Utc>>,
    pub alarm_mail_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub target_healthy_at: Option<DateTime<Utc>>,
    pub ok_at: Option<DateTime<Utc>>,
    pub ok_mail_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransitionsEvidence {
    pub region: String,
    pub alarm_name: String,
    pub url: String,
    pub method: String,
    pub before: Observation,
    pub moments: Moments,
    pub changes: Vec<Change>,
    pub history: Vec<HistoryItem>,
    pub datapoints: Vec<Datapoint>,
    pub health_check: HealthCheck,
    pub period: u32,
    pub evaluation_periods: u32,
    pub datapoints_to_alarm: u32,
    pub treat_missing_data: String,
    /// Looks made while watching (each: DescribeTargetHealth + DescribeAlarms + one HTTP GET).
    pub polls: u32,
    pub throttled: u32,
    pub captured_at: DateTime<Utc>,
}

fn method_choices(lang: Lang) -> Vec<Choice> {
    vec![
        Choice {
            id: "manual".into(),
            label: lang
                .pick(
                    "By hand: I run the command on the instance",
                    "手動: インスタンスで自分でコマンドを実行する",
                )
                .into(),
        },
        Choice {
            id: "ssh".into(),
            label: lang
                .pick(
                    "Over SSH (a host alias from ~/.ssh/config)",
                    "SSH 経由（~/.ssh/config のホスト名）",
                )
                .into(),
        },
        Choice {
            id: "ssm".into(),
            label: lang
                .pick("Through SSM Run Command", "SSM Run Command 経由")
                .into(),
        },
    ]
}

/// Stops or starts Unicorn the chosen way; returns the moment it happened.
fn control(
    ctx: &mut StepCtx,
    method: &str,
    host: Option<&str>,
    command: &str,
    stop: bool,
) -> AppResult<DateTime<Utc>> {
    let lang = ctx.lang;
    let verb = if stop {
        lang.pick("Stop", "停止")
    } else {
        lang.pick("Start", "起動")
    };
    match method {
        "ssh" => {
            let host = host.unwrap_or_default().to_string();
            ctx.ui.line(format!("$ ssh {host} '{command}'"));
            let out = std::process::Command::new("ssh")
                .args(["-o", "BatchMode=yes", &host, command])
                .output()
                .map_err(|e| {
                    AppError::Failed(t!(
                        lang,
                        "Could not run ssh ({e}). Install OpenSSH, or choose the method \"manual\" ([transitions] method).",
                        "ssh を実行できませんでした（{e}）。OpenSSH を入れるか、方法を「manual」にしてください（[transitions] method）。"
                    ))
                })?;
            if !out.status.success() {
                let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
                return Err(AppError::Failed(t!(
                    lang,
                    "ssh {host} '{command}' failed: {err}\nCheck `ssh {host}` works without a password prompt, then run `lecture06 run` again.",
                    "ssh {host} '{command}' が失敗しました: {err}\nパスワード入力なしで `ssh {host}` できるか確認してから `lecture06 run` を再実行してください。"
                )));
            }
            ctx.cloud.student.app_server_changed(!stop)?;
        }
        "ssm" => {
            let instance = host.unwrap_or_default().to_string();
            let region = ctx.cloud.region.clone();
            ctx.ui.line(format!(
                "ssm:SendCommand {instance} AWS-RunShellScript '{command}'"
            ));
            let result = ctx.cloud.remote.run_shell(&region, &instance, command)?;
            if result.status != "Success" {
                let (status, output) = (&result.status, result.output.trim());
                return Err(AppError::Failed(t!(
                    lang,
                    "The SSM command ended {status}: {output}\nCheck the command works on the instance, then run `lecture06 run` again.",
                    "SSM のコマンドが {status} で終了しました: {output}\nインスタンス上でコマンドが動くか確認してから `lecture06 run` を再実行してください。"
                )));
            }
            ctx.cloud.student.app_server_changed(!stop)?;
        }
        _ => {
            ctx.ui.line(t!(
                lang,
                "On the EC2 instance, run:\n    {command}",
                "EC2 インスタンスで次を実行してください:\n    {command}"
            ));
            let key = if stop { "stopped" } else { "started" };
            let question = ctx.cloud.student.ask_app_server_changed(stop, lang);
            let done = ctx.ask_confirm(key, question, true)?;
            if !done {
                return Err(AppError::Failed(t!(
                    lang,
                    "Unicorn was not changed; run `lecture06 run` again when you are ready.",
                    "Unicorn を変更しませんでした。準備ができたら `lecture06 run` を再実行してください。"
                )));
            }
            ctx.cloud.student.app_server_changed(!stop)?;
        }
    }
    let at = ctx.cloud.clock.now();
    ctx.ui.ok(t!(
        lang,
        "Unicorn: {verb} at {} / {}",
        "Unicorn: {} / {} に{verb}",
        jst(at),
        utc(at)
    ));
    Ok(at)
}

fn valid_time(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |v: &str| {
        if v.is_empty()
            || NaiveTime::parse_from_str(v, "%H:%M").is_ok()
            || NaiveTime::parse_from_str(v, "%H:%M:%S").is_ok()
        {
            Ok(())
        } else {
            Err(t!(
                lang,
                "a JST time such as 10:04, or empty",
                "10:04 のような日本時間、または空"
            ))
        }
    }
}

/// `HH:MM[:SS]` JST on the day of `near` (JST), as UTC.
fn jst_time_near(text: &str, near: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let time = NaiveTime::parse_from_str(text, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
        .ok()?;
    let offset = FixedOffset::east_opt(9 * 3600)?;
    let day = near.with_timezone(&offset).date_naive();
    offset
        .from_local_datetime(&day.and_time(time))
        .single()
        .map(|t| t.with_timezone(&Utc))
}

fn ask_mail_time(
    ctx: &mut StepCtx,
    key: &str,
    state: &str,
    alarm: &str,
    after: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    let lang = ctx.lang;
    let default = ctx
        .cloud
        .student
        .mail_received(alarm, state, after)
        .map(|t| {
            t.with_timezone(&FixedOffset::east_opt(9 * 3600).expect("JST"))
                .format("%H:%M:%S")
                .to_string()
        })
        .unwrap_or_default();
    let answer = ctx.ask_text(
        key,
        t!(
            lang,
            "When did the {state} mail arrive? (JST, e.g. 10:04; empty to skip)",
            "{state} のメールは何時に届きましたか？（日本時間、例 10:04。空欄でスキップ）"
        ),
        Some(default),
        &valid_time(lang),
    )?;
    Ok(jst_time_near(&answer, after))
}

pub fn run(ctx: &mut StepCtx) -> AppResult<Value> {
    let lang = ctx.lang;
    let alarm_done = ctx.evidence_of::<Value>(StepId::Alarm).is_some();
    if ctx.options.dry_run && !alarm_done {
        ctx.ui.plan(
            "(after the alarm step) http:GET + elasticloadbalancing:DescribeTargetHealth + cloudwatch:DescribeAlarms every 20 s",
            &json!({"Stop": DEFAULT_STOP, "Start": DEFAULT_START}),
        );
        return Ok(json!({"dry_run": true}));
    }
    let alarm_evidence: AlarmEvidence = ctx
        .evidence_of(StepId::Alarm)
        .ok_or_else(|| {
            AppError::Failed(t!(
                lang,
                "The alarm step is not done yet: run `lecture06 run --step alarm` first.",
                "アラームのステップがまだ完了していません。先に `lecture06 run --step alarm` を実行してください。"
            ))
        })?;
    let cloud = ctx.cloud;
    let clock = cloud.clock.clone();
    let region = alarm_evidence.region.clone();
    let spec = alarm_evidence.alarm.spec.clone();
    let alarm_name = spec.name.clone();
    let url = format!("http://{}/", alarm_evidence.load_balancer.dns_name);
    let health = alarm_evidence.target_group.health_check.clone();

    let choices = method_choices(lang);
    let default_method = if ctx.options.ssh.is_some() { 1 } else { 0 };
    let method = choices[ctx.ask_select(
        "method",
        t!(
            lang,
            "How should Unicorn be stopped and started?",
            "Unicorn をどの方法で停止・起動しますか？"
        ),
        &choices,
        default_method,
    )?]
    .id
    .clone();
    let host = if method == "ssh" {
        Some(ctx.ask_text(
            "ssh_host",
            t!(
                lang,
                "SSH host (alias from ~/.ssh/config)",
                "SSH ホスト（~/.ssh/config の別名）"
            ),
            ctx.options.ssh.clone(),
            &|v: &str| {
                if v.is_empty() || v.contains(char::is_whitespace) {
                    Err("a host name or alias".into())
                } else {
                    Ok(())
                }
            },
        )?)
    } else {
        None
    };
    let host = if method == "ssm" {
        Some(ctx.ask_text(
            "instance_id",
            t!(lang, "EC2 instance ID", "EC2 インスタンス ID"),
            None,
            &|v: &str| {
                if v.starts_with("i-") && v.len() > 3 {
                    Ok(())
                } else {
                    Err("an instance ID such as i-0123456789abcdef0".into())
                }
            },
        )?)
    } else {
        host
    };
    let not_empty = |v: &str| {
        if v.trim().is_empty() {
            Err("a command".to_string())
        } else {
            Ok(())
        }
    };
    let stop_command = ctx.ask_text(
        "stop_command",
        t!(
            lang,
            "Command that stops Unicorn",
            "Unicorn を停止するコマンド"
        ),
        Some(DEFAULT_STOP.into()),
        &not_empty,
    )?;
    let start_command = ctx.ask_text(
        "start_command",
        t!(
            lang,
            "Command that starts Unicorn",
            "Unicorn を起動するコマンド"
        ),
        Some(DEFAULT_START.into()),
        &not_empty,
    )?;

    if ctx.options.dry_run {
        ctx.ui.plan("http:GET (read-only)", &json!({"Url": url}));
        ctx.ui.plan(
            "elasticloadbalancing:DescribeTargetHealth (read-only, every 20 s)",
            &json!({"TargetGroupArn": alarm_evidence.target_group.arn}),
        );
        ctx.ui.plan(
            "cloudwatch:DescribeAlarms (read-only, every 20 s)",
            &json!({"AlarmNames": [alarm_name]}),
        );
        match method.as_str() {
            "ssh" => ctx.ui.plan(
                "ssh",
                &json!({"Host": host, "Stop": stop_command, "Start": start_command}),
            ),
            "ssm" => {
                for command in [&stop_command, &start_command] {
                    ctx.ui.plan("ssm:SendCommand", &json!({"InstanceIds": [host], "DocumentName": "AWS-RunShellScript", "Parameters": {"commands": [command]}}));
                }
            }
            _ => ctx.ui.plan(
                "manual",
                &json!({"Stop": stop_command, "Start": start_command}),
            ),
        }
        return Ok(json!({"dry_run": true}));
    }

    let mut observer = CloudObserver {
        cloud,
        region: region.clone(),
        tg_arn: alarm_evidence.target_group.arn.clone(),
        alarm: alarm_name.clone(),
        url: url.clone(),
    };
    let timeout = give_up_after(
        &health,
        spec.period,
        spec.datapoints_to_alarm,
        spec.evaluation_periods,
    );
    let mut polls: u32 = ctx.progress("polls").unwrap_or(0);
    let mut throttled: u32 = ctx.progress("throttled").unwrap_or(0);
    let mut changes: Vec<Change> = ctx.progress("changes").unwrap_or_default();

    // Before: the app answers, the target is healthy, the alarm is OK (waiting for OK first).
    let before: Observation = match ctx.progress("before") {
        Some(b) => b,
        None => {
            let seen = observer.observe()?;
            polls += 1;
            ctx.ui.line(t!(
                lang,
                "Before: GET {url} → {} ({} ms), target {}, alarm {}",
                "開始前: GET {url} → {}（{} ms）、ターゲット {}、アラーム {}",
                http_text(seen.http),
                seen.http_millis,
                seen.target,
                seen.alarm
            ));
            let seen = if seen.alarm != "OK" {
                ctx.ui.line(t!(
                    lang,
                    "Waiting for the alarm to be OK first…",
                    "まずアラームが OK になるのを待ちます…"
                ));
                let r = watch(
                    &mut observer,
                    clock.as_ref(),
                    Some(seen.clone()),
                    "OK",
                    POLL,
                    timeout,
                    &mut |_, _| {},
                )?;
                polls += r.polls;
                if r.reached_at.is_none() {
                    return Err(AppError::Failed(t!(
                        lang,
                        "The alarm did not become OK. Check that the app answers through the ALB and the target is healthy, then run again.",
                        "アラームが OK になりませんでした。ALB 経由でアプリが応答し、ターゲットが正常か確認してから再実行してください。"
                    )));
                }
                r.last.unwrap_or(seen)
            } else {
                seen
            };
            ctx.set_progress("before", &seen)?;
            seen
        }
    };

    // Stop.
    let stopped_at: DateTime<Utc> = match ctx.progress("stopped_at") {
        Some(at) => {
            ctx.ui.line(t!(
                lang,
                "Unicorn was stopped at {}; watching on.",
                "Unicorn は {} に停止済み。監視を続けます。",
                jst(at)
            ));
            at
        }
        None => {
            let at = control(ctx, &method, host.as_deref(), &stop_command, true)?;
            ctx.set_progress("stopped_at", &at)?;
            at
        }
    };

    let mut watch_until = |ctx: &mut StepCtx,
                           goal: &str,
                           key: &str,
                           changes: &mut Vec<Change>,
                           polls: &mut u32,
                           throttled: &mut u32|
     -> AppResult<Option<DateTime<Utc>>> {
        if let Some(at) = ctx.progress::<DateTime<Utc>>(key) {
            return Ok(Some(at));
        }
        let spinner = ctx
            .ui
            .spinner(t!(lang, "Watching for {goal}…", "{goal} を待っています…"));
        let previous = ctx
            .progress::<Observation>("last")
            .or_else(|| Some(before.clone()));
        // Each change is saved the moment it is seen: a crash or Ctrl-C keeps it.
        let mut save_error = None;
        let result = watch(
            &mut observer,
            clock.as_ref(),
            previous,
            goal,
            POLL,
            timeout,
            &mut |change, seen| {
                let elapsed = human_duration((change.at - stopped_at).num_seconds());
                let line = format!(
                    "  [{}  +{elapsed}] {}: {} → {}",
                    jst(change.at),
                    change.what,
                    change.from,
                    change.to
                );
                spinner.println(line);
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
        *polls += result.polls;
        *throttled += result.throttled;
        ctx.set_progress("changes", changes)?;
        ctx.set_progress("polls", polls)?;
        ctx.set_progress("throttled", throttled)?;
        if let Some(last) = &result.last {
            ctx.set_progress("last", last)?;
        }
        if let Some(at) = result.reached_at {
            ctx.set_progress(key, &at)?;
        } else if crate::clock::stop_requested() {
            return Err(crate::prompt::interrupted(lang));
        }
        Ok(result.reached_at)
    };

    let alarm_seen = watch_until(
        ctx,
        "ALARM",
        "alarm_seen_at",
        &mut changes,
        &mut polls,
        &mut throttled,
    )?;
    if alarm_seen.is_none() {
        let minutes = timeout.as_secs() / 60;
        return Err(AppError::Failed(t!(
            lang,
            "No ALARM after {minutes} minutes, much longer than these settings need. Check: the alarm's dimensions (LoadBalancer and TargetGroup must be the ones the ALB really uses), the Region (the alarm must be in the ALB's Region), that the stopped app really fails the health check (the target shows unhealthy), and the missing-data treatment. Your moments are saved; `lecture06 run` continues the watch.",
            "{minutes} 分待っても ALARM になりません（この設定なら十分な時間です）。確認: アラームのディメンション（ALB が実際に使う LoadBalancer と TargetGroup か）、リージョン（ALB と同じか）、停止したアプリがヘルスチェックに失敗しているか（ターゲットが unhealthy か）、欠落データの扱い。記録した時刻は保存済みです。`lecture06 run` で監視を続けます。"
        )));
    }
    let history_now = cloud.alarms.history(
        &region,
        &alarm_name,
        stopped_at - Span::minutes(5),
        clock.now(),
    )?;
    let alarm_at = transition_time(&history_now, "ALARM", stopped_at).or(alarm_seen);
    if let Some(at) = alarm_at {
        ctx.ui.ok(t!(
            lang,
            "ALARM at {} / {} ({} after the stop, from the alarm history)",
            "ALARM: {} / {}（停止から {}、アラーム履歴より）",
            jst(at),
            utc(at),
            human_duration((at - stopped_at).num_seconds())
        ));
    }
    let alarm_mail_at = ask_mail_time(ctx, "alarm_mail_time", "ALARM", &alarm_name, stopped_at)?;

    // Start.
    let started_at: DateTime<Utc> = match ctx.progress("started_at") {
        Some(at) => at,
        None => {
            let at = control(ctx, &method, host.as_deref(), &start_command, false)?;
            ctx.set_progress("started_at", &at)?;
            at
        }
    };
    let ok_seen = watch_until(
        ctx,
        "OK",
        "ok_seen_at",
        &mut changes,
        &mut polls,
        &mut throttled,
    )?;
    if ok_seen.is_none() {
        return Err(AppError::Failed(t!(
            lang,
            "The alarm is not OK again yet. Check the app answers on the instance (curl localhost) and the target turns healthy; `lecture06 run` continues the watch.",
            "アラームがまだ OK に戻りません。インスタンス上でアプリが応答するか（curl localhost）、ターゲットが healthy になるか確認してください。`lecture06 run` で監視を続けます。"
        )));
    }
    let end = clock.now();
    let history = cloud
        .alarms
        .history(&region, &alarm_name, stopped_at - Span::minutes(5), end)?;
    let ok_at = transition_time(&history, "OK", started_at).or(ok_seen);
    let ok_mail_at = ask_mail_time(ctx, "ok_mail_time", "OK", &alarm_name, started_at)?;
    let datapoints =
        cloud
            .alarms
            .metric_data(&region, &spec, stopped_at - Span::minutes(5), end)?;

    let first = |what: &str, to: &dyn Fn(&str) -> bool, after: DateTime<Utc>| {
        changes
            .iter()
            .find(|c| c.what == what && c.at >= after && to(&c.to))
            .map(|c| c.at)
    };
    let moments = Moments {
        stopped_at,
        first_5xx_at: first("http", &|s| s.starts_with('5'), stopped_at),
        target_unhealthy_at: first("target", &|s| s.contains("unhealthy"), stopped_at),
        alarm_at,
        alarm_mail_at,
        started_at: Some(started_at),
        target_healthy_at: first("target", &|s| s == "healthy", started_at),
        ok_at,
        ok_mail_at,
    };
    let evidence = TransitionsEvidence {
        region,
        alarm_name,
        url,
        method,
        before,
        moments,
        changes: changes.clone(),
        history,
        datapoints,
        health_check: health,
        period: spec.period,
        evaluation_periods: spec.evaluation_periods,
        datapoints_to_alarm: spec.datapoints_to_alarm,
        treat_missing_data: spec.treat_missing_data.clone(),
        polls,
        throttled,
        captured_at: end,
    };
    ctx.evidence_file(
        "timeline.json",
        &serde_json::to_vec_pretty(&evidence).map_err(anyhow::Error::from)?,
    )?;
    ctx.ui.ok(t!(lang, "Captured:", "記録しました:"));
    for line in summary_of(&evidence, lang) {
        ctx.ui.line(format!("  {line}"));
    }
    for line in explanation(&evidence, lang) {
        ctx.ui.line(format!("  {line}"));
    }
    Ok(serde_json::to_value(&evidence).map_err(anyhow::Error::from)?)
}

fn delay(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> Option<i64> {
    to.map(|t| (t - from).num_seconds())
}

/// Why minutes: each part of the delay, from the actual settings, and what was measured.
pub fn explanation(e: &TransitionsEvidence, lang: Lang) -> Vec<String> {
    let hc = &e.health_check;
    let checks = i64::from(hc.interval_seconds) * i64::from(hc.unhealthy_threshold);
    let heal = i64::from(hc.interval_seconds) * i64::from(hc.healthy_threshold);
    let period = i64::from(e.period);
    let m = e.datapoints_to_alarm;
    let n = e.evaluation_periods;
    let low = i64::from(hc.interval_seconds) * i64::from(hc.unhealthy_threshold.saturating_sub(1))
        + period * i64::from(m)
        + PUBLICATION_SECONDS;
    let high = checks + period * i64::from(m) + PUBLICATION_SECONDS + 60;
    let measured = delay(e.moments.stopped_at, e.moments.alarm_at)
        .map(human_duration)
        .unwrap_or_else(|| "-".into());
    vec![
        t!(
            lang,
            "1. Health checks: every {} s, unhealthy after {} failures → up to {} after the stop before the target is unhealthy.",
            "1. ヘルスチェック: {} 秒ごと、{} 回連続失敗で unhealthy → 停止からターゲットが unhealthy になるまで最大 {}。",
            hc.interval_seconds,
            hc.unhealthy_threshold,
            human_duration(checks)
        ),
        t!(
            lang,
            "2. The datapoint: HealthyHostCount is one value per {period} s; the minute in which the target turned unhealthy must end ({m} of {n} breaching period(s) needed).",
            "2. データポイント: HealthyHostCount は {period} 秒ごとに 1 つ。unhealthy になった分が終わるまで値は確定しません（{n} 期間中 {m} 期間の超過が必要）。"
        ),
        t!(
            lang,
            "3. Publication and evaluation: the value arrives in CloudWatch about {PUBLICATION_SECONDS} s after its minute, and the alarm is evaluated once a minute.",
            "3. 発行と評価: 値が CloudWatch に届くのは約 {PUBLICATION_SECONDS} 秒後、アラームの評価は 1 分ごとです。"
        ),
        t!(
            lang,
            "Expected stop → ALARM: about {} to {}; measured: {measured}. Back to OK takes longer: {} healthy checks ({}) and then a whole healthy period.",
            "停止→ALARM の予想: 約 {}〜{}。実測: {measured}。OK に戻るのはさらに遅く、正常判定まで {} 回（{}）のチェックと、その後まるごと正常な 1 期間が必要です。",
            human_duration(low),
            human_duration(high),
            hc.healthy_threshold,
            human_duration(heal)
        ),
    ]
}

fn summary_of(e: &TransitionsEvidence, lang: Lang) -> Vec<String> {
    let m = &e.moments;
    let d = |to: Option<DateTime<Utc>>, from: DateTime<Utc>| {
        delay(from, to)
            .map(human_duration)
            .unwrap_or_else(|| "-".into())
    };
    let mut lines = vec![t!(
        lang,
        "Unicorn stopped {} → ALARM {} ({})",
        "Unicorn 停止 {} → ALARM {}（{}）",
        jst(m.stopped_at),
        m.alarm_at.map(jst).unwrap_or_default(),
        d(m.alarm_at, m.stopped_at)
    )];
    if let Some(started) = m.started_at {
        lines.push(t!(
            lang,
            "Unicorn started {} → OK {} ({})",
            "Unicorn 起動 {} → OK {}（{}）",
            jst(started),
            m.ok_at.map(jst).unwrap_or_default(),
            d(m.ok_at, started)
        ));
    }
    lines.push(t!(
        lang,
        "{} looks ({} AWS calls), {} throttled",
        "確認 {} 回（AWS 呼び出し {} 回）、スロットリング {} 回",
        e.polls,
        e.polls * 2,
        e.throttled
    ));
    lines
}

pub fn summary(evidence: &Value, lang: Lang) -> Vec<String> {
    serde_json::from_value::<TransitionsEvidence>(evidence.clone())
        .map(|e| summary_of(&e, lang))
        .unwrap_or_default()
}

/// The timeline rows: each moment with JST, UTC and the delay from its cause.
fn timeline(e: &TransitionsEvidence, lang: Lang) -> Vec<Value> {
    let m = &e.moments;
    let stop = m.stopped_at;
    let start = m.started_at;
    let mut rows = Vec::new();
    let mut push = |label: &str, at: Option<DateTime<Utc>>, from: Option<DateTime<Utc>>| {
        if let Some(at) = at {
            rows.push(json!({
                "event": label,
                "jst": jst(at),
                "utc": utc(at),
                "delay": from.map(|f| human_duration((at - f).num_seconds())).unwrap_or_default(),
            }));
        }
    };
    push(
        lang.pick("Unicorn stopped", "Unicorn 停止"),
        Some(stop),
        None,
    );
    push(
        lang.pick("First 5xx through the ALB", "ALB 経由で最初の 5xx"),
        m.first_5xx_at,
        Some(stop),
    );
    push(
        lang.pick("Target unhealthy", "ターゲット unhealthy"),
        m.target_unhealthy_at,
        Some(stop),
    );
    push(
        lang.pick("Alarm → ALARM", "アラーム → ALARM"),
        m.alarm_at,
        Some(stop),
    );
    push(
        lang.pick("ALARM mail arrived", "ALARM メール到着"),
        m.alarm_mail_at,
        Some(stop),
    );
    push(lang.pick("Unicorn started", "Unicorn 起動"), start, None);
    push(
        lang.pick("Target healthy", "ターゲット healthy"),
        m.target_healthy_at,
        start,
    );
    push(lang.pick("Alarm → OK", "アラーム → OK"), m.ok_at, start);
    push(
        lang.pick("OK mail arrived", "OK メール到着"),
        m.ok_mail_at,
        start,
    );
    rows
}

/// The report section's facts (see `report-templates/<lang>/transitions.md`).
pub fn report_context(evidence: &Value, lang: Lang) -> Value {
    let Ok(e) = serde_json::from_value::<TransitionsEvidence>(evidence.clone()) else {
        return Value::Null;
    };
    let m = &e.moments;
    json!({
        "alarm_name": e.alarm_name,
        "region": e.region,
        "method": e.method,
        "timeline": timeline(&e, lang),
        "stop_to_alarm": delay(m.stopped_at, m.alarm_at).map(human_duration),
        "start_to_ok": m.started_at.and_then(|s| delay(s, m.ok_at)).map(human_duration),
        "explanation": explanation(&e, lang),
        "history": e.history.iter().filter(|h| h.kind == "StateUpdate").map(|h| json!({"jst": jst(h.timestamp), "summary": h.summary})).collect::<Vec<_>>(),
        "datapoints": e.datapoints.iter().map(|p| json!({"jst": jst(p.timestamp), "value": p.value})).collect::<Vec<_>>(),
        "polls": e.polls,
        "api_calls": e.polls * 2,
    })
}

/// The chart the report draws: HealthyHostCount, the alarm's state as bands, the moments as marks.
pub fn chart(evidence: &Value, lang: Lang) -> Option<TimelineChart> {
    let e: TransitionsEvidence = serde_json::from_value(evidence.clone()).ok()?;
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
        label: lang.pick("Unicorn stopped", "Unicorn 停止").into(),
    }];
    let optional = [
        (m.alarm_mail_at, lang.pick("ALARM mail", "ALARM メール")),
        (m.started_at, lang.pick("Unicorn started", "Unicorn 起動")),
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

/// The transitions step, as the registry declares it.
pub struct TransitionsStep;

impl super::Step for TransitionsStep {
    fn id(&self) -> crate::step_id::StepId {
        crate::step_id::StepId::Transitions
    }

    fn run(&self, ctx: &mut StepCtx) -> AppResult<Value> {
        run(ctx)
    }

    fn summary(&self, evidence: &Value, lang: Lang) -> Vec<String> {
        summary(evidence, lang)
    }

    fn report_context(&self, evidence: &Value, lang: Lang) -> Value {
        report_context(evidence, lang)
    }

    fn chart(&self, evidence: &Value, lang: Lang) -> Option<crate::timeline::TimelineChart> {
        chart(evidence, lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::sync::Mutex;

    /// A clock that only moves when slept on.
    struct FakeClock(Mutex<DateTime<Utc>>);

    impl Clock for FakeClock {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap()
        }
        fn sleep(&self, d: Duration) {
            *self.0.lock().unwrap() += Span::from_std(d).unwrap();
        }
    }

    fn clock() -> FakeClock {
        FakeClock(Mutex::new(
            crate::clock::parse_time("2026-11-21T01:00:00Z").unwrap(),
        ))
    }

    /// One scripted look: `(http, target, alarm)`, or `None` for a throttling error.
    type Look = Option<(u16, &'static str, &'static str)>;

    /// Answers from a script, one entry per look.
    struct Scripted<'a> {
        clock: &'a FakeClock,
        script: RefCell<VecDeque<Look>>,
    }

    impl Observe for Scripted<'_> {
        fn observe(&mut self) -> Result<Observation, CloudError> {
            let next = self
                .script
                .borrow_mut()
                .pop_front()
                .expect("script long enough");
            match next {
                None => Err(CloudError::new(
                    CloudErrorKind::Throttled,
                    "cloudwatch:DescribeAlarms",
                    "Rate exceeded",
                )),
                Some((http, target, alarm)) => Ok(Observation {
                    at: self.clock.now(),
                    http: Some(http),
                    http_millis: 5,
                    target: target.into(),
                    alarm: alarm.into(),
                }),
            }
        }
    }

    fn scripted<'a>(clock: &'a FakeClock, steps: &[Look]) -> Scripted<'a> {
        Scripted {
            clock,
            script: RefCell::new(steps.iter().cloned().collect()),
        }
    }

    #[test]
    fn records_each_change_and_stops_at_the_goal() {
        let clock = clock();
        let mut source = scripted(
            &clock,
            &[
                Some((200, "healthy", "OK")),
                Some((502, "healthy", "OK")),
                Some((502, "unhealthy", "OK")),
                Some((502, "unhealthy", "OK")),
                Some((502, "unhealthy", "ALARM")),
            ],
        );
        let mut seen = Vec::new();
        let result = watch(
            &mut source,
            &clock,
            None,
            "ALARM",
            POLL,
            Duration::from_secs(600),
            &mut |c, _| seen.push(format!("{}:{}->{}", c.what, c.from, c.to)),
        )
        .unwrap();
        assert_eq!(
            seen,
            [
                "http:200->502",
                "target:healthy->unhealthy",
                "alarm:OK->ALARM"
            ]
        );
        assert_eq!(result.polls, 5);
        // Four sleeps of 20 s: the clock, not the wall, moved.
        assert_eq!(
            result.reached_at.unwrap(),
            crate::clock::parse_time("2026-11-21T01:01:20Z").unwrap()
        );
    }

    #[test]
    fn throttling_backs_off_instead_of_failing() {
        let clock = clock();
        let mut source = scripted(
            &clock,
            &[
                Some((502, "unhealthy", "OK")),
                None,
                None,
                Some((502, "unhealthy", "ALARM")),
            ],
        );
        let result = watch(
            &mut source,
            &clock,
            None,
            "ALARM",
            POLL,
            Duration::from_secs(600),
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(result.throttled, 2);
        // 20 s, then 40 s and 80 s after the two throttled looks.
        assert_eq!(
            result.reached_at.unwrap() - crate::clock::parse_time("2026-11-21T01:00:00Z").unwrap(),
            Span::seconds(140)
        );
    }

    #[test]
    fn gives_up_after_the_timeout() {
        let clock = clock();
        let steps: Vec<_> = (0..20).map(|_| Some((502, "unhealthy", "OK"))).collect();
        let mut source = scripted(&clock, &steps);
        let result = watch(
            &mut source,
            &clock,
            None,
            "ALARM",
            POLL,
            Duration::from_secs(100),
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(result.reached_at, None);
        assert_eq!(result.polls, 6, "looks at 0, 20, …, 100 s");
    }

    #[test]
    fn a_transition_missed_while_not_running_comes_from_the_history() {
        // lecture06 was stopped (Ctrl-C) and resumed: the first look already sees ALARM.
        let clock = clock();
        let before = Observation {
            at: clock.now() - Span::minutes(10),
            http: Some(502),
            http_millis: 3,
            target: "unhealthy".into(),
            alarm: "OK".into(),
        };
        let mut source = scripted(&clock, &[Some((502, "unhealthy", "ALARM"))]);
        let result = watch(
            &mut source,
            &clock,
            Some(before),
            "ALARM",
            POLL,
            Duration::from_secs(600),
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(result.polls, 1);
        let stopped = clock.now() - Span::minutes(9);
        let history = vec![
            HistoryItem {
                timestamp: stopped - Span::minutes(30),
                kind: "StateUpdate".into(),
                summary: "Alarm updated from INSUFFICIENT_DATA to OK".into(),
                data: r#"{"oldState":{"stateValue":"INSUFFICIENT_DATA"},"newState":{"stateValue":"OK"}}"#.into(),
            },
            HistoryItem {
                timestamp: stopped + Span::seconds(170),
                kind: "StateUpdate".into(),
                summary: "Alarm updated from OK to ALARM".into(),
                data: r#"{"oldState":{"stateValue":"OK"},"newState":{"stateValue":"ALARM"}}"#.into(),
            },
        ];
        assert_eq!(
            transition_time(&history, "ALARM", stopped),
            Some(stopped + Span::seconds(170)),
            "the exact time, not the time lecture06 looked"
        );
        assert_eq!(transition_time(&history, "OK", stopped), None);
    }

    #[test]
    fn give_up_time_follows_the_settings() {
        let default = give_up_after(&HealthCheck::default(), 60, 1, 1);
        assert_eq!(default, Duration::from_secs(2 * (60 + 60 + 60 + 60) + 300));
        assert!(give_up_after(&HealthCheck::default(), 300, 3, 3) > default);
    }

    #[test]
    fn mail_times_are_jst() {
        let near = crate::clock::parse_time("2026-11-21T01:03:00Z").unwrap();
        assert_eq!(
            jst_time_near("10:04", near),
            crate::clock::parse_time("2026-11-21T01:04:00Z")
        );
        assert!(valid_time(Lang::En)("").is_ok());
        assert!(valid_time(Lang::En)("25:00").is_err());
    }
}
