//! The SQL `trail search --athena` runs: the standard CloudTrail table of the AWS documentation
//! ("Creating the table for CloudTrail logs in Athena using partition projection"), with the
//! Region projected as well as the day so one table covers every Region of an account, and the
//! same search as the local engine (same user meaning, dedupe on eventID, newest first, one day of
//! partition slack). Pure text, unit-tested; the adapter in `crate::aws::trail_athena` runs it.

use super::engine::Query;
use chrono::{DateTime, Days, Utc};

/// What the table is built over.
#[derive(Clone, Debug)]
pub struct TableSpec {
    pub database: String,
    pub table: String,
    /// `s3://bucket/AWSLogs/<account>/CloudTrail` (no trailing slash).
    pub location: String,
    pub regions: Vec<String>,
}

pub const DATABASE: &str = "lecture06";

/// Athena's price: $5 per TB scanned, at least 10 MB per query.
pub fn cost_usd(scanned_bytes: u64) -> f64 {
    scanned_bytes.max(10_000_000) as f64 / 1e12 * 5.0
}

/// A SQL string literal.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

pub fn create_database(database: &str) -> String {
    format!("CREATE DATABASE IF NOT EXISTS {database}")
}

/// Where Athena writes the results of lecture06's statements: a prefix of the trail's own bucket.
pub fn results_location(bucket: &str) -> String {
    format!("s3://{bucket}/lecture06-athena-results/")
}

/// `cleanup`: the table lecture06 made (`database.table`).
pub fn drop_table(qualified: &str) -> String {
    format!("DROP TABLE IF EXISTS {qualified}")
}

/// `cleanup`: the database lecture06 made, with anything left in it.
pub fn drop_database(database: &str) -> String {
    format!("DROP DATABASE IF EXISTS {database} CASCADE")
}

/// The table name for an account's trail: `cloudtrail_<account>`.
pub fn table_name(account: &str) -> String {
    let safe: String = account
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("cloudtrail_{}", safe.to_ascii_lowercase())
}

pub fn create_table(spec: &TableSpec) -> String {
    let TableSpec {
        database,
        table,
        location,
        regions,
    } = spec;
    let regions = regions.join(",");
    format!(
        r#"CREATE EXTERNAL TABLE IF NOT EXISTS {database}.{table} (
  eventversion STRING,
  useridentity STRUCT<type: STRING, principalid: STRING, arn: STRING, accountid: STRING, invokedby: STRING, accesskeyid: STRING, username: STRING, onbehalfof: STRUCT<userid: STRING, identitystorearn: STRING>, sessioncontext: STRUCT<attributes: STRUCT<mfaauthenticated: STRING, creationdate: STRING>, sessionissuer: STRUCT<type: STRING, principalid: STRING, arn: STRING, accountid: STRING, username: STRING>, sourceidentity: STRING, ec2roledelivery: STRING, webidfederationdata: STRUCT<federatedprovider: STRING, attributes: MAP<STRING,STRING>>>>,
  eventtime STRING,
  eventsource STRING,
  eventname STRING,
  awsregion STRING,
  sourceipaddress STRING,
  useragent STRING,
  errorcode STRING,
  errormessage STRING,
  requestparameters STRING,
  responseelements STRING,
  additionaleventdata STRING,
  requestid STRING,
  eventid STRING,
  readonly STRING,
  resources ARRAY<STRUCT<arn: STRING, accountid: STRING, type: STRING>>,
  eventtype STRING,
  apiversion STRING,
  recipientaccountid STRING,
  serviceeventdetails STRING,
  sharedeventid STRING,
  vpcendpointid STRING,
  eventcategory STRING,
  tlsdetails STRUCT<tlsversion: STRING, ciphersuite: STRING, clientprovidedhostheader: STRING>
)
PARTITIONED BY (region STRING, `timestamp` STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION '{location}/'
TBLPROPERTIES (
  'projection.enabled'='true',
  'projection.region.type'='enum',
  'projection.region.values'='{regions}',
  'projection.timestamp.type'='date',
  'projection.timestamp.format'='yyyy/MM/dd',
  'projection.timestamp.interval'='1',
  'projection.timestamp.interval.unit'='DAYS',
  'projection.timestamp.range'='2013/11/01,NOW',
  'storage.location.template'='{location}/${{region}}/${{timestamp}}'
)"#
    )
}

fn folder_day(time: DateTime<Utc>) -> String {
    time.format("%Y/%m/%d").to_string()
}

