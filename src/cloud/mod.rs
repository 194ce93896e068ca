//! What lecture06 asks of an AWS account, in the words of the assignment ("who am I", "find my
//! latest events", …), as small traits returning our own types. Two implementations stand behind
//! each: the AWS SDK adapter (`crate::aws`) and the simulated account (`crate::sandbox`). SDK types
//! never cross this line.

pub mod alarm_mail;
pub mod alarms;
pub mod billing;
pub mod elb;
pub mod events;
pub mod inventory;
pub mod notify;
pub mod price_snapshot;
pub mod pricing;
pub mod probe;
pub mod region;
pub mod remote;
pub mod student;

pub use crate::cloud_error::{CloudError, CloudErrorKind};
pub use billing::Billing;
pub use events::{EventHistory, EventQuery, EventSearch, TrailEvent};
pub use inventory::{Inventory, ResourceInventory};
pub use pricing::{PriceList, PriceQuery, Product};

use crate::clock::Clock;
use std::sync::Arc;

/// Who the credentials belong to (`sts:GetCallerIdentity`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Caller {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

impl Caller {
    /// The name a student means by "me": the IAM user name, the role session name of an assumed
    /// role (SSO users' e-mail or name), or `root`.
    pub fn principal_name(&self) -> String {
        let resource = self
            .arn
            .rsplit_once(':')
            .map(|(_, r)| r)
            .unwrap_or(&self.arn);
        if resource == "root" {
            return "root".into();
        }
        let parts: Vec<&str> = resource.split('/').collect();
        match parts.as_slice() {
            ["assumed-role", _role, session, ..] => (*session).to_string(),
            ["user", .., name] => (*name).to_string(),
            [.., last] => (*last).to_string(),
            [] => resource.to_string(),
        }
    }

    /// `IAM user`, `assumed role`, `root`, or `federated user`, in `lang`.
    pub fn principal_kind(&self, lang: crate::i18n::Lang) -> &'static str {
        if self.arn.ends_with(":root") {
            lang.pick("root", "ルートユーザー")
        } else if self.arn.contains(":assumed-role/") {
            lang.pick("assumed role", "引き受けたロール")
        } else if self.arn.contains(":federated-user/") {
            lang.pick("federated user", "フェデレーションユーザー")
        } else {
            lang.pick("IAM user", "IAM ユーザー")
        }
    }
}

pub trait Identity: Send + Sync {
    fn caller(&self) -> Result<Caller, CloudError>;
}

/// Everything a step may ask of the account, plus the clock the account's time runs on.
pub struct Cloud {
    pub region: String,
    pub clock: Arc<dyn Clock>,
    pub identity: Box<dyn Identity>,
    pub events: Box<dyn EventHistory>,
    pub elb: Box<dyn elb::LoadBalancing>,
    pub sns: Box<dyn notify::Notifications>,
    pub alarms: Box<dyn alarms::Alarms>,
    /// What the student does by hand (clicks, the app server, mails, their own answers).
    pub student: Box<dyn student::StudentHands>,
    pub billing: Box<dyn Billing>,
    pub http: Box<dyn probe::HttpProbe>,
    pub remote: Box<dyn remote::RemoteCommand>,
    pub inventory: Box<dyn ResourceInventory>,
    pub prices: Box<dyn PriceList>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(arn: &str) -> Caller {
        Caller {
            account: "556312345678".into(),
            arn: arn.into(),
            user_id: "AIDAEXAMPLE".into(),
        }
    }

    #[test]
    fn principal_names() {
        assert_eq!(
            caller("arn:aws:iam::556312345678:user/student").principal_name(),
            "student"
        );
        assert_eq!(
            caller("arn:aws:iam::556312345678:user/dev/team/kan1").principal_name(),
            "kan1"
        );
        let sso = caller(
            "arn:aws:sts::556312345678:assumed-role/AWSReservedSSO_Admin_0123/taro@example.com",
        );
        assert_eq!(sso.principal_name(), "taro@example.com");
        assert_eq!(sso.principal_kind(crate::i18n::Lang::En), "assumed role");
        assert_eq!(
            sso.principal_kind(crate::i18n::Lang::Ja),
            "引き受けたロール"
        );
        assert_eq!(
            caller("arn:aws:iam::556312345678:root").principal_name(),
            "root"
        );
    }
}
