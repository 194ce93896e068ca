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
    // Hand-computed: 730 × 0.0152 = 11.096 → 11.10; 730 × 0.026 = 18.98; 730 × 0.0243 = 17.739;
    // Extended Support for MySQL 8.0 (the sandbox's now is 2026-11-21): 2 vCPU × 730 h × 0.12 =
    // 175.20; the ALB's two public IPv4 addresses 730 × 0.005 = 3.65 each.
    for cell in [
        "11.10", "3.60", "3.65", "18.98", "2.76", "175.20", "17.74", "0.08", "0.25",
    ] {
        assert!(out.contains(cell), "{cell} missing:\n{out}");
    }
    // 11.096 + 3.6 + 3.65 + 18.98 + 2.76 + 175.2 + 17.739 + 3.65 + 3.65 + 0.08 + 0.25
    //   = 240.655 a month; × 12 = 2,887.86.
    assert!(
        out.contains("Total: 240.66 USD a month, 2887.86 USD a year"),
        "{out}"
    );
    // Legacy Free Tier: Extended Support 175.20, the ALB's addresses 7.30 and S3's 10 − 5 GB
    // (5 × 0.025 = 0.125) are paid: 182.625 a month, 2,191.50 a year.
    assert!(
        out.contains("182.63 USD a month, 2191.50 USD a year"),
        "{out}"
    );
    // 240.655 × 138.27 = 33,275.37 → 33,275 JPY; 2,887.86 × 138.27 = 399,304.40 → 399,304.
    assert!(
        out.contains("33,275 JPY a month, 399,304 JPY a year"),
        "{out}"
    );
    // Forgotten in Sydney: the stopped t2.micro's 8 GB gp2 (8 × 0.12 = 0.96) and the idle
    // Elastic IP (730 × 0.005 = 3.65): 4.61 USD a month, not in the total.
    assert!(out.contains("forgotten in ap-southeast-2: i-0"), "{out}");
    assert!(out.contains("(stopped t2.micro)"), "{out}");
    assert!(out.contains("Elastic IP address (idle) 13."), "{out}");
    assert!(out.contains("— 4.61 USD a month"), "{out}");
    assert!(out.contains("embedded snapshot of 2026-11-21"), "{out}");
    assert!(out.contains("†"), "unconfirmed prices are marked");
    // 896.40 − 2,887.86 = −1,991.46; ÷ 2,887.86 = −68.96 % → over 10 %, explained line by line.
    assert!(
        out.contains("a difference of -1991.46 USD (-69 %)"),
        "{out}"
    );
    assert!(
        out.contains("public IPv4 address (") && out.contains("Amazon VPC"),
        "{out}"
    );
    assert!(
        out.contains("The calculator is 1991.46 USD/year lower"),
        "{out}"
    );

    let state = ws.state();
    let e = &state["steps"]["estimate"]["evidence"];
    assert_eq!(state["steps"]["estimate"]["status"], "done");
    assert_eq!(e["totals"]["monthly_usd"], "240.655");
    assert_eq!(e["totals"]["yearly_usd"], "2887.86");
    assert_eq!(e["totals"]["monthly_after_free_tier_usd"], "182.625");
    assert_eq!(e["jpy"]["yearly"], "399304");
    assert_eq!(e["jpy"]["rate_date"], "2023-07-10");
    assert_eq!(e["jpy"]["example_rate"], false);
    assert_eq!(
        e["calculator"]["url"],
        "https://calculator.aws/#/estimate?id=b21db2e8477525e46f672415255b9b938ca4c8bf"
    );
    assert_eq!(e["calculator"]["dropped"].as_array().unwrap().len(), 8);
    assert_eq!(e["comparison"]["percent"], "-69");
    assert_eq!(e["prices"]["source"], "snapshot");
    assert_eq!(e["lines"].as_array().unwrap().len(), 11);
    assert_eq!(e["elsewhere"]["regions_swept"], 17);
    assert_eq!(e["elsewhere"]["found"][0]["region"], "ap-southeast-2");
    assert_eq!(e["elsewhere"]["lines"].as_array().unwrap().len(), 2);
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
    assert!(text.contains("**2887.86 USD a year**"), "{text}");
    assert!(
        text.contains("- forgotten in ap-southeast-2: i-0"),
        "{text}"
    );
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
            .contains("sandbox example link, not a real estimate")
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
            .contains("240.66 USD a month, 2887.86 USD a year"),
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
        // Issue 13 item 9: a comma is refused, not read as 150; a rate dated after today (the
        // sandbox's now is 2026-11-21); 40 characters that are not hex are named as such.
        ("jpy_per_usd = \"1,50\"", "jpy_per_usd", "without a comma"),
        (
            "jpy_per_usd = 150\njpy_rate_date = \"2030-01-01\"",
            "jpy_rate_date",
            "after today (2026-11-21)",
        ),
        (
            "calculator_url = \"https://calculator.aws/#/estimate?id=gggggggggggggggggggggggggggggggggggggggg\"",
            "calculator_url",
            "must be hexadecimal",
        ),
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
    // Without the ALB (hours 17.739, LCU 0.08, its two addresses 7.30):
    // 240.655 − 25.119 = 215.536 a month; × 12 = 2,586.432.
    let e = &ws.state()["steps"]["estimate"]["evidence"];
    assert_eq!(e["totals"]["monthly_usd"], "215.536");
    assert_eq!(e["totals"]["yearly_usd"], "2586.432");
    assert_eq!(
        e["totals"]["monthly_after_free_tier_usd"], "215.536",
        "credits pay, they do not lower"
    );
    assert_eq!(e["free_tier"], "credit");
    assert_eq!(
        e["assumptions"]["alb_processed_gb"], "0",
        "no ALB, no question"
    );
    // 200 ÷ 215.536 = 0.927… → about 0.9 months of credits.
    assert!(ran.stdout.contains("about 0.9 months"), "{}", ran.stdout);
}

