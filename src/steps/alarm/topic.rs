//! The SNS side of the alarm step: the topic (found, reused or made once), what its policy and
//! key would block, and the e-mail subscription with the wait for the student's click.

use super::{CONFIRM_POLL, CONFIRM_TIMEOUT, Maker, SubscriptionEvidence};
use crate::clock::duration;
use crate::cloud::notify::{CONFIRMATION_VALID_HOURS, Topic, policy_blocks_cloudwatch};
use crate::error::{AppError, AppResult};
use crate::prompt::Choice;
use crate::steps::StepCtx;
use crate::t;
use chrono::{DateTime, Utc};

/// The topic of that name: the one this step made before, an existing one, or a new one. A new
/// topic's ARN is known before `CreateTopic`, so it is recorded first: a crash right after the
/// call cannot leave an unrecorded topic; a call AWS refused takes the record back.
pub(super) fn ensure_topic(
    ctx: &mut StepCtx,
    region: &str,
    name: &str,
    predicted_arn: &str,
    tags: &[(String, String)],
) -> AppResult<Topic> {
    let lang = ctx.lang;
    if let Some(found) = ctx.cloud.sns.find_topic(region, name)? {
        // This folder's by the record, or by its tags when the record is gone (a lost state):
        // then it is recorded again, so `cleanup` and later runs know it is ours. Another
        // folder's is used as it is, never recorded (its own `cleanup` deletes it), and no second
        // topic of that name can exist in the Region anyway.
        let maker = if ctx.created_by_lecture06(&found.arn) {
            Maker::ThisWorkspace
        } else {
            let workspace = ctx.workspace_id()?;
            match ctx.cloud.sns.topic_tags(region, &found.arn) {
                Ok(tags) => Maker::of(&tags, Some(&workspace)),
                // Unreadable tags prove nothing: not taken as ours.
                Err(_) => Maker::NotLecture06,
            }
        };
        if maker == Maker::ThisWorkspace && !ctx.created_by_lecture06(&found.arn) {
            ctx.record_resource(super::TOPIC_KIND, &found.arn, region)?;
        }
        match maker {
            Maker::ThisWorkspace => ctx.ui.ok(t!(
                lang,
                "Reusing the topic {name}.",
                "トピック {name} を再利用します。"
            )),
            Maker::OtherWorkspace(_) | Maker::Lecture06UnknownFolder => {
                let (ws, ws_ja) = match &maker {
                    Maker::OtherWorkspace(id) => (
                        format!(" (workspace {id})"),
                        format!("（ワークスペース {id}）"),
                    ),
                    _ => (String::new(), String::new()),
                };
                ctx.ui.warn(t!(
                    lang,
                    "The topic {name} was made by lecture06 from another folder{ws}: using it as it is. `lecture06 cleanup` here will not delete it; run `lecture06 cleanup` in that folder when you are done with both, or give another topic name ([alarm] topic) to have one of this folder's own.",
                    "トピック {name} は別のフォルダーで lecture06 が作成したもの{ws_ja}なので、そのまま使います。このフォルダーの `lecture06 cleanup` では削除しません。両方が終わったらそのフォルダーで `lecture06 cleanup` を実行するか、このフォルダー専用にするには別のトピック名（[alarm] topic）を指定してください。"
                ))
            }
            Maker::NotLecture06 => ctx.ui.ok(t!(
                lang,
                "The topic {name} exists already: using it (lecture06 will not delete it).",
                "トピック {name} は既にあるので使います（lecture06 は削除しません）。"
            )),
        }
        ctx.set_progress("topic", &found)?;
        return Ok(found);
    }
    let topic = ctx.record_then(super::TOPIC_KIND, predicted_arn, region, |cloud| {
        cloud.sns.create_topic(region, name, tags)
    })?;
    if topic.arn != predicted_arn {
        ctx.record_resource(super::TOPIC_KIND, &topic.arn, region)?;
        ctx.forget_resource(super::TOPIC_KIND, predicted_arn, region)?;
    }
    ctx.set_progress("topic", &topic)?;
    ctx.ui.ok(t!(
        lang,
        "Created the topic {name}.",
        "トピック {name} を作成しました。"
    ));
    Ok(topic)
}

