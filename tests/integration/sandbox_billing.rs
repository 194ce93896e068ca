//! The billing step in the sandbox: the seed report's figures, the Cost Explorer cache (counted
//! in the simulated account: every request would cost $0.01), the credit plan, and the typed-by-hand
//! fallback when Cost Explorer cannot answer.

use crate::harness::Workspace;
use serde_json::Value;

fn world(ws: &Workspace) -> Value {
    let text = std::fs::read_to_string(ws.path().join(".lecture06/sandbox/world.json"))
        .expect("world.json exists");
    serde_json::from_str(&text).expect("world.json is JSON")
}

fn ce_calls(ws: &Workspace) -> u64 {
    world(ws)["billing"]["ce_calls"]
        .as_u64()
        .expect("ce_calls counted")
}

fn report(ws: &Workspace, lang: &str) -> String {
    let out = ws.path().join(format!("report-{lang}.md"));
    ws.run_sandbox(&["--lang", lang, "report", "--out", out.to_str().unwrap()])
        .success();
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn seed_bill_free_tier_verdict_and_one_paid_call_cached() {
    let ws = Workspace::new();
    let ran = ws.run_sandbox(&["run", "--yes", "--step", "billing"]);
    ran.success();
    // Issue 15: the price is said once (by the step's guide), before the paid request is made.
    assert_eq!(
        ran.stdout.matches("0.01 per request").count(),
        1,
        "cost said once:\n{}",
        ran.stdout
    );
    assert!(
        ran.stdout.find("0.01 per request") < ran.stdout.find("EC2 last month"),
        "cost said first:\n{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains(
            "EC2 last month (2026-10): 0.000032 USD (Compute 0.0000304 + EC2 - Other 0.0000016)"
        ),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains(
        "Free Tier: over: S3 TimedStorage 5.3 GB-Mo of 5 GB-Mo — likely cause: CloudTrail"
    ));
    assert!(
        ran.all().contains("flagged before it goes over — near the limit: EC2 EBS:SnapshotUsage 0.87 GB-Mo of 1 GB-Mo (87 %)"),
        "{}",
        ran.all()
    );
    assert_eq!(ws.step_status("billing"), "done");
    assert_eq!(ce_calls(&ws), 1);

    let state = ws.state();
    let evidence = &state["steps"]["billing"]["evidence"];
    assert_eq!(evidence["source"], "cost-explorer");
    assert_eq!(
        evidence["ec2_last_month"]["total"], "0.000032",
        "a decimal string, never 0.00"
    );
    assert_eq!(evidence["paid_calls"], 1);
    assert_eq!(evidence["from_cache"], false);
    assert_eq!(evidence["period"]["last_month"], "2026-10-01");
    assert_eq!(evidence["period"]["end"], "2026-12-01");
    assert_eq!(evidence["plan"]["plan_type"], "PAID");
    assert_eq!(evidence["free_tier"]["overall"], "over");
    assert!(
        ws.path()
            .join(".lecture06/evidence/billing/cost-and-usage.json")
            .is_file()
    );

    // `report`, twice, in both languages: no Cost Explorer call.
    let en = report(&ws, "en");
    let ja = report(&ws, "ja");
    report(&ws, "en");
    assert_eq!(ce_calls(&ws), 1, "report must not ask Cost Explorer");
    assert!(en.contains("**0.000032 USD**"), "{en}");
    assert!(
        en.contains("| Amazon Elastic Compute Cloud - Compute | 0.0000304 |"),
        "{en}"
    );
    assert!(en.contains("| AWS CloudTrail |"), "{en}");
    assert!(en.contains("**Verdict: over: S3 TimedStorage"), "{en}");
    assert!(
        en.contains("Cost Explorer requests made by lecture06: 1"),
        "{en}"
    );
    assert!(ja.contains("先月（2026-10）の EC2 の利用料"), "{ja}");
    assert!(ja.contains("**判定: 超過: S3 TimedStorage"), "{ja}");

    // A re-run uses the saved answer; --refresh asks again (and counts it).
    let again = ws.run_sandbox(&["run", "--yes", "--step", "billing"]);
    again.success();
    assert!(
        again
            .stdout
            .contains("Using Cost Explorer's answer saved at"),
        "{}",
        again.stdout
    );
    assert_eq!(
        ce_calls(&ws),
        1,
        "a re-run must not ask Cost Explorer again"
    );
    assert_eq!(
        ws.state()["steps"]["billing"]["evidence"]["from_cache"],
        true
    );
    assert_eq!(ws.state()["steps"]["billing"]["evidence"]["paid_calls"], 1);

    // --dry-run never makes the paid call, even with --refresh.
    let dry = ws.run_sandbox(&[
        "run",
        "--yes",
        "--step",
        "billing",
        "--refresh",
        "--dry-run",
    ]);
    dry.success();
    assert!(
        dry.stdout.contains("[dry-run] ce:GetCostAndUsage"),
        "{}",
        dry.stdout
    );
    assert_eq!(ce_calls(&ws), 1, "a dry run must not pay");

    ws.run_sandbox(&["run", "--yes", "--step", "billing", "--refresh"])
        .success();
    assert_eq!(ce_calls(&ws), 2);
    assert_eq!(ws.state()["steps"]["billing"]["evidence"]["paid_calls"], 2);

    let status = ws.status_json();
    let billing = status["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "billing")
        .unwrap();
    assert!(
        billing["summary"][0]
            .as_str()
            .unwrap()
            .contains("0.000032 USD"),
        "{billing}"
    );
}

#[test]
fn credit_plan_account_shows_credits_and_plan() {
    let ws = Workspace::new();
    let answers = ws.write("answers.toml", "[sandbox]\nplan = \"credit\"\n");
    let ran = ws.run_sandbox(&[
        "run",
        "--yes",
        "--step",
        "billing",
        "--answers",
        answers.to_str().unwrap(),
    ]);
    ran.success();
    assert!(
        ran.stdout
            .contains("Free plan (credit-based, ACTIVE): USD 187.53 of credits left"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .contains("Amazon Simple Storage Service — credit"),
        "{}",
        ran.stdout
    );
    let evidence = &ws.state()["steps"]["billing"]["evidence"];
    assert_eq!(evidence["plan"]["plan_type"], "FREE");
    assert_eq!(evidence["plan"]["remaining_credits"], "187.53");
    assert_eq!(evidence["ec2_last_month"]["adjustments"], "-0.000032");
    assert_eq!(evidence["free_tier"]["overall"], "inside");
    let en = report(&ws, "en");
    assert!(
        en.contains("| Credits and refunds on EC2 | -0.000032 |"),
        "{en}"
    );
}

#[test]
fn member_account_without_cost_explorer_takes_the_typed_figure() {
    let ws = Workspace::new();
    let answers = ws.write("answers.toml", "[sandbox]\ncost_explorer = \"member\"\n");
    let ran = ws.run_sandbox(&[
        "run",
        "--yes",
        "--step",
        "billing",
        "--answers",
        answers.to_str().unwrap(),
    ]);
    assert_eq!(ran.code, 2, "{}", ran.all());
    assert!(
        ran.all().contains("member of an AWS Organization"),
        "{}",
        ran.all()
    );
    assert!(ran.all().contains("ec2_last_month_usd"), "{}", ran.all());

    let answers = ws.write(
        "answers2.toml",
        "[billing]\nec2_last_month_usd = \"0.000032\"\nfree_tier_verdict = \"over: S3 storage 5.3 of 5 GB\"\n",
    );
    ws.run_sandbox(&[
        "run",
        "--yes",
        "--step",
        "billing",
        "--answers",
        answers.to_str().unwrap(),
    ])
    .success();
    let evidence = &ws.state()["steps"]["billing"]["evidence"];
    assert_eq!(evidence["source"], "typed");
    assert_eq!(evidence["ec2_last_month"]["total"], "0.000032");
    assert_eq!(
        evidence["paid_calls"], 0,
        "a refused request is not counted as paid"
    );
    let en = report(&ws, "en");
    assert!(
        en.contains("**0.000032 USD** — read in the billing console and typed by hand"),
        "{en}"
    );
    assert!(en.contains("Linked account doesn't have access"), "{en}");
    assert!(
        en.contains("**Verdict: over: S3 storage 5.3 of 5 GB (typed by hand from the console)**"),
        "{en}"
    );
    assert_eq!(evidence["free_tier"]["overall"], "over");
}

#[test]
fn cost_explorer_not_enabled_says_how_to_enable_it() {
    let ws = Workspace::new();
    let answers = ws.write(
        "answers.toml",
        "[sandbox]\ncost_explorer = \"disabled\"\n[billing]\nec2_last_month_usd = \"0.01\"\n",
    );
    let ran = ws.run_sandbox(&[
        "run",
        "--yes",
        "--step",
        "billing",
        "--answers",
        answers.to_str().unwrap(),
    ]);
    ran.success();
    assert!(
        ran.all()
            .contains("Cost Explorer is not enabled for this account yet"),
        "{}",
        ran.all()
    );
    assert_eq!(
        ws.state()["steps"]["billing"]["evidence"]["source"],
        "typed"
    );
}

#[test]
fn saved_answer_from_an_earlier_month_is_kept_with_its_months_and_a_warning() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--step", "billing"])
        .success();
    // A month later on the sandbox clock.
    let path = ws.path().join(".lecture06/sandbox/world.json");
    let mut w = world(&ws);
    w["now"] = Value::String("2026-12-05T01:00:00Z".into());
    std::fs::write(&path, serde_json::to_string_pretty(&w).unwrap()).unwrap();

    let ran = ws.run_sandbox(&["run", "--yes", "--step", "billing"]);
    ran.success();
    assert!(
        ran.all()
            .contains("The saved answer covers 2026-10-01 to 2026-12-01"),
        "{}",
        ran.all()
    );
    assert_eq!(ce_calls(&ws), 1);
    let evidence = &ws.state()["steps"]["billing"]["evidence"];
    assert_eq!(
        evidence["period"]["last_month"], "2026-10-01",
        "figures stay with their months"
    );
    assert_eq!(evidence["ec2_last_month"]["total"], "0.000032");

    ws.run_sandbox(&["run", "--yes", "--step", "billing", "--refresh"])
        .success();
    let evidence = &ws.state()["steps"]["billing"]["evidence"];
    assert_eq!(evidence["period"]["last_month"], "2026-11-01");
    assert_eq!(ce_calls(&ws), 2);
}