fn iso(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The search as SQL: the same filters as the local engine, partitions pruned with one day of
/// slack, each eventID once, newest first.
pub fn select(spec: &TableSpec, query: &Query) -> String {
    let mut conditions: Vec<String> = Vec::new();
    if let Some(since) = query.since {
        let day = since.checked_sub_days(Days::new(1)).unwrap_or(since);
        conditions.push(format!("\"timestamp\" >= {}", quote(&folder_day(day))));
        conditions.push(format!("eventtime >= {}", quote(&iso(since))));
    }
    if let Some(until) = query.until {
        let last = until - chrono::Duration::seconds(1);
        let day = last.checked_add_days(Days::new(1)).unwrap_or(last);
        conditions.push(format!("\"timestamp\" <= {}", quote(&folder_day(day))));
        conditions.push(format!("eventtime < {}", quote(&iso(until))));
    }
    if let Some(event) = &query.event {
        conditions.push(format!("eventname = {}", quote(event)));
    }
    if let Some(user) = &query.user {
        let name = quote(user);
        let mut either = vec![
            format!("useridentity.username = {name}"),
            format!(
                "(useridentity.username IS NULL AND (useridentity.arn LIKE '%:assumed-role/%' OR useridentity.arn LIKE '%:federated-user/%') AND element_at(split(useridentity.arn, '/'), -1) = {name})"
            ),
        ];
        if user == "root" {
            either.push(
                "(useridentity.username IS NULL AND useridentity.arn LIKE '%:root')".to_string(),
            );
        }
        conditions.push(format!("({})", either.join("\n       OR ")));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("\n  WHERE {}", conditions.join("\n    AND "))
    };
    format!(
        r#"SELECT eventtime, eventid, eventname, useridentity.username AS username, useridentity.arn AS arn,
       sourceipaddress, awsregion, errorcode, errormessage
FROM (
  SELECT *, row_number() OVER (PARTITION BY eventid ORDER BY eventtime) AS copy
  FROM {}.{}{filter}
)
WHERE copy = 1
ORDER BY eventtime DESC, eventid DESC
LIMIT {}"#,
        spec.database, spec.table, query.latest
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trail::parse_bound;

    fn spec() -> TableSpec {
        TableSpec {
            database: DATABASE.into(),
            table: table_name("123456789012"),
            location: "s3://trail-bucket/AWSLogs/123456789012/CloudTrail".into(),
            regions: vec!["ap-northeast-1".into(), "us-east-1".into()],
        }
    }

    #[test]
    fn the_table_projects_region_and_day_over_the_bucket() {
        let ddl = create_table(&spec());
        assert!(ddl.starts_with(
            "CREATE EXTERNAL TABLE IF NOT EXISTS lecture06.cloudtrail_123456789012 ("
        ));
        assert!(ddl.contains("LOCATION 's3://trail-bucket/AWSLogs/123456789012/CloudTrail/'"));
        assert!(ddl.contains("'projection.region.values'='ap-northeast-1,us-east-1'"));
        assert!(ddl.contains(
            "'storage.location.template'='s3://trail-bucket/AWSLogs/123456789012/CloudTrail/${region}/${timestamp}'"
        ));
        assert!(ddl.contains("'projection.timestamp.format'='yyyy/MM/dd'"));
        assert!(ddl.contains("com.amazon.emr.cloudtrail.CloudTrailInputFormat"));
        assert_eq!(
            create_database(DATABASE),
            "CREATE DATABASE IF NOT EXISTS lecture06"
        );
    }

    #[test]
    fn the_query_filters_like_the_engine_with_a_day_of_partition_slack() {
        let query = Query {
            user: Some("taro".into()),
            event: Some("StopInstances".into()),
            since: parse_bound("2023-07-10", false),
            until: parse_bound("2023-07-10", true),
            latest: 20,
        };
        let sql = select(&spec(), &query);
        assert!(sql.contains("\"timestamp\" >= '2023/07/09'"), "{sql}");
        assert!(sql.contains("\"timestamp\" <= '2023/07/11'"), "{sql}");
        assert!(sql.contains("eventtime >= '2023-07-10T00:00:00Z'"), "{sql}");
        assert!(sql.contains("eventtime < '2023-07-11T00:00:00Z'"), "{sql}");
        assert!(sql.contains("eventname = 'StopInstances'"), "{sql}");
        assert!(sql.contains("useridentity.username = 'taro'"), "{sql}");
        assert!(
            sql.contains("element_at(split(useridentity.arn, '/'), -1) = 'taro'"),
            "{sql}"
        );
        assert!(!sql.contains(":root"), "{sql}");
        assert!(sql.contains("PARTITION BY eventid"), "dedupes: {sql}");
        assert!(
            sql.ends_with("ORDER BY eventtime DESC, eventid DESC\nLIMIT 20"),
            "{sql}"
        );
    }

    #[test]
    fn values_are_quoted_and_no_filter_means_no_where() {
        let query = Query {
            user: Some("o'brien".into()),
            latest: 5,
            ..Query::default()
        };
        assert!(select(&spec(), &query).contains("username = 'o''brien'"));
        let all = select(
            &spec(),
            &Query {
                latest: 5,
                ..Query::default()
            },
        );
        assert!(
            !all.contains("WHERE eventtime") && !all.contains("  WHERE"),
            "{all}"
        );
        let root = select(
            &spec(),
            &Query {
                user: Some("root".into()),
                latest: 1,
                ..Query::default()
            },
        );
        assert!(root.contains("useridentity.arn LIKE '%:root'"), "{root}");
    }

    #[test]
    fn cost_is_five_dollars_a_terabyte_with_a_ten_megabyte_minimum() {
        assert_eq!(cost_usd(1_000_000_000_000), 5.0);
        assert_eq!(cost_usd(0), cost_usd(10_000_000));
        assert!((cost_usd(10_000_000) - 0.00005).abs() < 1e-12);
    }
}
