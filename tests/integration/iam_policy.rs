//! `lecture06 iam-policy` covers what the code calls. Two oracles, neither a second hand-kept
//! list of actions:
//! - the SDK calls themselves: every operation the AWS adapters (`src/aws/`) send, turned into
//!   its IAM action by name (with the few S3 operations whose action is named otherwise, per
//!   the Service Authorization Reference), and followed from each step's calls into the adapters,
//!   so that `iam-policy --step <step>` is checked against what that step can reach;
//! - the simulated account's call log (`src/sandbox/`), which names the action of every call.

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
    let adapters = Adapters::read(&src.join("aws"));
    let called: BTreeSet<String> = adapters
        .calls
        .iter()
        .map(|c| c.action.clone())
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

/// The source of every `.rs` file under `dir`, without its tests, with method chains joined onto
/// one line (`client\n    .describe_regions()` → `client.describe_regions()`).
fn sources_under(dir: &Path) -> Vec<(String, String)> {
    let chain = regex::Regex::new(r"\s*\n\s*\.").unwrap();
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                found.push((
                    path.display().to_string(),
                    chain.replace_all(code, ".").into_owned(),
                ));
            }
        }
    }
    found.sort();
    found
}

/// `(name, body)` of each function in `code`: the text from its `fn` to the next one.
fn functions(code: &str) -> Vec<(String, String)> {
    let start = regex::Regex::new(r"\bfn\s+([a-z_][a-z0-9_]*)").unwrap();
    let found: Vec<(usize, String)> = start
        .captures_iter(code)
        .map(|c| (c.get(0).unwrap().start(), c[1].to_string()))
        .collect();
    found
        .iter()
        .enumerate()
        .map(|(i, (at, name))| {
            let end = found.get(i + 1).map_or(code.len(), |next| next.0);
            (name.clone(), code[*at..end].to_string())
        })
        .collect()
}

/// The IAM action an SDK operation needs, by the operation's name: `describe_regions` →
/// `DescribeRegions`, except the S3 operations the Service Authorization Reference lists under
/// another action (ListObjectsV2 → s3:ListBucket, ListBuckets → s3:ListAllMyBuckets,
/// DeleteObjects → s3:DeleteObject).
fn action_name(operation: &str) -> String {
    match operation {
        "list_objects_v2" => "ListBucket".into(),
        "list_buckets" => "ListAllMyBuckets".into(),
        "delete_objects" => "DeleteObject".into(),
        _ => operation
            .split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect(),
    }
}

/// The IAM service prefix of each SDK crate the adapters use.
const SERVICE_OF_CRATE: &[(&str, &str)] = &[
    ("aws_sdk_athena", "athena"),
    ("aws_sdk_cloudtrail", "cloudtrail"),
    ("aws_sdk_cloudwatch", "cloudwatch"),
    ("aws_sdk_costexplorer", "ce"),
    ("aws_sdk_ec2", "ec2"),
    ("aws_sdk_elasticloadbalancingv2", "elasticloadbalancing"),
    ("aws_sdk_freetier", "freetier"),
    ("aws_sdk_pricing", "pricing"),
    ("aws_sdk_rds", "rds"),
    ("aws_sdk_s3", "s3"),
    ("aws_sdk_sns", "sns"),
    ("aws_sdk_ssm", "ssm"),
    ("aws_sdk_sts", "sts"),
];

/// One SDK operation an adapter function sends, and the IAM action it needs.
struct SdkCall {
    function: String,
    action: String,
}

/// What the adapters send: each call, and which function calls which (by name).
struct Adapters {
    calls: Vec<SdkCall>,
    /// `(function, body)` of every function in `src/aws/`.
    functions: Vec<(String, String)>,
}

impl Adapters {
    /// Every `client.operation()` in `src/aws/`; each must carry its action's label (the
    /// `"service:Action"` an AccessDenied names) in its function or among its file's constants,
    /// and each file must send as many requests (`.send()`) as operations were found, so a call
    /// written in a shape this reader does not know fails here instead of going unseen.
    fn read(dir: &Path) -> Adapters {
        let operation = regex::Regex::new(
            r"\b(?:client|ce|freetier|athena|s3|self\.client|self\.ce|self\.freetier)\.([a-z][a-z0-9_]*)\(\)",
        )
        .unwrap();
        let label = regex::Regex::new(r#""([a-z0-9-]+):([A-Z][A-Za-z0-9]+)""#).unwrap();
        let mut calls = Vec::new();
        let mut all_functions = Vec::new();
        let mut problems = Vec::new();
        for (file, code) in sources_under(dir) {
            let services: Vec<&str> = SERVICE_OF_CRATE
                .iter()
                .filter(|(krate, _)| code.contains(krate))
                .map(|(_, service)| *service)
                .collect();
            let functions = functions(&code);
            let file_consts: String = code
                .lines()
                .filter(|l| l.trim_start().starts_with("const "))
                .collect();
            let mut found = 0;
            for (name, body) in &functions {
                for op in operation.captures_iter(body) {
                    if &op[1] == "clone" {
                        continue;
                    }
                    found += 1;
                    let wanted = action_name(&op[1]);
                    let labelled = label
                        .captures_iter(body)
                        .chain(label.captures_iter(&file_consts))
                        .find(|l| l[2].eq_ignore_ascii_case(&wanted) && services.contains(&&l[1]));
                    match labelled {
                        Some(l) => calls.push(SdkCall {
                            function: name.clone(),
                            action: format!("{}:{}", &l[1], &l[2]),
                        }),
                        None => problems.push(format!(
                            "{file}: `{}` in fn {name} has no label naming {wanted} (services here: {services:?})",
                            &op[1]
                        )),
                    }
                }
            }
            let sends = code.matches(".send()").count();
            if sends != found {
                problems.push(format!(
                    "{file}: {sends} `.send()` but {found} SDK operations read"
                ));
            }
            all_functions.extend(functions);
        }
        assert!(problems.is_empty(), "{problems:#?}");
        Adapters {
            calls,
            functions: all_functions,
        }
    }

    /// The actions a call to adapter method `name` can need: its own SDK calls and those of the
    /// adapter functions it calls, transitively (functions of one name are taken together).
    fn actions_reached_from(&self, name: &str) -> BTreeSet<String> {
        let call = regex::Regex::new(r"\b([a-z_][a-z0-9_]*)\s*(?:::<[^>]*>)?\(").unwrap();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut pending = vec![name.to_string()];
        while let Some(name) = pending.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            for (_, body) in self.functions.iter().filter(|(n, _)| *n == name) {
                let body = body.split_once('{').map_or("", |(_, b)| b);
                for c in call.captures_iter(body) {
                    if self.functions.iter().any(|(n, _)| *n == c[1]) {
                        pending.push(c[1].to_string());
                    }
                }
            }
        }
        self.calls
            .iter()
            .filter(|c| seen.contains(&c.function))
            .map(|c| c.action.clone())
            .collect()
    }
}

