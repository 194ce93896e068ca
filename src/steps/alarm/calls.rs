//! The alarm step's calls that look and act in CloudWatch and ELB: whose alarm a name already
//! names, finding the ALB to watch, the plan shown by `--dry-run`, and the mail test with
//! `SetAlarmState`.

use super::settings::{put_params, valid_alarm_name};
use super::{ALARM_KIND, DEFAULT_ALARM, MailTest, Maker, OTHER_REGIONS, SubscriptionEvidence};
use crate::clock::{jst, utc};
use crate::cloud::CloudErrorKind;
use crate::cloud::alarms::{AlarmInfo, AlarmSpec};
use crate::cloud::elb::{LoadBalancer, TargetGroup};
use crate::error::{AppError, AppResult};
use crate::prompt::Choice;
use crate::steps::StepCtx;
use crate::t;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::time::Duration;

/// Who made the alarm of a name, as far as lecture06 can tell.
enum Owner {
    Nobody,
    Lecture06,
    /// Not this folder's: someone else's (`None`), or lecture06's from another folder
    /// (`Some(its workspace id)`, empty when an older lecture06 did not tag it).
    Someone(Box<AlarmInfo>, Option<String>),
}

/// lecture06's alarm is the one it recorded in this Region, or one tagged as made from this
/// folder (its `PutMetricAlarm` always tags). Tags that cannot be read prove nothing.
fn owner_of(ctx: &mut StepCtx, region: &str, name: &str) -> AppResult<Owner> {
    let Some(found) = ctx.cloud.alarms.describe_alarm(region, name)? else {
        return Ok(Owner::Nobody);
    };
    if ctx.recorded(ALARM_KIND, name, region) {
        return Ok(Owner::Lecture06);
    }
    let tags = match ctx.cloud.alarms.alarm_tags(region, &found.arn) {
        Ok(tags) => tags,
        Err(err) if err.kind == CloudErrorKind::AccessDenied => Vec::new(),
        Err(err) => return Err(err.into()),
    };
    let found = Box::new(found);
    Ok(match Maker::of(&tags, Some(&ctx.workspace_id()?)) {
        Maker::ThisWorkspace => Owner::Lecture06,
        Maker::OtherWorkspace(id) => Owner::Someone(found, Some(id)),
        Maker::Lecture06UnknownFolder => Owner::Someone(found, Some(String::new())),
        Maker::NotLecture06 => Owner::Someone(found, None),
    })
}

/// Who made an alarm that is not this folder's, for the sentences below: (maker in English,
/// in Japanese before "アラーム", the reason it is left alone in English and in Japanese).
fn not_ours(folder: &Option<String>) -> (String, String, String, String) {
    match folder.as_deref() {
        None => (
            "and lecture06 did not create it".into(),
            "lecture06 が作成していない".into(),
            "is not lecture06's".into(),
            "lecture06 が作成したものではないため".into(),
        ),
        Some(id) => {
            let ws = if id.is_empty() {
                String::new()
            } else {
                format!(" (workspace {id})")
            };
            let ws_ja = if id.is_empty() {
                String::new()
            } else {
                format!("（ワークスペース {id}）")
            };
            (
                format!(
                    "made by lecture06 from another folder{ws}; `lecture06 cleanup` there deletes it, not the one here"
                ),
                format!("別のフォルダーで lecture06 が作成した{ws_ja}"),
                format!("was made by lecture06 from another folder{ws}"),
                format!("別のフォルダーで lecture06 が作成したもの{ws_ja}なので"),
            )
        }
    }
}

