//! Step 2: an alarm on the student's ALB that mails them through SNS, with the topic as both the
//! ALARM and the OK action. Finds the ALB (and says where ALBs are when the Region has none),
//! makes or reuses the topic and the e-mail subscription, waits for the confirmation click,
//! puts the alarm, and optionally tests the mail path with `SetAlarmState`.
//!
//! Crash-safe: each resource is recorded in the state *before* the call that makes it (the topic's
//! and the alarm's names fix their identity; SNS's `Subscribe` is idempotent per endpoint), and
//! progress marks say how far the step got, so a resumed run finds everything again and never
//! makes a second copy.

use super::StepCtx;
use crate::clock::{human_duration, jst, utc};
use crate::cloud::alarms::{AlarmInfo, AlarmSpec};
use crate::cloud::elb::{LoadBalancer, TargetGroup, dimension_value};
use crate::cloud::notify::{Topic, policy_blocks_cloudwatch};
use crate::cloud::student::ExampleAnswer;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::prompt::Choice;
use crate::t;
use crate::ui::table;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;

pub const DEFAULT_TOPIC: &str = "lecture06-alb-alarm";
pub const DEFAULT_ALARM: &str = "lecture06-alb-unhealthy";
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmEvidence {
    pub region: String,
    pub load_balancer: LoadBalancer,
    pub target_group: TargetGroup,
    pub topic: Topic,
    pub subscription: SubscriptionEvidence,
    /// The alarm as `DescribeAlarms` returned it after the step.
    pub alarm: AlarmInfo,
    pub test: Option<MailTest>,
    pub captured_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionEvidence {
    pub arn: String,
    pub endpoint: String,
    pub confirmed: bool,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// How long the student took to click the link, in seconds.
    pub waited_seconds: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MailTest {
    pub alarm_set_at: DateTime<Utc>,
    pub ok_set_at: DateTime<Utc>,
    pub mail_arrived: bool,
    /// Only where lecture06 can read the mailbox: the mail files delivered for the alarm.
    pub mail_files: Vec<String>,
}

/// One editable alarm setting: its answers-file key, its default and why.
struct Setting {
    key: &'static str,
    label: (&'static str, &'static str),
    default: &'static str,
    reason: (&'static str, &'static str),
    check: fn(&str) -> Result<(), &'static str>,
}

fn one_of(options: &'static [&'static str]) -> impl Fn(&str) -> Result<(), &'static str> {
    move |v| {
        if options.contains(&v) {
            Ok(())
        } else {
            Err("")
        }
    }
}

const STATISTICS: &[&str] = &["Minimum", "Maximum", "Average", "Sum", "SampleCount"];
const COMPARISONS: &[&str] = &[
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
];
const MISSING: &[&str] = &["breaching", "notBreaching", "ignore", "missing"];