/// A policy that keeps CloudWatch out stops the step; a KMS key gets a warning (its key policy
/// cannot be read here).
pub(super) fn check_topic(ctx: &mut StepCtx, region: &str, topic: &Topic) -> AppResult<()> {
    let lang = ctx.lang;
    let settings = ctx.cloud.sns.topic_settings(region, &topic.arn)?;
    let name = &topic.name;
    if settings
        .policy
        .as_deref()
        .is_some_and(policy_blocks_cloudwatch)
    {
        return Err(AppError::Failed(t!(
            lang,
            "The access policy of the topic {name} does not let CloudWatch publish to it, so the alarm could not mail you. Add a statement allowing \"sns:Publish\" to the principal {{\"Service\": \"cloudwatch.amazonaws.com\"}} (or restore the default policy), or give another topic name ([alarm] topic).",
            "トピック {name} のアクセスポリシーでは CloudWatch が発行（Publish）できないため、アラームのメールが届きません。プリンシパル {{\"Service\": \"cloudwatch.amazonaws.com\"}} に \"sns:Publish\" を許可するステートメントを追加する（または既定のポリシーに戻す）か、別のトピック名（[alarm] topic）を指定してください。"
        )));
    }
    if let Some(key) = settings.kms_key {
        ctx.ui.warn(t!(
            lang,
            "The topic {name} is encrypted with the KMS key {key}. CloudWatch can only publish to it if that key's policy allows kms:Decrypt and kms:GenerateDataKey* to the principal cloudwatch.amazonaws.com (the AWS managed key alias/aws/sns does not). If no mail arrives, that is why.",
            "トピック {name} は KMS キー {key} で暗号化されています。キーポリシーでプリンシパル cloudwatch.amazonaws.com に kms:Decrypt と kms:GenerateDataKey* を許可しないと、CloudWatch は発行できません（AWS マネージドキー alias/aws/sns では不可）。メールが届かない場合はこれが原因です。"
        ));
    }
    Ok(())
}

/// The e-mail subscription, made once, and the wait for its confirmation.
pub(super) fn ensure_subscription(
    ctx: &mut StepCtx,
    region: &str,
    topic: &Topic,
    email: &str,
) -> AppResult<SubscriptionEvidence> {
    let lang = ctx.lang;
    let (arn, confirmed) = subscription_of(ctx, region, topic, email)?;
    let evidence = |confirmed, confirmed_at, waited_seconds| SubscriptionEvidence {
        arn: arn.clone(),
        endpoint: email.into(),
        confirmed,
        confirmed_at,
        waited_seconds,
    };
    if confirmed || ctx.progress::<bool>("confirmed") == Some(true) {
        ctx.ui.ok(t!(
            lang,
            "The subscription of {email} is confirmed.",
            "{email} のサブスクリプションは確認済みです。"
        ));
        return Ok(evidence(
            true,
            ctx.progress("confirmed_at"),
            ctx.progress("waited_seconds"),
        ));
    }
    if !ask_to_wait(ctx, email)? {
        return Ok(evidence(false, None, None));
    }
    if let Some(prompt) = ctx.cloud.student.offer_confirmation_click(lang)
        && ctx.ask_confirm("click_link", prompt, true)?
    {
        ctx.cloud
            .student
            .click_confirmation_link(&topic.arn, email)?;
    }
    let (confirmed_at, waited) = wait_for_confirmation(ctx, region, &arn, email)?;
    ctx.set_progress("confirmed", &true)?;
    ctx.set_progress("confirmed_at", &confirmed_at)?;
    ctx.set_progress("waited_seconds", &waited)?;
    ctx.ui.ok(t!(
        lang,
        "Confirmed after {}.",
        "{}で確認されました。",
        duration(lang, waited)
    ));
    Ok(evidence(true, Some(confirmed_at), Some(waited)))
}

/// The subscription's ARN, subscribing (and recording it) when there is none; whether SNS
/// already says it is confirmed.
fn subscription_of(
    ctx: &mut StepCtx,
    region: &str,
    topic: &Topic,
    email: &str,
) -> AppResult<(String, bool)> {
    let lang = ctx.lang;
    let listed = ctx.cloud.sns.subscriptions(region, &topic.arn)?;
    let mine = listed
        .iter()
        .find(|s| s.protocol == "email" && s.endpoint.eq_ignore_ascii_case(email));
    let arn = match (mine, ctx.progress::<String>("subscription_arn")) {
        (Some(s), _) if s.confirmed() => {
            if ctx.progress::<bool>("subscribing").unwrap_or(false) {
                ctx.record_resource(super::SUBSCRIPTION_KIND, &s.arn, region)?;
            }
            s.arn.clone()
        }
        (Some(_), Some(arn)) => arn,
        // Not there (never made, expired after 48 h unconfirmed, or deleted), or pending without
        // its ARN at hand: `Subscribe` returns the existing pending subscription's ARN.
        _ => {
            ctx.set_progress("subscribing", &true)?;
            let arn = ctx.cloud.sns.subscribe_email(region, &topic.arn, email)?;
            ctx.record_resource(super::SUBSCRIPTION_KIND, &arn, region)?;
            ctx.set_progress("subscription_arn", &arn)?;
            ctx.ui.ok(t!(
                lang,
                "Subscribed {email} to {}: AWS has sent a confirmation mail (\"AWS Notification - Subscription Confirmation\").",
                "{email} を {} に登録しました。確認メール「AWS Notification - Subscription Confirmation」が送信されました。",
                topic.name
            ));
            arn
        }
    };
    Ok((arn, mine.is_some_and(|s| s.confirmed())))
}

