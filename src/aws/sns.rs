//! SNS for the alarm step: topics by name, e-mail subscriptions and their confirmation, the
//! topic attributes that matter to CloudWatch, and deletion for `cleanup`.

use super::{Aws, classify};
use crate::cloud::notify::{Notifications, Subscription, Topic, TopicSettings};
use crate::cloud::{CloudError, CloudErrorKind};
use aws_config::Region;

pub struct SnsAdapter {
    aws: Aws,
}

impl SnsAdapter {
    pub fn new(aws: Aws) -> SnsAdapter {
        SnsAdapter { aws }
    }

    fn client(&self, region: &str) -> aws_sdk_sns::Client {
        let config = aws_sdk_sns::config::Builder::from(&self.aws.config)
            .region(Region::new(region.to_string()))
            .build();
        aws_sdk_sns::Client::from_conf(config)
    }
}

fn topic_name(arn: &str) -> String {
    arn.rsplit(':').next().unwrap_or(arn).to_string()
}

fn has_tag(tags: &[aws_sdk_sns::types::Tag], (key, value): (&str, &str)) -> bool {
    tags.iter().any(|t| t.key() == key && t.value() == value)
}

impl SnsAdapter {
    /// Every topic ARN of the Region (`ListTopics`, all pages).
    async fn topic_arns(
        &self,
        client: &aws_sdk_sns::Client,
        region: &str,
    ) -> Result<Vec<String>, CloudError> {
        let mut arns = Vec::new();
        let mut token = None;
        loop {
            let page = client
                .list_topics()
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| classify(e, "sns:ListTopics").in_region(region))?;
            arns.extend(
                page.topics()
                    .iter()
                    .filter_map(|t| t.topic_arn())
                    .map(str::to_string),
            );
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(arns);
            }
        }
    }
}

impl Notifications for SnsAdapter {
    fn topics_tagged(&self, region: &str, tag: (&str, &str)) -> Result<Vec<String>, CloudError> {
        let client = self.client(region);
        self.aws.block_on(async {
            let mut found = Vec::new();
            for arn in self.topic_arns(&client, region).await? {
                let tags = client
                    .list_tags_for_resource()
                    .resource_arn(&arn)
                    .send()
                    .await
                    .map_err(|e| classify(e, "sns:ListTagsForResource").in_region(region))?;
                if has_tag(tags.tags(), tag) {
                    found.push(arn);
                }
            }
            Ok(found)
        })
    }

    fn find_topic(&self, region: &str, name: &str) -> Result<Option<Topic>, CloudError> {
        let client = self.client(region);
        let arns = self.aws.block_on(self.topic_arns(&client, region))?;
        Ok(arns
            .into_iter()
            .find(|arn| topic_name(arn) == name)
            .map(|arn| Topic {
                arn,
                name: name.to_string(),
            }))
    }

    fn create_topic(
        &self,
        region: &str,
        name: &str,
        tags: &[(String, String)],
    ) -> Result<Topic, CloudError> {
        let client = self.client(region);
        let mut request = client.create_topic().name(name);
        for (key, value) in tags {
            let tag = aws_sdk_sns::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(|e| {
                    CloudError::new(
                        CloudErrorKind::InvalidInput,
                        "sns:CreateTopic",
                        e.to_string(),
                    )
                })?;
            request = request.tags(tag);
        }
        let out = self
            .aws
            .block_on(request.send())
            .map_err(|e| classify(e, "sns:CreateTopic").in_region(region))?;
        Ok(Topic {
            arn: out.topic_arn().unwrap_or_default().to_string(),
            name: name.to_string(),
        })
    }

    fn topic_tags(
        &self,
        region: &str,
        topic_arn: &str,
    ) -> Result<Vec<(String, String)>, CloudError> {
        let client = self.client(region);
        let out = self
            .aws
            .block_on(
                client
                    .list_tags_for_resource()
                    .resource_arn(topic_arn)
                    .send(),
            )
            .map_err(|e| classify(e, "sns:ListTagsForResource").in_region(region))?;
        Ok(out
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect())
    }