/// The alarm's name, asked again until it names no alarm of someone else, unless the student
/// says to take that alarm over. Returns the name and whether lecture06 may record the alarm as
/// its own (a taken-over alarm is overwritten, never recorded, so `cleanup` leaves it).
pub(super) fn ask_alarm_name(ctx: &mut StepCtx, region: &str) -> AppResult<(String, bool)> {
    let lang = ctx.lang;
    let mut default = DEFAULT_ALARM.to_string();
    loop {
        let name = ctx.ask_text(
            "alarm_name",
            t!(lang, "Alarm name", "アラーム名"),
            Some(default.clone()),
            &valid_alarm_name(lang),
        )?;
        let (found, folder) = match owner_of(ctx, region, &name)? {
            Owner::Nobody | Owner::Lecture06 => return Ok((name, true)),
            Owner::Someone(found, folder) => (found, folder),
        };
        let (maker_en, maker_ja, why_en, why_ja) = not_ours(&folder);
        if ctx.progress::<String>("taken_over").as_deref() == Some(name.as_str()) {
            return Ok((name, false));
        }
        let spec = &found.spec;
        let actions = if spec.alarm_actions.is_empty() {
            "-".to_string()
        } else {
            spec.alarm_actions.join(", ")
        };
        ctx.ui.warn(t!(
            lang,
            "An alarm named {name} already exists in {region}, {maker_en}: {} {} ({}), state {}, actions {actions}. lecture06 does not overwrite it unless you say so.",
            "{region} には{maker_ja}アラーム {name} が既にあります: {} {}（{}）、状態 {}、アクション {actions}。指示がない限り lecture06 は上書きしません。",
            spec.statistic,
            spec.metric,
            spec.namespace,
            found.state
        ));
        let suggestion = format!("{name}-2");
        let choices = [
            Choice {
                id: "rename".into(),
                label: t!(
                    lang,
                    "Use another name (e.g. {suggestion})",
                    "別の名前にする（例: {suggestion}）"
                ),
            },
            Choice {
                id: "take-over".into(),
                label: lang
                    .pick(
                        "Take it over: overwrite its settings (lecture06 will not delete it)",
                        "引き継ぐ: 設定を上書きする（lecture06 は削除しません）",
                    )
                    .into(),
            },
            Choice {
                id: "stop".into(),
                label: lang.pick("Stop here", "ここで止める").into(),
            },
        ];
        // Without a person to ask, only an explicit answer takes the alarm over.
        let interactive = ctx.prompter.is_interactive();
        let choice = ctx.ask_select(
            "existing_alarm",
            t!(lang, "What should lecture06 do?", "どうしますか？"),
            &choices,
            if interactive { 0 } else { 2 },
        )?;
        // The consent is for this name only: never carried over to another alarm.
        ctx.forget_answer("existing_alarm")?;
        match choices[choice].id.as_str() {
            "take-over" => {
                ctx.set_progress("taken_over", &name)?;
                return Ok((name, false));
            }
            "rename" if interactive => {
                ctx.forget_answer("alarm_name")?;
                default = suggestion;
            }
            _ => {
                return Err(AppError::Usage(t!(
                    lang,
                    "The alarm {name} in {region} {why_en}, so it is left as it is. Give another name with `alarm_name = \"{suggestion}\"` (any free name) under [alarm] in the answers file; or, only if lecture06 should overwrite that alarm's settings, add `existing_alarm = \"take-over\"` under [alarm].",
                    "{region} のアラーム {name} は{why_ja}、そのままにします。回答ファイルの [alarm] に `alarm_name = \"{suggestion}\"`（使われていない名前）を書いて別の名前にしてください。そのアラームの設定を lecture06 に上書きさせる場合に限り、[alarm] に `existing_alarm = \"take-over\"` を追加してください。"
                )));
            }
        }
    }
}

/// A load balancer as the picker shows it (the DNS name stays one piece on a line of its own).
fn alb_choice(lb: &LoadBalancer, lang: crate::i18n::Lang) -> Choice {
    Choice {
        id: lb.name.clone(),
        label: t!(
            lang,
            "{}  ({}, {})",
            "{} — {}（{}）",
            lb.name,
            lb.dns_name,
            lb.state
        ),
    }
}

