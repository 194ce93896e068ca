//! The sandbox behind the ELB, SNS and CloudWatch traits: every call first runs the model of
//! `monitoring` up to the clock's now, is counted (the transitions step reports how many calls a
//! watch makes), and delivers the mails it causes.

use super::Sandbox;
use super::monitoring::{Mail, Monitoring, SimAlarm, WorldFacts};
use crate::cloud::alarms::{AlarmInfo, AlarmSpec, Alarms, Datapoint, HistoryItem};
use crate::cloud::elb::{LoadBalancer, LoadBalancing, TargetGroup, TargetHealth};
use crate::cloud::notify::{Notifications, Subscription, Topic, TopicSettings};
use crate::cloud::{CloudError, CloudErrorKind};
use chrono::{DateTime, Utc};
use serde_json::json;

/// Set to an IAM action (`sns:CreateTopic`, or `…#N` for its N-th call in this account) to make
/// the sandbox abort the process right after that call has taken effect: how the tests crash
/// lecture06 at an exact point, like `kill -9`.
pub const CRASH_AFTER_ENV: &str = "LECTURE06_SANDBOX_CRASH_AFTER";

impl Sandbox {
    /// Runs the model up to the clock's now, then `f` (counted as one call of `action`), saves,
    /// and delivers the mails produced.
    pub(crate) fn monitor<R>(
        &self,
        action: Option<&str>,
        f: impl FnOnce(&mut Monitoring, &WorldFacts) -> R,
    ) -> Result<R, CloudError> {
        let crash_at = std::env::var(CRASH_AFTER_ENV).ok().and_then(|spec| {
            let (name, nth) = spec.split_once('#').unwrap_or((spec.as_str(), "1"));
            (Some(name) == action).then(|| nth.parse::<u64>().unwrap_or(1))
        });
        let (result, mails, calls) = self.change(|w| {
            if w.monitoring.is_none() {
                w.monitoring = Some(Monitoring::new(w));
            }
            let facts = WorldFacts::of(w);
            let m = w.monitoring.as_mut().expect("just made");
            m.advance(&facts, facts.now);
            if let Some(action) = action {
                m.count(action);
            }
            let result = f(m, &facts);
            let calls = action.map_or(0, |a| m.calls.get(a).copied().unwrap_or(0));
            (result, std::mem::take(&mut m.outbox), calls)
        })?;
        self.deliver(&mails)?;
        if let (Some(action), Some(nth)) = (action, crash_at)
            && calls == nth
        {
            eprintln!("sandbox: crashing after {action} ({CRASH_AFTER_ENV})");
            std::process::abort();
        }
        Ok(result)
    }

    fn deliver(&self, mails: &[Mail]) -> Result<(), CloudError> {
        if mails.is_empty() {
            return Ok(());
        }
        let dir = self.mailbox_dir();
        let fail =
            |e: std::io::Error| CloudError::new(CloudErrorKind::Other, "sandbox", e.to_string());
        std::fs::create_dir_all(&dir).map_err(fail)?;
        for mail in mails {
            let mut path = dir.join(mail.file_name());
            let mut n = 2;
            while path.exists() {
                path = dir.join(format!("{}-{n}", mail.file_name()));
                n += 1;
            }
            std::fs::write(&path, mail.render()).map_err(fail)?;
        }
        Ok(())
    }

    pub fn mailbox_dir(&self) -> std::path::PathBuf {
        self.path
            .parent()
            .map(|p| p.join("mailbox"))
            .unwrap_or_else(|| "mailbox".into())
    }

    fn only_home(&self, region: &str) -> bool {
        region == self.region()
    }
}

fn not_found(action: &str, what: &str) -> CloudError {
    let mut err = CloudError::new(CloudErrorKind::NotFound, action, what.to_string());
    err.code = Some("NotFound".into());
    err
}

