//! Step 2: an alarm on the student's ALB that mails them through SNS, with the topic as both the
//! ALARM and the OK action. Finds the ALB (and says where ALBs are when the Region has none),
//! makes or reuses the topic and the e-mail subscription, waits for the confirmation click,
//! puts the alarm, and optionally tests the mail path with `SetAlarmState`.
//!
//! Crash-safe: each resource is recorded in the state *before* the call that makes it (the topic's
//! and the alarm's names fix their identity; SNS's `Subscribe` is idempotent per endpoint), and
//! progress marks say how far the step got, so a resumed run finds everything again and never
//! makes a second copy.
//!
//! `mod.rs` is the sequence the student walks and the `Step` impl; `settings` holds the pure
//! decisions, `topic` the SNS calls, `act` the ALB lookup, the dry-run plan and the mail test,
//! `evidence` what is saved and reported.

mod act;
mod evidence;
mod settings;
mod topic;

pub use evidence::{AlarmEvidence, MailTest, SubscriptionEvidence, describe_alarms_shape};
pub use settings::{check_email, put_params};

use super::StepCtx;
use crate::cloud::Cloud;
use crate::cloud::alarms::AlarmSpec;
use crate::cloud::elb::dimension_value;
use crate::cloud::student::ExampleAnswer;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::t;
use crate::ui::table;
use act::{ask_alarm_name, dry_run, find_alb, mail_test};
use serde_json::Value;
use settings::{settings, valid_email, valid_topic};
use std::time::Duration;
use topic::{check_topic, ensure_subscription, ensure_topic};

pub const DEFAULT_TOPIC: &str = "lecture06-alb-alarm";
pub const DEFAULT_ALARM: &str = "lecture06-alb-unhealthy";
/// The resource kind an alarm is recorded under (`status`, `cleanup`).
pub const ALARM_KIND: &str = "cloudwatch-alarm";
pub const NAMESPACE: &str = "AWS/ApplicationELB";
/// The tag on everything this step makes.
pub const TAG: (&str, &str) = ("created-by", "lecture06");
/// How often the confirmation is checked, and for how long at most in one run.
pub const CONFIRM_POLL: Duration = Duration::from_secs(15);
pub const CONFIRM_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Where to look for ALBs when the working Region has none.
pub const OTHER_REGIONS: [&str; 6] = [
    "ap-northeast-1",
    "ap-northeast-3",
    "us-east-1",
    "us-west-2",
    "ap-southeast-1",
    "eu-west-1",
];

/// Shows every default with its reason, then asks each (an answers-file key per setting).
fn ask_settings(ctx: &mut StepCtx) -> AppResult<Vec<String>> {
    let lang = ctx.lang;
    let all = settings();
    ctx.ui.line(t!(
        lang,
        "The alarm's settings (each can be changed; Enter keeps the default):",
        "アラームの設定（それぞれ変更できます。Enter でそのまま）:"
    ));
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|s| {
            vec![
                lang.pick(s.label.0, s.label.1).to_string(),
                s.default.to_string(),
                lang.pick(s.reason.0, s.reason.1).to_string(),
            ]
        })
        .collect();
    ctx.ui.line(table(
        &[
            lang.pick("Setting", "設定"),
            lang.pick("Default", "既定値"),
            lang.pick("Why", "理由"),
        ],
        &rows,
    ));
    let mut values = Vec::new();
    for setting in &all {
        let check = setting.check;
        let validate = move |v: &str| check(v).map_err(str::to_string);
        let value = ctx.ask_text(
            setting.key,
            lang.pick(setting.label.0, setting.label.1).to_string(),
            Some(setting.default.to_string()),
            &validate,
        )?;
        values.push(value);
    }
    let (n, m) = (
        values[5].parse::<u32>().unwrap_or(1),
        values[6].parse::<u32>().unwrap_or(1),
    );
    if m > n {
        return Err(AppError::Usage(t!(
            lang,
            "[alarm] datapoints_to_alarm ({m}) cannot be more than evaluation_periods ({n}).",
            "[alarm] datapoints_to_alarm（{m}）は evaluation_periods（{n}）以下にしてください。"
        )));
    }
    Ok(values)
}

/// The alarm step, as the registry declares it.
pub struct AlarmStep;

impl super::Step for AlarmStep {
    fn id(&self) -> crate::step_id::StepId {
        crate::step_id::StepId::Alarm
    }

