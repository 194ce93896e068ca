//! Step 3: stop Unicorn (or Nginx, or the instance), watch the ALB and the alarm go to ALARM,
//! start it again, watch OK come back, and keep the timeline with the measured delays as evidence, with the reason the delay is
//! minutes and not the one-minute period, computed from the actual settings.
//!
//! This file is the sequence the student walks (the `Step` impl); `preflight` checks, before
//! anything is stopped, that the health check can see the app server (`health` holds the pure
//! decisions: Rails or a file, too long healthy, reason codes); `hands` asks what to stop and
//! how, stops and starts it, and gathers the mails; `watch` is the polling loop; `evidence` is
//! what is kept and how the status, the report and its chart show it. Every change is saved as
//! it happens: a watch resumed after Ctrl-C or a crash keeps the recorded moments.

mod evidence;
mod hands;
mod health;
mod preflight;
mod watch;

pub use evidence::{Moments, TransitionsEvidence};
pub use preflight::{HEALTH_CHECK_PATH, Preflight};
pub use watch::{Change, Observation};
use watch::{give_up_after, transition_time, watch};

use super::StepCtx;
use super::alarm::AlarmEvidence;
use crate::clock::{human_duration, human_duration_in, jst, utc};
use crate::cloud::student::ServerProcess;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::step_id::StepId;
use crate::t;
use crate::timeline::{Mark, StateBand, TimelineChart};
use chrono::{DateTime, Duration as Span, Utc};
use evidence::{delay, explanation, summary_lines, timeline};
use hands::{HowToStop, alarm_mails, ask_how_to_stop, ask_mail_time, control};
use health::{reason_explained, still_healthy_too_long};
use serde_json::{Value, json};
use watch::{CloudObserver, Observe, http_text};

pub const DEFAULT_STOP: &str = "sudo systemctl stop unicorn";
pub const DEFAULT_START: &str = "sudo systemctl start unicorn";

/// The transitions step, as the registry declares it.
pub struct TransitionsStep;

impl super::Step for TransitionsStep {
    fn id(&self) -> StepId {
        StepId::Transitions
    }

