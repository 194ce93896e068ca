//! The SNS side of the alarm step: the topic (found, reused or made once), what its policy and
//! key would block, and the e-mail subscription with the wait for the student's click.

use super::{CONFIRM_POLL, CONFIRM_TIMEOUT, SubscriptionEvidence};
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
        // lecture06's by the record, or by its tag when the record is gone (a lost state): then
        // it is recorded again, so `cleanup` and later runs know it is ours.
        let tagged = || {
            ctx.cloud
                .sns
                .topic_tags(region, &found.arn)
                .is_ok_and(|tags| {
                    tags.iter()
                        .any(|(k, v)| k == super::TAG.0 && v == super::TAG.1)
                })
        };
        let ours = ctx.created_by_lecture06(&found.arn) || tagged();
        if ours && !ctx.created_by_lecture06(&found.arn) {
            ctx.record_resource("sns-topic", &found.arn, region)?;
        }
        if ours {
            ctx.ui.ok(t!(
                lang,
                "Reusing the topic {name}.",
                "トピック {name} を再利用します。"
            ));
        } else {
            ctx.ui.ok(t!(
                lang,
                "The topic {name} exists already: using it (lecture06 will not delete it).",
                "トピック {name} は既にあるので使います（lecture06 は削除しません）。"
            ));
        }
        ctx.set_progress("topic", &found)?;
        return Ok(found);
    }
    let topic = ctx.record_then("sns-topic", predicted_arn, region, |cloud| {
        cloud.sns.create_topic(region, name, tags)
    })?;
    if topic.arn != predicted_arn {
        ctx.record_resource("sns-topic", &topic.arn, region)?;
        ctx.forget_resource("sns-topic", predicted_arn, region)?;
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
    let hours = CONFIRMATION_VALID_HOURS;
    let listed = ctx.cloud.sns.subscriptions(region, &topic.arn)?;
    let mine = listed
        .iter()
        .find(|s| s.protocol == "email" && s.endpoint.eq_ignore_ascii_case(email));
    let arn = match (mine, ctx.progress::<String>("subscription_arn")) {
        (Some(s), _) if s.confirmed() => {
            if ctx.progress::<bool>("subscribing").unwrap_or(false) {
                ctx.record_resource("sns-subscription", &s.arn, region)?;
            }
            s.arn.clone()
        }
        (Some(_), Some(arn)) => arn,
        // Not there (never made, expired after 48 h unconfirmed, or deleted), or pending without
        // its ARN at hand: `Subscribe` returns the existing pending subscription's ARN.
        _ => {
            ctx.set_progress("subscribing", &true)?;
            let arn = ctx.cloud.sns.subscribe_email(region, &topic.arn, email)?;
            ctx.record_resource("sns-subscription", &arn, region)?;
            ctx.set_progress("subscription_arn", &arn)?;
            ctx.ui.ok(t!(
                lang,
                "Subscribed {email} to {}: AWS has sent a confirmation mail (\"AWS Notification - Subscription Confirmation\").",
                "{email} を {} に登録しました。確認メール（\"AWS Notification - Subscription Confirmation\"）が送信されました。",
                topic.name
            ));
            arn
        }
    };
    if mine.is_some_and(|s| s.confirmed()) || ctx.progress::<bool>("confirmed") == Some(true) {
        ctx.ui.ok(t!(
            lang,
            "The subscription of {email} is confirmed.",
            "{email} のサブスクリプションは確認済みです。"
        ));
        return Ok(SubscriptionEvidence {
            arn,
            endpoint: email.into(),
            confirmed: true,
            confirmed_at: ctx.progress("confirmed_at"),
            waited_seconds: ctx.progress("waited_seconds"),
        });
    }

    ctx.ui.line(t!(
        lang,
        "Open the mail \"AWS Notification - Subscription Confirmation\" sent to {email} and click \"Confirm subscription\". Not there? Look in the spam folder. The link stays valid for {} days ({hours} hours); you can leave this wait with Ctrl-C and come back later with `lecture06 run`.",
        "{email} 宛ての「AWS Notification - Subscription Confirmation」メールを開き、「Confirm subscription」をクリックしてください。見当たらなければ迷惑メールフォルダも確認してください。リンクの有効期限は {} 日間（{hours} 時間）です。Ctrl-C で待機をやめ、後で `lecture06 run` で再開できます。"
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
        return Ok(SubscriptionEvidence {
            arn,
            endpoint: email.into(),
            confirmed: false,
            confirmed_at: None,
            waited_seconds: None,
        });
    }
    if let Some(prompt) = ctx.cloud.student.offer_confirmation_click(lang)
        && ctx.ask_confirm("click_link", prompt, true)?
    {
        ctx.cloud
            .student
            .click_confirmation_link(&topic.arn, email)?;
    }
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
        match ctx.cloud.sns.subscription_pending(region, &arn)? {
            Some(false) => break,
            Some(true) => {}
            None => {
                spinner.finish();
                ctx.forget_progress("subscription_arn")?;
                return Err(AppError::Failed(t!(
                    lang,
                    "The subscription is gone (unconfirmed subscriptions expire after {hours} hours). Run `lecture06 run --step alarm` again to subscribe anew.",
                    "サブスクリプションがなくなりました（未確認のものは {hours} 時間で削除されます）。`lecture06 run --step alarm` を再実行すると登録し直します。"
                )));
            }
        }
        if clock.now() - run_started
            > chrono::Duration::from_std(CONFIRM_TIMEOUT).unwrap_or_default()
        {
            spinner.finish();
            return Err(AppError::Failed(t!(
                lang,
                "Still not confirmed after 30 minutes. Look for the mail (spam folder too), click the link, then run `lecture06 run` again; or set [alarm] confirmation = \"skip\".",
                "30 分待っても確認されませんでした。メール（迷惑メールフォルダも）のリンクをクリックしてから `lecture06 run` を再実行するか、[alarm] confirmation = \"skip\" を指定してください。"
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
    let waited = (confirmed_at - started).num_seconds();
    ctx.set_progress("confirmed", &true)?;
    ctx.set_progress("confirmed_at", &confirmed_at)?;
    ctx.set_progress("waited_seconds", &waited)?;
    ctx.ui.ok(t!(
        lang,
        "Confirmed after {}.",
        "{}で確認されました。",
        duration(lang, waited)
    ));
    Ok(SubscriptionEvidence {
        arn,
        endpoint: email.into(),
        confirmed: true,
        confirmed_at: Some(confirmed_at),
        waited_seconds: Some(waited),
    })
}
