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

fn run_billing(ws: &Workspace, answers: &str) -> crate::harness::Ran {
    let path = ws.write("answers.toml", answers);
    ws.run_sandbox(&[
        "run",
        "--yes",
        "--step",
        "billing",
        "--answers",
        path.to_str().unwrap(),
    ])
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
    assert!(
        en.contains("| S3 TimedStorage | 5.3 GB-Mo | 7.57 GB-Mo | 5 GB-Mo | 106 | OVER |"),
        "{en}"
    );
    assert!(en.contains("\n- over: S3 TimedStorage"), "{en}");
    assert!(
        en.contains("In my account CloudTrail charged 0.02637 USD last month"),
        "the account's own history behind the overage: {en}"
    );
    assert!(
        en.contains("I made 1 Cost Explorer request(s) through lecture06"),
        "{en}"
    );
    assert!(ja.contains("先月（2026-10）の EC2 の利用料"), "{ja}");
    assert!(ja.contains("\n- 超過: S3 TimedStorage"), "{ja}");

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
    let ran = run_billing(&ws, "[sandbox]\nplan = \"credit\"\n");
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
    let ran = run_billing(&ws, "[sandbox]\ncost_explorer = \"member\"\n");
    assert_eq!(ran.code, 2, "{}", ran.all());
    assert!(
        ran.all().contains("member of an AWS Organization"),
        "{}",
        ran.all()
    );
    assert!(ran.all().contains("ec2_last_month_usd"), "{}", ran.all());

    run_billing(&ws, "[billing]\nec2_last_month_usd = \"0.000032\"\nfree_tier_verdict = \"over: S3 storage 5.3 of 5 GB\"\n")
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
        en.contains("Last month EC2 cost me **0.000032 USD**, as I read it in the billing console and typed it"),
        "{en}"
    );
    assert!(en.contains("Linked account doesn't have access"), "{en}");
    assert!(
        en.contains("**Verdict:** over: S3 storage 5.3 of 5 GB (typed by hand from the console)"),
        "{en}"
    );
    assert_eq!(evidence["free_tier"]["overall"], "over");
}