    /// The sequence the student walks: before, stop, watch for ALARM, start, watch for OK.
    fn run(&self, ctx: &mut StepCtx) -> AppResult<Value> {
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

        let HowToStop {
            process,
            method,
            host,
            stop_command,
            start_command,
        } = ask_how_to_stop(ctx, &region, &alarm_evidence.target_group.arn)?;
        let name = process.name(lang);

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

        // Before anything is stopped: can the health check see the app server at all?
        let preflight: Preflight = match ctx.progress("preflight") {
            Some(p) => p,
            None => {
                let p = preflight::run(
                    ctx,
                    &region,
                    &alarm_evidence.load_balancer.arn,
                    &alarm_evidence.target_group.arn,
                    &alarm_evidence.load_balancer.dns_name,
                    &health,
                )?;
                ctx.set_progress("preflight", &p)?;
                p
            }
        };
        let health = preflight.health_check.clone();

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
                        &["OK"],
                        timeout,
                        &|_| false,
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
                    "{name} was stopped at {}; watching on.",
                    "{name} は {} に停止済み。監視を続けます。",
                    jst(at)
                ));
                at
            }
            None => {
                let at = control(ctx, process, &method, host.as_deref(), &stop_command, true)?;
                ctx.set_progress("stopped_at", &at)?;
                at
            }
        };

        let mut watch_until = |ctx: &mut StepCtx,
                               goals: &[&str],
                               key: &str,
                               changes: &mut Vec<Change>,
                               polls: &mut u32,
                               throttled: &mut u32|
         -> AppResult<(Option<DateTime<Utc>>, bool)> {
            if let Some(at) = ctx.progress::<DateTime<Utc>>(key) {
                return Ok((Some(at), false));
            }
            let goal = goals.join(" / ");
            let spinner =
                ctx.ui
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
                goals,
                timeout,
                // A target still healthy well after the stop: the health check cannot see it.
                &|seen| {
                    goals.contains(&"ALARM")
                        && still_healthy_too_long(&health, stopped_at, &seen.target, seen.at)
                },
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
                    if let Some(reason) = &change.reason {
                        let code = reason.split(':').next().unwrap_or(reason);
                        let why = reason_explained(code, lang).unwrap_or_default();
                        spinner.println(format!("      {reason} — {why}"));
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
            Ok((result.reached_at, result.ended_early))
        };

        // A stopped instance leaves no datapoints: INSUFFICIENT_DATA unless missing data breaches.
        let alarm_goals: &[&str] = if process == ServerProcess::Instance {
            &["ALARM", "INSUFFICIENT_DATA"]
        } else {
            &["ALARM"]
        };
        let (alarm_seen, ended_early) = watch_until(
            ctx,
            alarm_goals,
            "alarm_seen_at",
            &mut changes,
            &mut polls,
            &mut throttled,
        )?;
        if ended_early {
            let how = HowToStop {
                process,
                method,
                host,
                stop_command,
                start_command,
            };
            return Err(preflight::end_blind_watch(
                ctx, &how, &preflight, stopped_at, &changes,
            )?);
        }
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
        let (alarm_state, alarm_at) = alarm_goals
            .iter()
            .filter_map(|g| transition_time(&history_now, g, stopped_at).map(|t| (*g, t)))
            .min_by_key(|(_, t)| *t)
            .map(|(g, t)| (g, Some(t)))
            .unwrap_or(("ALARM", alarm_seen));
        if let Some(at) = alarm_at {
            ctx.ui.ok(t!(
                lang,
                "{alarm_state} at {} / {} ({} after the stop, from the alarm history)",
                "{alarm_state}: {} / {}（停止から {}、アラーム履歴より）",
                jst(at),
                utc(at),
                human_duration((at - stopped_at).num_seconds())
            ));
        }
        let alarm_mail_at = if alarm_state == "ALARM" {
            ask_mail_time(ctx, "alarm_mail_time", "ALARM", &alarm_name, stopped_at)?
        } else {
            ctx.ui.line(t!(
                lang,
                "The alarm went to {alarm_state}, not ALARM: with the instance stopped its target is unused, HealthyHostCount has no datapoints, and missing data is treated as \"{}\". No mail is sent for it (the alarm's actions are for ALARM and OK).",
                "アラームは ALARM ではなく {alarm_state} になりました。インスタンスを止めるとターゲットは unused になり、HealthyHostCount のデータポイントが来なくなります（欠落データの扱い: \"{}\"）。この状態ではメールは届きません（アクションは ALARM と OK のみ）。",
                spec.treat_missing_data
            ));
            None
        };

        // Start.
        let started_at: DateTime<Utc> = match ctx.progress("started_at") {
            Some(at) => at,
            None => {
                let at = control(
                    ctx,
                    process,
                    &method,
                    host.as_deref(),
                    &start_command,
                    false,
                )?;
                ctx.set_progress("started_at", &at)?;
                at
            }
        };
        let (ok_seen, _) = watch_until(
            ctx,
            &["OK"],
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
        let history =
            cloud
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
        let (mails, mails_from) =
            alarm_mails(ctx, &alarm_name, &region, &history, stopped_at, started_at);
        let evidence = TransitionsEvidence {
            region,
            alarm_name,
            url,
            method,
            process,
            before,
            moments,
            changes: changes.clone(),
            history,
            datapoints,
            health_check: health,
            preflight: Some(preflight),
            period: spec.period,
            evaluation_periods: spec.evaluation_periods,
            datapoints_to_alarm: spec.datapoints_to_alarm,
            treat_missing_data: spec.treat_missing_data.clone(),
            mails,
            mails_from: mails_from.into(),
            polls,
            throttled,
            captured_at: end,
        };
        ctx.evidence_file(
            "timeline.json",
            &serde_json::to_vec_pretty(&evidence).map_err(anyhow::Error::from)?,
        )?;
        ctx.ui.ok(t!(lang, "Captured:", "記録しました:"));
        for line in summary_lines(&evidence, lang) {
            ctx.ui.line(format!("  {line}"));
        }
        for line in explanation(&evidence, lang) {
            ctx.ui.line(format!("  {line}"));
        }
        Ok(serde_json::to_value(&evidence).map_err(anyhow::Error::from)?)
    }

    fn summary(&self, evidence: &Value, lang: Lang) -> Vec<String> {
        serde_json::from_value::<TransitionsEvidence>(evidence.clone())
            .map(|e| summary_lines(&e, lang))
            .unwrap_or_default()
    }

    /// The report section's facts (see `report-templates/<lang>/transitions.md`).
    fn report_context(&self, evidence: &Value, lang: Lang) -> Value {
        let Ok(e) = serde_json::from_value::<TransitionsEvidence>(evidence.clone()) else {
            return Value::Null;
        };
        let m = &e.moments;
        json!({
            "alarm_name": e.alarm_name,
            "region": e.region,
            "method": evidence::method_words(&e.method, lang),
            "process": e.process.name(lang),
            "timeline": timeline(&e, lang),
            "stop_to_alarm": delay(m.stopped_at, m.alarm_at).map(|s| human_duration_in(s, lang)),
            "start_to_ok": m.started_at.and_then(|s| delay(s, m.ok_at)).map(|s| human_duration_in(s, lang)),
            "explanation": explanation(&e, lang),
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
            "mails": evidence::mails_context(&e, lang),
            "polls": e.polls,
            "api_calls": e.polls * 2,
        })
    }

    /// The chart the report draws: HealthyHostCount, the alarm's state as bands, the moments as marks.
    fn chart(&self, evidence: &Value, lang: Lang) -> Option<TimelineChart> {
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
            label: evidence::stopped_label(e.process, lang),
        }];
        marks.extend(evidence::mail_test_marks(&e, lang));
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
