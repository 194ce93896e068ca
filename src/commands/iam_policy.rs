//! `lecture06 iam-policy [--step STEP]`: the IAM policy that lets lecture06 do the assignment and
//! nothing else — every action it calls, one statement per part of the work, so a student
//! working as an IAM user with a hand-made policy can attach exactly this. Every AccessDenied
//! message points here. Each step names its actions next to its code (`Step::IAM_ACTIONS`), the
//! shared statements are in `steps::permissions`; a test checks them against the actions the AWS
//! adapters name.

use crate::error::AppResult;
use crate::step_id::StepId;
use crate::steps::{self, SharedPermissions};
use serde_json::{Value, json};

/// One statement: a shared one, or a step's own (`Lecture06Alarm`).
fn statement(sid: &str, actions: &[&str]) -> Value {
    json!({
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": "*",
    })
}

/// `Lecture06` and the step's id with a capital: `Lecture06Cloudtrail`.
fn step_sid(step: StepId) -> String {
    let id = step.id();
    let mut chars = id.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    format!("Lecture06{}{}", first.unwrap_or_default(), chars.as_str())
}

/// The policy document for the whole assignment, or for one step: who-am-I, then each step's own
/// statement, then the shared ones the chosen steps need (all of them for the whole policy).
pub fn policy(step: Option<StepId>) -> Value {
    let chosen: Vec<&dyn steps::AnyStep> = steps::registry()
        .iter()
        .copied()
        .filter(|s| step.is_none_or(|wanted| s.id() == wanted))
        .collect();
    let mut statements = vec![statement(
        SharedPermissions::Identity.sid(),
        SharedPermissions::Identity.actions(),
    )];
    for s in &chosen {
        statements.push(statement(&step_sid(s.id()), s.iam_actions()));
    }
    for shared in SharedPermissions::ALL {
        let needed = step.is_none() || chosen.iter().any(|s| s.also_needs().contains(&shared));
        if shared != SharedPermissions::Identity && needed {
            statements.push(statement(shared.sid(), shared.actions()));
        }
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

pub fn iam_policy(step: Option<StepId>) -> AppResult<()> {
    let text = serde_json::to_string_pretty(&policy(step)).map_err(anyhow::Error::from)?;
    println!("{text}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_policy_holds_that_step_and_the_identity_only() {
        let billing = policy(Some(StepId::Billing));
        let sids: Vec<&str> = billing["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap())
            .collect();
        assert_eq!(sids, ["Lecture06Identity", "Lecture06Billing"]);
        let all = policy(None);
        assert_eq!(
            all["Statement"].as_array().unwrap().len(),
            StepId::ALL.len() + SharedPermissions::ALL.len()
        );
    }
}
