//! Reading a CloudTrail record as it really comes: `userIdentity` without `type` or without
//! `userName`, byte counts as floats, null `requestParameters`, dates that are not ISO 8601 (see
//! `shared/testdata/cloudtrail/SOURCES.md`). Nothing here assumes a field exists or has one type:
//! the record stays a JSON value and every accessor copes with absence.
//!
//! Also the meaning of each field a student may pick ("who / when / from where / what / result").

use crate::i18n::Lang;
use chrono::{DateTime, Utc};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub struct Record(pub Value);

impl Record {
    pub fn parse(text: &str) -> Result<Record, serde_json::Error> {
        serde_json::from_str(text).map(Record)
    }

    /// A value by dotted path (`userIdentity.sessionContext.attributes.mfaAuthenticated`);
    /// `None` when absent or null.
    pub fn get(&self, path: &str) -> Option<&Value> {
        let mut value = &self.0;
        for part in path.split('.') {
            value = value.get(part)?;
        }
        (!value.is_null()).then_some(value)
    }

    pub fn str(&self, path: &str) -> Option<&str> {
        self.get(path).and_then(Value::as_str)
    }

    pub fn event_time(&self) -> Option<DateTime<Utc>> {
        self.str("eventTime").and_then(crate::clock::parse_time)
    }

    /// What a student means by "the user" of this record: `userIdentity.userName`, else for an
    /// assumed role the role session name (the ARN's last part), else the principal's type.
    pub fn user_name(&self) -> Option<String> {
        if let Some(name) = self.str("userIdentity.userName") {
            return Some(name.to_string());
        }
        let arn = self.str("userIdentity.arn")?;
        if arn.contains(":assumed-role/") || arn.contains(":federated-user/") {
            return arn.rsplit('/').next().map(str::to_string);
        }
        if arn.ends_with(":root") {
            return Some("root".into());
        }
        None
    }

    /// The fields a student can pick from this record, in teaching order, present ones only.
    pub fn pickable_fields(&self) -> Vec<&'static FieldMeaning> {
        FIELD_MEANINGS
            .iter()
            .filter(|f| self.get(f.path).is_some())
            .collect()
    }

    /// A field's value as one short line (objects and arrays as compact JSON).
    pub fn show(&self, path: &str) -> String {
        match self.get(path) {
            None => "-".into(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        }
    }
}

/// One field of a CloudTrail record and what it tells.
#[derive(Debug)]
pub struct FieldMeaning {
    pub path: &'static str,
    /// who / when / where from / what / result / where
    pub aspect_en: &'static str,
    pub aspect_ja: &'static str,
    pub en: &'static str,
    pub ja: &'static str,
}

impl FieldMeaning {
    pub fn explain(&self, lang: Lang) -> String {
        format!(
            "{} — {}",
            lang.pick(self.aspect_en, self.aspect_ja),
            lang.pick(self.en, self.ja)
        )
    }
}

/// The default three: who, when, from where; falling back in teaching order.
pub fn default_fields(record: &Record) -> Vec<&'static str> {
    let preferred = [
        "userIdentity.userName",
        "userIdentity.arn",
        "eventTime",
        "sourceIPAddress",
        "eventSource",
        "awsRegion",
    ];
    let mut picked: Vec<&'static str> = Vec::new();
    for path in preferred {
        if picked.len() == 3 {
            break;
        }
        if path == "userIdentity.arn" && picked.contains(&"userIdentity.userName") {
            continue;
        }
        if record.get(path).is_some() {
            picked.push(path);
        }
    }
    for field in record.pickable_fields() {
        if picked.len() == 3 {
            break;
        }
        if !picked.contains(&field.path) {
            picked.push(field.path);
        }
    }
    picked
}