fn settings() -> Vec<Setting> {
    vec![
        Setting {
            key: "metric",
            label: ("Metric", "メトリクス"),
            default: "HealthyHostCount",
            reason: (
                "the number of targets passing health checks: 0 means nobody can be served",
                "ヘルスチェックに合格しているターゲット数。0 ならアプリに届くサーバーがない",
            ),
            check: |v| {
                if !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    Ok(())
                } else {
                    Err("a metric name such as HealthyHostCount")
                }
            },
        },
        Setting {
            key: "statistic",
            label: ("Statistic", "統計"),
            default: "Minimum",
            reason: (
                "the lowest count in the period: one unhealthy moment is enough",
                "期間中の最小値。一瞬でも 0 になれば検知できる",
            ),
            check: |v| {
                one_of(STATISTICS)(v).map_err(|_| "Minimum, Maximum, Average, Sum or SampleCount")
            },
        },
        Setting {
            key: "period",
            label: ("Period (seconds)", "期間（秒）"),
            default: "60",
            reason: (
                "ALB metrics come once a minute; a shorter period has no data",
                "ALB のメトリクスは 1 分ごと。これより短い期間にはデータがない",
            ),
            check: |v| match v.parse::<u32>() {
                Ok(n) if n > 0 && n % 60 == 0 => Ok(()),
                _ => Err("a multiple of 60 (ALB metrics are per minute)"),
            },
        },
        Setting {
            key: "comparison",
            label: ("Comparison", "比較演算子"),
            default: "LessThanThreshold",
            reason: (
                "alarm when fewer hosts than the threshold are healthy",
                "正常なホスト数がしきい値より少ないときにアラーム",
            ),
            check: |v| {
                one_of(COMPARISONS)(v).map_err(|_| {
                    "LessThanThreshold, LessThanOrEqualToThreshold, GreaterThanThreshold or GreaterThanOrEqualToThreshold"
                })
            },
        },
        Setting {
            key: "threshold",
            label: ("Threshold", "しきい値"),
            default: "1",
            reason: (
                "< 1 means no healthy target at all, i.e. Unicorn is down",
                "< 1 は正常なターゲットが 1 台もない＝Unicorn が止まっている状態",
            ),
            check: |v| v.parse::<f64>().map(|_| ()).map_err(|_| "a number"),
        },
        Setting {
            key: "evaluation_periods",
            label: ("Evaluation periods", "評価期間数"),
            default: "1",
            reason: (
                "look at the last period only: the fastest reaction",
                "直近 1 期間だけを見る。最も早く反応する",
            ),
            check: |v| match v.parse::<u32>() {
                Ok(n) if (1..=100).contains(&n) => Ok(()),
                _ => Err("a whole number from 1 to 100"),
            },
        },
        Setting {
            key: "datapoints_to_alarm",
            label: ("Datapoints to alarm", "アラームを出すデータポイント数"),
            default: "1",
            reason: (
                "one breaching datapoint is enough (M of N, M ≤ evaluation periods)",
                "しきい値を超えたデータポイントが 1 つでアラーム（M/N の M。評価期間数以下）",
            ),
            check: |v| match v.parse::<u32>() {
                Ok(n) if (1..=100).contains(&n) => Ok(()),
                _ => Err("a whole number from 1 to 100"),
            },
        },
        Setting {
            key: "treat_missing_data",
            label: ("Missing data", "欠落データの扱い"),
            default: "breaching",
            reason: (
                "no data from the ALB is treated as trouble, not as fine",
                "ALB からデータが来ないことも異常として扱う",
            ),
            check: |v| one_of(MISSING)(v).map_err(|_| "breaching, notBreaching, ignore or missing"),
        },
    ]
}

/// A typo in the address would send the confirmation nowhere: catch what can be caught.
pub fn check_email(value: &str) -> Result<(), (&'static str, &'static str)> {
    const BAD: (&str, &str) = (
        "an e-mail address looks like name@example.com",
        "メールアドレスは name@example.com のような形式です",
    );
    if value.chars().any(char::is_whitespace) || value.matches('@').count() != 1 {
        return Err(BAD);
    }
    let (local, domain) = value.split_once('@').ok_or(BAD)?;
    let labels: Vec<&str> = domain.split('.').collect();
    let ok = !local.is_empty()
        && local.len() <= 64
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    if !ok {
        return Err(BAD);
    }
    let typos = [
        "gmial.com",
        "gmai.com",
        "gmail.co",
        "gmail.con",
        "gmail.cm",
        "gmal.com",
        "gamil.com",
        "yahooo.co.jp",
        "yahoo.co.jo",
        "hotmial.com",
        "icloud.co",
        "outlok.com",
    ];
    if typos.contains(&domain.to_ascii_lowercase().as_str()) {
        return Err((
            "the domain looks like a typo (gmail.com, yahoo.co.jp, …?)",
            "ドメインが打ち間違いのようです（gmail.com、yahoo.co.jp など？）",
        ));
    }
    Ok(())
}

fn valid_email(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |v| check_email(v).map_err(|(en, ja)| lang.pick(en, ja).to_string())
}

fn valid_topic(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |v: &str| {
        if !v.is_empty()
            && v.len() <= 256
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            Ok(())
        } else {
            Err(t!(
                lang,
                "1–256 letters, digits, - or _",
                "1〜256 文字の英数字、- または _"
            ))
        }
    }
}

fn valid_alarm_name(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |v: &str| {
        if !v.is_empty() && v.len() <= 255 && v.trim() == v && !v.chars().any(char::is_control) {
            Ok(())
        } else {
            Err(t!(
                lang,
                "1–255 characters, no spaces around it",
                "1〜255 文字（前後に空白なし）"
            ))
        }
    }
}

