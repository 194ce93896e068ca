//! Step 1: find the student's latest CloudTrail event by their IAM user name, in the working
//! Region and in us-east-1 (console sign-in and global services land there), let them pick an
//! event and three of its fields, and keep it all as evidence.
//!
//! `mod.rs` is the sequence and the `Step` impl; `search` finds the events (event history, then
//! the trail's archive), `pick` asks which event and fields, `evidence` is what is kept and shown.

mod evidence;
mod pick;
mod search;

pub use evidence::{ChosenEvent, CloudtrailEvidence, ListedEvent, PickedField, QueryEvidence};

use super::{Outcome, SharedPermissions, StepCtx};
use crate::cloud::{EventQuery, EventSearch, TrailEvent};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::step_id::StepId;
use crate::t;
use crate::trail::record::Record;
use serde_json::{Value, json};

/// Event history reaches back this far.
pub const LOOKBACK_DAYS: i64 = 90;
/// How many events the student chooses from.
pub const LIST_LENGTH: usize = 10;
pub const GLOBAL_REGION: &str = "us-east-1";

/// The record of an event; when `CloudTrailEvent` is not valid JSON, a record rebuilt from the
/// event's own fields, so the step can still finish.
fn parse_record(event: &TrailEvent) -> Record {
    Record::parse(&event.record).unwrap_or_else(|_| {
        Record(json!({
            "eventID": event.event_id,
            "eventName": event.event_name,
            "eventTime": event.event_time,
            "eventSource": event.event_source,
            "awsRegion": event.region,
            "userIdentity": {"userName": event.username},
        }))
    })
}

/// The evidence of the search, the event chosen and the fields picked.
fn evidence_of(
    ctx: &StepCtx,
    query: EventQuery,
    result: EventSearch,
    event: &TrailEvent,
    record: &Record,
    picked: Vec<PickedField>,
) -> CloudtrailEvidence {
    CloudtrailEvidence {
        query: QueryEvidence {
            user: query.user,
            regions: query.regions,
            start: query.start,
            end: query.end,
            requests: result.requests,
        },
        listed: result.events.iter().map(ListedEvent::of).collect(),
        chosen: ChosenEvent {
            event_id: event.event_id.clone(),
            event_name: event.event_name.clone(),
            event_time: event.event_time,
            event_source: event.event_source.clone(),
            region: event.region.clone(),
            username: event.username.clone(),
            record: record.0.clone(),
        },
        fields: picked,
        captured_at: ctx.cloud.clock.now(),
    }
}

/// The cloudtrail step, as the one list of steps declares it.
pub struct CloudtrailStep;

pub const STEP: CloudtrailStep = CloudtrailStep;

impl super::Step for CloudtrailStep {
    const ID: StepId = StepId::Cloudtrail;
    const IAM_ACTIONS: &'static [&'static str] =
        &["cloudtrail:LookupEvents", "cloudtrail:DescribeTrails"];
    // The trail's bucket is read when event history has nothing.
    const ALSO_NEEDS: &'static [SharedPermissions] = &[SharedPermissions::TrailArchive];
    type Evidence = CloudtrailEvidence;

    fn run(&self, ctx: &mut StepCtx) -> AppResult<Outcome<CloudtrailEvidence>> {
        let lang = ctx.lang;
        let (query, result) = search::find_events(ctx)?;
        let event = pick::choose_event(ctx, &result.events)?.clone();
        let record = parse_record(&event);
        ctx.ui.line(t!(
            lang,
            "The event record (CloudTrailEvent):",
            "イベントレコード（CloudTrailEvent）:"
        ));
        ctx.ui
            .line(serde_json::to_string_pretty(&record.0).unwrap_or_default());
        let picked = pick::choose_fields(ctx, &record)?;
        ctx.evidence_file(
            "lookup-events.json",
            &serde_json::to_vec_pretty(&result.events).map_err(anyhow::Error::from)?,
        )?;
        ctx.evidence_file(
            "event.json",
            &serde_json::to_vec_pretty(&record.0).map_err(anyhow::Error::from)?,
        )?;
        let evidence = evidence_of(ctx, query, result, &event, &record, picked);
        ctx.ui.ok(t!(lang, "Captured:", "記録しました:"));
        for line in evidence.summary(lang) {
            ctx.ui.line(format!("  {line}"));
        }
        Ok(Outcome::Captured(evidence))
    }

    fn summary(&self, evidence: &CloudtrailEvidence, lang: Lang) -> Vec<String> {
        evidence.summary(lang)
    }

    fn report_context(&self, evidence: &CloudtrailEvidence, lang: Lang) -> Value {
        evidence.report_context(lang)
    }
}

#[cfg(test)]
mod tests {
    use super::search::{query_regions, user_name, valid_region};
    use crate::i18n::Lang;

    #[test]
    fn searches_the_working_region_and_us_east_1_once() {
        assert_eq!(
            query_regions("ap-northeast-1"),
            vec!["ap-northeast-1", "us-east-1"]
        );
        assert_eq!(query_regions("us-east-1"), vec!["us-east-1"]);
    }

    #[test]
    fn region_validation() {
        let check = valid_region(Lang::En);
        assert!(check("ap-northeast-1").is_ok());
        assert!(check("us-gov-west-1").is_ok());
        assert!(check("tokyo").is_err());
        assert!(check("ap-northeast").is_err());
    }

    #[test]
    fn user_names_are_those_iam_and_sts_allow() {
        let check = user_name(Lang::Ja);
        // Names of the forms IAM's CreateUser and STS's RoleSessionName take ([\w+=,.@-]+).
        for name in [
            "Alice",
            "student",
            "bob@example.com",
            "my-session_1.2",
            "a+b=c,d",
        ] {
            assert!(check(name).is_ok(), "{name}");
        }
        let refused = check("bad user!").unwrap_err();
        assert!(refused.starts_with("空白は"), "{refused}");
        assert!(check("田中").unwrap_err().starts_with("「田」は"));
        assert!(check(" student").is_err());
        assert!(check("").is_err());
        assert!(check(&"a".repeat(129)).is_err());
        assert!(check(&"a".repeat(128)).is_ok());
    }
}