impl LoadBalancing for Sandbox {
    fn load_balancers(&self, region: &str) -> Result<Vec<LoadBalancer>, CloudError> {
        let home = self.only_home(region);
        self.monitor(
            Some("elasticloadbalancing:DescribeLoadBalancers"),
            |m, _| {
                if home {
                    vec![m.load_balancer()]
                } else {
                    Vec::new()
                }
            },
        )
    }

    fn target_groups(&self, _region: &str, lb_arn: &str) -> Result<Vec<TargetGroup>, CloudError> {
        self.monitor(Some("elasticloadbalancing:DescribeTargetGroups"), |m, _| {
            if lb_arn == m.alb.lb_arn {
                vec![m.target_group()]
            } else {
                Vec::new()
            }
        })
    }

    fn target_health(&self, _region: &str, tg_arn: &str) -> Result<Vec<TargetHealth>, CloudError> {
        let found = self.monitor(Some("elasticloadbalancing:DescribeTargetHealth"), |m, _| {
            (tg_arn == m.alb.tg_arn).then(|| vec![m.target_health()])
        })?;
        found.ok_or_else(|| {
            not_found(
                "elasticloadbalancing:DescribeTargetHealth",
                "TargetGroupNotFound",
            )
        })
    }

    fn set_health_check_path(
        &self,
        _region: &str,
        tg_arn: &str,
        path: &str,
    ) -> Result<(), CloudError> {
        let found = self.monitor(Some("elasticloadbalancing:ModifyTargetGroup"), |m, _| {
            (tg_arn == m.alb.tg_arn).then(|| m.alb.health_check.path = path.to_string())
        })?;
        found.ok_or_else(|| {
            not_found(
                "elasticloadbalancing:ModifyTargetGroup",
                "TargetGroupNotFound",
            )
        })
    }
}

impl Notifications for Sandbox {
    fn find_topic(&self, _region: &str, name: &str) -> Result<Option<Topic>, CloudError> {
        self.monitor(Some("sns:ListTopics"), |m, _| {
            m.topics.iter().find(|t| t.name == name).map(|t| Topic {
                arn: t.arn.clone(),
                name: t.name.clone(),
            })
        })
    }

    fn create_topic(
        &self,
        _region: &str,
        name: &str,
        tags: &[(String, String)],
    ) -> Result<Topic, CloudError> {
        self.monitor(Some("sns:CreateTopic"), |m, facts| {
            m.create_topic(facts, name, tags)
        })
    }

    fn topic_tags(
        &self,
        _region: &str,
        topic_arn: &str,
    ) -> Result<Vec<(String, String)>, CloudError> {
        self.monitor(Some("sns:ListTagsForResource"), |m, _| {
            m.topics
                .iter()
                .find(|t| t.arn == topic_arn)
                .map(|t| t.tags.clone())
        })?
        .ok_or_else(|| not_found("sns:ListTagsForResource", "Topic does not exist"))
    }

    fn topic_settings(&self, _region: &str, topic_arn: &str) -> Result<TopicSettings, CloudError> {
        self.monitor(Some("sns:GetTopicAttributes"), |m, _| {
            m.topics
                .iter()
                .find(|t| t.arn == topic_arn)
                .map(|t| t.settings.clone())
        })?
        .ok_or_else(|| not_found("sns:GetTopicAttributes", "Topic does not exist"))
    }

    fn subscriptions(
        &self,
        _region: &str,
        topic_arn: &str,
    ) -> Result<Vec<Subscription>, CloudError> {
        self.monitor(Some("sns:ListSubscriptionsByTopic"), |m, _| {
            m.subscriptions_of(topic_arn)
        })
    }

    fn subscribe_email(
        &self,
        _region: &str,
        topic_arn: &str,
        email: &str,
    ) -> Result<String, CloudError> {
        self.monitor(Some("sns:Subscribe"), |m, facts| {
            m.topics
                .iter()
                .any(|t| t.arn == topic_arn)
                .then(|| m.subscribe(facts, topic_arn, email))
        })?
        .ok_or_else(|| not_found("sns:Subscribe", "Topic does not exist"))
    }