pub fn run(ctx: &mut StepCtx) -> AppResult<Value> {
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
    let alarm_name = ctx.ask_text(
        "alarm_name",
        t!(lang, "Alarm name", "アラーム名"),
        Some(DEFAULT_ALARM.into()),
        &valid_alarm_name(lang),
    )?;

    let region = ctx.cloud.region.clone();
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
    ctx.record_resource("cloudwatch-alarm", &spec.name, &region)?;
    ctx.cloud.alarms.put_alarm(&region, &spec, &tags)?;
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
    for line in summary_of(&evidence, lang) {
        ctx.ui.line(format!("  {line}"));
    }
    Ok(serde_json::to_value(&evidence).map_err(anyhow::Error::from)?)
}

/// The ALB and target group the alarm watches, in the working Region.
fn find_alb(ctx: &mut StepCtx, region: &str) -> AppResult<(LoadBalancer, TargetGroup)> {
    let lang = ctx.lang;
    let albs: Vec<LoadBalancer> = ctx
        .cloud
        .elb
        .load_balancers(region)?
        .into_iter()
        .filter(|lb| lb.kind == "application")
        .collect();
    if albs.is_empty() {
        let mut elsewhere = Vec::new();
        for other in OTHER_REGIONS.iter().filter(|r| **r != region) {
            if let Ok(found) = ctx.cloud.elb.load_balancers(other) {
                let names: Vec<String> = found
                    .into_iter()
                    .filter(|lb| lb.kind == "application")
                    .map(|lb| lb.name)
                    .collect();
                if !names.is_empty() {
                    elsewhere.push(format!("{other} ({})", names.join(", ")));
                }
            }
        }
        let hint = if elsewhere.is_empty() {
            t!(
                lang,
                "No ALB was found in {} either. Create the ALB of lecture 5 first.",
                "{} にも ALB はありませんでした。先に第 5 回の ALB を作成してください。",
                OTHER_REGIONS.join(", ")
            )
        } else {
            t!(
                lang,
                "ALBs exist in: {}. Run again with --region set to that Region (the alarm must live in the ALB's Region).",
                "ALB があるリージョン: {}。そのリージョンを --region に指定して再実行してください（アラームは ALB と同じリージョンに作ります）。",
                elsewhere.join("; ")
            )
        };
        return Err(AppError::Failed(t!(
            lang,
            "There is no Application Load Balancer in {region}. {hint}",
            "{region} に Application Load Balancer がありません。{hint}"
        )));
    }
    let choices: Vec<Choice> = albs
        .iter()
        .map(|lb| Choice {
            id: lb.name.clone(),
            label: format!("{}  ({}, {})", lb.name, lb.dns_name, lb.state),
        })
        .collect();
    let index = ctx.ask_select(
        "load_balancer",
        t!(
            lang,
            "Which ALB should the alarm watch? (in {region})",
            "どの ALB を監視しますか？（{region}）"
        ),
        &choices,
        0,
    )?;
    let lb = albs[index].clone();
    let groups = ctx.cloud.elb.target_groups(region, &lb.arn)?;
    if groups.is_empty() {
        let name = &lb.name;
        return Err(AppError::Failed(t!(
            lang,
            "The ALB {name} has no target group, so there is no HealthyHostCount to watch. Add a listener that forwards to a target group with your EC2 instance registered, then run `lecture06 run --step alarm` again.",
            "ALB {name} にターゲットグループがないため、監視する HealthyHostCount がありません。EC2 インスタンスを登録したターゲットグループに転送するリスナーを追加してから `lecture06 run --step alarm` を再実行してください。"
        )));
    }
    let choices: Vec<Choice> = groups
        .iter()
        .map(|tg| Choice {
            id: tg.name.clone(),
            label: format!("{}  ({} {})", tg.name, tg.protocol, tg.port),
        })
        .collect();
    let index = ctx.ask_select(
        "target_group",
        t!(
            lang,
            "Which target group?",
            "どのターゲットグループですか？"
        ),
        &choices,
        0,
    )?;
    let tg = groups[index].clone();
    ctx.ui.ok(t!(
        lang,
        "ALB {} with target group {} in {region}.",
        "{region} の ALB {}（ターゲットグループ {}）。",
        lb.name,
        tg.name
    ));
    Ok((lb, tg))
}

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

