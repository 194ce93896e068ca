//! CloudWatch alarms and metrics. The SDK (≥ 1.100) speaks Smithy RPC v2 CBOR; nothing here
//! depends on the protocol.

use super::{Aws, classify};
use crate::cloud::CloudError;
use crate::cloud::alarms::{AlarmInfo, AlarmSpec, Alarms, Datapoint, HistoryItem};
use aws_config::Region;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, HistoryItemType, Metric, MetricDataQuery, MetricStat, ScanBy,
    StateValue, Statistic, Tag,
};
use chrono::{DateTime, Utc};

pub struct CloudWatchAdapter {
    aws: Aws,
}

impl CloudWatchAdapter {
    pub fn new(aws: Aws) -> CloudWatchAdapter {
        CloudWatchAdapter { aws }
    }

    fn client(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        let config = aws_sdk_cloudwatch::config::Builder::from(&self.aws.config)
            .region(Region::new(region.to_string()))
            .build();
        aws_sdk_cloudwatch::Client::from_conf(config)
    }
}

fn to_smithy(time: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs(time.timestamp())
}

fn from_smithy(time: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(time.secs(), time.subsec_nanos())
}

fn dimensions(spec: &AlarmSpec) -> Vec<Dimension> {
    spec.dimensions
        .iter()
        .map(|(name, value)| Dimension::builder().name(name).value(value).build())
        .collect()
}

impl Alarms for CloudWatchAdapter {
    fn put_alarm(
        &self,
        region: &str,
        spec: &AlarmSpec,
        tags: &[(String, String)],
    ) -> Result<(), CloudError> {
        const ACTION: &str = "cloudwatch:PutMetricAlarm";
        let client = self.client(region);
        let mut request = client
            .put_metric_alarm()
            .alarm_name(&spec.name)
            .alarm_description(&spec.description)
            .namespace(&spec.namespace)
            .metric_name(&spec.metric)
            .statistic(Statistic::from(spec.statistic.as_str()))
            .set_dimensions(Some(dimensions(spec)))
            .period(spec.period as i32)
            .evaluation_periods(spec.evaluation_periods as i32)
            .datapoints_to_alarm(spec.datapoints_to_alarm as i32)
            .threshold(spec.threshold)
            .comparison_operator(ComparisonOperator::from(spec.comparison.as_str()))
            .treat_missing_data(&spec.treat_missing_data)
            .actions_enabled(true)
            .set_alarm_actions(Some(spec.alarm_actions.clone()))
            .set_ok_actions(Some(spec.ok_actions.clone()));
        for (key, value) in tags {
            request = request.tags(Tag::builder().key(key).value(value).build());
        }
        self.aws
            .block_on(request.send())
            .map_err(|e| classify(e, ACTION).in_region(region))?;
        Ok(())
    }

    fn describe_alarm(&self, region: &str, name: &str) -> Result<Option<AlarmInfo>, CloudError> {
        let client = self.client(region);
        let out = self
            .aws
            .block_on(client.describe_alarms().alarm_names(name).send())
            .map_err(|e| classify(e, "cloudwatch:DescribeAlarms").in_region(region))?;
        Ok(out
            .metric_alarms()
            .iter()
            .find(|a| a.alarm_name() == Some(name))
            .map(|a| AlarmInfo {
                arn: a.alarm_arn().unwrap_or_default().to_string(),
                spec: AlarmSpec {
                    name: name.to_string(),
                    description: a.alarm_description().unwrap_or_default().to_string(),
                    namespace: a.namespace().unwrap_or_default().to_string(),
                    metric: a.metric_name().unwrap_or_default().to_string(),
                    statistic: a
                        .statistic()
                        .map(|s| s.as_str().to_string())
                        .or_else(|| a.extended_statistic().map(str::to_string))
                        .unwrap_or_default(),
                    dimensions: a
                        .dimensions()
                        .iter()
                        .map(|d| {
                            (
                                d.name().unwrap_or_default().to_string(),
                                d.value().unwrap_or_default().to_string(),
                            )
                        })
                        .collect(),
                    period: a.period().unwrap_or_default() as u32,
                    evaluation_periods: a.evaluation_periods().unwrap_or_default() as u32,
                    datapoints_to_alarm: a
                        .datapoints_to_alarm()
                        .or(a.evaluation_periods())
                        .unwrap_or_default() as u32,
                    threshold: a.threshold().unwrap_or_default(),
                    comparison: a
                        .comparison_operator()
                        .map(|c| c.as_str().to_string())
                        .unwrap_or_default(),
                    treat_missing_data: a.treat_missing_data().unwrap_or("missing").to_string(),
                    alarm_actions: a.alarm_actions().to_vec(),
                    ok_actions: a.ok_actions().to_vec(),
                },
                actions_enabled: a.actions_enabled().unwrap_or(true),
                state: a
                    .state_value()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                state_reason: a.state_reason().unwrap_or_default().to_string(),
                state_updated: a.state_updated_timestamp().and_then(from_smithy),
                configuration_updated: a
                    .alarm_configuration_updated_timestamp()
                    .and_then(from_smithy),
            }))
    }

