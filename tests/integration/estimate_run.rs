//! The estimate step end to end in the sandbox: the seed report's account priced from the
//! embedded snapshot, figures checked against sums worked out by hand, the calculator link and
//! total, the report section, and bad answers refused with exit 2 naming the key.

use crate::harness::Workspace;

const SEED_URL: &str = "https://calculator.aws/#/estimate?sc_channel=cfm-blog&sc_campaign=la-get-cost-estimates-faster-with-aws-pricing-calculator-bulk-import&sc_medium=plan-and-evaluate&sc_content=cfm-blog&sc_detail=link&sc_outcome=ad&sc_publisher=cfm-adoption&trk=la-get-cost-estimates-faster-with-aws-pricing-calculator-bulk-import_cfm-blog_link&id=b21db2e8477525e46f672415255b9b938ca4c8bf";

fn run_estimate(ws: &Workspace, answers: &str) -> crate::harness::Ran {
    let path = ws.write("answers.toml", answers);
    ws.run_sandbox(&[
        "run",
        "--yes",
        "--step",
        "estimate",
        "--answers",
        path.to_str().unwrap(),
    ])
}

#[test]
fn the_seed_account_is_priced_and_compared_with_the_seed_reports_calculator() {
    let ws = Workspace::new();
    let ran = run_estimate(
        &ws,
        &format!(
            "[estimate]\njpy_per_usd = 138.27\njpy_rate_date = \"2023-07-10\"\ncalculator_url = \"{SEED_URL}\"\ncalculator_total_usd = 896.40\n"
        ),
    );
    ran.success();
    let out = &ran.stdout;
    // Hand-computed: 730 × 0.0152 = 11.096 → 11.10; 730 × 0.026 = 18.98; 730 × 0.0243 = 17.739.
    for cell in [
        "11.10", "3.60", "3.65", "18.98", "2.76", "17.74", "0.08", "0.25",
    ] {
        assert!(out.contains(cell), "{cell} missing:\n{out}");
    }
    // 11.096 + 3.6 + 3.65 + 18.98 + 2.76 + 17.739 + 0.08 + 0.25 = 58.155 a month; × 12 = 697.86.
    assert!(
        out.contains("Total: 58.16 USD a month, 697.86 USD a year"),
        "{out}"
    );
    // Legacy Free Tier: only S3's 10 − 5 GB is paid: 5 × 0.025 = 0.125/month, 1.50/year.
    assert!(out.contains("0.13 USD a month, 1.50 USD a year"), "{out}");
    // 697.86 × 138.27 = 96,493.10 → 96,493 JPY; 58.155 × 138.27 = 8,041.09 → 8,041.
    assert!(
        out.contains("8,041 JPY a month, 96,493 JPY a year"),
        "{out}"
    );
    assert!(out.contains("embedded snapshot of 2026-11-21"), "{out}");
    assert!(out.contains("†"), "unconfirmed prices are marked");
    // 896.40 − 697.86 = 198.54; ÷ 697.86 = 28.45 % → over 10 %, explained line by line.
    assert!(out.contains("a difference of 198.54 USD (28.4 %)"), "{out}");
    assert!(
        out.contains("public IPv4 address (") && out.contains("Amazon VPC"),
        "{out}"
    );
    assert!(
        out.contains("The calculator is 198.54 USD/year higher"),
        "{out}"
    );

    let state = ws.state();
    let e = &state["steps"]["estimate"]["evidence"];
    assert_eq!(state["steps"]["estimate"]["status"], "done");
    assert_eq!(e["totals"]["monthly_usd"], "58.155");
    assert_eq!(e["totals"]["yearly_usd"], "697.86");
    assert_eq!(e["totals"]["monthly_after_free_tier_usd"], "0.125");
    assert_eq!(e["jpy"]["yearly"], "96493");
    assert_eq!(e["jpy"]["rate_date"], "2023-07-10");
    assert_eq!(e["jpy"]["example_rate"], false);
    assert_eq!(
        e["calculator"]["url"],
        "https://calculator.aws/#/estimate?id=b21db2e8477525e46f672415255b9b938ca4c8bf"
    );
    assert_eq!(e["calculator"]["dropped"].as_array().unwrap().len(), 8);
    assert_eq!(e["comparison"]["percent"], "28.4");
    assert_eq!(e["prices"]["source"], "snapshot");
    assert_eq!(e["lines"].as_array().unwrap().len(), 8);
    assert!(
        ws.path()
            .join(".lecture06/evidence/estimate/inventory.json")
            .is_file()
    );
    assert!(
        ws.path()
            .join(".lecture06/evidence/estimate/prices.json")
            .is_file()
    );

    let report = ws.path().join("report.md");
    ws.run_sandbox(&["report", "--out", report.to_str().unwrap()])
        .success();
    let text = std::fs::read_to_string(report).unwrap();
    assert!(text.contains("**697.86 USD a year**"), "{text}");
    assert!(
        text.contains("138.27 JPY/USD** (rate of 2023-07-10"),
        "{text}"
    );
    assert!(text.contains("| Amazon RDS | `raisetech-db` | db.t3.micro mysql Single-AZ instance hours | 730 Hrs | 0.026 † | 18.98 | 0.00 |"), "{text}");
    assert!(text.contains("b21db2e8477525e46f672415255b9b938ca4c8bf"));
    assert!(
        !text.contains("sc_channel"),
        "tracking parameters are dropped"
    );
}

