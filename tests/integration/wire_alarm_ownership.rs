//! Issue 13 items 2, 8 and 9: the alarm step never adopts someone else's alarm, a record made
//! before a call AWS refused is taken back, records keep their Region, and `cleanup` deletes only
//! what carries lecture06's tag.
//!
//! The step runs in this process against moto, through the real SDK clients: CloudWatch through
//! the CBOR bridge of `wire_alarm` (moto serves CloudWatch as JSON only), every other service
//! forwarded to moto unchanged. The "someone else's" alarms are made with the SDK's own
//! CloudWatch client, never through lecture06's code.

use crate::harness::{moto_url, sdk_config};
use crate::wire_alarm::{cbor_to_json, post, spec, to_cbor_bytes, unique};
use aws_smithy_types::body::SdkBody;
use ciborium::Value as Cbor;
use lecture06::aws::Aws;
use lecture06::cloud::Cloud;
use lecture06::error::AppError;
use lecture06::i18n::Lang;
use lecture06::prompt::{Answers, Scripted};
use lecture06::state::{Mode, State, Workspace};
use lecture06::step_id::StepId;
use lecture06::steps::{self, RunOptions, RunScope, StepCtx};
use lecture06::ui::Ui;
use serde_json::{Value, json};

/// What CloudWatch answers a caller without `cloudwatch:PutMetricAlarm`. No captured wire body of
/// this error exists in the shared test data (SOURCES.md lists none for CloudWatch): it is built
/// from CloudWatch's published model, whose RPC v2 CBOR errors carry `__type` and `message`, with
/// the message IAM gives for a missing permission, sent with HTTP 403.
fn access_denied() -> Value {
    json!({
        "__type": "AccessDenied",
        "message": "User: arn:aws:iam::123456789012:user/student is not authorized to perform: cloudwatch:PutMetricAlarm on resource: arn:aws:cloudwatch:ap-southeast-2:123456789012:alarm:lecture06-alb-unhealthy because no identity-based policy allows the cloudwatch:PutMetricAlarm action"
    })
}

/// The SDK's HTTP client: CloudWatch's RPC v2 CBOR re-sent to moto as awsJson1.0 (answers back
/// as CBOR), everything else forwarded to moto as it is. With `deny_put`, `PutMetricAlarm` is
/// answered with AccessDenied instead.
pub(crate) fn moto_bridge(
    deny_put: bool,
) -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    let moto = moto_url();
    aws_smithy_http_client::test_util::infallible_client_fn(move |req: http::Request<SdkBody>| {
        let bytes = req.body().bytes().unwrap_or_default().to_vec();
        let path = req.uri().path().to_string();
        let Some(op) = path.strip_prefix("/service/GraniteServiceVersion20100801/operation/")
        else {
            let headers: Vec<(&str, String)> = req
                .headers()
                .iter()
                .filter(|(name, _)| *name != "host" && *name != "content-length")
                .map(|(name, value)| (name.as_str(), value.to_str().unwrap().to_string()))
                .collect();
            let (status, body) = post(&moto, &headers, &bytes);
            return http::Response::builder()
                .status(status)
                .body(SdkBody::from(body))
                .unwrap();
        };
        let cbor = |status: u16, answer: &Value| {
            http::Response::builder()
                .status(status)
                .header("smithy-protocol", "rpc-v2-cbor")
                .header("content-type", "application/cbor")
                .body(SdkBody::from(to_cbor_bytes(answer)))
                .unwrap()
        };
        assert_eq!(
            req.headers().get("smithy-protocol").unwrap(),
            "rpc-v2-cbor",
            "the SDK speaks RPC v2 CBOR"
        );
        if deny_put && op == "PutMetricAlarm" {
            return cbor(403, &access_denied());
        }
        let input = if bytes.is_empty() {
            json!({})
        } else {
            cbor_to_json(&ciborium::from_reader::<Cbor, _>(&bytes[..]).unwrap())
        };
        let auth = req
            .headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let (status, body) = post(
            &moto,
            &[
                ("Content-Type", "application/x-amz-json-1.0".into()),
                (
                    "X-Amz-Target",
                    format!("GraniteServiceVersion20100801.{op}"),
                ),
                ("Authorization", auth),
            ],
            input.to_string().as_bytes(),
        );
        let answer: Value = serde_json::from_slice(&body).unwrap_or_else(|_| json!({}));
        cbor(status, &answer)
    })
}

