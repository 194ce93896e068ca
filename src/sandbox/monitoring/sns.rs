//! The sandbox's SNS: topics, e-mail subscriptions (confirmed by a click the student makes) and
//! the mails an alarm's state change sends, in SNS's alarm mail format, written to
//! `.lecture06/sandbox/mailbox/` as `.eml` files.

use super::{MAIL_DELAY_SECONDS, Monitoring, WorldFacts, hex};
use crate::cloud::alarm_mail::{AlarmMail, region_name};
use crate::cloud::alarms::AlarmInfo;
use crate::cloud::notify::{PENDING, Subscription, Topic, TopicSettings};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimTopic {
    pub arn: String,
    pub name: String,
    pub tags: Vec<(String, String)>,
    pub settings: TopicSettings,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimSubscription {
    pub arn: String,
    pub topic_arn: String,
    pub endpoint: String,
    pub confirmed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mail {
    pub at: DateTime<Utc>,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub kind: String,
}

impl Monitoring {
    pub fn create_topic(
        &mut self,
        world: &WorldFacts,
        name: &str,
        tags: &[(String, String)],
    ) -> Topic {
        let arn = format!("arn:aws:sns:{}:{}:{name}", world.region, world.account);
        if !self.topics.iter().any(|t| t.arn == arn) {
            let policy = json!({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [{
                "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
                "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                           "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                           "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
                "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceOwner": world.account}}}]});
            self.topics.push(SimTopic {
                arn: arn.clone(),
                name: name.into(),
                tags: tags.to_vec(),
                settings: TopicSettings {
                    policy: Some(policy.to_string()),
                    kms_key: None,
                },
            });
        }
        Topic {
            arn,
            name: name.into(),
        }
    }

    pub fn subscriptions_of(&self, topic_arn: &str) -> Vec<Subscription> {
        self.subscriptions
            .iter()
            .filter(|s| s.topic_arn == topic_arn)
            .map(|s| Subscription {
                arn: if s.confirmed {
                    s.arn.clone()
                } else {
                    PENDING.into()
                },
                protocol: "email".into(),
                endpoint: s.endpoint.clone(),
            })
            .collect()
    }

    pub fn subscribe(&mut self, world: &WorldFacts, topic_arn: &str, email: &str) -> String {
        if let Some(existing) = self
            .subscriptions
            .iter()
            .find(|s| s.topic_arn == topic_arn && s.endpoint.eq_ignore_ascii_case(email))
        {
            return existing.arn.clone();
        }
        let serial = self.next_serial();
        let arn = format!(
            "{topic_arn}:{}-{}-{}-{}-{}",
            hex(world.seed + serial, "sub1", 8),
            hex(world.seed + serial, "sub2", 4),
            hex(world.seed + serial, "sub3", 4),
            hex(world.seed + serial, "sub4", 4),
            hex(world.seed + serial, "sub5", 12)
        );
        self.subscriptions.push(SimSubscription {
            arn: arn.clone(),
            topic_arn: topic_arn.into(),
            endpoint: email.into(),
            confirmed: false,
        });
        let topic_name = topic_arn.rsplit(':').next().unwrap_or(topic_arn);
        let token = hex(world.seed + serial, "token", 64);
        self.outbox.push(Mail {
            at: world.now + Duration::seconds(MAIL_DELAY_SECONDS),
            to: email.into(),
            subject: "AWS Notification - Subscription Confirmation".into(),
            body: format!(
                "You have chosen to subscribe to the topic: \n{topic_arn}\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary): \nConfirm subscription: https://sns.{region}.amazonaws.com/confirmation.html?TopicArn={topic_arn}&Token={token}&Endpoint={email}\n\nPlease do not reply directly to this email. If you wish to remove yourself from receiving all future SNS subscription confirmation requests please send an email to sns-opt-out\n",
                region = world.region
            ),
            kind: format!("confirmation-{topic_name}"),
        });
        arn
    }
}

/// The mail SNS sends for an alarm's state change, as it looks in a mailbox.
pub(super) fn alarm_mail(
    world: &WorldFacts,
    info: &AlarmInfo,
    old: &str,
    at: DateTime<Utc>,
    subscription: &SimSubscription,
) -> Mail {
    let spec = &info.spec;
    let region = &world.region;
    let place = region_name(region);
    let name = &spec.name;
    let state = &info.state;
    let lines = AlarmMail::new(name, region, old, state, &info.state_reason, at);
    let when = &lines.timestamp;
    let dims: Vec<String> = spec
        .dimensions
        .iter()
        .map(|(n, v)| format!("[{n} = {v}]"))
        .collect();
    let list = |arns: &[String]| arns.join(",");
    let body = format!(
        "You are receiving this email because your Amazon CloudWatch Alarm \"{name}\" in the {place} region has entered the {state} state, because \"{reason}\" at \"{when}\".\n\n\
View this alarm in the AWS Management Console:\nhttps://{region}.console.aws.amazon.com/cloudwatch/deeplink.js?region={region}#alarmsV2:alarm/{name}\n\n\
Alarm Details:\n\
- Name:                       {name}\n\
- Description:                {description}\n\
- State Change:               {state_change}\n\
- Reason for State Change:    {reason}\n\
- Timestamp:                  {when}\n\
- AWS Account:                {account}\n\
- Alarm Arn:                  {arn}\n\n\
Threshold:\n\
- The alarm is in the ALARM state when the metric is {comparison} {threshold:.1} for at least {m} of the last {n} period(s) of {period} seconds.\n\n\
Monitored Metric:\n\
- MetricNamespace:                     {namespace}\n\
- MetricName:                          {metric}\n\
- Dimensions:                          {dims}\n\
- Period:                              {period} seconds\n\
- Statistic:                           {statistic}\n\
- Unit:                                not specified\n\
- TreatMissingData:                    {missing}\n\n\n\
State Change Actions:\n\
- OK: [{ok}]\n\
- ALARM: [{alarm}]\n\
- INSUFFICIENT_DATA:\n\n\n\
--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\nhttps://sns.{region}.amazonaws.com/unsubscribe.html?SubscriptionArn={sub}&Endpoint={to}\n\n\
Please do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support\n",
        reason = lines.reason,
        state_change = lines.state_change,
        description = spec.description,
        account = world.account,
        arn = info.arn,
        comparison = spec.comparison,
        threshold = spec.threshold,
        m = spec.datapoints_to_alarm,
        n = spec.evaluation_periods,
        period = spec.period,
        namespace = spec.namespace,
        metric = spec.metric,
        dims = dims.join(" "),
        statistic = spec.statistic,
        missing = spec.treat_missing_data,
        ok = list(&spec.ok_actions),
        alarm = list(&spec.alarm_actions),
        sub = subscription.arn,
        to = subscription.endpoint,
    );
    Mail {
        at: at + Duration::seconds(MAIL_DELAY_SECONDS),
        to: subscription.endpoint.clone(),
        subject: lines.subject,
        body,
        kind: format!("{}-{name}", state.to_ascii_lowercase()),
    }
}

impl Mail {
    /// The file as a mail client would save it (`.eml`).
    pub fn render(&self) -> String {
        format!(
            "From: \"AWS Notifications\" <no-reply@sns.amazonaws.com>\nTo: {}\nDate: {}\nSubject: {}\nContent-Type: text/plain; charset=UTF-8\n\n{}",
            self.to,
            self.at.to_rfc2822(),
            self.subject,
            self.body
        )
    }

    pub fn file_name(&self) -> String {
        format!("{}-{}.eml", self.at.format("%Y%m%dT%H%M%SZ"), self.kind)
    }
}
