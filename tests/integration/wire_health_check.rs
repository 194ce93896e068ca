//! The health-check preflight's adapter over the wire, against moto: the target group's health
//! check as read (path, protocol, port, matcher), `ModifyTargetGroup` pointing it at another path,
//! and `cleanup` putting the old path back from its `health-check-path` record. The oracle is
//! moto's own `DescribeTargetGroups`, read with the raw SDK client.

use crate::harness::{moto_url, sdk_config};
use crate::wire_alarm::{moto_alb, unique};
use lecture06::aws::Aws;
use lecture06::i18n::Lang;
use lecture06::state::Resource;
use lecture06::step_id::StepId;

const REGION: &str = "ap-southeast-2";

#[test]
fn modify_target_group_and_cleanup_puts_the_old_path_back() {
    let config = sdk_config(REGION, Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let name = unique("hc");
    let name = &name[..name.len().min(28)];
    let (lb_arn, tg_arn, _) = moto_alb(&config, &runtime, name, "/index.html");
    let raw = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let path_in_moto = || {
        runtime
            .block_on(
                raw.describe_target_groups()
                    .target_group_arns(&tg_arn)
                    .send(),
            )
            .unwrap()
            .target_groups()[0]
            .health_check_path()
            .unwrap()
            .to_string()
    };

    let cloud = Aws::from_config(config.clone()).unwrap().connect();
    let group = cloud
        .elb
        .target_groups(REGION, &lb_arn)
        .unwrap()
        .into_iter()
        .find(|g| g.arn == tg_arn)
        .unwrap();
    assert_eq!(group.health_check.path, "/index.html");
    assert_eq!(group.health_check.protocol, "HTTP");
    assert_eq!(group.health_check.port, "traffic-port");
    assert_eq!(group.health_check.matcher, "200");

    cloud
        .elb
        .set_health_check_path(REGION, &tg_arn, "/up")
        .unwrap();
    assert_eq!(path_in_moto(), "/up");

    // What the step records before it changes the path; cleanup puts the old one back.
    let record = Resource {
        kind: "health-check-path".into(),
        id: format!("{tg_arn}#/index.html"),
        region: REGION.into(),
        step: StepId::Transitions,
        created_at: chrono::Utc::now(),
    };
    let (kept, outcomes) = lecture06::commands::cleanup::delete_all(
        &cloud,
        std::slice::from_ref(&record),
        None,
        Lang::En,
    );
    assert_eq!(outcomes, vec![Ok(None)], "{outcomes:?}");
    assert!(kept.is_empty());
    assert_eq!(path_in_moto(), "/index.html");

    // A target group that is gone is not an error that blocks cleanup forever.
    let missing = cloud.elb.set_health_check_path(
        REGION,
        &tg_arn.replace(&tg_arn[tg_arn.len() - 16..], "0000000000000000"),
        "/",
    );
    assert!(missing.is_err());
}