#[test]
fn cost_explorer_not_enabled_says_how_to_enable_it() {
    let ws = Workspace::new();
    let ran = run_billing(
        &ws,
        "[sandbox]\ncost_explorer = \"disabled\"\n[billing]\nec2_last_month_usd = \"0.01\"\n",
    );
    ran.success();
    // A never-opened Cost Explorer is not an IAM problem: the advice is the console, not a policy.
    assert!(
        ran.all()
            .contains("Cost Explorer has never been opened for this account"),
        "{}",
        ran.all()
    );
    assert!(!ran.all().contains("to its policy"), "{}", ran.all());
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

/// Issue 13, item 9: a failed GetAccountPlanState printed a plan ("legacy 12-month Free Tier").
/// Now the failure is said, with the IAM permission when it was refused, and the plan is asked.
#[test]
fn free_tier_plan_failure_is_said_and_asked() {
    let ws = Workspace::new();
    let refused = run_billing(&ws, "[sandbox]\nfree_tier_api = \"plan-denied\"\n");
    assert_eq!(refused.code, 2, "{}", refused.all());
    let out = refused.all();
    assert!(
        out.contains("lacks the permission freetier:GetAccountPlanState"),
        "{out}"
    );
    assert!(out.contains("free_tier_plan"), "the key to answer: {out}");
    assert!(
        !out.contains("Paid plan (")
            && !out.contains("Free plan (")
            && !out.contains("No account plan record"),
        "no plan stated from a failed call: {out}"
    );

    let ran = run_billing(
        &ws,
        "[sandbox]\nfree_tier_api = \"plan-denied\"\n[billing]\nfree_tier_plan = \"credit\"\n",
    );
    ran.success();
    assert!(
        ran.stdout
            .contains("Account plan not read (freetier:GetAccountPlanState: User: arn:aws:iam::"),
        "{}",
        ran.stdout
    );
    let evidence = &ws.state()["steps"]["billing"]["evidence"];
    assert_eq!(evidence["plan"], Value::Null);
    assert_eq!(evidence["free_tier_plan"], "credit");
    assert!(
        evidence["plan_error"]
            .as_str()
            .unwrap()
            .contains("not authorized to perform: freetier:GetAccountPlanState")
    );
    let en = report(&ws, "en");
    assert!(
        en.contains(
            "per the console, typed by hand: Free Tier credits (account made from 2025-07-15"
        ),
        "{en}"
    );
    assert!(!en.contains("legacy 12-month"), "{en}");
    let ja = report(&ws, "ja");
    assert!(
        ja.contains("アカウントプランを取得できませんでした"),
        "{ja}"
    );

    // A server error (HTTP 500) is said as a failure, without blaming IAM.
    let ws = Workspace::new();
    let failed = run_billing(&ws, "[sandbox]\nfree_tier_api = \"plan-error\"\n");
    assert_eq!(failed.code, 2, "{}", failed.all());
    assert!(
        failed.all().contains("InternalServerException")
            && failed.all().contains("freetier:GetAccountPlanState failed"),
        "{}",
        failed.all()
    );
    assert!(!failed.all().contains("lacks the permission"));
}

/// Issue 13, item 9: after a 500 of the Free Tier usage call the step showed "not available"
/// and asked nothing; now the student's own verdict is asked for and recorded.
#[test]
fn free_tier_usage_failure_asks_for_the_verdict() {
    let ws = Workspace::new();
    let failed = run_billing(&ws, "[sandbox]\nfree_tier_api = \"usage-error\"\n");
    assert_eq!(failed.code, 2, "{}", failed.all());
    assert!(
        failed.all().contains("free_tier_verdict"),
        "{}",
        failed.all()
    );
    assert!(
        failed.all().contains("InternalServerException"),
        "{}",
        failed.all()
    );

    let ran = run_billing(
        &ws,
        "[sandbox]\nfree_tier_api = \"usage-error\"\n[billing]\nfree_tier_verdict = \"inside: all offers below 50 %\"\n",
    );
    ran.success();
    assert!(!ran.stdout.contains("not available"), "{}", ran.stdout);
    let evidence = &ws.state()["steps"]["billing"]["evidence"];
    assert_eq!(evidence["free_tier"]["overall"], "inside");
    assert!(
        evidence["free_tier_error"]
            .as_str()
            .unwrap()
            .contains("freetier:GetFreeTierUsage")
    );
    let en = report(&ws, "en");
    assert!(
        en.contains("**Verdict:** inside: all offers below 50 % (typed by hand from the console)"),
        "{en}"
    );
}

/// Issue 13, item 9: `LECTURE06_SANDBOX_CRASH_AFTER` never fired for the billing calls. Killed
/// right after each one, the step resumes to the clean run's figures, and a paid request made
/// before the kill is still counted (it may have been charged).
#[test]
fn crash_at_a_billing_call_resumes_and_counts_every_paid_request() {
    for (action, paid) in [
        ("ce:GetCostAndUsage", 2),
        ("freetier:GetAccountPlanState", 1),
        ("freetier:GetFreeTierUsage", 1),
    ] {
        let ws = Workspace::new();
        let crashed = ws
            .sandbox(&["run", "--yes", "--step", "billing"])
            .env("LECTURE06_SANDBOX_CRASH_AFTER", action)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(
            !crashed.status.success(),
            "{action}: it should have crashed"
        );
        assert!(
            String::from_utf8_lossy(&crashed.stderr).contains(&format!("crashing after {action}")),
            "{action}"
        );
        assert_eq!(ws.step_status("billing"), "in_progress", "{action}");
        ws.run_sandbox(&["run", "--yes", "--step", "billing"])
            .success();
        assert_eq!(ws.step_status("billing"), "done", "{action}");
        let evidence = &ws.state()["steps"]["billing"]["evidence"];
        assert_eq!(evidence["ec2_last_month"]["total"], "0.000032", "{action}");
        assert_eq!(evidence["free_tier"]["overall"], "over", "{action}");
        assert_eq!(ce_calls(&ws), paid, "{action}: Cost Explorer requests made");
        assert_eq!(
            evidence["paid_calls"], paid,
            "{action}: every request made is counted, the one before the kill too"
        );
    }
}

/// Issue 12, item 9: an account made after 2025-07-15 and upgraded to the Paid plan keeps its
/// credits (AWS, "Choosing an AWS Free Tier plan"); the step called every Paid plan legacy.
#[test]
fn paid_plan_with_credits_is_not_called_legacy() {
    let ws = Workspace::new();
    let ran = run_billing(&ws, "[sandbox]\nplan = \"paid-credit\"\n");
    ran.success();
    assert!(
        ran.stdout
            .contains("Paid plan (ACTIVE) with USD 142.17 of Free Tier credits left"),
        "{}",
        ran.stdout
    );
    let plan_line = ran
        .stdout
        .lines()
        .find(|l| l.starts_with("Paid plan ("))
        .unwrap();
    assert!(!plan_line.contains("legacy"), "{plan_line}");
    let evidence = &ws.state()["steps"]["billing"]["evidence"];
    assert_eq!(evidence["plan"]["plan_type"], "PAID");
    assert_eq!(
        evidence["free_tier_plan"], "credit",
        "what the estimate step reads"
    );
    assert_eq!(evidence["ec2_last_month"]["adjustments"], "-0.000032");
    let ja = report(&ws, "ja");
    assert!(
        ja.contains("有料プラン（ACTIVE）、無料利用枠のクレジット残り USD 142.17"),
        "{ja}"
    );
}

/// The duplicated line: the guide and the step both said the price, one after the other.
#[test]
fn cost_explorer_price_is_said_once() {
    for (lang, price) in [("en", "0.01 per request"), ("ja", "1 リクエスト")] {
        let ws = Workspace::new();
        let ran = ws.run_sandbox(&["--lang", lang, "run", "--yes", "--step", "billing"]);
        ran.success();
        let said: Vec<&str> = ran.stdout.lines().filter(|l| l.contains(price)).collect();
        assert_eq!(said.len(), 1, "{lang}: {said:#?}");
    }
}

/// Issue 12, item 9: public IPv4 is billed under Amazon Virtual Private Cloud (AWS's VPC billing
/// codes: `<region>-PublicIPv4:InUseAddress`), never under "EC2 - Other", in guides and reports.
#[test]
fn public_ipv4_is_billed_under_vpc_not_ec2_other() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--step", "billing"])
        .success();
    for lang in ["en", "ja"] {
        let mut texts = vec![report(&ws, lang)];
        for step in ["billing", "estimate"] {
            let guide = ws.run_sandbox(&["--lang", lang, "guide", step]);
            guide.success();
            texts.push(guide.stdout.clone());
        }
        for text in &texts {
            for sentence in text
                .split(['\n', '.', '。'])
                .filter(|s| s.contains("EC2 - Other"))
            {
                assert!(!sentence.contains("IPv4"), "{lang}: {sentence}");
            }
        }
        assert!(
            texts
                .iter()
                .all(|t| t.contains("Amazon Virtual Private Cloud")),
            "{lang}: every one of them says where IPv4 is billed"
        );
    }
}

