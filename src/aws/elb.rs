//! `elasticloadbalancing:DescribeLoadBalancers`, `DescribeTargetGroups`, `DescribeTargetHealth`
//! and `ModifyTargetGroup` (the health-check path only) for one Region at a time (the step also looks into other Regions when the working one has no
//! ALB).

use super::{Aws, classify};
use crate::cloud::CloudError;
use crate::cloud::elb::{HealthCheck, LoadBalancer, LoadBalancing, TargetGroup, TargetHealth};
use aws_config::Region;

pub struct ElbAdapter {
    aws: Aws,
}

impl ElbAdapter {
    pub fn new(aws: Aws) -> ElbAdapter {
        ElbAdapter { aws }
    }

    fn client(&self, region: &str) -> aws_sdk_elasticloadbalancingv2::Client {
        let config = aws_sdk_elasticloadbalancingv2::config::Builder::from(&self.aws.config)
            .region(Region::new(region.to_string()))
            .build();
        aws_sdk_elasticloadbalancingv2::Client::from_conf(config)
    }
}

impl LoadBalancing for ElbAdapter {
    fn load_balancers(&self, region: &str) -> Result<Vec<LoadBalancer>, CloudError> {
        let client = self.client(region);
        self.aws
            .block_on(describe_load_balancers(&client))
            .map_err(|e| e.in_region(region))
    }

    fn target_groups(&self, region: &str, lb_arn: &str) -> Result<Vec<TargetGroup>, CloudError> {
        let client = self.client(region);
        let out = self
            .aws
            .block_on(
                client
                    .describe_target_groups()
                    .load_balancer_arn(lb_arn)
                    .send(),
            )
            .map_err(|e| {
                classify(e, "elasticloadbalancing:DescribeTargetGroups").in_region(region)
            })?;
        let defaults = HealthCheck::default();
        Ok(out
            .target_groups()
            .iter()
            .map(|tg| TargetGroup {
                arn: tg.target_group_arn().unwrap_or_default().to_string(),
                name: tg.target_group_name().unwrap_or_default().to_string(),
                protocol: tg
                    .protocol()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default(),
                port: tg.port().unwrap_or(80) as u32,
                health_check: HealthCheck {
                    interval_seconds: tg
                        .health_check_interval_seconds()
                        .map(|v| v as u32)
                        .unwrap_or(defaults.interval_seconds),
                    timeout_seconds: tg
                        .health_check_timeout_seconds()
                        .map(|v| v as u32)
                        .unwrap_or(defaults.timeout_seconds),
                    healthy_threshold: tg
                        .healthy_threshold_count()
                        .map(|v| v as u32)
                        .unwrap_or(defaults.healthy_threshold),
                    unhealthy_threshold: tg
                        .unhealthy_threshold_count()
                        .map(|v| v as u32)
                        .unwrap_or(defaults.unhealthy_threshold),
                    path: tg.health_check_path().unwrap_or(&defaults.path).to_string(),
                    protocol: tg
                        .health_check_protocol()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or(defaults.protocol.clone()),
                    port: tg.health_check_port().unwrap_or(&defaults.port).to_string(),
                    matcher: tg
                        .matcher()
                        .and_then(|m| m.http_code())
                        .unwrap_or(&defaults.matcher)
                        .to_string(),
                },
            })
            .collect())
    }

    fn target_health(&self, region: &str, tg_arn: &str) -> Result<Vec<TargetHealth>, CloudError> {
        let client = self.client(region);
        let out = self
            .aws
            .block_on(
                client
                    .describe_target_health()
                    .target_group_arn(tg_arn)
                    .send(),
            )
            .map_err(|e| {
                classify(e, "elasticloadbalancing:DescribeTargetHealth").in_region(region)
            })?;
        Ok(out
            .target_health_descriptions()
            .iter()
            .map(|d| TargetHealth {
                id: d
                    .target()
                    .and_then(|t| t.id())
                    .map(str::to_string)
                    .unwrap_or_default(),
                port: d.target().and_then(|t| t.port()).map(|p| p as u32),
                state: d
                    .target_health()
                    .and_then(|h| h.state())
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                reason: d
                    .target_health()
                    .and_then(|h| h.reason())
                    .map(|r| r.as_str().to_string()),
                description: d
                    .target_health()
                    .and_then(|h| h.description())
                    .map(str::to_string),
            })
            .collect())
    }

    fn set_health_check_path(
        &self,
        region: &str,
        tg_arn: &str,
        path: &str,
    ) -> Result<(), CloudError> {
        let client = self.client(region);
        self.aws
            .block_on(
                client
                    .modify_target_group()
                    .target_group_arn(tg_arn)
                    .health_check_path(path)
                    .send(),
            )
            .map_err(|e| classify(e, "elasticloadbalancing:ModifyTargetGroup").in_region(region))?;
        Ok(())
    }
}

/// Every load balancer of the client's Region, all pages (the alarm step and the inventory).
pub(super) async fn describe_load_balancers(
    client: &aws_sdk_elasticloadbalancingv2::Client,
) -> Result<Vec<LoadBalancer>, CloudError> {
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        let page = client
            .describe_load_balancers()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| classify(e, "elasticloadbalancing:DescribeLoadBalancers"))?;
        out.extend(page.load_balancers().iter().map(|lb| {
            LoadBalancer {
                arn: lb.load_balancer_arn().unwrap_or_default().to_string(),
                name: lb.load_balancer_name().unwrap_or_default().to_string(),
                dns_name: lb.dns_name().unwrap_or_default().to_string(),
                kind: lb
                    .r#type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                state: lb
                    .state()
                    .and_then(|s| s.code())
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default(),
                scheme: lb
                    .scheme()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                availability_zones: lb
                    .availability_zones()
                    .iter()
                    .filter_map(|az| az.zone_name())
                    .map(str::to_string)
                    .collect(),
            }
        }));
        marker = page.next_marker().map(str::to_string);
        if marker.is_none() {
            return Ok(out);
        }
    }
}