/// A target group as the picker shows it.
fn group_choice(tg: &TargetGroup, lang: crate::i18n::Lang) -> Choice {
    Choice {
        id: tg.name.clone(),
        label: t!(
            lang,
            "{}  ({} {})",
            "{}（{} {}）",
            tg.name,
            tg.protocol,
            tg.port
        ),
    }
}

/// The ALB and target group the alarm watches, in the working Region.
pub(super) fn find_alb(ctx: &mut StepCtx, region: &str) -> AppResult<(LoadBalancer, TargetGroup)> {
    let lang = ctx.lang;
    let albs: Vec<LoadBalancer> = ctx
        .cloud
        .elb
        .load_balancers(region)?
        .into_iter()
        .filter(|lb| lb.kind == "application")
        .collect();
    if albs.is_empty() {
        let mut elsewhere = Vec::new();
        for other in OTHER_REGIONS.iter().filter(|r| **r != region) {
            if let Ok(found) = ctx.cloud.elb.load_balancers(other) {
                let names: Vec<String> = found
                    .into_iter()
                    .filter(|lb| lb.kind == "application")
                    .map(|lb| lb.name)
                    .collect();
                if !names.is_empty() {
                    elsewhere.push(format!("{other} ({})", names.join(", ")));
                }
            }
        }
        let hint = if elsewhere.is_empty() {
            t!(
                lang,
                "No ALB was found in {} either. Create the ALB of lecture 5 first.",
                "{} にも ALB はありませんでした。先に第 5 回の ALB を作成してください。",
                OTHER_REGIONS.join(", ")
            )
        } else {
            t!(
                lang,
                "ALBs exist in: {}. Run again with --region set to that Region (the alarm must live in the ALB's Region).",
                "ALB があるリージョン: {}。そのリージョンを --region に指定して再実行してください（アラームは ALB と同じリージョンに作ります）。",
                elsewhere.join("; ")
            )
        };
        return Err(AppError::Failed(t!(
            lang,
            "There is no Application Load Balancer in {region}. {hint}",
            "{region} に Application Load Balancer がありません。{hint}"
        )));
    }
    let choices: Vec<Choice> = albs.iter().map(|lb| alb_choice(lb, lang)).collect();
    let index = ctx.ask_select(
        "load_balancer",
        t!(
            lang,
            "Which ALB should the alarm watch? (in {region})",
            "どの ALB を監視しますか？（{region}）"
        ),
        &choices,
        0,
    )?;
    let lb = albs[index].clone();
    let groups = ctx.cloud.elb.target_groups(region, &lb.arn)?;
    if groups.is_empty() {
        let name = &lb.name;
        return Err(AppError::Failed(t!(
            lang,
            "The ALB {name} has no target group, so there is no HealthyHostCount to watch. Add a listener that forwards to a target group with your EC2 instance registered, then run `lecture06 run --step alarm` again.",
            "ALB {name} にターゲットグループがないため、監視する HealthyHostCount がありません。EC2 インスタンスを登録したターゲットグループに転送するリスナーを追加してから `lecture06 run --step alarm` を再実行してください。"
        )));
    }
    let choices: Vec<Choice> = groups.iter().map(|tg| group_choice(tg, lang)).collect();
    let index = ctx.ask_select(
        "target_group",
        t!(
            lang,
            "Which target group?",
            "どのターゲットグループですか？"
        ),
        &choices,
        0,
    )?;
    let tg = groups[index].clone();
    ctx.ui.ok(t!(
        lang,
        "ALB {} with target group {} in {region}.",
        "{region} の ALB {}（ターゲットグループ {}）。",
        lb.name,
        tg.name
    ));
    Ok((lb, tg))
}

