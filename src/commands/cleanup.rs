//! `lecture06 cleanup`: deleting what lecture06 made, in the order AWS allows (alarms, then subscriptions, then
//! topics), and saying for each what could not be deleted and why. A resource that is already
//! gone counts as deleted. Before deleting an alarm or a topic its tags are read once more: one
//! without lecture06's `created-by` tag is someone else's, and one tagged with another folder's
//! workspace id is that folder's; both are left alone (their record is dropped), whatever the
//! state says. A health-check path lecture06 changed is put back
//! (`health-check-path`, id `<target group ARN>#<old path>`). What `trail search --athena` made
//! is dropped through Athena (its table, then the `lecture06` database) and its results under
//! `lecture06-athena-results/` deleted.

use super::confirm_destructive;
use crate::app::App;
use crate::cloud::events::SqlLeftover;
use crate::cloud::notify::CONFIRMATION_VALID_HOURS;
use crate::cloud::{Cloud, CloudError, CloudErrorKind};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::mask;
use crate::prompt::Answers;
use crate::state::{Resource, Workspace};
use crate::step_id::StepId;
use crate::steps::alarm::{Maker, WORKSPACE_TAG};
use crate::t;

/// What became of one recorded resource: `Ok(None)` deleted (or already gone), `Ok(Some(why))`
/// left alone because lecture06 did not make it (no longer listed), `Err(why)` not deleted (still
/// listed).
pub type Outcome = Result<Option<String>, String>;

/// The resource kinds `trail search --athena` records.
pub const ATHENA_TABLE: &str = "athena-table";
pub const ATHENA_DATABASE: &str = "athena-database";
pub const ATHENA_RESULTS: &str = "athena-results";

/// Every kind of resource cleanup knows how to delete (or put back). Each step names the kinds
/// it creates (`Step::CREATES`); a test checks that cleanup knows every one of them.
pub const DELETABLE: &[&str] = &[
    "cloudwatch-alarm",
    "sns-subscription",
    "sns-topic",
    "health-check-path",
    ATHENA_TABLE,
    ATHENA_DATABASE,
    ATHENA_RESULTS,
];

fn sql_leftover(r: &Resource) -> Option<SqlLeftover> {
    match r.kind.as_str() {
        ATHENA_TABLE => Some(SqlLeftover::Table(r.id.clone())),
        ATHENA_DATABASE => Some(SqlLeftover::Database(r.id.clone())),
        ATHENA_RESULTS => Some(SqlLeftover::Results(r.id.clone())),
        _ => None,
    }
}

