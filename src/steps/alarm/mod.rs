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
//! decisions, `topic` the SNS calls, `calls` the ALB lookup, the dry-run plan and the mail test,
//! `evidence` what is saved and reported.

mod calls;
mod evidence;
mod ownership;
mod settings;
mod topic;

pub use evidence::{AlarmEvidence, MailTest, SubscriptionEvidence, describe_alarms_shape};
pub use ownership::{Maker, WORKSPACE_TAG};
pub use settings::{check_email, put_params};

use super::{Outcome, SharedPermissions, StepCtx};
use crate::cloud::Cloud;
use crate::cloud::alarms::AlarmSpec;
use crate::cloud::elb::dimension_value;
use crate::cloud::student::ExampleAnswer;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::step_id::StepId;
use crate::t;
use crate::ui::table;
use calls::{ask_alarm_name, dry_run, find_alb, mail_test};
use serde_json::Value;
use settings::{settings, valid_email, valid_topic};
use std::time::Duration;
use topic::{check_topic, ensure_subscription, ensure_topic};

pub const DEFAULT_TOPIC: &str = "lecture06-alb-alarm";
pub const DEFAULT_ALARM: &str = "lecture06-alb-unhealthy";
/// The resource kinds this step records (`status`, `cleanup`).
pub const ALARM_KIND: &str = "cloudwatch-alarm";
pub const TOPIC_KIND: &str = "sns-topic";
pub const SUBSCRIPTION_KIND: &str = "sns-subscription";
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
    let mut values: Vec<String> = Vec::new();
    for setting in &all {
        let check = setting.check;
        // Datapoints to alarm (M) depend on the evaluation periods (N) just given: M ≤ N.
        let periods = (setting.key == "datapoints_to_alarm")
            .then(|| values.get(5).and_then(|n| n.parse::<u32>().ok()))
            .flatten();
        let validate = move |v: &str| {
            check(v).map_err(|(en, ja)| lang.pick(en, ja).to_string())?;
            match (periods, v.parse::<u32>()) {
                (Some(n), Ok(m)) if m > n => Err(t!(
                    lang,
                    "at most the evaluation periods you gave ({n}): an alarm cannot need more breaching datapoints than it looks at",
                    "入力した評価期間数（{n}）以下にしてください。見る期間より多いデータポイントは必要にできません"
                )),
                _ => Ok(()),
            }
        };
        let value = ctx.ask_text(
            setting.key,
            lang.pick(setting.label.0, setting.label.1).to_string(),
            Some(setting.default.to_string()),
            &validate,
        )?;
        values.push(value);
    }
    Ok(values)
}

/// What the student chose before any call that changes something.
struct Choices {
    email: String,
    topic_name: String,
    alarm_name: String,
    /// Whether the alarm is lecture06's to make (no one else's alarm has that name).
    ours: bool,
    load_balancer: crate::cloud::elb::LoadBalancer,
    target_group: crate::cloud::elb::TargetGroup,
    settings: Vec<String>,
}

/// Everything typed comes first, so a typo is caught before any call. A real account has no
/// default address; a practice account offers its example one, so `run --yes` can do the whole
/// assignment there.
fn ask_choices(ctx: &mut StepCtx, region: &str) -> AppResult<Choices> {
    let lang = ctx.lang;
    let default_email = ctx.examples.get(ExampleAnswer::Email);
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
    // Someone else's alarm of that name is never overwritten or recorded without a word.
    let (alarm_name, ours) = ask_alarm_name(ctx, region)?;
    let (load_balancer, target_group) = find_alb(ctx, region)?;
    let settings = ask_settings(ctx)?;
    Ok(Choices {
        email,
        topic_name,
        alarm_name,
        ours,
        load_balancer,
        target_group,
        settings,
    })
}

/// The alarm as the student chose it, with `topic_arn` as its ALARM and OK action.
fn alarm_spec(choices: &Choices, topic_arn: &str) -> AlarmSpec {
    let values = &choices.settings;
    AlarmSpec {
        name: choices.alarm_name.clone(),
        description: format!(
            "lecture06: {} of {} is down (no healthy target)",
            choices.load_balancer.name, choices.target_group.name
        ),
        namespace: NAMESPACE.into(),
        metric: values[0].clone(),
        statistic: values[1].clone(),
        dimensions: vec![
            (
                "TargetGroup".into(),
                dimension_value(&choices.target_group.arn),
            ),
            (
                "LoadBalancer".into(),
                dimension_value(&choices.load_balancer.arn),
            ),
        ],
        period: values[2].parse().unwrap_or(60),
        comparison: values[3].clone(),
        threshold: values[4].parse().unwrap_or(1.0),
        evaluation_periods: values[5].parse().unwrap_or(1),
        datapoints_to_alarm: values[6].parse().unwrap_or(1),
        treat_missing_data: values[7].clone(),
        alarm_actions: vec![topic_arn.to_string()],
        ok_actions: vec![topic_arn.to_string()],
    }
}

