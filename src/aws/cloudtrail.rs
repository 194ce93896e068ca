//! `cloudtrail:LookupEvents` in several Regions at once, newest first, paging only as far as
//! needed and never faster than the API's 2 requests per second per Region (throttling that still
//! happens is retried with backoff by the SDK's standard retry mode).

use super::{Aws, classify};
use crate::cloud::{
    CloudError, CloudErrorKind, EventHistory, EventQuery, EventSearch, TrailEvent,
    events::{lookup_page_size, merge_newest},
};
use aws_config::Region;
use aws_sdk_cloudtrail::types::{Event, LookupAttribute, LookupAttributeKey};
use chrono::{DateTime, Utc};
use std::time::Duration;
use tokio::time::Instant;

const ACTION: &str = "cloudtrail:LookupEvents";
/// 2 requests per second per Region.
const MIN_INTERVAL: Duration = Duration::from_millis(500);

pub struct CloudTrailAdapter {
    aws: Aws,
}

impl CloudTrailAdapter {
    pub fn new(aws: Aws) -> CloudTrailAdapter {
        CloudTrailAdapter { aws }
    }

    fn client(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        let config = aws_sdk_cloudtrail::config::Builder::from(&self.aws.config)
            .region(Region::new(region.to_string()))
            .build();
        aws_sdk_cloudtrail::Client::from_conf(config)
    }
}

impl EventHistory for CloudTrailAdapter {
    fn trail_archives(&self) -> Result<Vec<crate::cloud::events::TrailArchive>, CloudError> {
        let client = self.client(&self.aws.region());
        let out = self
            .aws
            .block_on(client.describe_trails().send())
            .map_err(|e| classify(e, "cloudtrail:DescribeTrails"))?;
        Ok(out
            .trail_list()
            .iter()
            .filter_map(|trail| {
                let bucket = trail.s3_bucket_name()?.to_string();
                let prefix = match trail.s3_key_prefix().filter(|p| !p.is_empty()) {
                    Some(p) => format!("{}/AWSLogs/", p.trim_end_matches('/')),
                    None => "AWSLogs/".to_string(),
                };
                Some(crate::cloud::events::TrailArchive {
                    name: trail.name().unwrap_or_default().to_string(),
                    bucket,
                    prefix,
                })
            })
            .collect())
    }

    fn search_archive(
        &self,
        archive: &crate::cloud::events::TrailArchive,
        query: &crate::trail::engine::Query,
    ) -> Result<crate::trail::engine::Outcome, CloudError> {
        let (client, _) = super::s3::client_for_bucket(&self.aws, &archive.bucket);
        self.aws.block_on(super::trail_archive::search_s3_async(
            &client,
            &archive.bucket,
            &archive.prefix,
            query,
        ))
    }

    fn archive_region(
        &self,
        archive: &crate::cloud::events::TrailArchive,
        _lang: crate::i18n::Lang,
    ) -> Result<String, CloudError> {
        Ok(super::s3::client_for_bucket(&self.aws, &archive.bucket).1)
    }

    fn remove_sql_leftover(
        &self,
        region: &str,
        leftover: &crate::cloud::events::SqlLeftover,
        results: &str,
    ) -> Result<(), CloudError> {
        use crate::cloud::events::SqlLeftover;
        use crate::trail::athena_sql;
        let athena = aws_sdk_athena::Client::from_conf(
            aws_sdk_athena::config::Builder::from(&self.aws.config)
                .region(Region::new(region.to_string()))
                .build(),
        );
        let lang = crate::i18n::Lang::En;
        match leftover {
            SqlLeftover::Table(table) => self.aws.block_on(super::trail_athena::run_ddl(
                &athena,
                &athena_sql::drop_table(table),
                results,
                lang,
            )),
            SqlLeftover::Database(database) => self.aws.block_on(super::trail_athena::run_ddl(
                &athena,
                &athena_sql::drop_database(database),
                results,
                lang,
            )),
            SqlLeftover::Results(location) => {
                let (bucket, prefix) = crate::trail::parse_s3_url(location).ok_or_else(|| {
                    CloudError::new(
                        CloudErrorKind::InvalidInput,
                        "s3:DeleteObject",
                        format!("not an s3:// location: {location}"),
                    )
                })?;
                let s3 = super::s3::client_in(&self.aws, Some(region));
                self.aws
                    .block_on(super::s3::delete_prefix(&s3, &bucket, &prefix))
                    .map(|_| ())
            }
        }
    }