/// Issue 14: the billing step names what is left in other Regions. Alone (no estimate yet) it
/// sweeps itself and names each resource; after the estimate it reports the estimate's priced
/// sweep, in the step's output and in the report. The simulated account keeps a stopped
/// t2.micro with an 8 GB volume and an idle Elastic IP in Sydney (`sandbox/inventory.rs`).
#[test]
fn billing_names_what_is_left_in_other_regions() {
    let ws = Workspace::new();
    let alone = ws.run_sandbox(&["run", "--yes", "--step", "billing"]);
    alone.success();
    let line = alone
        .all()
        .lines()
        .find(|l| l.contains("forgotten in ap-southeast-2"))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("{}", alone.all()));
    assert!(line.contains("stopped t2.micro, 8 GB of EBS"), "{line}");
    assert!(line.contains("idle"), "{line}");
    assert!(
        !line.contains("USD"),
        "not priced without the estimate: {line}"
    );

    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes"]).success();
    ws.run_sandbox(&["report"]).success();
    let report = std::fs::read_to_string(ws.path().join("lecture06.md")).unwrap();
    let section = report
        .split("### Other Regions bill too")
        .nth(1)
        .unwrap_or_else(|| panic!("{report}"));
    let first = section.lines().find(|l| l.starts_with("- ")).unwrap();
    assert!(
        first.contains("forgotten in ap-southeast-2") && first.contains("USD a month"),
        "{first}"
    );
}