/// The real path (no --sandbox) with every AWS endpoint pointed at moto: the inventory comes from
/// moto, moto has no Price List API so the snapshot stands in and says so, and the snapshot holds
/// no Osaka prices, so those lines are listed as not priced (never dropped or priced at zero).
/// A real account gets no invented exchange rate: without `jpy_per_usd`, exit 2 naming it.
#[test]
fn the_real_path_on_moto_falls_back_to_the_snapshot_and_invents_no_rate() {
    let region = "ap-northeast-3";
    let config = crate::harness::sdk_config(
        region,
        Some(&crate::harness::moto_url()),
        None,
        "AKIAIOSFODNN7EXAMPLE",
    );
    let aws = lecture06::aws::Aws::from_config(config.clone()).unwrap();
    let instance = aws.block_on(async {
        let ec2 = aws_sdk_ec2::Client::new(&config);
        let image = ec2.describe_images().send().await.unwrap().images()[0]
            .image_id()
            .unwrap()
            .to_string();
        ec2.run_instances()
            .image_id(image)
            .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
            .min_count(1)
            .max_count(1)
            .send()
            .await
            .unwrap()
            .instances()[0]
            .instance_id()
            .unwrap()
            .to_string()
    });
    let ws = Workspace::new();
    let run = |answers: &str| -> crate::harness::Ran {
        let path = ws.write("answers.toml", answers);
        crate::harness::base_command()
            .arg("--dir")
            .arg(ws.path())
            .args([
                "--region",
                region,
                "run",
                "--yes",
                "--step",
                "estimate",
                "--answers",
            ])
            .arg(&path)
            .env("AWS_ENDPOINT_URL", crate::harness::moto_url())
            // moto has no Price List API and answers it with a 500, which the SDK retries with
            // backoff; a path moto does not serve fails at once (404) with the same outcome.
            .env(
                "AWS_ENDPOINT_URL_PRICING",
                format!("{}/no-price-list-here", crate::harness::moto_url()),
            )
            .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .env_remove("AWS_SESSION_TOKEN")
            .env("AWS_CONFIG_FILE", ws.path().join("no-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                ws.path().join("no-credentials"),
            )
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
            .into()
    };
    let base = "[estimate]\ns3_gb = 1\nfree_tier = \"none\"\ncalculator_url = \"https://calculator.aws/#/estimate?id=5311a5ebe86fcd71593e076be6e2abdf7cb1a43d\"\n";
    let no_rate = run(base);
    assert_eq!(no_rate.code, 2, "{}", no_rate.all());
    assert!(
        no_rate.all().contains("`jpy_per_usd = …` under [estimate]"),
        "{}",
        no_rate.all()
    );

    let ran = run(&format!("{base}jpy_per_usd = 151.2\n"));
    ran.success();
    let out = &ran.stdout;
    assert!(out.contains(&instance), "{out}");
    assert!(
        out.contains("The Price List API could not be used"),
        "{out}"
    );
    assert!(
        out.contains("embedded price snapshot has no price for it in ap-northeast-3"),
        "{out}"
    );
    let state = ws.state();
    let e = &state["steps"]["estimate"]["evidence"];
    assert_eq!(e["prices"]["source"], "snapshot");
    assert!(
        e["prices"]["api_error"]
            .as_str()
            .unwrap()
            .contains("pricing:GetProducts")
    );
    let ours: Vec<&serde_json::Value> = e["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["resource"].as_str().unwrap().starts_with(&instance))
        .collect();
    assert_eq!(ours.len(), 1);
    assert!(ours[0]["monthly_usd"].is_null(), "not priced, not zero");
    assert_eq!(ours[0]["charge"]["instance_type"], "t3.micro");
    assert!(e["totals"]["unpriced"].as_u64().unwrap() >= 1);
    assert_eq!(e["jpy"]["jpy_per_usd"], "151.2");
    assert_eq!(e["jpy"]["example_rate"], false);
}

/// In a terminal, a bad answer gets a clear message and the same question again.
#[test]
fn in_a_terminal_bad_answers_are_asked_again() {
    use expectrl::{Expect, Session};
    const ENTER: &str = "\r";
    let ws = Workspace::new();
    let mut p = Session::spawn(ws.sandbox(&["run", "--step", "estimate"])).expect("spawn in a pty");
    p.set_expect_timeout(Some(std::time::Duration::from_secs(30)));
    p.expect("Go on with this account and Region?").unwrap();
    p.send("y\r").unwrap();
    p.expect("Leave anything out").unwrap();
    p.send(ENTER).unwrap();
    p.expect("Hours a month each resource runs").unwrap();
    p.send("-3").unwrap();
    p.send(ENTER).unwrap();
    p.expect("hours a month cannot be negative").unwrap();
    p.send("744").unwrap();
    p.send(ENTER).unwrap();
    p.expect("GB stored in S3 Standard").unwrap();
    p.send(ENTER).unwrap();
    p.expect("GB a month processed by the ALB").unwrap();
    p.send(ENTER).unwrap();
    p.expect("Which Free Tier").unwrap();
    p.send("\x1b[B\x1b[B").unwrap(); // none
    p.send(ENTER).unwrap();
    p.expect("JPY per USD").unwrap();
    p.send("0").unwrap();
    p.send(ENTER).unwrap();
    p.expect("JPY per USD cannot be 0").unwrap();
    p.send("149.5").unwrap();
    p.send(ENTER).unwrap();
    p.expect("The rate's date").unwrap();
    p.send(ENTER).unwrap();
    p.expect("Have you made the estimate").unwrap();
    p.send("y\r").unwrap();
    p.expect("The share URL of your estimate").unwrap();
    p.send("https://calculator.aws/#/addService/ec2Enhancement")
        .unwrap();
    p.send(ENTER).unwrap();
    p.expect("a page being edited").unwrap(); // wrapped at 80 columns after it
    p.send("https://calculator.aws/#/estimate?id=5311a5ebe86fcd71593e076be6e2abdf7cb1a43d")
        .unwrap();
    p.send(ENTER).unwrap();
    p.expect("yearly total in USD").unwrap();
    p.send(ENTER).unwrap();
    p.expect("Step 4 done.").unwrap();
    p.expect("remark on this step").unwrap();
    p.send(ENTER).unwrap(); // no remark: skipped
    p.expect(expectrl::Eof).unwrap();
    let state = ws.state();
    let e = &state["steps"]["estimate"]["evidence"];
    // 744 hours: 744 × (0.0152 + 0.005 + 0.026 + 0.0243 + 2 × 0.005 for the ALB's addresses
    // + 2 vCPU × 0.12 of Extended Support) = 744 × 0.3205 = 238.452, plus the storage
    // 3.6 + 2.76 + 0.25 and 10 LCU-h 0.08 = 6.69 → 245.142 a month.
    assert_eq!(e["totals"]["monthly_usd"], "245.142");
    assert_eq!(e["free_tier"], "none");
    assert_eq!(e["totals"]["monthly_after_free_tier_usd"], "245.142");
    assert_eq!(e["jpy"]["jpy_per_usd"], "149.5");
    assert_eq!(
        e["calculator"]["url"],
        "https://calculator.aws/#/estimate?id=5311a5ebe86fcd71593e076be6e2abdf7cb1a43d"
    );
    assert_eq!(
        state["steps"]["estimate"]["answers"]["hours_per_month"],
        "744"
    );
}