fn config(region: &str, deny_put: bool) -> aws_config::SdkConfig {
    sdk_config(
        region,
        None,
        Some(moto_bridge(deny_put)),
        "AKIAIOSFODNN7EXAMPLE",
    )
}

fn cloud(region: &str, deny_put: bool) -> Cloud {
    Aws::from_config(config(region, deny_put))
        .unwrap()
        .connect()
}

/// Someone else's alarm, made with the SDK's own client (no tags), as the console would.
fn foreign_alarm(region: &str, name: &str) {
    let client = aws_sdk_cloudwatch::Client::new(&config(region, false));
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(
            client
                .put_metric_alarm()
                .alarm_name(name)
                .alarm_description("made by hand in the console")
                .namespace("AWS/EC2")
                .metric_name("CPUUtilization")
                .statistic(aws_sdk_cloudwatch::types::Statistic::Average)
                .period(300)
                .evaluation_periods(2)
                .threshold(80.0)
                .comparison_operator(
                    aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold,
                )
                .send(),
        )
        .expect("moto takes the alarm");
}

/// `DescribeAlarms` for one name through the SDK's own client, as text to compare.
fn described(region: &str, name: &str) -> String {
    let client = aws_sdk_cloudwatch::Client::new(&config(region, false));
    let out = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(client.describe_alarms().alarm_names(name).send())
        .unwrap();
    format!("{:?}", out.metric_alarms())
}

/// An ALB with a target group behind a listener, in moto.
fn alb(region: &str, name: &str) {
    let config = config(region, false);
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    use aws_sdk_elasticloadbalancingv2::types::{Action, ActionTypeEnum, ProtocolEnum};
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let vpc = ec2
            .create_vpc()
            .cidr_block("10.0.0.0/16")
            .send()
            .await
            .unwrap();
        let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
        let mut subnets = Vec::new();
        for (cidr, az) in [("10.0.1.0/24", "a"), ("10.0.2.0/24", "b")] {
            let s = ec2
                .create_subnet()
                .vpc_id(&vpc_id)
                .cidr_block(cidr)
                .availability_zone(format!("{region}{az}"))
                .send()
                .await
                .unwrap();
            subnets.push(s.subnet().unwrap().subnet_id().unwrap().to_string());
        }
        let lb = elb
            .create_load_balancer()
            .name(name)
            .set_subnets(Some(subnets))
            .send()
            .await
            .unwrap();
        let lb_arn = lb.load_balancers()[0].load_balancer_arn().unwrap();
        let tg = elb
            .create_target_group()
            .name(name)
            .protocol(ProtocolEnum::Http)
            .port(80)
            .vpc_id(&vpc_id)
            .send()
            .await
            .unwrap();
        let tg_arn = tg.target_groups()[0].target_group_arn().unwrap();
        elb.create_listener()
            .load_balancer_arn(lb_arn)
            .protocol(ProtocolEnum::Http)
            .port(80)
            .default_actions(
                Action::builder()
                    .r#type(ActionTypeEnum::Forward)
                    .target_group_arn(tg_arn)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    });
}

/// Runs the alarm step as `run --yes --answers …` would, on a fresh state.
fn run_step(cloud: &Cloud, answers: &str, state: &mut State) -> Result<Value, AppError> {
    let dir = tempfile::tempdir().unwrap();
    let workspace = Workspace::at(dir.path(), Lang::En);
    let ui = Ui::new(Lang::En, false);
    let options = RunOptions::default();
    let session = lecture06::session::Session::default();
    let examples = lecture06::cloud::student::Examples::none();
    let scope = RunScope {
        lang: Lang::En,
        ui: &ui,
        cloud,
        workspace: &workspace,
        options: &options,
        session: &session,
        examples: &examples,
    };
    let mut prompter = Scripted {
        answers: Answers::parse(answers, Lang::En).unwrap(),
        lang: Lang::En,
    };
    let mut ctx = StepCtx::new(StepId::Alarm, &scope, &mut prompter, state);
    steps::get(StepId::Alarm)
        .run(&mut ctx)
        .map(|evidence| evidence.expect("not a dry run"))
}