fn dry_run(
    ctx: &mut StepCtx,
    region: &str,
    topic_name: &str,
    email: &str,
    spec: &AlarmSpec,
) -> AppResult<Value> {
    let existing = ctx.cloud.sns.find_topic(region, topic_name)?;
    let topic_arn = spec.alarm_actions[0].clone();
    if existing.is_none() {
        ctx.ui.plan(
            "sns:CreateTopic",
            &json!({"Region": region, "Name": topic_name, "Tags": [{"Key": TAG.0, "Value": TAG.1}]}),
        );
    }
    let subscribed = existing
        .map(|t| ctx.cloud.sns.subscriptions(region, &t.arn))
        .transpose()?
        .unwrap_or_default()
        .iter()
        .any(|s| s.endpoint.eq_ignore_ascii_case(email));
    if !subscribed {
        ctx.ui.plan(
            "sns:Subscribe",
            &json!({"TopicArn": topic_arn, "Protocol": "email", "Endpoint": email, "ReturnSubscriptionArn": true}),
        );
    }
    ctx.ui.plan("cloudwatch:PutMetricAlarm", &put_params(spec));
    ctx.ui.plan(
        "cloudwatch:SetAlarmState",
        &json!({"AlarmName": spec.name, "StateValue": "ALARM", "StateReason": "(mail test, if you choose it)"}),
    );
    ctx.ui.plan(
        "cloudwatch:SetAlarmState",
        &json!({"AlarmName": spec.name, "StateValue": "OK", "StateReason": "(end of the mail test)"}),
    );
    Ok(json!({"dry_run": true}))
}

/// `PutMetricAlarm`'s parameters as the API names them.
pub fn put_params(spec: &AlarmSpec) -> Value {
    json!({
        "AlarmName": spec.name,
        "AlarmDescription": spec.description,
        "Namespace": spec.namespace,
        "MetricName": spec.metric,
        "Statistic": spec.statistic,
        "Dimensions": spec.dimensions.iter().map(|(n, v)| json!({"Name": n, "Value": v})).collect::<Vec<_>>(),
        "Period": spec.period,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.comparison,
        "TreatMissingData": spec.treat_missing_data,
        "ActionsEnabled": true,
        "AlarmActions": spec.alarm_actions,
        "OKActions": spec.ok_actions,
        "Tags": [{"Key": TAG.0, "Value": TAG.1}],
    })
}

/// The topic of that name: the one this step made before, an existing one, or a new one. A new
/// topic's ARN is known before `CreateTopic`, so it is recorded first: a crash right after the
/// call cannot leave an unrecorded topic.
fn ensure_topic(
    ctx: &mut StepCtx,
    region: &str,
    name: &str,
    predicted_arn: &str,
    tags: &[(String, String)],
) -> AppResult<Topic> {
    let lang = ctx.lang;
    if let Some(found) = ctx.cloud.sns.find_topic(region, name)? {
        let ours = ctx.created_by_lecture06(&found.arn);
        if ours {
            ctx.ui.ok(t!(
                lang,
                "Reusing the topic {name}.",
                "トピック {name} を再利用します。"
            ));
        } else {
            ctx.ui.ok(t!(
                lang,
                "The topic {name} exists already: using it (lecture06 will not delete it).",
                "トピック {name} は既にあるので使います（lecture06 は削除しません）。"
            ));
        }
        ctx.set_progress("topic", &found)?;
        return Ok(found);
    }
    ctx.record_resource("sns-topic", predicted_arn, region)?;
    let topic = ctx.cloud.sns.create_topic(region, name, tags)?;
    if topic.arn != predicted_arn {
        ctx.record_resource("sns-topic", &topic.arn, region)?;
    }
    ctx.set_progress("topic", &topic)?;
    ctx.ui.ok(t!(
        lang,
        "Created the topic {name}.",
        "トピック {name} を作成しました。"
    ));
    Ok(topic)
}