#[test]
fn yes_in_the_sandbox_completes_with_labelled_examples() {
    let ws = Workspace::new();
    let ran = ws.run_sandbox(&["run", "--yes", "--step", "estimate"]);
    ran.success();
    assert!(
        ran.stdout.contains("sandbox example rate"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .contains("sandbox's example link, not a real estimate")
    );
    let e = &ws.state()["steps"]["estimate"]["evidence"];
    assert_eq!(e["jpy"]["example_rate"], true);
    assert_eq!(e["calculator_is_example"], true);
    assert_eq!(e["free_tier"], "legacy");
    assert!(e["comparison"].is_null(), "no calculator total given");
    let status = ws.run_sandbox(&["status"]);
    assert!(
        status
            .stdout
            .contains("58.16 USD a month, 697.86 USD a year"),
        "{}",
        status.stdout
    );
}

#[test]
fn bad_answers_stop_with_exit_2_naming_the_key() {
    let cases = [
        (
            "calculator_url = \"https://calculator.aws/#/addService/ec2Enhancement\"",
            "calculator_url",
            "not a shared estimate",
        ),
        (
            "calculator_url = \"see my estimate\"",
            "calculator_url",
            "not a URL",
        ),
        ("jpy_per_usd = 0", "jpy_per_usd", "cannot be 0"),
        ("hours_per_month = -5", "hours_per_month", "negative"),
        (
            "alb_processed_gb = 99999999",
            "alb_processed_gb",
            "not a plausible",
        ),
        (
            "free_tier = \"maybe\"",
            "free_tier",
            "legacy, credit or none",
        ),
        ("exclude = \"i-nothere\"", "exclude", "not in the list"),
    ];
    for (line, key, why) in cases {
        let ws = Workspace::new();
        let ran = run_estimate(&ws, &format!("[estimate]\n{line}\n"));
        assert_eq!(ran.code, 2, "{line}: {}", ran.all());
        let all = ran.all();
        assert!(all.contains(&format!("[estimate] {key}")), "{line}: {all}");
        assert!(all.contains(why), "{line}: {all}");
        assert_ne!(ws.step_status("estimate"), "done");
    }
}

#[test]
fn a_credit_plan_changes_nothing_and_exclusions_are_honoured() {
    let ws = Workspace::new();
    let ran = run_estimate(
        &ws,
        "[estimate]\nfree_tier = \"credit\"\nexclude = \"raisetech-alb\"\njpy_per_usd = 150\n",
    );
    ran.success();
    // Without the ALB (17.739 + 0.08): 58.155 − 17.819 = 40.336 a month; × 12 = 484.032.
    let e = &ws.state()["steps"]["estimate"]["evidence"];
    assert_eq!(e["totals"]["monthly_usd"], "40.336");
    assert_eq!(e["totals"]["yearly_usd"], "484.032");
    assert_eq!(
        e["totals"]["monthly_after_free_tier_usd"], "40.336",
        "credits pay, they do not lower"
    );
    assert_eq!(e["free_tier"], "credit");
    assert_eq!(
        e["assumptions"]["alb_processed_gb"], "0",
        "no ALB, no question"
    );
    // 200 ÷ 40.336 = 4.958… → about 5.0 months of credits.
    assert!(ran.stdout.contains("about 5 months"), "{}", ran.stdout);
}
