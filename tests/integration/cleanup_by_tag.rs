//! A lost state never orphans AWS resources: with `state.json` gone, `cleanup` finds what lecture06
//! made from its `created-by = lecture06` tag, lists it (kind, id, Region, tag) before asking,
//! and deletes only the tagged resources. In the sandbox through the real binary, and against
//! moto through the real SDK adapters (SNS directly, CloudWatch through the CBOR bridge).

use crate::harness::{Workspace, moto_url, sdk_config};
use lecture06::aws::Aws;
use lecture06::commands::cleanup::{delete_all, find_by_tag};
use lecture06::i18n::Lang;
use serde_json::Value;

const ANSWERS: &str = "[alarm]\nemail = \"taro@example.com\"\n";

fn world_path(ws: &Workspace) -> std::path::PathBuf {
    ws.path().join(".lecture06/sandbox/world.json")
}

fn world(ws: &Workspace) -> Value {
    serde_json::from_str(&std::fs::read_to_string(world_path(ws)).unwrap()).unwrap()
}

fn names(world: &Value, part: &str, field: &dyn Fn(&Value) -> String) -> Vec<String> {
    world["monitoring"][part]
        .as_array()
        .unwrap()
        .iter()
        .map(field)
        .collect()
}

#[test]
fn cleanup_after_state_json_is_deleted_finds_lecture06s_resources_by_tag() {
    let ws = Workspace::new();
    let answers = ws.write("answers.toml", ANSWERS);
    ws.run_sandbox(&[
        "run",
        "--yes",
        "--until",
        "alarm",
        "--answers",
        answers.to_str().unwrap(),
    ])
    .success();
    // The student's own alarm and topic, made in the console: no lecture06 tag.
    let mut w = world(&ws);
    let monitoring = &mut w["monitoring"];
    let mut own_alarm = monitoring["alarms"][0].clone();
    own_alarm["info"]["spec"]["name"] = "my-own-alarm".into();
    own_alarm["info"]["arn"] =
        "arn:aws:cloudwatch:ap-northeast-1:556312345678:alarm:my-own-alarm".into();
    own_alarm["tags"] = Value::Array(vec![]);
    monitoring["alarms"].as_array_mut().unwrap().push(own_alarm);
    let mut own_topic = monitoring["topics"][0].clone();
    own_topic["name"] = "my-own-topic".into();
    own_topic["arn"] = "arn:aws:sns:ap-northeast-1:556312345678:my-own-topic".into();
    own_topic["tags"] = Value::Array(vec![]);
    monitoring["topics"].as_array_mut().unwrap().push(own_topic);
    std::fs::write(world_path(&ws), serde_json::to_vec_pretty(&w).unwrap()).unwrap();
    let lecture06_alarm = w["monitoring"]["alarms"][0]["info"]["spec"]["name"]
        .as_str()
        .unwrap()
        .to_string();

    std::fs::remove_file(ws.state_path()).unwrap();
    let _ = std::fs::remove_file(ws.path().join(".lecture06/state.json.prev"));

    // Without a terminal and without --yes: listed, nothing deleted, exit 2 asking for --yes.
    let asked = ws.run_sandbox(&["cleanup"]);
    assert_eq!(asked.code, 2, "{}", asked.all());
    let listing =
        format!("  cloudwatch-alarm {lecture06_alarm} (ap-northeast-1) created-by=lecture06");
    assert!(asked.stdout.contains(&listing), "{}", asked.stdout);
    assert!(asked.stdout.contains("  sns-topic "), "{}", asked.stdout);
    assert!(!asked.stdout.contains("my-own"), "{}", asked.stdout);
    assert_eq!(
        names(&world(&ws), "alarms", &|a| a["info"]["spec"]["name"]
            .to_string())
        .len(),
        2
    );

    // --yes: listed all the same, then only the tagged ones are deleted.
    let done = ws.run_sandbox(&["cleanup", "--yes"]);
    done.success();
    assert!(done.stdout.contains(&listing), "{}", done.stdout);
    let w = world(&ws);
    let alarm = |a: &Value| a["info"]["spec"]["name"].as_str().unwrap().to_string();
    let topic = |t: &Value| t["name"].as_str().unwrap().to_string();
    assert_eq!(names(&w, "alarms", &alarm), ["my-own-alarm"]);
    assert_eq!(names(&w, "topics", &topic), ["my-own-topic"]);
}