/// A policy that keeps CloudWatch out stops the step; a KMS key gets a warning (its key policy
/// cannot be read here).
fn check_topic(ctx: &mut StepCtx, region: &str, topic: &Topic) -> AppResult<()> {
    let lang = ctx.lang;
    let settings = ctx.cloud.sns.topic_settings(region, &topic.arn)?;
    let name = &topic.name;
    if settings
        .policy
        .as_deref()
        .is_some_and(policy_blocks_cloudwatch)
    {
        return Err(AppError::Failed(t!(
            lang,
            "The access policy of the topic {name} does not let CloudWatch publish to it, so the alarm could not mail you. Add a statement allowing \"sns:Publish\" to the principal {{\"Service\": \"cloudwatch.amazonaws.com\"}} (or restore the default policy), or give another topic name ([alarm] topic).",
            "トピック {name} のアクセスポリシーでは CloudWatch が発行（Publish）できないため、アラームのメールが届きません。プリンシパル {{\"Service\": \"cloudwatch.amazonaws.com\"}} に \"sns:Publish\" を許可するステートメントを追加する（または既定のポリシーに戻す）か、別のトピック名（[alarm] topic）を指定してください。"
        )));
    }
    if let Some(key) = settings.kms_key {
        ctx.ui.warn(t!(
            lang,
            "The topic {name} is encrypted with the KMS key {key}. CloudWatch can only publish to it if that key's policy allows kms:Decrypt and kms:GenerateDataKey* to the principal cloudwatch.amazonaws.com (the AWS managed key alias/aws/sns does not). If no mail arrives, that is why.",
            "トピック {name} は KMS キー {key} で暗号化されています。キーポリシーでプリンシパル cloudwatch.amazonaws.com に kms:Decrypt と kms:GenerateDataKey* を許可しないと、CloudWatch は発行できません（AWS マネージドキー alias/aws/sns では不可）。メールが届かない場合はこれが原因です。"
        ));
    }
    Ok(())
}