    fn subscription_pending(&self, _region: &str, arn: &str) -> Result<Option<bool>, CloudError> {
        self.monitor(Some("sns:GetSubscriptionAttributes"), |m, _| {
            m.subscriptions
                .iter()
                .find(|s| s.arn == arn)
                .map(|s| !s.confirmed)
        })
    }

    fn unsubscribe(&self, _region: &str, arn: &str) -> Result<(), CloudError> {
        let outcome = self.monitor(Some("sns:Unsubscribe"), |m, _| {
            match m.subscriptions.iter().position(|s| s.arn == arn) {
                Some(i) if !m.subscriptions[i].confirmed => Err(()),
                Some(i) => {
                    m.subscriptions.remove(i);
                    Ok(())
                }
                None => Ok(()),
            }
        })?;
        outcome.map_err(|_| {
            let mut err = CloudError::new(
                CloudErrorKind::InvalidInput,
                "sns:Unsubscribe",
                "Invalid parameter: SubscriptionArn: the subscription is pending confirmation",
            );
            err.code = Some("InvalidParameter".into());
            err
        })
    }

    fn delete_topic(&self, _region: &str, topic_arn: &str) -> Result<(), CloudError> {
        self.monitor(Some("sns:DeleteTopic"), |m, _| {
            m.topics.retain(|t| t.arn != topic_arn);
            m.subscriptions.retain(|s| s.topic_arn != topic_arn);
        })
    }

    fn topics_tagged(&self, _region: &str, tag: (&str, &str)) -> Result<Vec<String>, CloudError> {
        self.monitor(Some("sns:ListTopics"), |m, _| {
            m.topics
                .iter()
                .filter(|t| t.tags.iter().any(|(k, v)| (k.as_str(), v.as_str()) == tag))
                .map(|t| t.arn.clone())
                .collect()
        })
    }
}

impl Alarms for Sandbox {
    fn put_alarm(
        &self,
        _region: &str,
        spec: &AlarmSpec,
        tags: &[(String, String)],
    ) -> Result<(), CloudError> {
        self.monitor(Some("cloudwatch:PutMetricAlarm"), |m, facts| {
            let now = facts.now;
            let arn = format!(
                "arn:aws:cloudwatch:{}:{}:alarm:{}",
                facts.region, facts.account, spec.name
            );
            let config_item = HistoryItem {
                timestamp: now,
                kind: "ConfigurationUpdate".into(),
                summary: format!("Alarm \"{}\" updated", spec.name),
                data: json!({"type": "Update"}).to_string(),
            };
            match m.alarms.iter_mut().find(|a| a.info.spec.name == spec.name) {
                Some(alarm) => {
                    alarm.info.spec = spec.clone();
                    alarm.info.configuration_updated = Some(now);
                    alarm.history.push(config_item);
                }
                None => m.alarms.push(SimAlarm {
                    info: AlarmInfo {
                        arn,
                        spec: spec.clone(),
                        actions_enabled: true,
                        state: "INSUFFICIENT_DATA".into(),
                        state_reason: "Unchecked: Initial alarm creation".into(),
                        state_updated: Some(now),
                        configuration_updated: Some(now),
                    },
                    tags: tags.to_vec(),
                    created_at: now,
                    history: vec![HistoryItem {
                        summary: format!("Alarm \"{}\" created", spec.name),
                        data: json!({"type": "Create"}).to_string(),
                        ..config_item
                    }],
                }),
            }
        })
    }

    fn describe_alarm(&self, _region: &str, name: &str) -> Result<Option<AlarmInfo>, CloudError> {
        self.monitor(Some("cloudwatch:DescribeAlarms"), |m, _| {
            m.alarms
                .iter()
                .find(|a| a.info.spec.name == name)
                .map(|a| a.info.clone())
        })
    }