#[test]
fn tagged_topics_and_alarms_are_found_and_only_they_are_deleted_against_moto() {
    // A Region no other wire test uses, so that only this test's resources are in it.
    const REGION: &str = "ca-central-1";
    let config = sdk_config(REGION, Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE");
    let mut cloud = Aws::from_config(config.clone()).unwrap().connect();
    let bridged = sdk_config(
        REGION,
        None,
        Some(crate::wire_alarm::cbor_bridge()),
        "AKIAIOSFODNN7EXAMPLE",
    );
    cloud.alarms = Aws::from_config(bridged).unwrap().connect().alarms;

    let ours = vec![("created-by".to_string(), "lecture06".to_string())];
    let theirs = vec![("created-by".to_string(), "someone-else".to_string())];
    let our_topic = cloud
        .sns
        .create_topic(REGION, "lecture06-alb-alarm", &ours)
        .unwrap();
    let their_topic = cloud
        .sns
        .create_topic(REGION, "their-topic", &theirs)
        .unwrap();
    let bare_topic = cloud.sns.create_topic(REGION, "bare-topic", &[]).unwrap();
    let our_alarm = crate::wire_alarm::spec("lecture06-alb-unhealthy");
    let their_alarm = crate::wire_alarm::spec("their-alarm");
    cloud.alarms.put_alarm(REGION, &our_alarm, &ours).unwrap();
    cloud.alarms.put_alarm(REGION, &their_alarm, &[]).unwrap();

    let found = find_by_tag(&cloud, REGION).unwrap();
    let listed: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|r| (r.kind.as_str(), r.id.as_str(), r.region.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("cloudwatch-alarm", "lecture06-alb-unhealthy", REGION),
            ("sns-topic", our_topic.arn.as_str(), REGION),
        ]
    );

    let (kept, failures) = delete_all(&cloud, &found, None, Lang::En);
    assert!(
        kept.is_empty() && failures.iter().all(|f| matches!(f, Ok(None))),
        "{failures:?}"
    );
    assert_eq!(
        cloud
            .alarms
            .describe_alarm(REGION, "lecture06-alb-unhealthy")
            .unwrap(),
        None
    );
    assert!(
        cloud
            .alarms
            .describe_alarm(REGION, "their-alarm")
            .unwrap()
            .is_some()
    );
    assert_eq!(
        cloud.sns.find_topic(REGION, "lecture06-alb-alarm").unwrap(),
        None
    );
    assert_eq!(
        cloud.sns.find_topic(REGION, "their-topic").unwrap(),
        Some(their_topic.clone())
    );
    assert_eq!(
        cloud.sns.find_topic(REGION, "bare-topic").unwrap(),
        Some(bare_topic.clone())
    );
    // Leave the Region as found for a second run against the same moto.
    cloud.alarms.delete_alarm(REGION, "their-alarm").unwrap();
    cloud.sns.delete_topic(REGION, &their_topic.arn).unwrap();
    cloud.sns.delete_topic(REGION, &bare_topic.arn).unwrap();
}

/// Issue 13 item 3: after `state.json` is lost, running the alarm step again found the old topic
/// and took it for someone else's (the record was the only proof). Its `created-by` tag now says
/// it is lecture06's: it is recorded again, so `status` and `cleanup` know it.
#[test]
fn a_rerun_after_the_state_is_lost_takes_the_tagged_topic_back() {
    let ws = Workspace::new();
    let answers = ws.write("answers.toml", ANSWERS);
    let alarm_step = [
        "run",
        "--yes",
        "--step",
        "alarm",
        "--answers",
        answers.to_str().unwrap(),
    ];
    ws.run_sandbox(&alarm_step).success();
    let topic_arn = world(&ws)["monitoring"]["topics"][0]["arn"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::remove_file(ws.state_path()).unwrap();
    let _ = std::fs::remove_file(ws.path().join(".lecture06/state.json.prev"));

    let again = ws.run_sandbox(&alarm_step);
    again.success();
    assert!(again.all().contains("Reusing the topic"), "{}", again.all());
    assert!(!again.all().contains("exists already"), "{}", again.all());
    let recorded: Vec<String> = ws.state()["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "sns-topic")
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(recorded, [topic_arn]);
    assert_eq!(
        world(&ws)["monitoring"]["topics"].as_array().unwrap().len(),
        1,
        "no second topic"
    );
}