/// The e-mail subscription, made once, and the wait for its confirmation.
fn ensure_subscription(
    ctx: &mut StepCtx,
    region: &str,
    topic: &Topic,
    email: &str,
) -> AppResult<SubscriptionEvidence> {
    let lang = ctx.lang;
    let listed = ctx.cloud.sns.subscriptions(region, &topic.arn)?;
    let mine = listed
        .iter()
        .find(|s| s.protocol == "email" && s.endpoint.eq_ignore_ascii_case(email));
    let arn = match (mine, ctx.progress::<String>("subscription_arn")) {
        (Some(s), _) if s.confirmed() => {
            if ctx.progress::<bool>("subscribing").unwrap_or(false) {
                ctx.record_resource("sns-subscription", &s.arn, region)?;
            }
            s.arn.clone()
        }
        (Some(_), Some(arn)) => arn,
        // Not there (never made, expired after 48 h unconfirmed, or deleted), or pending without
        // its ARN at hand: `Subscribe` returns the existing pending subscription's ARN.
        _ => {
            ctx.set_progress("subscribing", &true)?;
            let arn = ctx.cloud.sns.subscribe_email(region, &topic.arn, email)?;
            ctx.record_resource("sns-subscription", &arn, region)?;
            ctx.set_progress("subscription_arn", &arn)?;
            ctx.ui.ok(t!(
                lang,
                "Subscribed {email} to {}: AWS has sent a confirmation mail (\"AWS Notification - Subscription Confirmation\").",
                "{email} を {} に登録しました。確認メール（\"AWS Notification - Subscription Confirmation\"）が送信されました。",
                topic.name
            ));
            arn
        }
    };
    if mine.is_some_and(|s| s.confirmed()) || ctx.progress::<bool>("confirmed") == Some(true) {
        ctx.ui.ok(t!(
            lang,
            "The subscription of {email} is confirmed.",
            "{email} のサブスクリプションは確認済みです。"
        ));
        return Ok(SubscriptionEvidence {
            arn,
            endpoint: email.into(),
            confirmed: true,
            confirmed_at: ctx.progress("confirmed_at"),
            waited_seconds: ctx.progress("waited_seconds"),
        });
    }

    ctx.ui.line(t!(
        lang,
        "Open the mail \"AWS Notification - Subscription Confirmation\" sent to {email} and click \"Confirm subscription\". Not there? Look in the spam folder. The link stays valid for 3 days; you can leave this wait with Ctrl-C and come back later with `lecture06 run`.",
        "{email} 宛ての「AWS Notification - Subscription Confirmation」メールを開き、「Confirm subscription」をクリックしてください。見当たらなければ迷惑メールフォルダも確認してください。リンクは 3 日間有効です。Ctrl-C で待機をやめ、後で `lecture06 run` で再開できます。"
    ));
    let choices = [
        Choice {
            id: "wait".into(),
            label: lang
                .pick("Wait for my click", "クリックするまで待つ")
                .into(),
        },
        Choice {
            id: "skip".into(),
            label: lang
                .pick(
                    "Skip (recorded as unconfirmed; no mail will arrive)",
                    "スキップ（未確認として記録。メールは届きません）",
                )
                .into(),
        },
    ];
    let choice = ctx.ask_select(
        "confirmation",
        t!(lang, "Wait for the confirmation?", "確認を待ちますか？"),
        &choices,
        0,
    )?;
    if choices[choice].id == "skip" {
        ctx.ui.warn(t!(
            lang,
            "Skipped: the subscription stays unconfirmed, so no alarm mail can reach you until you click the link.",
            "スキップしました。リンクをクリックするまでサブスクリプションは未確認のままで、アラームのメールは届きません。"
        ));
        return Ok(SubscriptionEvidence {
            arn,
            endpoint: email.into(),
            confirmed: false,
            confirmed_at: None,
            waited_seconds: None,
        });
    }
    if let Some(prompt) = ctx.cloud.student.offer_confirmation_click(lang)
        && ctx.ask_confirm("click_link", prompt, true)?
    {
        ctx.cloud
            .student
            .click_confirmation_link(&topic.arn, email)?;
    }
    let clock = ctx.cloud.clock.clone();
    let started: DateTime<Utc> = ctx.progress("wait_started").unwrap_or_else(|| clock.now());
    ctx.set_progress("wait_started", &started)?;
    let spinner = ctx.ui.spinner(t!(
        lang,
        "Waiting for {email} to confirm…",
        "{email} の確認を待っています…"
    ));
    let run_started = clock.now();
    loop {
        match ctx.cloud.sns.subscription_pending(region, &arn)? {
            Some(false) => break,
            Some(true) => {}
            None => {
                spinner.finish();
                ctx.forget_progress("subscription_arn")?;
                return Err(AppError::Failed(t!(
                    lang,
                    "The subscription is gone (unconfirmed subscriptions expire after 48 hours). Run `lecture06 run --step alarm` again to subscribe anew.",
                    "サブスクリプションがなくなりました（未確認のものは 48 時間で削除されます）。`lecture06 run --step alarm` を再実行すると登録し直します。"
                )));
            }
        }
        if clock.now() - run_started
            > chrono::Duration::from_std(CONFIRM_TIMEOUT).unwrap_or_default()
        {
            spinner.finish();
            return Err(AppError::Failed(t!(
                lang,
                "Still not confirmed after 30 minutes. Look for the mail (spam folder too), click the link, then run `lecture06 run` again; or set [alarm] confirmation = \"skip\".",
                "30 分待っても確認されませんでした。メール（迷惑メールフォルダも）のリンクをクリックしてから `lecture06 run` を再実行するか、[alarm] confirmation = \"skip\" を指定してください。"
            )));
        }
        clock.sleep(CONFIRM_POLL);
        if crate::clock::stop_requested() {
            spinner.finish();
            return Err(crate::prompt::interrupted(lang));
        }
        let waited = human_duration((clock.now() - started).num_seconds());
        spinner.update(t!(
            lang,
            "Waiting for {email} to confirm… {waited}",
            "{email} の確認を待っています… {waited}"
        ));
    }
    spinner.finish();
    let confirmed_at = clock.now();
    let waited = (confirmed_at - started).num_seconds();
    ctx.set_progress("confirmed", &true)?;
    ctx.set_progress("confirmed_at", &confirmed_at)?;
    ctx.set_progress("waited_seconds", &waited)?;
    ctx.ui.ok(t!(
        lang,
        "Confirmed after {}.",
        "{} で確認されました。",
        human_duration(waited)
    ));
    Ok(SubscriptionEvidence {
        arn,
        endpoint: email.into(),
        confirmed: true,
        confirmed_at: Some(confirmed_at),
        waited_seconds: Some(waited),
    })
}