/// How to confirm, then whether to wait for it (`[alarm] confirmation`); a skip is said.
fn ask_to_wait(ctx: &mut StepCtx, email: &str) -> AppResult<bool> {
    let lang = ctx.lang;
    let hours = CONFIRMATION_VALID_HOURS;
    let resume = ctx.next_command("run");
    ctx.ui.line(t!(
        lang,
        "Open the mail \"AWS Notification - Subscription Confirmation\" sent to {email} and click \"Confirm subscription\". Not there? Look in the spam folder. The link stays valid for {} days ({hours} hours); you can leave this wait with Ctrl-C and come back later with `{resume}`.",
        "{email} 宛ての「AWS Notification - Subscription Confirmation」メールを開き、「Confirm subscription」をクリックしてください。見当たらなければ迷惑メールフォルダも確認してください。リンクの有効期限は {} 日間（{hours} 時間）です。Ctrl-C で待機をやめ、後で `{resume}` で再開できます。"
    ,
        hours / 24
    ));
    let choices = [
        Choice {
            id: "wait".into(),
            label: lang
                .pick("Wait for my click", "クリックするまで待つ")
                .into(),
        },
        Choice {
            id: "skip".into(),
            label: lang
                .pick(
                    "Skip (recorded as unconfirmed; no mail will arrive)",
                    "スキップ（未確認として記録。メールは届きません）",
                )
                .into(),
        },
    ];
    let choice = ctx.ask_select(
        "confirmation",
        t!(lang, "Wait for the confirmation?", "確認を待ちますか？"),
        &choices,
        0,
    )?;
    if choices[choice].id == "skip" {
        ctx.ui.warn(t!(
            lang,
            "Skipped: the subscription stays unconfirmed, so no alarm mail can reach you until you click the link.",
            "スキップしました。リンクをクリックするまでサブスクリプションは未確認のままで、アラームのメールは届きません。"
        ));
        return Ok(false);
    }
    Ok(true)
}

/// Polls until the subscription is confirmed: `(when, seconds waited since the first wait)`.
fn wait_for_confirmation(
    ctx: &mut StepCtx,
    region: &str,
    arn: &str,
    email: &str,
) -> AppResult<(DateTime<Utc>, i64)> {
    let lang = ctx.lang;
    let hours = CONFIRMATION_VALID_HOURS;
    let clock = ctx.cloud.clock.clone();
    let started: DateTime<Utc> = ctx.progress("wait_started").unwrap_or_else(|| clock.now());
    ctx.set_progress("wait_started", &started)?;
    let spinner = ctx.ui.spinner(t!(
        lang,
        "Waiting for {email} to confirm…",
        "{email} の確認を待っています…"
    ));
    let run_started = clock.now();
    loop {
        match ctx.cloud.sns.subscription_pending(region, arn)? {
            Some(false) => break,
            Some(true) => {}
            None => {
                spinner.finish();
                ctx.forget_progress("subscription_arn")?;
                let again = ctx.next_command("run --step alarm");
                return Err(AppError::Failed(t!(
                    lang,
                    "The subscription is gone (unconfirmed subscriptions expire after {hours} hours). Run `{again}` again to subscribe anew.",
                    "サブスクリプションがなくなりました（未確認のものは {hours} 時間で削除されます）。`{again}` を再実行すると登録し直します。"
                )));
            }
        }
        if clock.now() - run_started
            > chrono::Duration::from_std(CONFIRM_TIMEOUT).unwrap_or_default()
        {
            spinner.finish();
            let again = ctx.next_command("run");
            return Err(AppError::Failed(t!(
                lang,
                "Still not confirmed after 30 minutes. Look for the mail (spam folder too), click the link, then run `{again}` again; or set [alarm] confirmation = \"skip\".",
                "30 分待っても確認されませんでした。メール（迷惑メールフォルダも）のリンクをクリックしてから `{again}` を再実行するか、[alarm] confirmation = \"skip\" を指定してください。"
            )));
        }
        clock.sleep(CONFIRM_POLL);
        if crate::clock::stop_requested() {
            spinner.finish();
            return Err(crate::prompt::interrupted(lang));
        }
        let waited = duration(lang, (clock.now() - started).num_seconds());
        spinner.update(t!(
            lang,
            "Waiting for {email} to confirm… {waited}",
            "{email} の確認を待っています… {waited}"
        ));
    }
    spinner.finish();
    let confirmed_at = clock.now();
    Ok((confirmed_at, (confirmed_at - started).num_seconds()))
}