/// Deletes every resource; returns the ones that remain listed and, per input resource (same
/// order), its outcome.
/// `workspace_id`: this folder's (`None` without a session here), compared with each alarm's and
/// topic's `lecture06-workspace` tag before it is deleted.
pub fn delete_all(
    cloud: &Cloud,
    resources: &[Resource],
    workspace_id: Option<&str>,
    lang: Lang,
) -> (Vec<Resource>, Vec<Outcome>) {
    let rank = |kind: &str| match kind {
        "cloudwatch-alarm" => 0,
        "sns-subscription" => 1,
        "sns-topic" => 2,
        // Athena's: the table, then its database; the results last (each drop writes some).
        ATHENA_TABLE => 3,
        ATHENA_DATABASE => 4,
        ATHENA_RESULTS => 5,
        _ => 6,
    };
    let mut order: Vec<usize> = (0..resources.len()).collect();
    order.sort_by_key(|&i| rank(&resources[i].kind));
    let mut outcomes: Vec<Outcome> = vec![Ok(None); resources.len()];
    for i in order {
        let r = &resources[i];
        outcomes[i] = match sql_leftover(r) {
            Some(leftover) => {
                // A drop's own result needs a place: the results prefix recorded beside it.
                let results = resources
                    .iter()
                    .find(|o| o.kind == ATHENA_RESULTS && o.region == r.region)
                    .map(|o| o.id.clone())
                    .unwrap_or_default();
                gone(
                    cloud
                        .events
                        .remove_sql_leftover(&r.region, &leftover, &results),
                )
                .map(|()| None)
                .map_err(|e| e.explain(lang, None))
            }
            None => delete_one(cloud, r, workspace_id, lang),
        };
    }
    // Deleting a topic removes its subscriptions, unconfirmed ones included.
    let deleted_topics: Vec<&str> = resources
        .iter()
        .zip(&outcomes)
        .filter(|(r, o)| r.kind == "sns-topic" && matches!(o, Ok(None)))
        .map(|(r, _)| r.id.as_str())
        .collect();
    let removed_with_topic = |r: &Resource| {
        r.kind == "sns-subscription"
            && deleted_topics
                .iter()
                .any(|topic| r.id.starts_with(&format!("{topic}:")))
    };
    for (r, outcome) in resources.iter().zip(outcomes.iter_mut()) {
        if let Some(why) = outcome.as_mut().err().filter(|_| removed_with_topic(r)) {
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
        .filter(|(r, o)| o.is_err() && !removed_with_topic(r))
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

/// Why a resource must be left alone, from its tags: made by someone else, or by lecture06 from
/// another folder. Tags that cannot be read (e.g. `ListTagsForResource` denied) leave the
/// decision to the record: `None`, delete.
fn left_alone_because(
    tags: &Result<Vec<(String, String)>, CloudError>,
    workspace_id: Option<&str>,
    lang: Lang,
) -> Option<String> {
    let Ok(tags) = tags else {
        return None;
    };
    match Maker::of(tags, workspace_id) {
        Maker::ThisWorkspace | Maker::Lecture06UnknownFolder => None,
        Maker::NotLecture06 => Some(lang.pick(
            "lecture06 did not create it (it lacks the created-by = lecture06 tag): left as it is, and no longer listed.",
            "lecture06 が作成したものではありません（created-by = lecture06 タグがない）。そのままにして、一覧から外します。",
        ).to_string()),
        Maker::OtherWorkspace(id) => Some(t!(
            lang,
            "lecture06 made it from another folder (its {WORKSPACE_TAG} tag is {id}, this folder's is not): left as it is, and no longer listed here. Run `lecture06 cleanup` in that folder to delete it.",
            "別のフォルダーで lecture06 が作成したものです（{WORKSPACE_TAG} タグが {id} で、このフォルダーのものではありません）。そのままにして、ここの一覧から外します。削除するにはそのフォルダーで `lecture06 cleanup` を実行してください。"
        )),
    }
}

fn delete_one(cloud: &Cloud, r: &Resource, workspace_id: Option<&str>, lang: Lang) -> Outcome {
    let region = &r.region;
    let hours = CONFIRMATION_VALID_HOURS;
    let explain = |e: CloudError| e.explain(lang, None);
    let not_ours = |tags| left_alone_because(&tags, workspace_id, lang).map(|why| Ok(Some(why)));
    match r.kind.as_str() {
        "cloudwatch-alarm" => match cloud.alarms.describe_alarm(region, &r.id) {
            Ok(None) => Ok(None),
            Ok(Some(found)) => match not_ours(cloud.alarms.alarm_tags(region, &found.arn)) {
                Some(left_alone) => left_alone,
                None => gone(cloud.alarms.delete_alarm(region, &r.id))
                    .map(|()| None)
                    .map_err(explain),
            },
            Err(e) => Err(explain(e)),
        },
        "sns-subscription" => match cloud.sns.subscription_pending(region, &r.id) {
            Ok(None) => Ok(None),
            Ok(Some(true)) => Err(t!(
                lang,
                "it is still waiting for confirmation, and SNS cannot remove an unconfirmed subscription; AWS deletes it by itself {hours} hours after it was made (deleting its topic removes it too).",
                "確認待ちのままです。SNS では未確認のサブスクリプションは削除できません。作成から {hours} 時間で AWS が自動的に削除します（トピックを削除しても消えます）。"
            )),
            Ok(Some(false)) => gone(cloud.sns.unsubscribe(region, &r.id))
                .map(|()| None)
                .map_err(explain),
            Err(e) => Err(explain(e)),
        },
        "sns-topic" => match cloud.sns.topic_tags(region, &r.id) {
            Err(e) if e.kind == CloudErrorKind::NotFound => Ok(None),
            tags => match not_ours(tags) {
                Some(left_alone) => left_alone,
                None => gone(cloud.sns.delete_topic(region, &r.id))
                    .map(|()| None)
                    .map_err(explain),
            },
        },
        "health-check-path" => {
            let (tg_arn, old_path) = r.id.split_once('#').unwrap_or((&r.id, "/"));
            gone(cloud.elb.set_health_check_path(region, tg_arn, old_path))
                .map(|()| None)
                .map_err(explain)
        }
        other => Err(t!(
            lang,
            "lecture06 does not know how to delete a {other}; delete it in the console.",
            "{other} の削除方法がわかりません。コンソールから削除してください。"
        )),
    }
}

pub fn cleanup(app: &App, yes: bool) -> AppResult<()> {
    let lang = app.lang;
    let mut workspace = app.workspace();
    workspace.lock()?;
    let state = app.load_state(&workspace)?;
    // The session's id, or the one a session started here would get (a lost state's).
    let workspace_id = state
        .as_ref()
        .map(|s| s.workspace_id.clone())
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| workspace.folder_id());
    let Some(mut state) = state.filter(|s| !s.resources.is_empty()) else {
        return cleanup_by_tag(app, &workspace, &workspace_id, yes);
    };
    app.ui.line(t!(
        lang,
        "Resources lecture06 created:",
        "lecture06 が作成したリソース:"
    ));
    for r in &state.resources {
        app.ui
            .line(format!("  {} {} ({})", r.kind, mask::text(&r.id), r.region));
    }
    let count = state.resources.len();
    let prompt = t!(
        lang,
        "Delete these {count} resources from AWS?",
        "これら {count} 個のリソースを AWS から削除しますか？"
    );
    if !confirm_destructive(app, yes, prompt)? {
        return Ok(());
    }
    let cloud = app.connect(&workspace, &Answers::default())?;
    let (kept, failures) = delete_all(&cloud, &state.resources, Some(&workspace_id), lang);
    print_outcomes(app, &state.resources, &failures);
    state.resources = kept;
    state.updated_at = cloud.clock.now();
    workspace.save(&state)?;
    if state.resources.is_empty() {
        Ok(())
    } else {
        Err(AppError::Failed(t!(
            lang,
            "Some resources were not deleted (reasons above); they stay listed for the next `lecture06 cleanup`.",
            "削除できなかったリソースがあります（理由は上記）。次回の `lecture06 cleanup` のために記録を残しています。"
        )))
    }
}

/// What `delete_all` did, one line per resource.
fn print_outcomes(app: &App, resources: &[Resource], outcomes: &[Outcome]) {
    let lang = app.lang;
    for (resource, outcome) in resources.iter().zip(outcomes) {
        let id = mask::text(&resource.id);
        match outcome {
            Ok(None) => app.ui.ok(t!(
                lang,
                "Deleted {} {id}",
                "削除しました: {} {id}",
                resource.kind
            )),
            Ok(Some(why)) => app.ui.warn(t!(
                lang,
                "Left alone: {} {id} — {why}",
                "削除しませんでした: {} {id} — {why}",
                resource.kind
            )),
            Err(why) => app.ui.warn(t!(
                lang,
                "Not deleted: {} {id} — {why}",
                "削除できませんでした: {} {id} — {why}",
                resource.kind
            )),
        }
    }
}

/// The resources in `region` that carry lecture06's `created-by` tag: its alarms and topics (a
/// topic's subscriptions go with it).
pub fn find_by_tag(cloud: &Cloud, region: &str) -> Result<Vec<Resource>, CloudError> {
    let now = cloud.clock.now();
    let found = |kind: &str, ids: Vec<String>| -> Vec<Resource> {
        ids.into_iter()
            .map(|id| Resource {
                kind: kind.into(),
                id,
                region: region.to_string(),
                step: StepId::Alarm,
                created_at: now,
            })
            .collect()
    };
    let tag = crate::steps::alarm::TAG;
    let mut resources = found("cloudwatch-alarm", cloud.alarms.alarms_tagged(region, tag)?);
    resources.extend(found("sns-topic", cloud.sns.topics_tagged(region, tag)?));
    Ok(resources)
}

/// The state lists nothing (it is gone, or was started afresh): lecture06's resources are found
/// by the tag it puts on each (`created-by = lecture06`) in the session's Region, listed with
/// their kind, id, Region and tag, and deleted only after a yes (under `--yes` they are listed
/// all the same). Subscriptions go with their topic.
fn cleanup_by_tag(
    app: &App,
    workspace: &Workspace,
    workspace_id: &str,
    yes: bool,
) -> AppResult<()> {
    let lang = app.lang;
    let cloud = app.connect(workspace, &Answers::default())?;
    let region = cloud.region.clone();
    let (key, value) = crate::steps::alarm::TAG;
    app.ui.line(t!(
        lang,
        "lecture06 has no list of resources here; looking for resources tagged {key}={value} in {region}…",
        "ここには lecture06 のリソース一覧がありません。{region} で {key}={value} タグの付いたリソースを探します…"
    ));
    let resources = find_by_tag(&cloud, &region)?;
    if resources.is_empty() {
        app.ui.line(t!(
            lang,
            "No resource tagged {key}={value} in {region}: nothing to clean up. (Another Region? Add --region.)",
            "{region} には {key}={value} タグの付いたリソースはありません。削除するものはありません（別のリージョンなら --region を指定してください）。"
        ));
        return Ok(());
    }
    app.ui.line(t!(
        lang,
        "Resources tagged as made by lecture06 (from this folder or another):",
        "lecture06 が作成したことを示すタグの付いたリソース（このフォルダー以外で作成したものも含みます）:"
    ));
    for r in &resources {
        app.ui.line(format!(
            "  {} {} ({}) {key}={value}",
            r.kind,
            mask::text(&r.id),
            r.region
        ));
    }
    let count = resources.len();
    let prompt = t!(
        lang,
        "Delete these {count} resources from AWS? (A topic's subscriptions go with it.)",
        "これら {count} 個のリソースを AWS から削除しますか？（トピックのサブスクリプションも一緒に削除されます）"
    );
    if !confirm_destructive(app, yes, prompt)? {
        return Ok(());
    }
    let (kept, failures) = delete_all(&cloud, &resources, Some(workspace_id), lang);
    print_outcomes(app, &resources, &failures);
    if kept.is_empty() {
        Ok(())
    } else {
        Err(AppError::Failed(t!(
            lang,
            "Some resources were not deleted (reasons above); `lecture06 cleanup` finds them again by their tag.",
            "削除できなかったリソースがあります（理由は上記）。`lecture06 cleanup` を再実行するとタグから再び見つけます。"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleanup_knows_every_kind_a_step_creates() {
        let mut named = 0;
        for step in crate::steps::registry() {
            for kind in step.creates() {
                named += 1;
                assert!(DELETABLE.contains(kind), "{:?} creates {kind}", step.id());
            }
        }
        assert!(named >= 4, "the steps name what they create");
    }
}