fn kinds(state: &State) -> Vec<(&str, &str, &str)> {
    state
        .resources
        .iter()
        .map(|r| (r.kind.as_str(), r.id.as_str(), r.region.as_str()))
        .collect()
}

#[test]
fn someone_elses_alarm_is_not_adopted_under_yes() {
    let region = "eu-west-3";
    let name = unique("console-alarm");
    foreign_alarm(region, &name);
    let before = described(region, &name);
    assert!(before.contains(&name), "{before}");

    let cloud = cloud(region, false);
    let mut state = State::new(Mode::Real, chrono::Utc::now());
    let answers = format!("[alarm]\nemail = \"taro@example.com\"\nalarm_name = \"{name}\"\n");
    let err = run_step(&cloud, &answers, &mut state).expect_err("the step refuses");
    assert_eq!(err.exit_code(), 2, "{err}");
    let text = err.to_string();
    assert!(text.contains("[alarm]"), "{text}");
    assert!(text.contains("alarm_name = "), "{text}");
    assert!(text.contains(&name), "{text}");

    assert_eq!(described(region, &name), before, "the alarm is untouched");
    assert!(
        kinds(&state)
            .iter()
            .all(|(kind, _, _)| *kind != "cloudwatch-alarm"),
        "{:?}",
        kinds(&state)
    );

    // Saying so explicitly is the only way to overwrite it, and it is still not recorded.
    let take_over = format!("{answers}existing_alarm = \"take-over\"\n");
    let mut state = State::new(Mode::Real, chrono::Utc::now());
    let err = run_step(&cloud, &take_over, &mut state).expect_err("no ALB in this Region");
    assert!(
        err.to_string().contains("Application Load Balancer"),
        "{err}"
    );
    assert!(kinds(&state).is_empty(), "{:?}", kinds(&state));
}

#[test]
fn access_denied_on_put_metric_alarm_leaves_no_alarm_record() {
    let region = "eu-south-1";
    let name = unique("l06");
    let short = &name[..name.len().min(28)];
    alb(region, short);
    let alarm = unique("lecture06-alb-unhealthy");
    let cloud = cloud(region, true);
    let mut state = State::new(Mode::Real, chrono::Utc::now());
    let answers = format!(
        "[alarm]\nemail = \"taro@example.com\"\ntopic = \"{short}\"\nalarm_name = \"{alarm}\"\nload_balancer = \"{short}\"\nconfirmation = \"skip\"\n"
    );
    let err = run_step(&cloud, &answers, &mut state).expect_err("PutMetricAlarm is denied");
    let text = err.to_string();
    assert!(text.contains("cloudwatch:PutMetricAlarm"), "{text}");

    let recorded = kinds(&state);
    assert!(
        recorded
            .iter()
            .all(|(kind, _, _)| *kind != "cloudwatch-alarm"),
        "the alarm was never created, so it is not listed: {recorded:?}"
    );
    // The topic and the subscription were made, and stay recorded.
    assert!(
        recorded
            .iter()
            .any(|(kind, id, _)| *kind == "sns-topic" && id.ends_with(&format!(":{short}"))),
        "{recorded:?}"
    );
    assert_eq!(described(region, &alarm), "[]");
}

#[test]
fn cleanup_never_deletes_an_alarm_lecture06_did_not_tag() {
    let region = "eu-north-1";
    let cloud = cloud(region, false);
    let theirs = unique("console-alarm");
    foreign_alarm(region, &theirs);
    let ours = unique("lecture06-alb-unhealthy");
    let tags = vec![("created-by".to_string(), "lecture06".to_string())];
    cloud.alarms.put_alarm(region, &spec(&ours), &tags).unwrap();

    let record = |id: &str| lecture06::state::Resource {
        kind: "cloudwatch-alarm".into(),
        id: id.into(),
        region: region.into(),
        step: StepId::Alarm,
        created_at: chrono::Utc::now(),
    };
    // A stale record (as an older lecture06 left after a refused PutMetricAlarm) names theirs.
    let resources = [record(&theirs), record(&ours)];
    let (kept, outcomes) =
        lecture06::commands::cleanup::delete_all(&cloud, &resources, None, Lang::En);
    assert!(
        matches!(&outcomes[0], Ok(Some(why)) if why.contains("created-by")),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[1], Ok(None));
    assert!(kept.is_empty(), "neither stays listed: {kept:?}");
    assert!(described(region, &theirs).contains(&theirs), "theirs stays");
    assert_eq!(described(region, &ours), "[]", "ours is gone");
}

