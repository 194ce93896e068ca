//! `lecture06 iam-policy` covers what the code calls. The oracle is the source itself: every IAM
//! action named as a string in the AWS adapters (`src/aws/`) and in the simulated account's call
//! log (`src/sandbox/`), read here with a regular expression — not a second hand-kept list.

use crate::harness::base_command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn policy(args: &[&str]) -> Value {
    let out = base_command()
        .arg("iam-policy")
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).expect("the policy is valid JSON")
}

fn actions_of(policy: &Value) -> BTreeSet<String> {
    policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().iter())
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

/// `service:Action` strings in the non-test code of the `.rs` files under `dir`.
fn actions_named_in(dir: &Path) -> BTreeSet<String> {
    let action = regex::Regex::new(r#""([a-z0-9-]+:[A-Z][A-Za-z0-9]+)""#).unwrap();
    let mut found = BTreeSet::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for caps in action.captures_iter(code) {
                found.insert(caps[1].to_string());
            }
        }
    }
    found
}

#[test]
fn the_policy_covers_every_action_the_code_calls() {
    let all = policy(&[]);
    assert_eq!(all["Version"], "2012-10-17");
    for statement in all["Statement"].as_array().unwrap() {
        assert_eq!(statement["Effect"], "Allow");
        assert_eq!(statement["Resource"], "*");
    }
    let granted = actions_of(&all);
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let called: BTreeSet<String> = actions_named_in(&src.join("aws"))
        .into_iter()
        .chain(actions_named_in(&src.join("sandbox")))
        .collect();
    assert!(
        called.len() > 25,
        "the reader finds the actions: {called:?}"
    );
    let missing: Vec<&String> = called.difference(&granted).collect();
    assert!(missing.is_empty(), "not in the policy: {missing:?}");
}

#[test]
fn a_step_policy_is_that_step_only() {
    let alarm = actions_of(&policy(&["--step", "alarm"]));
    assert!(alarm.contains("cloudwatch:PutMetricAlarm"));
    assert!(alarm.contains("sts:GetCallerIdentity"));
    assert!(!alarm.contains("ce:GetCostAndUsage"), "{alarm:?}");
    let billing = actions_of(&policy(&["--step", "billing"]));
    assert!(billing.contains("ce:GetCostAndUsage"));
    assert!(
        !billing.contains("cloudwatch:PutMetricAlarm"),
        "{billing:?}"
    );
}
