//! The health-check preflight, before anything is stopped: read the target group's health check,
//! request its path through the ALB, tell whether Rails answered it, and when it did not, say so,
//! explain why the alarm would never fire and offer to point the health check at a Rails path
//! (`ModifyTargetGroup`, recorded so `cleanup` puts the old path back).

use super::calls::{HowToStop, control};
use super::health::{Answerer, blind_health_check, healthy_too_long_after, who_answered};
use super::watch::Change;
use crate::clock::duration;
use crate::cloud::elb::HealthCheck;
use crate::error::AppError;
use crate::error::AppResult;
use crate::steps::StepCtx;
use crate::t;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The resource record `cleanup` reads to put a health-check path back: its id is
/// `<target group ARN>#<old path>`.
pub const HEALTH_CHECK_PATH: &str = "health-check-path";

/// What the preflight saw (kept in the evidence, and in `health-check.json` as soon as it is known).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preflight {
    pub health_check: HealthCheck,
    /// The URL requested through the ALB.
    pub url: String,
    pub status: Option<u16>,
    /// The headers that tell who answered, as seen (`X-Request-Id`, `X-Runtime`, `Server`).
    pub telling_headers: Vec<(String, String)>,
    pub answered_by: Answerer,
    /// The path lecture06 replaced, when the student agreed to point the check at a Rails path.
    pub changed_from: Option<String>,
}

impl Preflight {
    /// The health check cannot see the app server (and was not fixed).
    pub fn blind(&self) -> bool {
        self.answered_by == Answerer::StaticFile
    }
}

/// Reads, probes and decides; offers the fix when the check is blind.
pub fn run(
    ctx: &mut StepCtx,
    region: &str,
    lb_arn: &str,
    tg_arn: &str,
    dns_name: &str,
    known: &HealthCheck,
) -> AppResult<Preflight> {
    let lang = ctx.lang;
    let health = ctx
        .cloud
        .elb
        .target_groups(region, lb_arn)?
        .into_iter()
        .find(|tg| tg.arn == tg_arn)
        .map(|tg| tg.health_check)
        .unwrap_or_else(|| known.clone());
    ctx.ui.line(t!(
        lang,
        "Health check: {} {} on port {}, healthy when {}, every {} s; unhealthy after {} failures, healthy after {} successes.",
        "ヘルスチェック: {} {}（ポート {}）、成功コード {}、{} 秒ごと。{} 回失敗で unhealthy、{} 回成功で healthy。",
        health.protocol,
        health.path,
        health.port,
        health.matcher,
        health.interval_seconds,
        health.unhealthy_threshold,
        health.healthy_threshold
    ));
    let mut preflight = probe(ctx, dns_name, health);
    match preflight.answered_by {
        Answerer::Rails => ctx.ui.ok(t!(
            lang,
            "GET {} → {}: Rails answered (X-Request-Id), so stopping Unicorn will fail the health check.",
            "GET {} → {}: Rails が応答しました（X-Request-Id）。Unicorn を止めればヘルスチェックは失敗します。",
            preflight.url,
            status_text(preflight.status)
        )),
        Answerer::Unknown => ctx.ui.warn(t!(
            lang,
            "GET {} → {}: cannot tell who answered; watching anyway.",
            "GET {} → {}: 誰が応答したか判断できません。このまま監視します。",
            preflight.url,
            status_text(preflight.status)
        )),
        Answerer::StaticFile => {
            for line in blind_health_check(&preflight.health_check, lang) {
                ctx.ui.warn(line);
            }
            keep(ctx, &preflight)?;
            offer_fix(ctx, region, tg_arn, dns_name, &mut preflight)?;
        }
    }
    keep(ctx, &preflight)?;
    Ok(preflight)
}

fn status_text(status: Option<u16>) -> String {
    status.map_or_else(|| "no answer".into(), |s| s.to_string())
}

/// GETs the health check's path through the ALB and decides who answered.
fn probe(ctx: &StepCtx, dns_name: &str, health: HealthCheck) -> Preflight {
    let url = format!("http://{dns_name}{}", health.path);
    let answer = ctx.cloud.http.get(&url);
    let telling_headers = ["X-Request-Id", "X-Runtime", "Server"]
        .iter()
        .filter_map(|name| {
            answer
                .header(name)
                .map(|v| (name.to_string(), v.to_string()))
        })
        .collect();
    Preflight {
        health_check: health,
        url,
        status: answer.status,
        telling_headers,
        answered_by: who_answered(&answer),
        changed_from: None,
    }
}

fn keep(ctx: &StepCtx, preflight: &Preflight) -> AppResult<()> {
    ctx.evidence_file(
        "health-check.json",
        &serde_json::to_vec_pretty(preflight).map_err(anyhow::Error::from)?,
    )
}

