//! SNS as the alarm step needs it: a topic found by name or made once, an e-mail subscription and
//! whether the student has confirmed it, and what the topic's settings would block.

use super::CloudError;
use serde::{Deserialize, Serialize};

/// How long an e-mail subscription's confirmation link stays valid, in hours: two days. After
/// that the pending subscription is deleted. Source: the SNS
/// API Reference for `Subscribe`, https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
/// ("Confirmation tokens are valid for two days"; the same sentence is in aws-sdk-sns 1.121's
/// docs, generated from AWS's model). Older copies of that page said three days.
pub const CONFIRMATION_VALID_HOURS: u32 = 48;

/// What SNS lists for a subscription the owner has not confirmed yet.
pub const PENDING: &str = "PendingConfirmation";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    pub arn: String,
    pub name: String,
}

/// The topic attributes that can stop CloudWatch from publishing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TopicSettings {
    pub policy: Option<String>,
    pub kms_key: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    /// The subscription ARN, or `PendingConfirmation`.
    pub arn: String,
    pub protocol: String,
    pub endpoint: String,
}

impl Subscription {
    pub fn confirmed(&self) -> bool {
        self.arn != PENDING && self.arn.starts_with("arn:")
    }
}

pub trait Notifications: Send + Sync {
    /// The topic of that name in the Region (`ListTopics`), if any.
    fn find_topic(&self, region: &str, name: &str) -> Result<Option<Topic>, CloudError>;
    /// `CreateTopic` with tags (SNS returns the existing topic for an existing name).
    fn create_topic(
        &self,
        region: &str,
        name: &str,
        tags: &[(String, String)],
    ) -> Result<Topic, CloudError>;
    /// `ListTagsForResource` for a topic's ARN (`created-by = lecture06` on the topics it made).
    fn topic_tags(
        &self,
        region: &str,
        topic_arn: &str,
    ) -> Result<Vec<(String, String)>, CloudError>;
    /// `GetTopicAttributes`: the policy and the KMS key.
    fn topic_settings(&self, region: &str, topic_arn: &str) -> Result<TopicSettings, CloudError>;
    /// `ListSubscriptionsByTopic`.
    fn subscriptions(&self, region: &str, topic_arn: &str)
    -> Result<Vec<Subscription>, CloudError>;
    /// `Subscribe` (e-mail, `ReturnSubscriptionArn=true`): the subscription's ARN even while it
    /// waits for confirmation.
    fn subscribe_email(
        &self,
        region: &str,
        topic_arn: &str,
        email: &str,
    ) -> Result<String, CloudError>;
    /// `GetSubscriptionAttributes` `PendingConfirmation`; `None` when it no longer exists.
    fn subscription_pending(&self, region: &str, arn: &str) -> Result<Option<bool>, CloudError>;
    fn unsubscribe(&self, region: &str, arn: &str) -> Result<(), CloudError>;
    fn delete_topic(&self, region: &str, topic_arn: &str) -> Result<(), CloudError>;
    /// The ARNs of the Region's topics that carry the tag `(key, value)` (`ListTopics`, then
    /// `ListTagsForResource` for each): how `cleanup` finds what lecture06 made when its list is
    /// lost.
    fn topics_tagged(&self, region: &str, tag: (&str, &str)) -> Result<Vec<String>, CloudError>;
}

/// Why a topic policy would keep CloudWatch from publishing, if it would: a policy that allows
/// `sns:Publish` neither to everyone in the account (the default `__default_statement_ID`) nor
/// to `cloudwatch.amazonaws.com`, or one that denies CloudWatch explicitly.
pub fn policy_blocks_cloudwatch(policy: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(policy) else {
        return false;
    };
    let statements = match &doc["Statement"] {
        serde_json::Value::Array(items) => items.clone(),
        other @ serde_json::Value::Object(_) => vec![other.clone()],
        _ => return false,
    };
    let mentions = |s: &serde_json::Value, what: &str| s.to_string().contains(what);
    let publishes = |s: &serde_json::Value| {
        let action = s["Action"].to_string();
        action.contains("SNS:Publish") || action.contains("sns:Publish") || action.contains("\"*\"")
    };
    let denied = statements
        .iter()
        .any(|s| s["Effect"] == "Deny" && publishes(s) && mentions(s, "cloudwatch.amazonaws.com"));
    let allowed = statements.iter().any(|s| {
        s["Effect"] == "Allow"
            && publishes(s)
            && (mentions(s, "cloudwatch.amazonaws.com")
                || s["Principal"] == "*"
                || s["Principal"]["AWS"] == "*")
    });
    denied || !allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_lets_cloudwatch_publish() {
        let default = r#"{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:Publish"],"Resource":"arn:aws:sns:ap-northeast-1:556312345678:t","Condition":{"StringEquals":{"AWS:SourceOwner":"556312345678"}}}]}"#;
        assert!(!policy_blocks_cloudwatch(default));
        let owner_only = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::556312345678:root"},"Action":"SNS:Publish","Resource":"*"}]}"#;
        assert!(policy_blocks_cloudwatch(owner_only));
        let with_cw = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"*"}]}"#;
        assert!(!policy_blocks_cloudwatch(with_cw));
    }
}