#[test]
fn alarms_of_one_name_in_two_regions_are_recorded_and_cleaned_separately() {
    let (east, west) = ("us-east-2", "us-west-1");
    let name = unique("lecture06-alb-unhealthy");
    let tags = vec![("created-by".to_string(), "lecture06".to_string())];
    let cloud = cloud(east, false);

    let dir = tempfile::tempdir().unwrap();
    let workspace = Workspace::at(dir.path(), Lang::En);
    let ui = Ui::new(Lang::En, false);
    let options = RunOptions::default();
    let session = lecture06::session::Session::default();
    let examples = lecture06::cloud::student::Examples::none();
    let scope = RunScope {
        lang: Lang::En,
        ui: &ui,
        cloud: &cloud,
        workspace: &workspace,
        options: &options,
        session: &session,
        examples: &examples,
    };
    let mut prompter = Scripted {
        answers: Answers::default(),
        lang: Lang::En,
    };
    let mut state = State::new(Mode::Real, chrono::Utc::now());
    let mut ctx = StepCtx::new(StepId::Alarm, &scope, &mut prompter, &mut state);
    for region in [east, west, east] {
        ctx.record_then("cloudwatch-alarm", &name, region, |cloud| {
            cloud.alarms.put_alarm(region, &spec(&name), &tags)
        })
        .unwrap();
    }
    assert_eq!(
        kinds(&state),
        [
            ("cloudwatch-alarm", name.as_str(), east),
            ("cloudwatch-alarm", name.as_str(), west)
        ],
        "one record per Region, none twice"
    );
    assert!(described(west, &name).contains(&name));

    let (kept, outcomes) =
        lecture06::commands::cleanup::delete_all(&cloud, &state.resources, None, Lang::En);
    assert_eq!(outcomes, [Ok(None), Ok(None)]);
    assert!(kept.is_empty());
    assert_eq!(described(east, &name), "[]");
    assert_eq!(described(west, &name), "[]");
}

/// The topic's ARN by name, through the SDK's own SNS client (not lecture06's adapter).
fn topic_exists(region: &str, name: &str) -> bool {
    let client = aws_sdk_sns::Client::new(&config(region, false));
    let out = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(client.list_topics().send())
        .unwrap();
    out.topics().iter().any(|t| {
        t.topic_arn()
            .is_some_and(|a| a.ends_with(&format!(":{name}")))
    })
}

