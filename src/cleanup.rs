//! Deleting what lecture06 made, in the order AWS allows (alarms, then subscriptions, then
//! topics), and saying for each what could not be deleted and why. A resource that is already
//! gone counts as deleted.

use crate::cloud::{Cloud, CloudError, CloudErrorKind};
use crate::i18n::Lang;
use crate::state::Resource;
use crate::t;

/// Deletes every resource; returns the ones that remain and, per input resource (same order),
/// `None` when it is gone or the reason it is not.
pub fn delete_all(
    cloud: &Cloud,
    resources: &[Resource],
    lang: Lang,
) -> (Vec<Resource>, Vec<Option<String>>) {
    let rank = |kind: &str| match kind {
        "cloudwatch-alarm" => 0,
        "sns-subscription" => 1,
        "sns-topic" => 2,
        _ => 3,
    };
    let mut order: Vec<usize> = (0..resources.len()).collect();
    order.sort_by_key(|&i| rank(&resources[i].kind));
    let mut outcomes: Vec<Option<String>> = vec![None; resources.len()];
    for i in order {
        outcomes[i] = delete_one(cloud, &resources[i], lang).err();
    }
    // Deleting a topic removes its subscriptions, unconfirmed ones included.
    let deleted_topics: Vec<&str> = resources
        .iter()
        .zip(&outcomes)
        .filter(|(r, o)| r.kind == "sns-topic" && o.is_none())
        .map(|(r, _)| r.id.as_str())
        .collect();
    let removed_with_topic = |r: &Resource| {
        r.kind == "sns-subscription"
            && deleted_topics
                .iter()
                .any(|topic| r.id.starts_with(&format!("{topic}:")))
    };
    for (r, outcome) in resources.iter().zip(outcomes.iter_mut()) {
        if let Some(why) = outcome.as_mut().filter(|_| removed_with_topic(r)) {
            why.push(' ');
            why.push_str(lang.pick(
                "Its topic was deleted, which removes it.",
                "トピックを削除したので、これも消えます。",
            ));
        }
    }
    let kept = resources
        .iter()
        .zip(&outcomes)
        .filter(|(r, o)| o.is_some() && !removed_with_topic(r))
        .map(|(r, _)| r.clone())
        .collect();
    (kept, outcomes)
}

fn gone(result: Result<(), CloudError>) -> Result<(), CloudError> {
    match result {
        Err(err) if err.kind == CloudErrorKind::NotFound => Ok(()),
        other => other,
    }
}

fn delete_one(cloud: &Cloud, r: &Resource, lang: Lang) -> Result<(), String> {
    let region = &r.region;
    let explain = |e: CloudError| e.explain(lang, None);
    match r.kind.as_str() {
        "cloudwatch-alarm" => gone(cloud.alarms.delete_alarm(region, &r.id)).map_err(explain),
        "sns-subscription" => match cloud.sns.subscription_pending(region, &r.id) {
            Ok(None) => Ok(()),
            Ok(Some(true)) => Err(t!(
                lang,
                "it is still waiting for confirmation, and SNS cannot remove an unconfirmed subscription; AWS deletes it by itself 48 hours after it was made (deleting its topic removes it too).",
                "確認待ちのままです。SNS では未確認のサブスクリプションは削除できません。作成から 48 時間で AWS が自動的に削除します（トピックを削除しても消えます）。"
            )),
            Ok(Some(false)) => gone(cloud.sns.unsubscribe(region, &r.id)).map_err(explain),
            Err(e) => Err(explain(e)),
        },
        "sns-topic" => gone(cloud.sns.delete_topic(region, &r.id)).map_err(explain),
        other => Err(t!(
            lang,
            "lecture06 does not know how to delete a {other}; delete it in the console.",
            "{other} の削除方法がわかりません。コンソールから削除してください。"
        )),
    }
}