/// Puts the alarm (recorded first when it is lecture06's) and says what a new alarm does first.
fn put_alarm(
    ctx: &mut StepCtx,
    region: &str,
    spec: &AlarmSpec,
    choices: &Choices,
    topic: &str,
    tags: &[(String, String)],
) -> AppResult<()> {
    let lang = ctx.lang;
    let put = |cloud: &Cloud| cloud.alarms.put_alarm(region, spec, tags);
    if choices.ours {
        ctx.record_then(ALARM_KIND, &spec.name, region, put)?;
    } else {
        put(ctx.cloud)?;
    }
    ctx.set_progress("alarm_put", &true)?;
    let alarm_name = &spec.name;
    ctx.ui.ok(t!(
        lang,
        "Alarm {alarm_name} is set, with {topic} as its ALARM and OK action.",
        "アラーム {alarm_name} を設定しました（ALARM・OK のアクションは {topic}）。"
    ));
    ctx.ui.warn(t!(
        lang,
        "A new alarm starts in INSUFFICIENT_DATA. Because it has an OK action, its first evaluation (within a minute or two) sends an OK mail: that mail is expected, nothing is wrong.",
        "新しいアラームは INSUFFICIENT_DATA（データ不足）から始まります。OK アクションがあるため、最初の評価（1〜2 分以内）で OK のメールが届きます。これは正常な動作です。"
    ));
    Ok(())
}

/// The alarm as DescribeAlarms returns it now, kept as an evidence file too.
fn describe_put_alarm(
    ctx: &mut StepCtx,
    region: &str,
    name: &str,
) -> AppResult<crate::cloud::alarms::AlarmInfo> {
    let lang = ctx.lang;
    let alarm = ctx.cloud.alarms.describe_alarm(region, name)?.ok_or_else(|| {
        let again = ctx.next_command("run --step alarm");
        AppError::Failed(t!(
            lang,
            "The alarm {name} was set but DescribeAlarms does not list it in {region}. Run `{again}` again.",
            "アラーム {name} を設定しましたが、{region} の DescribeAlarms に出てきません。`{again}` を再実行してください。"
        ))
    })?;
    ctx.evidence_file(
        "describe-alarms.json",
        &serde_json::to_vec_pretty(&alarm).map_err(anyhow::Error::from)?,
    )?;
    Ok(alarm)
}

/// The alarm step, as the one list of steps declares it.
pub struct AlarmStep;

pub const STEP: AlarmStep = AlarmStep;

impl super::Step for AlarmStep {
    const ID: StepId = StepId::Alarm;
    const IAM_ACTIONS: &'static [&'static str] = &[
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTargetGroups",
        "sns:ListTopics",
        "sns:CreateTopic",
        "sns:TagResource",
        "sns:GetTopicAttributes",
        "sns:ListSubscriptionsByTopic",
        "sns:Subscribe",
        "sns:GetSubscriptionAttributes",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:TagResource",
        "cloudwatch:ListTagsForResource",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:SetAlarmState",
        "sns:ListTagsForResource",
    ];
    // Its resources are what cleanup deletes.
    const ALSO_NEEDS: &'static [SharedPermissions] = &[SharedPermissions::Cleanup];
    const CREATES: &'static [&'static str] = &[TOPIC_KIND, SUBSCRIPTION_KIND, ALARM_KIND];
    type Evidence = AlarmEvidence;

    fn run(&self, ctx: &mut StepCtx) -> AppResult<Outcome<AlarmEvidence>> {
        let lang = ctx.lang;
        let region = ctx.cloud.region.clone();
        let choices = ask_choices(ctx, &region)?;
        let account = ctx.cloud.identity.caller()?.account;
        let topic_name = &choices.topic_name;
        let predicted_topic_arn = format!("arn:aws:sns:{region}:{account}:{topic_name}");
        let tags = ownership::tags_for(&ctx.workspace_id()?);
        if ctx.options.dry_run {
            let spec = alarm_spec(&choices, &predicted_topic_arn);
            dry_run(ctx, &region, topic_name, &choices.email, &spec, &tags)?;
            return Ok(Outcome::Planned);
        }
        let topic = ensure_topic(ctx, &region, topic_name, &predicted_topic_arn, &tags)?;
        check_topic(ctx, &region, &topic)?;
        let subscription = ensure_subscription(ctx, &region, &topic, &choices.email)?;
        let spec = alarm_spec(&choices, &topic.arn);
        put_alarm(ctx, &region, &spec, &choices, &topic.name, &tags)?;
        let test = mail_test(ctx, &region, &spec.name, &subscription)?;
        let alarm = describe_put_alarm(ctx, &region, &spec.name)?;
        let evidence = AlarmEvidence {
            region,
            load_balancer: choices.load_balancer,
            target_group: choices.target_group,
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
        Ok(Outcome::Captured(evidence))
    }

    /// The alarm still exists as the evidence says (cheap: one `DescribeAlarms`).
    fn recheck(&self, ctx: &mut StepCtx, evidence: &AlarmEvidence) -> AppResult<Option<String>> {
        let lang = ctx.lang;
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

    fn summary(&self, evidence: &AlarmEvidence, lang: Lang) -> Vec<String> {
        evidence.summary(lang)
    }

    /// The report section's facts (see `report.<lang>.md` beside this file).
    fn report_context(&self, evidence: &AlarmEvidence, lang: Lang) -> Value {
        evidence.report_context(lang)
    }
}