pub(super) fn dry_run(
    ctx: &mut StepCtx,
    region: &str,
    topic_name: &str,
    email: &str,
    spec: &AlarmSpec,
    tags: &[(String, String)],
) -> AppResult<()> {
    let existing = ctx.cloud.sns.find_topic(region, topic_name)?;
    let topic_arn = spec.alarm_actions[0].clone();
    let tags: Vec<Value> = tags
        .iter()
        .map(|(k, v)| json!({"Key": k, "Value": v}))
        .collect();
    if existing.is_none() {
        ctx.ui.plan(
            "sns:CreateTopic",
            &json!({"Region": region, "Name": topic_name, "Tags": tags}),
        );
    }
    let subscribed = existing
        .map(|t| ctx.cloud.sns.subscriptions(region, &t.arn))
        .transpose()?
        .unwrap_or_default()
        .iter()
        .any(|s| s.endpoint.eq_ignore_ascii_case(email));
    if !subscribed {
        ctx.ui.plan(
            "sns:Subscribe",
            &json!({"TopicArn": topic_arn, "Protocol": "email", "Endpoint": email, "ReturnSubscriptionArn": true}),
        );
    }
    let mut put = put_params(spec);
    put["Tags"] = json!(tags);
    ctx.ui.plan("cloudwatch:PutMetricAlarm", &put);
    ctx.ui.plan(
        "cloudwatch:SetAlarmState",
        &json!({"AlarmName": spec.name, "StateValue": "ALARM", "StateReason": "(mail test, if you choose it)"}),
    );
    ctx.ui.plan(
        "cloudwatch:SetAlarmState",
        &json!({"AlarmName": spec.name, "StateValue": "OK", "StateReason": "(end of the mail test)"}),
    );
    Ok(())
}

/// `SetAlarmState` ALARM then OK: the mail path, tested without stopping anything.
pub(super) fn mail_test(
    ctx: &mut StepCtx,
    region: &str,
    alarm: &str,
    subscription: &SubscriptionEvidence,
) -> AppResult<Option<MailTest>> {
    let lang = ctx.lang;
    if let Some(done) = ctx.progress::<MailTest>("test") {
        return Ok(Some(done));
    }
    if !subscription.confirmed {
        return Ok(None);
    }
    let wanted = ctx.ask_confirm(
        "test_mail",
        t!(
            lang,
            "Send a test ALARM now (SetAlarmState: ALARM, then back to OK)? Nothing is stopped.",
            "テストの ALARM を送りますか？（SetAlarmState で ALARM にしてから OK に戻します。何も停止しません）"
        ),
        true,
    )?;
    if !wanted {
        return Ok(None);
    }
    let mut attempt = 1;
    loop {
        let (alarm_set_at, ok_set_at) = send_test(ctx, region, alarm)?;
        let mail_files = mails_seen(ctx, alarm);
        let mail_arrived = ctx.ask_confirm(
            "mail_arrived",
            t!(
                lang,
                "Did the mail 'ALARM: \"{alarm}\" in …' arrive? (look in the spam folder too)",
                "「ALARM: \"{alarm}\" in …」のメールは届きましたか？（迷惑メールフォルダも確認）"
            ),
            true,
        )?;
        if !mail_arrived && attempt < 3 && offer_resend(ctx, region, subscription)? {
            attempt += 1;
            ctx.forget_answer("mail_arrived")?;
            continue;
        }
        if !mail_arrived {
            ctx.ui.warn(t!(
                lang,
                "The alarm itself is set. The mails of the Unicorn test (next step) go the same way: check the points above before it.",
                "アラーム自体は設定済みです。次のステップ（Unicorn の停止）のメールも同じ経路で届くので、その前に上の点を確認してください。"
            ));
        }
        let test = MailTest {
            alarm_set_at,
            ok_set_at,
            mail_arrived,
            mail_files,
        };
        ctx.set_progress("test", &test)?;
        return Ok(Some(test));
    }
}