    fn alarm_tags(&self, _region: &str, arn: &str) -> Result<Vec<(String, String)>, CloudError> {
        self.monitor(Some("cloudwatch:ListTagsForResource"), |m, _| {
            m.alarms
                .iter()
                .find(|a| a.info.arn == arn)
                .map(|a| a.tags.clone())
        })?
        .ok_or_else(|| not_found("cloudwatch:ListTagsForResource", "Alarm does not exist"))
    }

    fn set_alarm_state(
        &self,
        _region: &str,
        name: &str,
        state: &str,
        reason: &str,
    ) -> Result<(), CloudError> {
        self.monitor(Some("cloudwatch:SetAlarmState"), |m, facts| {
            let index = m.alarms.iter().position(|a| a.info.spec.name == name)?;
            m.transition(facts, index, state, reason, facts.now);
            Some(())
        })?
        .ok_or_else(|| {
            let mut err = not_found("cloudwatch:SetAlarmState", "Alarm does not exist");
            err.code = Some("ResourceNotFound".into());
            err
        })
    }

    fn delete_alarm(&self, _region: &str, name: &str) -> Result<(), CloudError> {
        self.monitor(Some("cloudwatch:DeleteAlarms"), |m, _| {
            m.alarms.retain(|a| a.info.spec.name != name);
        })
    }

    fn alarms_tagged(&self, _region: &str, tag: (&str, &str)) -> Result<Vec<String>, CloudError> {
        self.monitor(Some("cloudwatch:DescribeAlarms"), |m, _| {
            m.alarms
                .iter()
                .filter(|a| a.tags.iter().any(|(k, v)| (k.as_str(), v.as_str()) == tag))
                .map(|a| a.info.spec.name.clone())
                .collect()
        })
    }

    fn history(
        &self,
        _region: &str,
        name: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<HistoryItem>, CloudError> {
        self.monitor(Some("cloudwatch:DescribeAlarmHistory"), |m, _| {
            m.alarms
                .iter()
                .find(|a| a.info.spec.name == name)
                .map(|a| {
                    a.history
                        .iter()
                        .filter(|h| h.timestamp >= start && h.timestamp <= end)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    fn metric_data(
        &self,
        _region: &str,
        spec: &AlarmSpec,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<Datapoint>, CloudError> {
        self.monitor(Some("cloudwatch:GetMetricData"), |m, facts| {
            m.datapoints(spec, start, end, facts.now)
        })
    }
}

impl crate::cloud::probe::HttpProbe for Sandbox {
    fn get(&self, url: &str) -> crate::cloud::probe::Probe {
        let rest = url.strip_prefix("http://").unwrap_or(url);
        let path = rest.find('/').map_or("/", |i| &rest[i..]);
        let answer = self.monitor(None, |m, _| m.http_answer(path)).ok();
        let status = answer.as_ref().and_then(|a| a.status);
        crate::cloud::probe::Probe {
            status,
            millis: if status == Some(200) { 38 } else { 3 },
            error: None,
            headers: answer.map(|a| a.headers).unwrap_or_default(),
        }
    }
}

/// SSM Run Command on the simulated instance: the command "runs" (the step flips Unicorn).
impl crate::cloud::remote::RemoteCommand for Sandbox {
    fn run_shell(
        &self,
        _region: &str,
        instance_id: &str,
        _command: &str,
    ) -> Result<crate::cloud::remote::CommandResult, CloudError> {
        self.monitor(Some("ssm:SendCommand"), |m, facts| {
            if instance_id != m.alb.instance_id {
                return Err(CloudError::new(
                    CloudErrorKind::InvalidInput,
                    "ssm:SendCommand",
                    format!("InvalidInstanceId: {instance_id} is not managed by SSM"),
                ));
            }
            m.count("ssm:GetCommandInvocation");
            Ok(crate::cloud::remote::CommandResult {
                command_id: format!("{:08x}-lecture06", facts.now.timestamp()),
                status: "Success".into(),
                output: String::new(),
            })
        })?
    }
}