/// Asks (`[transitions] fix_health_check`, default no: `--yes` changes nothing), asks for the
/// path (`[transitions] health_check_path`, default `/up`), checks that Rails answers it, and only
/// then points the health check at it.
fn offer_fix(
    ctx: &mut StepCtx,
    region: &str,
    tg_arn: &str,
    dns_name: &str,
    preflight: &mut Preflight,
) -> AppResult<()> {
    let lang = ctx.lang;
    let agreed = ctx.ask_confirm(
        "fix_health_check",
        t!(
            lang,
            "Point the target group's health check at a Rails path now (lecture06 cleanup puts {} back)?",
            "ターゲットグループのヘルスチェックを Rails のパスに今向けますか？（lecture06 cleanup で {} に戻します）",
            preflight.health_check.path
        ),
        false,
    )?;
    if !agreed {
        ctx.ui.warn(t!(
            lang,
            "The health check is left as it is: the alarm will not fire when Unicorn stops.",
            "ヘルスチェックはそのままです。Unicorn を止めてもアラームは発火しません。"
        ));
        return Ok(());
    }
    let (path, candidate) = ask_rails_path(ctx, dns_name, &preflight.health_check)?;
    let old = preflight.health_check.path.clone();
    // Recorded first: whatever happens next, `cleanup` knows what to put back.
    ctx.record_resource(HEALTH_CHECK_PATH, &format!("{tg_arn}#{old}"), region)?;
    ctx.cloud.elb.set_health_check_path(region, tg_arn, &path)?;
    ctx.ui.ok(t!(
        lang,
        "The health check now requests {path} (was {old}); `lecture06 cleanup` puts {old} back.",
        "ヘルスチェックは {path} を見るようになりました（以前は {old}）。`lecture06 cleanup` で {old} に戻します。"
    ));
    *preflight = Preflight {
        changed_from: Some(old),
        ..candidate
    };
    Ok(())
}

/// The watch for ALARM ended early: the target stayed healthy long after the stop. Says why,
/// keeps the evidence, starts the server again and clears the attempt so that the next run looks
/// (and asks) afresh; returns the error the step ends with.
pub fn end_blind_watch(
    ctx: &mut StepCtx,
    how: &HowToStop,
    preflight: &Preflight,
    stopped_at: DateTime<Utc>,
    changes: &[Change],
) -> AppResult<AppError> {
    let lang = ctx.lang;
    let health = &preflight.health_check;
    let now = ctx.cloud.clock.now();
    let after = duration(lang, (now - stopped_at).num_seconds());
    for line in blind_health_check(health, lang) {
        ctx.ui.warn(line);
    }
    ctx.evidence_file(
        "watch-ended-early.json",
        &serde_json::to_vec_pretty(&json!({
            "preflight": preflight,
            "stopped_at": stopped_at,
            "ended_at": now,
            "changes": changes,
        }))
        .map_err(anyhow::Error::from)?,
    )?;
    control(
        ctx,
        how.process,
        &how.method,
        how.host.as_deref(),
        &how.start_command,
        false,
    )?;
    for key in [
        "preflight",
        "before",
        "stopped_at",
        "last",
        "changes",
        "polls",
        "throttled",
    ] {
        ctx.forget_progress(key)?;
    }
    ctx.forget_answer("fix_health_check")?;
    let name = how.process.name(lang);
    let needed = healthy_too_long_after(health);
    Ok(AppError::Failed(t!(
        lang,
        "The target was still healthy {after} after the stop, long past the {needed} s its health check needs to fail: it cannot see Unicorn (see above), so no ALARM will come. {name} was started again. Point the health check at a Rails path (or answer `[transitions] fix_health_check = true`), then run `lecture06 run` again.",
        "停止から {after}たってもターゲットは healthy のままです（ヘルスチェックが失敗するには {needed} 秒で足ります）。ヘルスチェックから Unicorn が見えていないので（上記）、ALARM にはなりません。{name} は起動し直しました。ヘルスチェックを Rails のパスに向けて（または `[transitions] fix_health_check = true` と回答して）から `lecture06 run` を再実行してください。"
    )))
}

/// A path Rails answers with 2xx through the ALB, asked until one does (`health_check_path`);
/// a refused path is never offered again. Without one, the step stops before anything is
/// stopped: a watch with a health check that cannot see Unicorn would only wait in vain.
fn ask_rails_path(
    ctx: &mut StepCtx,
    dns_name: &str,
    current: &HealthCheck,
) -> AppResult<(String, Preflight)> {
    let lang = ctx.lang;
    loop {
        let path = ctx.ask_text(
            "health_check_path",
            t!(
                lang,
                "Health-check path Rails answers",
                "Rails が応答するヘルスチェックのパス"
            ),
            Some("/up".into()),
            &move |v: &str| {
                if v.starts_with('/') && !v.contains(char::is_whitespace) {
                    Ok(())
                } else {
                    Err(t!(
                        lang,
                        "give a path that starts with /, such as /up",
                        "/up のように / で始まるパスを入力してください"
                    ))
                }
            },
        )?;
        let candidate = probe(
            ctx,
            dns_name,
            HealthCheck {
                path: path.clone(),
                ..current.clone()
            },
        );
        if candidate.answered_by == Answerer::Rails
            && candidate.status.is_some_and(|s| (200..300).contains(&s))
        {
            return Ok((path, candidate));
        }
        ctx.forget_answer("health_check_path")?;
        ctx.ui.warn(t!(
            lang,
            "GET {} → {}: not a 2xx answer from Rails, so the health check was not changed (a health check on it would fail at once, with Unicorn running).",
            "GET {} → {}: Rails からの 2xx の応答ではないので、ヘルスチェックは変更しませんでした（Unicorn が動いていてもすぐに失敗するため）。",
            candidate.url,
            status_text(candidate.status)
        ));
        let again = ctx.prompter.is_interactive()
            && ctx.ask_confirm(
                "health_check_retry",
                t!(lang, "Try another path?", "別のパスを試しますか？"),
                true,
            )?;
        if !again {
            let resume = ctx.next_command("run --step transitions");
            return Err(AppError::Failed(t!(
                lang,
                "Nothing was stopped. Add a route Rails answers (a health check such as /up), deploy it, then run `{resume}`.",
                "何も停止していません。Rails が応答するルート（/up のようなヘルスチェック）を追加してデプロイしてから、`{resume}` を実行してください。"
            )));
        }
        ctx.forget_answer("health_check_retry")?;
    }
}