    fn topic_settings(&self, region: &str, topic_arn: &str) -> Result<TopicSettings, CloudError> {
        let client = self.client(region);
        let out = self
            .aws
            .block_on(client.get_topic_attributes().topic_arn(topic_arn).send())
            .map_err(|e| classify(e, "sns:GetTopicAttributes").in_region(region))?;
        let attributes = out.attributes();
        let get = |key: &str| {
            attributes
                .and_then(|a| a.get(key))
                .filter(|v| !v.is_empty())
                .cloned()
        };
        Ok(TopicSettings {
            policy: get("Policy"),
            kms_key: get("KmsMasterKeyId"),
        })
    }

    fn subscriptions(
        &self,
        region: &str,
        topic_arn: &str,
    ) -> Result<Vec<Subscription>, CloudError> {
        let client = self.client(region);
        self.aws.block_on(async {
            let mut out = Vec::new();
            let mut token = None;
            loop {
                let page = client
                    .list_subscriptions_by_topic()
                    .topic_arn(topic_arn)
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| classify(e, "sns:ListSubscriptionsByTopic").in_region(region))?;
                out.extend(page.subscriptions().iter().map(|s| Subscription {
                    arn: s.subscription_arn().unwrap_or_default().to_string(),
                    protocol: s.protocol().unwrap_or_default().to_string(),
                    endpoint: s.endpoint().unwrap_or_default().to_string(),
                }));
                token = page.next_token().map(str::to_string);
                if token.is_none() {
                    return Ok(out);
                }
            }
        })
    }

    fn subscribe_email(
        &self,
        region: &str,
        topic_arn: &str,
        email: &str,
    ) -> Result<String, CloudError> {
        let client = self.client(region);
        let out = self
            .aws
            .block_on(
                client
                    .subscribe()
                    .topic_arn(topic_arn)
                    .protocol("email")
                    .endpoint(email)
                    .return_subscription_arn(true)
                    .send(),
            )
            .map_err(|e| classify(e, "sns:Subscribe").in_region(region))?;
        // Without ReturnSubscriptionArn SNS answers the literal "pending confirmation" (every
        // published example does); the caller records this value as the subscription's ARN.
        match out.subscription_arn() {
            Some(arn) if arn.starts_with("arn:") => Ok(arn.to_string()),
            other => Err(CloudError::new(
                CloudErrorKind::Other,
                "sns:Subscribe",
                format!(
                    "SNS answered {:?} instead of the subscription's ARN. Confirm the subscription from the mail AWS sent (\"AWS Notification - Subscription Confirmation\"), then run the step again: it finds the confirmed subscription in the topic's list.",
                    other.unwrap_or_default()
                ),
            )
            .in_region(region)),
        }
    }

    fn subscription_pending(&self, region: &str, arn: &str) -> Result<Option<bool>, CloudError> {
        let client = self.client(region);
        match self.aws.block_on(
            client
                .get_subscription_attributes()
                .subscription_arn(arn)
                .send(),
        ) {
            Ok(out) => Ok(Some(
                out.attributes()
                    .and_then(|a| a.get("PendingConfirmation"))
                    .is_some_and(|v| v == "true"),
            )),
            Err(err) => {
                let err = classify(err, "sns:GetSubscriptionAttributes").in_region(region);
                if err.kind == CloudErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }

    fn unsubscribe(&self, region: &str, arn: &str) -> Result<(), CloudError> {
        let client = self.client(region);
        self.aws
            .block_on(client.unsubscribe().subscription_arn(arn).send())
            .map_err(|e| classify(e, "sns:Unsubscribe").in_region(region))?;
        Ok(())
    }

    fn delete_topic(&self, region: &str, topic_arn: &str) -> Result<(), CloudError> {
        let client = self.client(region);
        self.aws
            .block_on(client.delete_topic().topic_arn(topic_arn).send())
            .map_err(|e| classify(e, "sns:DeleteTopic").in_region(region))?;
        Ok(())
    }
}