    fn search_archive_sql(
        &self,
        archive: &crate::cloud::events::TrailArchive,
        query: &crate::trail::engine::Query,
        lang: crate::i18n::Lang,
        show: &mut dyn FnMut(String),
    ) -> Result<crate::cloud::events::SqlSearch, CloudError> {
        // Athena writes its results into the bucket: it must run in the bucket's Region.
        let (s3, region) = super::s3::client_for_bucket(&self.aws, &archive.bucket);
        let athena = aws_sdk_athena::Client::from_conf(
            aws_sdk_athena::config::Builder::from(&self.aws.config)
                .region(Region::new(region))
                .build(),
        );
        self.aws.block_on(super::trail_athena::athena_search(
            &athena,
            &s3,
            &archive.bucket,
            &archive.prefix,
            query,
            lang,
            show,
        ))
    }

    fn latest_events(&self, query: &EventQuery) -> Result<EventSearch, CloudError> {
        let tasks: Vec<_> = query
            .regions
            .iter()
            .map(|region| {
                let client = self.client(region);
                let (region, query) = (region.clone(), query.clone());
                self.aws
                    .runtime
                    .spawn(async move { lookup_region(&client, &region, &query).await })
            })
            .collect();
        self.aws.block_on(async {
            let mut per_region = Vec::new();
            let mut requests = Vec::new();
            for (task, region) in tasks.into_iter().zip(&query.regions) {
                let (events, made) = task
                    .await
                    .map_err(|e| CloudError::new(CloudErrorKind::Other, ACTION, e.to_string()))??;
                per_region.push(events);
                requests.push((region.clone(), made));
            }
            Ok(EventSearch {
                events: merge_newest(per_region, query.limit),
                requests,
            })
        })
    }
}

async fn lookup_region(
    client: &aws_sdk_cloudtrail::Client,
    region: &str,
    query: &EventQuery,
) -> Result<(Vec<TrailEvent>, usize), CloudError> {
    let attribute = LookupAttribute::builder()
        .attribute_key(LookupAttributeKey::Username)
        .attribute_value(&query.user)
        .build()
        .map_err(|e| CloudError::new(CloudErrorKind::InvalidInput, ACTION, e.to_string()))?;
    let mut events = Vec::new();
    let mut next_token: Option<String> = None;
    let mut requests = 0;
    let mut last_request: Option<Instant> = None;
    loop {
        if let Some(last) = last_request {
            tokio::time::sleep_until(last + MIN_INTERVAL).await;
        }
        last_request = Some(Instant::now());
        let page = client
            .lookup_events()
            .lookup_attributes(attribute.clone())
            .start_time(to_smithy(query.start))
            .end_time(to_smithy(query.end))
            .max_results(lookup_page_size(query.limit) as i32)
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|e| classify(e, ACTION).in_region(region))?;
        requests += 1;
        events.extend(page.events().iter().map(|e| to_trail_event(e, region)));
        next_token = page.next_token().map(str::to_string);
        if events.len() >= query.limit || next_token.is_none() {
            break;
        }
    }
    // The API reference does not promise an order: sort newest first here.
    events.sort_by_key(|e| std::cmp::Reverse(e.event_time));
    Ok((events, requests))
}

fn to_smithy(time: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs(time.timestamp())
}

fn to_trail_event(event: &Event, region: &str) -> TrailEvent {
    let event_time = event
        .event_time()
        .and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
        .unwrap_or(DateTime::UNIX_EPOCH);
    let resources = event
        .resources()
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r.resource_type().unwrap_or("-"),
                r.resource_name().unwrap_or("-")
            )
        })
        .collect();
    TrailEvent {
        event_id: event.event_id().unwrap_or_default().to_string(),
        event_name: event.event_name().unwrap_or_default().to_string(),
        event_time,
        event_source: event.event_source().unwrap_or_default().to_string(),
        username: event.username().map(str::to_string),
        region: region.to_string(),
        read_only: event.read_only().map(|r| r == "true"),
        resources,
        record: event.cloud_trail_event().unwrap_or_default().to_string(),
    }
}