    fn alarm_tags(&self, region: &str, arn: &str) -> Result<Vec<(String, String)>, CloudError> {
        let client = self.client(region);
        let out = self
            .aws
            .block_on(client.list_tags_for_resource().resource_arn(arn).send())
            .map_err(|e| classify(e, "cloudwatch:ListTagsForResource").in_region(region))?;
        Ok(out
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().unwrap_or_default().to_string(),
                    t.value().unwrap_or_default().to_string(),
                )
            })
            .collect())
    }

    fn set_alarm_state(
        &self,
        region: &str,
        name: &str,
        state: &str,
        reason: &str,
    ) -> Result<(), CloudError> {
        let client = self.client(region);
        self.aws
            .block_on(
                client
                    .set_alarm_state()
                    .alarm_name(name)
                    .state_value(StateValue::from(state))
                    .state_reason(reason)
                    .send(),
            )
            .map_err(|e| classify(e, "cloudwatch:SetAlarmState").in_region(region))?;
        Ok(())
    }

    fn alarms_tagged(
        &self,
        region: &str,
        (key, value): (&str, &str),
    ) -> Result<Vec<String>, CloudError> {
        let client = self.client(region);
        self.aws.block_on(async {
            let mut found = Vec::new();
            let mut token = None;
            loop {
                let page = client
                    .describe_alarms()
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| classify(e, "cloudwatch:DescribeAlarms").in_region(region))?;
                for alarm in page.metric_alarms() {
                    let (Some(arn), Some(name)) = (alarm.alarm_arn(), alarm.alarm_name()) else {
                        continue;
                    };
                    let tags = client
                        .list_tags_for_resource()
                        .resource_arn(arn)
                        .send()
                        .await
                        .map_err(|e| {
                            classify(e, "cloudwatch:ListTagsForResource").in_region(region)
                        })?;
                    let tagged = tags
                        .tags()
                        .iter()
                        .any(|t| t.key() == Some(key) && t.value() == Some(value));
                    if tagged {
                        found.push(name.to_string());
                    }
                }
                token = page.next_token().map(str::to_string);
                if token.is_none() {
                    return Ok(found);
                }
            }
        })
    }

    fn delete_alarm(&self, region: &str, name: &str) -> Result<(), CloudError> {
        let client = self.client(region);
        self.aws
            .block_on(client.delete_alarms().alarm_names(name).send())
            .map_err(|e| classify(e, "cloudwatch:DeleteAlarms").in_region(region))?;
        Ok(())
    }

    fn history(
        &self,
        region: &str,
        name: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<HistoryItem>, CloudError> {
        let client = self.client(region);
        self.aws.block_on(async {
            let mut items = Vec::new();
            let mut token = None;
            loop {
                let page = client
                    .describe_alarm_history()
                    .alarm_name(name)
                    .start_date(to_smithy(start))
                    .end_date(to_smithy(end))
                    .scan_by(ScanBy::TimestampAscending)
                    .max_records(100)
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| {
                        classify(e, "cloudwatch:DescribeAlarmHistory").in_region(region)
                    })?;
                items.extend(page.alarm_history_items().iter().filter_map(|item| {
                    Some(HistoryItem {
                        timestamp: item.timestamp().and_then(from_smithy)?,
                        kind: item
                            .history_item_type()
                            .map(HistoryItemType::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        summary: item.history_summary().unwrap_or_default().to_string(),
                        data: item.history_data().unwrap_or_default().to_string(),
                    })
                }));
                token = page.next_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
            items.sort_by_key(|i| i.timestamp);
            Ok(items)
        })
    }

    fn metric_data(
        &self,
        region: &str,
        spec: &AlarmSpec,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<Datapoint>, CloudError> {
        const ACTION: &str = "cloudwatch:GetMetricData";
        let client = self.client(region);
        let metric = Metric::builder()
            .namespace(&spec.namespace)
            .metric_name(&spec.metric)
            .set_dimensions(Some(dimensions(spec)))
            .build();
        let query = MetricDataQuery::builder()
            .id("m1")
            .metric_stat(
                MetricStat::builder()
                    .metric(metric)
                    .period(spec.period as i32)
                    .stat(&spec.statistic)
                    .build(),
            )
            .return_data(true)
            .build();
        self.aws.block_on(async {
            let mut points = Vec::new();
            let mut token = None;
            loop {
                let page = client
                    .get_metric_data()
                    .metric_data_queries(query.clone())
                    .start_time(to_smithy(start))
                    .end_time(to_smithy(end))
                    .scan_by(ScanBy::TimestampAscending)
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| classify(e, ACTION).in_region(region))?;
                for result in page.metric_data_results() {
                    for (time, value) in result.timestamps().iter().zip(result.values()) {
                        if let Some(timestamp) = from_smithy(time) {
                            points.push(Datapoint {
                                timestamp,
                                value: *value,
                            });
                        }
                    }
                }
                token = page.next_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
            points.sort_by_key(|p| p.timestamp);
            Ok(points)
        })
    }
}