/// `SetAlarmState` ALARM then OK: the mail path, tested without stopping anything.
fn mail_test(
    ctx: &mut StepCtx,
    region: &str,
    alarm: &str,
    subscription: &SubscriptionEvidence,
) -> AppResult<Option<MailTest>> {
    let lang = ctx.lang;
    if let Some(done) = ctx.progress::<MailTest>("test") {
        return Ok(Some(done));
    }
    if !subscription.confirmed {
        return Ok(None);
    }
    let wanted = ctx.ask_confirm(
        "test_mail",
        t!(
            lang,
            "Send a test ALARM now (SetAlarmState: ALARM, then back to OK)? Nothing is stopped.",
            "テストの ALARM を送りますか？（SetAlarmState で ALARM にしてから OK に戻します。何も停止しません）"
        ),
        true,
    )?;
    if !wanted {
        return Ok(None);
    }
    let clock = ctx.cloud.clock.clone();
    ctx.cloud.alarms.set_alarm_state(
        region,
        alarm,
        "ALARM",
        "Testing the mail path with lecture06 (SetAlarmState); nothing was stopped.",
    )?;
    let alarm_set_at = clock.now();
    ctx.ui.ok(t!(
        lang,
        "Set to ALARM at {} / {}.",
        "{} / {} に ALARM にしました。",
        jst(alarm_set_at),
        utc(alarm_set_at)
    ));
    clock.sleep(Duration::from_secs(30));
    ctx.cloud.alarms.set_alarm_state(
        region,
        alarm,
        "OK",
        "End of the lecture06 mail test; the next evaluation sets the real state.",
    )?;
    // Ctrl-C during the wait cut it short: the state is put back (above); test again on resume.
    if crate::clock::stop_requested() {
        return Err(crate::prompt::interrupted(lang));
    }
    let ok_set_at = clock.now();
    let mut mail_files = Vec::new();
    if let Some(mailbox) = ctx.cloud.student.mailbox() {
        mail_files = ctx
            .cloud
            .student
            .mails_about(alarm)
            .into_iter()
            .map(|mail| mail.name)
            .collect();
        let shown = mailbox.display();
        ctx.ui.line(t!(
            lang,
            "The alarm's mails are in {shown}: {}",
            "アラームのメールは {shown} にあります: {}",
            mail_files.join(", ")
        ));
    }
    let mail_arrived = ctx.ask_confirm(
        "mail_arrived",
        t!(
            lang,
            "Did the mail 'ALARM: \"{alarm}\" in …' arrive? (look in the spam folder too)",
            "「ALARM: \"{alarm}\" in …」のメールは届きましたか？（迷惑メールフォルダも確認）"
        ),
        true,
    )?;
    if !mail_arrived {
        ctx.ui.warn(t!(
            lang,
            "No mail: check the subscription is confirmed (SNS console → Subscriptions), the spam folder, and the address. The alarm itself is set.",
            "メールが届かない場合は、サブスクリプションが確認済みか（SNS コンソール → サブスクリプション）、迷惑メールフォルダ、アドレスを確認してください。アラーム自体は設定済みです。"
        ));
    }
    let test = MailTest {
        alarm_set_at,
        ok_set_at,
        mail_arrived,
        mail_files,
    };
    ctx.set_progress("test", &test)?;
    Ok(Some(test))
}