/// Issue 22 item 4: two folders on one account, with the same names. The second finds the
/// first's topic and alarm: it says they are another folder's, uses the topic without taking it
/// over (one topic of a name per Region: a second copy is impossible, and a renamed copy would
/// only double the mails), refuses to overwrite the alarm without an explicit take-over, and
/// records neither; the second folder's `cleanup`, even with stale records naming them, leaves
/// them alone; the first folder's `cleanup` deletes them.
#[test]
fn a_second_folder_neither_takes_over_nor_deletes_the_first_folders_resources() {
    let region = "ap-southeast-2";
    let name = unique("l06ws");
    let short = &name[..name.len().min(28)];
    alb(region, short);
    let alarm = unique("lecture06-alb-unhealthy");
    let cloud = cloud(region, false);
    let answers = format!(
        "[alarm]\nemail = \"taro@example.com\"\ntopic = \"{short}\"\nalarm_name = \"{alarm}\"\nload_balancer = \"{short}\"\nconfirmation = \"skip\"\ntest_mail = false\n"
    );

    let mut first = State::new(Mode::Real, chrono::Utc::now());
    let _ = run_step(&cloud, &answers, &mut first);
    assert!(!first.workspace_id.is_empty(), "the first folder has an id");
    let first_kinds: Vec<&str> = kinds(&first).iter().map(|(k, _, _)| *k).collect();
    assert!(first_kinds.contains(&"sns-topic"), "{first_kinds:?}");
    assert!(first_kinds.contains(&"cloudwatch-alarm"), "{first_kinds:?}");
    assert!(described(region, &alarm).contains(&alarm));

    // The second folder (another temporary directory, so another id), same answers.
    let mut second = State::new(Mode::Real, chrono::Utc::now());
    let err = run_step(&cloud, &answers, &mut second).expect_err("the alarm is not taken over");
    assert_ne!(second.workspace_id, first.workspace_id);
    let text = err.to_string();
    assert!(text.contains("another folder"), "{text}");
    assert!(
        text.contains(&first.workspace_id),
        "names the other folder: {text}"
    );
    assert!(text.contains("alarm_name = "), "says what to do: {text}");
    assert!(
        kinds(&second)
            .iter()
            .all(|(kind, _, _)| *kind != "sns-topic" && *kind != "cloudwatch-alarm"),
        "nothing of the first folder's is recorded here: {:?}",
        kinds(&second)
    );

    // A stale record in the second folder (as the version before this one left it) names the
    // first folder's topic and alarm: its cleanup leaves them, and says whose they are.
    let stale: Vec<lecture06::state::Resource> = first
        .resources
        .iter()
        .filter(|r| r.kind == "sns-topic" || r.kind == "cloudwatch-alarm")
        .cloned()
        .collect();
    let (kept, outcomes) = lecture06::commands::cleanup::delete_all(
        &cloud,
        &stale,
        Some(&second.workspace_id),
        Lang::En,
    );
    assert!(kept.is_empty(), "no longer listed there: {kept:?}");
    for outcome in &outcomes {
        assert!(
            matches!(outcome, Ok(Some(why)) if why.contains("another folder") && why.contains(&first.workspace_id)),
            "{outcomes:?}"
        );
    }
    assert!(
        described(region, &alarm).contains(&alarm),
        "the alarm stays"
    );
    assert!(topic_exists(region, short), "the topic stays");

    // The first folder's cleanup deletes them.
    let (kept, outcomes) = lecture06::commands::cleanup::delete_all(
        &cloud,
        &first.resources,
        Some(&first.workspace_id),
        Lang::En,
    );
    assert!(kept.is_empty(), "{kept:?} {outcomes:?}");
    assert_eq!(described(region, &alarm), "[]");
    assert!(!topic_exists(region, short));
}

/// Issue 22 item 7: `cleanup` reads a topic's tags before deleting it, as it does an alarm's. A
/// recorded topic made by hand (no tags) or tagged by someone else is left alone, a tagged one
/// of lecture06's is deleted. The topics are made with the SDK's own client.
#[test]
fn cleanup_never_deletes_a_topic_lecture06_did_not_tag() {
    let region = "eu-central-2";
    let cloud = cloud(region, false);
    let client = aws_sdk_sns::Client::new(&config(region, false));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let make = |name: &str, tag: Option<(&str, &str)>| -> String {
        let mut request = client.create_topic().name(name);
        if let Some((key, value)) = tag {
            request = request.tags(
                aws_sdk_sns::types::Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .unwrap(),
            );
        }
        let out = runtime.block_on(request.send()).unwrap();
        out.topic_arn().unwrap().to_string()
    };
    let bare = unique("by-hand");
    let theirs = unique("theirs");
    let ours = unique("lecture06-alb-alarm");
    let arns = [
        make(&bare, None),
        make(&theirs, Some(("created-by", "someone-else"))),
        make(&ours, Some(("created-by", "lecture06"))),
    ];
    let resources: Vec<lecture06::state::Resource> = arns
        .iter()
        .map(|arn| lecture06::state::Resource {
            kind: "sns-topic".into(),
            id: arn.clone(),
            region: region.into(),
            step: StepId::Alarm,
            created_at: chrono::Utc::now(),
        })
        .collect();
    let (kept, outcomes) =
        lecture06::commands::cleanup::delete_all(&cloud, &resources, None, Lang::En);
    for outcome in &outcomes[..2] {
        assert!(
            matches!(outcome, Ok(Some(why)) if why.contains("created-by = lecture06")),
            "{outcomes:?}"
        );
    }
    assert_eq!(outcomes[2], Ok(None));
    assert!(kept.is_empty(), "{kept:?}");
    assert!(topic_exists(region, &bare), "made by hand: stays");
    assert!(topic_exists(region, &theirs), "someone else's: stays");
    assert!(!topic_exists(region, &ours), "lecture06's: deleted");
}
