//! Application Load Balancers as the alarm and transitions steps need them: find the student's
//! ALB and its target group (the alarm's two dimensions), read the target's health, and point
//! the health check at another path when the student agrees (`ModifyTargetGroup`).

use super::CloudError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    pub dns_name: String,
    /// `application`, `network`, `gateway`.
    pub kind: String,
    pub state: String,
    /// `internet-facing` or `internal`.
    #[serde(default)]
    pub scheme: String,
    /// The enabled Availability Zones: an internet-facing ALB has a public IPv4 address in each.
    #[serde(default)]
    pub availability_zones: Vec<String>,
}

/// A target group's health check. Fields added later default when older evidence is read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HealthCheck {
    pub interval_seconds: u32,
    pub timeout_seconds: u32,
    pub healthy_threshold: u32,
    pub unhealthy_threshold: u32,
    pub path: String,
    /// `HTTP` or `HTTPS`.
    pub protocol: String,
    /// `traffic-port` (the target's own port) or a port number.
    pub port: String,
    /// The HTTP codes counted as healthy (`200`, `200-299`, `200,302`).
    pub matcher: String,
}

impl Default for HealthCheck {
    /// The target-group defaults (AWS-NOTES: 30 s, 5 s, 5 successes, 2 failures).
    fn default() -> Self {
        HealthCheck {
            interval_seconds: 30,
            timeout_seconds: 5,
            healthy_threshold: 5,
            unhealthy_threshold: 2,
            path: "/".into(),
            protocol: "HTTP".into(),
            port: "traffic-port".into(),
            matcher: "200".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    pub protocol: String,
    pub port: u32,
    pub health_check: HealthCheck,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetHealth {
    pub id: String,
    pub port: Option<u32>,
    /// `healthy`, `unhealthy`, `initial`, `draining`, `unused`, `unavailable`.
    pub state: String,
    /// AWS's reason code (`Target.ResponseCodeMismatch`, `Target.NotInUse`, …).
    pub reason: Option<String>,
    /// AWS's description of the reason (`Health checks failed with these codes: [502]`).
    #[serde(default)]
    pub description: Option<String>,
}

pub trait LoadBalancing: Send + Sync {
    /// Every load balancer of the Region (`DescribeLoadBalancers`, all pages).
    fn load_balancers(&self, region: &str) -> Result<Vec<LoadBalancer>, CloudError>;
    /// The target groups that route for one load balancer (`DescribeTargetGroups`).
    fn target_groups(&self, region: &str, lb_arn: &str) -> Result<Vec<TargetGroup>, CloudError>;
    /// `DescribeTargetHealth`.
    fn target_health(&self, region: &str, tg_arn: &str) -> Result<Vec<TargetHealth>, CloudError>;
    /// Points the target group's health check at `path` (`ModifyTargetGroup`, only the path).
    fn set_health_check_path(
        &self,
        region: &str,
        tg_arn: &str,
        path: &str,
    ) -> Result<(), CloudError>;
}

/// The CloudWatch dimension value of an ALB or target group ARN: `app/<name>/<id>` from
/// `…:loadbalancer/app/<name>/<id>`, `targetgroup/<name>/<id>` from `…:targetgroup/<name>/<id>`.
pub fn dimension_value(arn: &str) -> String {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    resource
        .strip_prefix("loadbalancer/")
        .unwrap_or(resource)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_are_the_arn_tails() {
        assert_eq!(
            dimension_value(
                "arn:aws:elasticloadbalancing:ap-northeast-1:556312345678:loadbalancer/app/raisetech-alb/50dc6c495c0c9188"
            ),
            "app/raisetech-alb/50dc6c495c0c9188"
        );
        assert_eq!(
            dimension_value(
                "arn:aws:elasticloadbalancing:ap-northeast-1:556312345678:targetgroup/raisetech-tg/73e2d6bc24d8a067"
            ),
            "targetgroup/raisetech-tg/73e2d6bc24d8a067"
        );
    }
}