/// The alarm still exists as the evidence says (cheap: one `DescribeAlarms`).
pub fn recheck(ctx: &mut StepCtx) -> AppResult<Option<String>> {
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

fn settings_line(spec: &AlarmSpec) -> String {
    format!(
        "{} {} {} {} — {}/{} × {} s, missing = {}",
        spec.metric,
        spec.statistic,
        spec.comparison_symbol(),
        spec.threshold,
        spec.datapoints_to_alarm,
        spec.evaluation_periods,
        spec.period,
        spec.treat_missing_data
    )
}

fn summary_of(e: &AlarmEvidence, lang: Lang) -> Vec<String> {
    let mut lines = vec![
        format!(
            "{} ({}): {} — {}",
            e.alarm.spec.name,
            e.region,
            settings_line(&e.alarm.spec),
            e.alarm.state
        ),
        format!(
            "{} {} → {} ({})",
            lang.pick("Topic", "トピック"),
            e.topic.name,
            e.subscription.endpoint,
            if e.subscription.confirmed {
                lang.pick("confirmed", "確認済み")
            } else {
                lang.pick("not confirmed", "未確認")
            }
        ),
        format!("ALB {} / {}", e.load_balancer.name, e.target_group.name),
    ];
    if let Some(test) = &e.test {
        lines.push(t!(
            lang,
            "Test mail: ALARM set at {}, mail arrived: {}",
            "テストメール: {} に ALARM、到着: {}",
            jst(test.alarm_set_at),
            if test.mail_arrived {
                lang.pick("yes", "はい")
            } else {
                lang.pick("no", "いいえ")
            }
        ));
    }
    lines
}

pub fn summary(evidence: &Value, lang: Lang) -> Vec<String> {
    serde_json::from_value::<AlarmEvidence>(evidence.clone())
        .map(|e| summary_of(&e, lang))
        .unwrap_or_default()
}

/// The report section's facts (see `report-templates/<lang>/alarm.md`).
pub fn report_context(evidence: &Value, lang: Lang) -> Value {
    let Ok(e) = serde_json::from_value::<AlarmEvidence>(evidence.clone()) else {
        return Value::Null;
    };
    let spec = &e.alarm.spec;
    let dims: Vec<String> = spec
        .dimensions
        .iter()
        .map(|(n, v)| format!("{n} = {v}"))
        .collect();
    let rows = vec![
        (lang.pick("Alarm name", "アラーム名"), spec.name.clone()),
        (lang.pick("Region", "リージョン"), e.region.clone()),
        (lang.pick("Namespace", "名前空間"), spec.namespace.clone()),
        (lang.pick("Metric", "メトリクス"), spec.metric.clone()),
        (lang.pick("Dimensions", "ディメンション"), dims.join(", ")),
        (lang.pick("Statistic", "統計"), spec.statistic.clone()),
        (lang.pick("Period", "期間"), format!("{} s", spec.period)),
        (
            lang.pick("Condition", "条件"),
            format!(
                "{} {} {}",
                spec.comparison,
                spec.comparison_symbol(),
                spec.threshold
            ),
        ),
        (
            lang.pick("Datapoints to alarm", "アラームを実行するデータポイント"),
            format!("{} / {}", spec.datapoints_to_alarm, spec.evaluation_periods),
        ),
        (
            lang.pick("Missing data", "欠落データの処理"),
            spec.treat_missing_data.clone(),
        ),
        (
            lang.pick("ALARM action", "ALARM アクション"),
            spec.alarm_actions.join(", "),
        ),
        (
            lang.pick("OK action", "OK アクション"),
            spec.ok_actions.join(", "),
        ),
        (lang.pick("State", "状態"), e.alarm.state.clone()),
    ];
    json!({
        "region": e.region,
        "load_balancer": e.load_balancer.name,
        "load_balancer_dns": e.load_balancer.dns_name,
        "target_group": e.target_group.name,
        "config": rows.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
        "alarm_name": spec.name,
        "alarm_arn": e.alarm.arn,
        "state": e.alarm.state,
        "state_reason": e.alarm.state_reason,
        "topic_name": e.topic.name,
        "topic_arn": e.topic.arn,
        "subscription_arn": e.subscription.arn,
        "endpoint": e.subscription.endpoint,
        "confirmed": e.subscription.confirmed,
        "confirmed_at_jst": e.subscription.confirmed_at.map(jst),
        "test": e.test.as_ref().map(|t| json!({
            "alarm_set_jst": jst(t.alarm_set_at),
            "alarm_set_utc": utc(t.alarm_set_at),
            "ok_set_jst": jst(t.ok_set_at),
            "mail_arrived": t.mail_arrived,
        })),
        "describe_json": serde_json::to_string_pretty(&e.alarm).unwrap_or_default(),
    })
}

/// The alarm step, as the registry declares it.
pub struct AlarmStep;

impl super::Step for AlarmStep {
    fn id(&self) -> crate::step_id::StepId {
        crate::step_id::StepId::Alarm
    }

    fn run(&self, ctx: &mut StepCtx) -> AppResult<Value> {
        run(ctx)
    }

    fn recheck(&self, ctx: &mut StepCtx) -> AppResult<Option<String>> {
        recheck(ctx)
    }

    fn summary(&self, evidence: &Value, lang: Lang) -> Vec<String> {
        summary(evidence, lang)
    }

    fn report_context(&self, evidence: &Value, lang: Lang) -> Value {
        report_context(evidence, lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_before_any_call() {
        assert!(check_email("taro@example.com").is_ok());
        assert!(check_email("taro.yamada+aws@mail.example.co.jp").is_ok());
        assert!(check_email("taro@example").is_err());
        assert!(check_email("taro@@example.com").is_err());
        assert!(check_email("taro example@example.com").is_err());
        assert!(check_email("@example.com").is_err());
        assert!(check_email("taro@gmial.com").is_err());
        assert!(check_email("taro@example.c0m").is_err());
    }

    #[test]
    fn settings_validate() {
        let all = settings();
        let find = |key: &str| all.iter().find(|s| s.key == key).unwrap().check;
        assert!(find("period")("60").is_ok());
        assert!(find("period")("30").is_err());
        assert!(find("statistic")("Minimum").is_ok());
        assert!(find("statistic")("min").is_err());
        assert!(find("treat_missing_data")("breaching").is_ok());
        assert!(find("threshold")("0.5").is_ok());
        for s in &all {
            assert!((s.check)(s.default).is_ok(), "{} default", s.key);
        }
    }
}