    fn run(&self, ctx: &mut StepCtx) -> AppResult<Value> {
        let lang = ctx.lang;
        // Everything typed comes first, so a typo is caught before any call. A real account has no
        // default address; a practice account offers its example one, so `run --yes` can do the whole
        // assignment there.
        let default_email = ctx.cloud.student.example(ExampleAnswer::Email);
        let email = ctx.ask_text(
            "email",
            t!(
                lang,
                "E-mail address for the alarm mails",
                "アラーム通知を受け取るメールアドレス"
            ),
            default_email,
            &valid_email(lang),
        )?;
        let topic_name = ctx.ask_text(
            "topic",
            t!(lang, "SNS topic name", "SNS トピック名"),
            Some(DEFAULT_TOPIC.into()),
            &valid_topic(lang),
        )?;
        let region = ctx.cloud.region.clone();
        // Someone else's alarm of that name is never overwritten or recorded without a word.
        let (alarm_name, ours) = ask_alarm_name(ctx, &region)?;
        let (load_balancer, target_group) = find_alb(ctx, &region)?;

        let values = ask_settings(ctx)?;
        let account = ctx.cloud.identity.caller()?.account;
        let predicted_topic_arn = format!("arn:aws:sns:{region}:{account}:{topic_name}");
        let spec = |topic_arn: &str| AlarmSpec {
            name: alarm_name.clone(),
            description: format!(
                "lecture06: {} of {} is down (no healthy target)",
                load_balancer.name, target_group.name
            ),
            namespace: NAMESPACE.into(),
            metric: values[0].clone(),
            statistic: values[1].clone(),
            dimensions: vec![
                ("TargetGroup".into(), dimension_value(&target_group.arn)),
                ("LoadBalancer".into(), dimension_value(&load_balancer.arn)),
            ],
            period: values[2].parse().unwrap_or(60),
            comparison: values[3].clone(),
            threshold: values[4].parse().unwrap_or(1.0),
            evaluation_periods: values[5].parse().unwrap_or(1),
            datapoints_to_alarm: values[6].parse().unwrap_or(1),
            treat_missing_data: values[7].clone(),
            alarm_actions: vec![topic_arn.to_string()],
            ok_actions: vec![topic_arn.to_string()],
        };
        let tags = vec![(TAG.0.to_string(), TAG.1.to_string())];

        if ctx.options.dry_run {
            return dry_run(
                ctx,
                &region,
                &topic_name,
                &email,
                &spec(&predicted_topic_arn),
            );
        }

        let topic = ensure_topic(ctx, &region, &topic_name, &predicted_topic_arn, &tags)?;
        check_topic(ctx, &region, &topic)?;
        let subscription = ensure_subscription(ctx, &region, &topic, &email)?;

        let spec = spec(&topic.arn);
        let put = |cloud: &Cloud| cloud.alarms.put_alarm(&region, &spec, &tags);
        if ours {
            ctx.record_then(ALARM_KIND, &spec.name, &region, put)?;
        } else {
            put(ctx.cloud)?;
        }
        ctx.set_progress("alarm_put", &true)?;
        ctx.ui.ok(t!(
            lang,
            "Alarm {alarm_name} is set, with {} as its ALARM and OK action.",
            "アラーム {alarm_name} を設定しました（ALARM・OK のアクションは {}）。",
            topic.name
        ));
        ctx.ui.warn(t!(
        lang,
        "A new alarm starts in INSUFFICIENT_DATA. Because it has an OK action, its first evaluation (within a minute or two) sends an OK mail: that mail is expected, nothing is wrong.",
        "新しいアラームは INSUFFICIENT_DATA（データ不足）から始まります。OK アクションがあるため、最初の評価（1〜2 分以内）で OK のメールが届きます。これは正常な動作です。"
    ));

        let test = mail_test(ctx, &region, &spec.name, &subscription)?;

        let alarm = ctx
        .cloud
        .alarms
        .describe_alarm(&region, &spec.name)?
        .ok_or_else(|| {
            AppError::Failed(t!(
                lang,
                "The alarm {alarm_name} was set but DescribeAlarms does not list it in {region}. Run `lecture06 run --step alarm` again.",
                "アラーム {alarm_name} を設定しましたが、{region} の DescribeAlarms に出てきません。`lecture06 run --step alarm` を再実行してください。"
            ))
        })?;
        ctx.evidence_file(
            "describe-alarms.json",
            &serde_json::to_vec_pretty(&alarm).map_err(anyhow::Error::from)?,
        )?;
        let evidence = AlarmEvidence {
            region,
            load_balancer,
            target_group,
            topic,
            subscription,
            alarm,
            test,
            captured_at: ctx.cloud.clock.now(),
        };
        ctx.ui.ok(t!(lang, "Captured:", "記録しました:"));
        for line in evidence.summary(lang) {
            ctx.ui.line(format!("  {line}"));
        }
        Ok(serde_json::to_value(&evidence).map_err(anyhow::Error::from)?)
    }

    /// The alarm still exists as the evidence says (cheap: one `DescribeAlarms`).
    fn recheck(&self, ctx: &mut StepCtx) -> AppResult<Option<String>> {
        let lang = ctx.lang;
        let Some(evidence) = ctx.evidence_of::<AlarmEvidence>(ctx.step) else {
            return Ok(None);
        };
        let name = &evidence.alarm.spec.name;
        let region = &evidence.region;
        match ctx.cloud.alarms.describe_alarm(region, name)? {
            Some(_) => Ok(None),
            None => {
                // The step must put it again.
                ctx.forget_progress("alarm_put")?;
                ctx.forget_progress("test")?;
                Ok(Some(t!(
                    lang,
                    "the alarm {name} no longer exists in {region} (deleted in the console, or by `lecture06 cleanup`?); the step will create it again.",
                    "アラーム {name} が {region} にもうありません（コンソールや `lecture06 cleanup` で削除？）。ステップでもう一度作成します。"
                )))
            }
        }
    }

    fn summary(&self, evidence: &Value, lang: Lang) -> Vec<String> {
        serde_json::from_value::<AlarmEvidence>(evidence.clone())
            .map(|e| e.summary(lang))
            .unwrap_or_default()
    }

    /// The report section's facts (see `report-templates/<lang>/alarm.md`).
    fn report_context(&self, evidence: &Value, lang: Lang) -> Value {
        serde_json::from_value::<AlarmEvidence>(evidence.clone())
            .map(|e| e.report_context(lang))
            .unwrap_or(Value::Null)
    }
}