pub static FIELD_MEANINGS: &[FieldMeaning] = &[
    FieldMeaning {
        path: "userIdentity.userName",
        aspect_en: "who",
        aspect_ja: "誰が",
        en: "the IAM user name that made the request",
        ja: "リクエストした IAM ユーザー名",
    },
    FieldMeaning {
        path: "userIdentity.type",
        aspect_en: "who",
        aspect_ja: "誰が",
        en: "the kind of identity: IAMUser, AssumedRole, Root, AWSService…",
        ja: "操作した主体の種類（IAMUser・AssumedRole・Root・AWSService など）",
    },
    FieldMeaning {
        path: "userIdentity.arn",
        aspect_en: "who",
        aspect_ja: "誰が",
        en: "the full ARN of the identity (account and user or role session)",
        ja: "操作した主体の ARN（アカウントとユーザー／ロールセッション）",
    },
    FieldMeaning {
        path: "userIdentity.accessKeyId",
        aspect_en: "who",
        aspect_ja: "誰が",
        en: "the access key used to sign the request (ASIA… = temporary, from a console or role session)",
        ja: "署名に使われたアクセスキー（ASIA… は一時的なキー＝コンソールやロールのセッション）",
    },
    FieldMeaning {
        path: "userIdentity.sessionContext.attributes.mfaAuthenticated",
        aspect_en: "who",
        aspect_ja: "誰が",
        en: "whether the session was signed in with MFA",
        ja: "MFA でサインインしたセッションかどうか",
    },
    FieldMeaning {
        path: "userIdentity.sessionContext.sessionIssuer.userName",
        aspect_en: "who",
        aspect_ja: "誰が",
        en: "the role that issued the session (for assumed roles)",
        ja: "セッションを発行したロール（ロールを引き受けた場合）",
    },
    FieldMeaning {
        path: "eventTime",
        aspect_en: "when",
        aspect_ja: "いつ",
        en: "when the request was made, in UTC (add 9 hours for JST)",
        ja: "リクエストの日時（UTC。日本時間は +9 時間）",
    },
    FieldMeaning {
        path: "sourceIPAddress",
        aspect_en: "from where",
        aspect_ja: "どこから",
        en: "the IP address the request came from (or the AWS service that acted)",
        ja: "リクエスト元の IP アドレス（AWS サービスが操作した場合はそのサービス名）",
    },
    FieldMeaning {
        path: "userAgent",
        aspect_en: "from where",
        aspect_ja: "どこから",
        en: "the tool that sent it: console, AWS CLI, an SDK, or a service",
        ja: "リクエストに使われたツール（コンソール・AWS CLI・SDK・サービス）",
    },
    FieldMeaning {
        path: "awsRegion",
        aspect_en: "where",
        aspect_ja: "どこで",
        en: "the Region the request was sent to",
        ja: "リクエスト先のリージョン",
    },
    FieldMeaning {
        path: "eventSource",
        aspect_en: "to what",
        aspect_ja: "何に対して",
        en: "the AWS service that received the request",
        ja: "リクエストを受けた AWS サービス",
    },
    FieldMeaning {
        path: "eventName",
        aspect_en: "what",
        aspect_ja: "何をしたか",
        en: "the API action that was called",
        ja: "呼び出された API アクション",
    },
    FieldMeaning {
        path: "requestParameters",
        aspect_en: "what",
        aspect_ja: "何をしたか",
        en: "the parameters sent with the request (which instance, which bucket…)",
        ja: "リクエストのパラメータ（どのインスタンス・どのバケットなど）",
    },
    FieldMeaning {
        path: "responseElements",
        aspect_en: "result",
        aspect_ja: "結果",
        en: "what AWS answered (e.g. the instance's state change)",
        ja: "AWS の応答内容（インスタンスの状態変化など）",
    },
    FieldMeaning {
        path: "errorCode",
        aspect_en: "result",
        aspect_ja: "結果",
        en: "the error AWS returned; absent when the request succeeded",
        ja: "AWS が返したエラー（成功した場合は項目自体がない）",
    },
    FieldMeaning {
        path: "errorMessage",
        aspect_en: "result",
        aspect_ja: "結果",
        en: "the error's explanation",
        ja: "エラーの説明",
    },
    FieldMeaning {
        path: "readOnly",
        aspect_en: "what",
        aspect_ja: "何をしたか",
        en: "true when the request only read (Describe/List/Get)",
        ja: "読み取りだけの操作（Describe/List/Get）なら true",
    },
    FieldMeaning {
        path: "eventType",
        aspect_en: "what",
        aspect_ja: "何をしたか",
        en: "AwsApiCall, AwsConsoleSignIn, AwsServiceEvent…",
        ja: "イベントの種類（AwsApiCall・AwsConsoleSignIn・AwsServiceEvent など）",
    },
    FieldMeaning {
        path: "eventCategory",
        aspect_en: "what",
        aspect_ja: "何をしたか",
        en: "Management, Data or Insight event",
        ja: "管理イベント・データイベント・インサイトイベントの区別",
    },
    FieldMeaning {
        path: "recipientAccountId",
        aspect_en: "where",
        aspect_ja: "どこで",
        en: "the account that received the request",
        ja: "リクエストを受けたアカウント",
    },
    FieldMeaning {
        path: "eventID",
        aspect_en: "which",
        aspect_ja: "識別子",
        en: "the event's unique ID (CloudTrail's)",
        ja: "イベントの一意な ID",
    },
    FieldMeaning {
        path: "requestID",
        aspect_en: "which",
        aspect_ja: "識別子",
        en: "the ID of the request on the service's side",
        ja: "サービス側のリクエスト ID",
    },
    FieldMeaning {
        path: "additionalEventData",
        aspect_en: "what",
        aspect_ja: "何をしたか",
        en: "extra details (for ConsoleLogin: MFA used, login URL)",
        ja: "追加情報（ConsoleLogin では MFA の使用有無やログイン URL）",
    },
    FieldMeaning {
        path: "tlsDetails",
        aspect_en: "from where",
        aspect_ja: "どこから",
        en: "the TLS version and cipher of the connection",
        ja: "接続の TLS バージョンと暗号スイート",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copes_with_missing_type_null_parameters_and_float_bytes() {
        let record = Record::parse(
            r#"{"eventTime":"2023-07-10T12:40:00Z","userIdentity":{"accountId":"123"},"requestParameters":null,
                "additionalEventData":{"bytesTransferredIn":1376.0},"eventName":"X"}"#,
        )
        .unwrap();
        assert_eq!(record.user_name(), None);
        assert!(record.get("requestParameters").is_none());
        assert_eq!(
            record.show("additionalEventData.bytesTransferredIn"),
            "1376.0"
        );
        assert_eq!(record.show("userIdentity.type"), "-");
    }

    #[test]
    fn assumed_role_user_is_the_session_name() {
        let record = Record::parse(
            r#"{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/Admin/taro"}}"#,
        )
        .unwrap();
        assert_eq!(record.user_name().as_deref(), Some("taro"));
    }

    #[test]
    fn default_fields_are_who_when_where() {
        let record = Record::parse(
            r#"{"eventTime":"2023-07-10T12:40:00Z","userIdentity":{"type":"IAMUser","userName":"student","arn":"arn"},
                "sourceIPAddress":"203.0.113.5","eventName":"StopInstances"}"#,
        )
        .unwrap();
        assert_eq!(
            default_fields(&record),
            vec!["userIdentity.userName", "eventTime", "sourceIPAddress"]
        );
    }

    #[test]
    fn every_field_has_both_languages() {
        for field in FIELD_MEANINGS {
            assert!(
                !field.en.is_empty() && !field.ja.is_empty(),
                "{}",
                field.path
            );
        }
    }
}