/// The adapter methods a step's code calls through the cloud (`ctx.cloud.inventory.sweep(…)`):
/// in the step's own module, in functions of other steps it calls (`crate::steps::estimate::
/// sweep_elsewhere`), and in the commands its policy covers.
fn cloud_methods_of(step: &str, src: &Path) -> BTreeSet<String> {
    let method = regex::Regex::new(
        r"\.(?:identity|events|elb|sns|alarms|billing|remote|inventory|prices)\.([a-z_][a-z0-9_]*)\s*\(",
    )
    .unwrap();
    let borrowed = regex::Regex::new(r"crate::steps::([a-z_]+)::([a-z_][a-z0-9_]*)\s*\(").unwrap();
    let steps = src.join("steps");
    let mut code: Vec<String> = sources_under(&steps)
        .into_iter()
        .filter(|(file, _)| {
            file.ends_with(&format!("steps/{step}.rs")) || file.contains(&format!("steps/{step}/"))
        })
        .map(|(_, code)| code)
        .collect();
    // Every command talks to AWS as someone (run's identity check); the alarm step's policy
    // also holds what cleanup deletes.
    let mut commands = vec!["run.rs"];
    if step == "alarm" {
        commands.push("cleanup.rs");
    }
    for command in commands {
        code.push(
            sources_under(&src.join("commands"))
                .into_iter()
                .find(|(file, _)| file.ends_with(&format!("commands/{command}")))
                .unwrap()
                .1,
        );
    }
    let mut borrowed_bodies = Vec::new();
    for text in &code {
        for b in borrowed.captures_iter(text) {
            for (_, other) in sources_under(&steps.join(&b[1])) {
                borrowed_bodies.extend(
                    functions(&other)
                        .into_iter()
                        .filter(|(name, _)| *name == b[2])
                        .map(|(_, body)| body),
                );
            }
        }
    }
    code.extend(borrowed_bodies);
    code.iter()
        .flat_map(|text| {
            method
                .captures_iter(text)
                .map(|c| c[1].to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn each_step_policy_covers_the_sdk_calls_that_step_reaches() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let adapters = Adapters::read(&src.join("aws"));
    for step in ["cloudtrail", "alarm", "transitions", "estimate", "billing"] {
        let granted = actions_of(&policy(&["--step", step]));
        let methods = cloud_methods_of(step, &src);
        let needed: BTreeSet<String> = methods
            .iter()
            .flat_map(|m| adapters.actions_reached_from(m))
            .collect();
        assert!(
            needed.contains("sts:GetCallerIdentity"),
            "{step}: the reader follows the calls ({methods:?} → {needed:?})"
        );
        let missing: Vec<&String> = needed.difference(&granted).collect();
        assert!(
            missing.is_empty(),
            "`iam-policy --step {step}` lacks {missing:?} (the step calls {methods:?})"
        );
    }
}

/// Pinned by name, so the reader above cannot quietly stop seeing them: the estimate's bucket
/// Regions (`GetBucketLocation`, unlabelled before) and billing's Region sweep.
#[test]
fn the_policy_names_get_bucket_location_and_the_billing_region_sweep() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let adapters = Adapters::read(&src.join("aws"));
    let estimate: BTreeSet<String> = cloud_methods_of("estimate", &src)
        .iter()
        .flat_map(|m| adapters.actions_reached_from(m))
        .collect();
    assert!(estimate.contains("s3:GetBucketLocation"), "{estimate:?}");
    assert!(actions_of(&policy(&["--step", "estimate"])).contains("s3:GetBucketLocation"));
    let billing: BTreeSet<String> = cloud_methods_of("billing", &src)
        .iter()
        .flat_map(|m| adapters.actions_reached_from(m))
        .collect();
    assert!(billing.contains("ec2:DescribeRegions"), "{billing:?}");
    assert!(actions_of(&policy(&["--step", "billing"])).contains("ec2:DescribeRegions"));
}