/// `SetAlarmState` ALARM, half a minute, then OK: `(when ALARM was set, when OK was)`.
fn send_test(
    ctx: &mut StepCtx,
    region: &str,
    alarm: &str,
) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
    let lang = ctx.lang;
    let clock = ctx.cloud.clock.clone();
    ctx.cloud.alarms.set_alarm_state(
        region,
        alarm,
        "ALARM",
        "Testing the mail path with lecture06 (SetAlarmState); nothing was stopped.",
    )?;
    let alarm_set_at = clock.now();
    ctx.ui.ok(t!(
        lang,
        "Set to ALARM at {} / {}.",
        "{} / {} に ALARM にしました。",
        jst(alarm_set_at),
        utc(alarm_set_at)
    ));
    clock.sleep(Duration::from_secs(30));
    ctx.cloud.alarms.set_alarm_state(
        region,
        alarm,
        "OK",
        "End of the lecture06 mail test; the next evaluation sets the real state.",
    )?;
    // Ctrl-C during the wait cut it short: the state is put back (above); test again on resume.
    if crate::clock::stop_requested() {
        return Err(crate::prompt::interrupted(lang));
    }
    Ok((alarm_set_at, clock.now()))
}

/// The alarm's mails lecture06 can see itself (a practice account's mailbox), said; none else.
fn mails_seen(ctx: &StepCtx, alarm: &str) -> Vec<String> {
    let Some(mailbox) = ctx.cloud.student.mailbox() else {
        return Vec::new();
    };
    let files: Vec<String> = ctx
        .cloud
        .student
        .mails_about(alarm)
        .into_iter()
        .map(|mail| mail.name)
        .collect();
    let shown = mailbox.display();
    ctx.ui.line(t!(
        ctx.lang,
        "The alarm's mails are in {shown}: {}",
        "アラームのメールは {shown} にあります: {}",
        files.join(", ")
    ));
    files
}

/// No mail: what to check (the spam folder, the sender, the topic's subscriptions as SNS lists
/// them now), then whether to send the test again (`[alarm] resend`).
fn offer_resend(
    ctx: &mut StepCtx,
    region: &str,
    subscription: &SubscriptionEvidence,
) -> AppResult<bool> {
    let lang = ctx.lang;
    let topic_arn = subscription
        .arn
        .rsplit_once(':')
        .map(|(topic, _)| topic)
        .unwrap_or(&subscription.arn);
    ctx.ui.warn(t!(
        lang,
        "No mail yet. Check, in this order:",
        "メールが届いていません。次の順に確認してください:"
    ));
    ctx.ui.line(t!(
        lang,
        "1. The spam (or promotions) folder: the sender is \"AWS Notifications\" <no-reply@sns.amazonaws.com>; mark it as not spam.\n2. The address: {} — is it the one you read?\n3. The topic's subscriptions, as SNS lists them now:",
        "1. 迷惑メール（またはプロモーション）フォルダ。送信者は「AWS Notifications」<no-reply@sns.amazonaws.com> です。迷惑メールではないと設定してください。\n2. 宛先: {}（読んでいるアドレスですか？）\n3. SNS が今示すトピックのサブスクリプション:",
        subscription.endpoint
    ));
    match ctx.cloud.sns.subscriptions(region, topic_arn) {
        Ok(listed) => {
            for s in listed {
                let state = if s.confirmed() {
                    lang.pick("confirmed", "確認済み")
                } else {
                    lang.pick("pending confirmation", "確認待ち")
                };
                ctx.ui.line(t!(
                    lang,
                    "   - {} {} ({state})",
                    "   - {} {}（{state}）",
                    s.protocol,
                    s.endpoint
                ));
            }
        }
        Err(err) => ctx.ui.line(format!("   - {}", err.explain(lang, None))),
    }
    ctx.ask_confirm(
        "resend",
        t!(
            lang,
            "Send the test mail again?",
            "テストメールをもう一度送りますか？"
        ),
        ctx.prompter.is_interactive(),
    )
}
