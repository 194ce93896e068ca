//! CloudTrail event history: "find my latest events". The answer carries how it was found (the
//! query and the number of requests per Region) because that is part of the evidence.

use super::{CloudError, CloudErrorKind};
use crate::i18n::Lang;
use crate::trail::engine::{Hit, Outcome, Query, Tally, TopN};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The most events one LookupEvents page holds (the API's limit for `MaxResults`).
pub const LOOKUP_PAGE_MAX: usize = 50;

/// The `MaxResults` a lookup sends: a page no bigger than the events wanted.
pub fn lookup_page_size(limit: usize) -> usize {
    LOOKUP_PAGE_MAX.min(limit.max(1))
}

/// Look up the newest events of one user name in several Regions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventQuery {
    pub user: String,
    pub regions: Vec<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// How many events at most to return (newest first, all Regions merged).
    pub limit: usize,
}

/// One event as LookupEvents returns it; `record` is the full `CloudTrailEvent` JSON text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrailEvent {
    pub event_id: String,
    pub event_name: String,
    pub event_time: DateTime<Utc>,
    pub event_source: String,
    pub username: Option<String>,
    /// The Region whose event history returned it.
    pub region: String,
    pub read_only: Option<bool>,
    pub resources: Vec<String>,
    pub record: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventSearch {
    pub events: Vec<TrailEvent>,
    /// `(region, LookupEvents requests made)`.
    pub requests: Vec<(String, usize)>,
}

/// Where a trail delivers its log files (DescribeTrails): `s3://bucket/prefix`, the prefix
/// ending in `AWSLogs/`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailArchive {
    pub name: String,
    pub bucket: String,
    pub prefix: String,
}

pub trait EventHistory: Send + Sync {
    /// The newest events of `query.user`, newest first, at most `query.limit`, paging no further
    /// than needed and staying under the 2 requests/s/Region limit.
    fn latest_events(&self, query: &EventQuery) -> Result<EventSearch, CloudError>;

    /// The account's trails and where they deliver (the sandbox has none).
    fn trail_archives(&self) -> Result<Vec<TrailArchive>, CloudError> {
        Ok(Vec::new())
    }

    /// Searches a trail's log files in S3 (as `trail search --s3` does); the outcome counts
    /// the LIST requests made.
    fn search_archive(&self, archive: &TrailArchive, query: &Query) -> Result<Outcome, CloudError> {
        let _ = (archive, query);
        Ok(Tally::default().finish(TopN::new(1)))
    }

    /// Searches a trail's log files with Athena (`trail search --athena`); `show` receives what
    /// the student should see as it happens (the SQL before it runs, each state change).
    fn search_archive_sql(
        &self,
        archive: &TrailArchive,
        query: &Query,
        lang: Lang,
        show: &mut dyn FnMut(String),
    ) -> Result<SqlSearch, CloudError> {
        let _ = (archive, query, show);
        Err(no_athena(lang))
    }

    /// The Region of the trail's bucket, where an Athena search of it runs; an error where
    /// there is no Athena.
    fn archive_region(&self, archive: &TrailArchive, lang: Lang) -> Result<String, CloudError> {
        let _ = archive;
        Err(no_athena(lang))
    }

    /// Removes what an Athena search made in `region`: drops the table or database (Athena
    /// writing the statement's own result under `results`), or deletes the results.
    fn remove_sql_leftover(
        &self,
        region: &str,
        leftover: &SqlLeftover,
        results: &str,
    ) -> Result<(), CloudError> {
        let _ = (region, leftover, results);
        Err(no_athena(Lang::En))
    }
}

/// An account without Athena: the simulated one.
fn no_athena(lang: Lang) -> CloudError {
    CloudError::new(
        CloudErrorKind::NotEnabled,
        "athena:StartQueryExecution",
        lang.pick(
            "Athena is not simulated: search the sandbox's bucket without --athena",
            "Athena は模擬していません。サンドボックスのバケットは --athena なしで検索してください",
        ),
    )
}

/// What lecture06 made for an Athena search, for `cleanup` to remove.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SqlLeftover {
    /// `database.table`
    Table(String),
    Database(String),
    /// `s3://bucket/prefix/`: the results Athena wrote.
    Results(String),
}

/// What an Athena search found and what it cost.
#[derive(Debug)]
pub struct SqlSearch {
    pub hits: Vec<Hit>,
    /// The statements run, in order (database, table, query).
    pub statements: Vec<String>,
    pub scanned_bytes: u64,
    pub cost_usd: f64,
    pub execution_id: String,
    /// The table it made or reused, `database.table`.
    pub table: String,
}

/// Merges per-Region results (each newest first) into the newest `limit` overall.
pub fn merge_newest(mut per_region: Vec<Vec<TrailEvent>>, limit: usize) -> Vec<TrailEvent> {
    let mut all: Vec<TrailEvent> = per_region.drain(..).flatten().collect();
    all.sort_by(|a, b| {
        b.event_time
            .cmp(&a.event_time)
            .then_with(|| a.event_id.cmp(&b.event_id))
    });
    all.dedup_by(|a, b| a.event_id == b.event_id);
    all.truncate(limit);
    all
}
