//! One error type for every cloud call, classified once (in `crate::aws::classify`) into the
//! situations a student can act on, each with the next thing to do.

use crate::i18n::Lang;
use crate::t;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloudErrorKind {
    AccessDenied,
    ExpiredCredentials,
    NoCredentials,
    /// Credentials were found but AWS refuses them (a wrong or deleted key, a wrong secret).
    InvalidCredentials,
    /// `--profile` (or `AWS_PROFILE`) names a profile the AWS config files do not define.
    ProfileMissing,
    Throttled,
    NotFound,
    InvalidInput,
    /// Cost Explorer not enabled, a KMS key in the way, an opt-in Region: the account's setup.
    NotEnabled,
    /// Cost Explorer was never opened for the account: AWS answers `AccessDeniedException` with
    /// the message "User not enabled for cost explorer access" — not an IAM problem.
    CostExplorerNotEnabled,
    Network,
    /// A server error (5xx) on every attempt: AWS, or a proxy on the way, is failing.
    ServerFailing,
    /// A web page (HTML) instead of AWS's answer: a proxy or a network's sign-in page.
    ProxyPage,
    Other,
}

#[derive(Clone, Debug, thiserror::Error)]
#[error("{action}: {message}")]
pub struct CloudError {
    pub kind: CloudErrorKind,
    /// The IAM action of the failed call, e.g. `cloudtrail:LookupEvents`.
    pub action: String,
    pub code: Option<String>,
    pub message: String,
    pub region: Option<String>,
}

impl CloudError {
    /// The `action` of a `ProfileMissing` error whose profile was named by the environment
    /// variable, not by `--profile`: the message then points at that variable.
    pub const PROFILE_FROM_ENV: &'static str = "AWS_PROFILE";

    pub fn new(kind: CloudErrorKind, action: &str, message: impl Into<String>) -> Self {
        CloudError {
            kind,
            action: action.into(),
            code: None,
            message: message.into(),
            region: None,
        }
    }

    pub fn in_region(mut self, region: &str) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Whether AWS surely refused the call before acting (denied, bad or expired credentials,
    /// invalid input, throttled, a service not enabled). A network or unknown error may have come
    /// after AWS acted, so it is not sure: a record made before such a call must stay.
    pub fn surely_not_done(&self) -> bool {
        matches!(
            self.kind,
            CloudErrorKind::AccessDenied
                | CloudErrorKind::ExpiredCredentials
                | CloudErrorKind::NoCredentials
                | CloudErrorKind::InvalidInput
                | CloudErrorKind::Throttled
                | CloudErrorKind::NotEnabled
        )
    }

    /// The whole message for the terminal: what happened and what to do next.
    pub fn explain(&self, lang: Lang, profile: Option<&str>) -> String {
        let action = &self.action;
        let detail = match (&self.code, self.message.is_empty()) {
            (Some(code), false) => format!("{code}: {}", self.message),
            (Some(code), true) => code.clone(),
            (None, _) => self.message.clone(),
        };
        let where_ = self
            .region
            .as_deref()
            .map(|r| format!(" [{r}]"))
            .unwrap_or_default();
        let login = match profile {
            Some(p) => format!("aws sso login --profile {p}"),
            None => "aws sso login --profile <your-profile>".to_string(),
        };
        let next = match self.kind {
            CloudErrorKind::AccessDenied => t!(
                lang,
                "Your IAM identity is not allowed to call {action}. Add that action to its policy (`lecture06 iam-policy` prints one with every action lecture06 uses), then run the same command again.",
                "この IAM ユーザー／ロールには {action} の権限がありません。ポリシーにこのアクションを追加してから（`lecture06 iam-policy` で lecture06 が使うすべてのアクションを含むポリシーを表示できます）、同じコマンドをもう一度実行してください。"
            ),
            CloudErrorKind::ExpiredCredentials => t!(
                lang,
                "Your AWS credentials have expired. Sign in again (`{login}`, or renew your keys) and run the same command again; your answers are saved.",
                "AWS の認証情報の有効期限が切れています。もう一度サインインして（`{login}` など）、同じコマンドを再実行してください。回答は保存されています。"
            ),
            CloudErrorKind::NoCredentials => t!(
                lang,
                "No AWS credentials were found. Configure them (`aws configure`, or `{login}`), or pass --profile; to try lecture06 without an AWS account, add --sandbox.",
                "AWS の認証情報が見つかりません。`aws configure` または `{login}` で設定するか、--profile を指定してください。AWS アカウントなしで試すには --sandbox を付けてください。"
            ),
            CloudErrorKind::InvalidCredentials => t!(
                lang,
                "AWS does not accept the credentials lecture06 found: the access key ID is wrong or deleted, or the secret does not match it. Keys in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) come before any profile: check or unset them, or fix the profile (`aws configure`, or `{login}`), then run the same command again.",
                "見つかった認証情報を AWS が受け付けません（アクセスキー ID が間違っているか削除済み、またはシークレットが一致しません）。環境変数（AWS_ACCESS_KEY_ID、AWS_SECRET_ACCESS_KEY）はプロファイルより優先されます。確認するか unset するか、プロファイルを直してから（`aws configure` または `{login}`）同じコマンドを再実行してください。"
            ),
            CloudErrorKind::ProfileMissing if action == Self::PROFILE_FROM_ENV => {
                let p = profile.unwrap_or("<profile>");
                t!(
                    lang,
                    "The profile `{p}` comes from the environment variable AWS_PROFILE (you gave no --profile), and it is not defined in ~/.aws/config or ~/.aws/credentials (`aws configure list-profiles` lists those that are). Correct the variable (`export AWS_PROFILE=<a listed profile>`), or `unset AWS_PROFILE` to use the default profile, or pass --profile.",
                    "プロファイル `{p}` は環境変数 AWS_PROFILE で指定されたもので（--profile は指定されていません）、~/.aws/config にも ~/.aws/credentials にも定義されていません（定義済みのものは `aws configure list-profiles` で確認できます）。変数を直すか（`export AWS_PROFILE=<一覧にあるプロファイル>`）、既定のプロファイルを使うなら `unset AWS_PROFILE` を実行するか、--profile を指定してください。"
                )
            }
            CloudErrorKind::ProfileMissing => {
                let p = profile.unwrap_or("<profile>");
                t!(
                    lang,
                    "The profile `{p}` is not defined in ~/.aws/config or ~/.aws/credentials (`aws configure list-profiles` lists those that are). Check its spelling, or create it: `aws configure --profile {p}` (access keys) or `aws configure sso --profile {p}`, then `aws sso login --profile {p}` (IAM Identity Center).",
                    "プロファイル `{p}` は ~/.aws/config にも ~/.aws/credentials にも定義されていません（定義済みのものは `aws configure list-profiles` で確認できます）。綴りを確認するか、作成してください: `aws configure --profile {p}`（アクセスキー）または `aws configure sso --profile {p}` の後 `aws sso login --profile {p}`（IAM Identity Center）。"
                )
            }
            CloudErrorKind::Throttled => t!(
                lang,
                "AWS kept throttling {action} after several retries. Wait a minute and run the same command again.",
                "{action} が何度再試行してもスロットリングされました。1 分ほど待ってから同じコマンドを再実行してください。"
            ),
            CloudErrorKind::NotFound if self.code.as_deref() == Some("NoSuchBucket") => t!(
                lang,
                "There is no such bucket (or it is not yours): check the spelling. A trail's bucket is shown in the CloudTrail console under Trails.",
                "そのバケットはありません（またはあなたのものではありません）。綴りを確認してください。証跡のバケットは CloudTrail コンソールの「証跡」に表示されます。"
            ),
            CloudErrorKind::NotFound => t!(
                lang,
                "It no longer exists in AWS.",
                "AWS 上に見つかりません。"
            ),
            CloudErrorKind::InvalidInput => t!(
                lang,
                "AWS rejected the request's parameters; check the answer you gave for it.",
                "AWS がリクエストのパラメータを受け付けませんでした。入力した値を確認してください。"
            ),
            CloudErrorKind::NotEnabled => t!(
                lang,
                "This feature is not enabled for the account; the message above says which.",
                "この機能はアカウントで有効になっていません（詳細は上のメッセージ）。"
            ),
            CloudErrorKind::CostExplorerNotEnabled => t!(
                lang,
                "Cost Explorer has never been opened for this account (this is not an IAM problem). Open it once in the console (Billing and Cost Management → Cost Explorer) and wait up to 24 hours for it to be ready.",
                "このアカウントではまだ Cost Explorer が一度も開かれていません（IAM の問題ではありません）。コンソールで一度開き（請求とコスト管理 → Cost Explorer）、使えるようになるまで最大 24 時間待ってください。"
            ),
            CloudErrorKind::Network => t!(
                lang,
                "AWS could not be reached. Check the network (and --region), then run the same command again.",
                "AWS に接続できませんでした。ネットワークと --region を確認して再実行してください。"
            ),
            CloudErrorKind::ServerFailing | CloudErrorKind::ProxyPage => {
                self.failing_on_the_way(lang)
            }
            CloudErrorKind::Other => String::new(),
        };
        format!("{action}{where_}: {detail}\n{next}")
            .trim_end()
            .to_string()
    }

    /// What to do when AWS, or something on the way to it, kept failing (5xx) or answered with a
    /// web page.
    fn failing_on_the_way(&self, lang: Lang) -> String {
        let action = &self.action;
        let proxy = proxy_setting(lang);
        match self.kind {
            CloudErrorKind::ProxyPage => t!(
                lang,
                "{action} was answered with a web page, not by AWS: a proxy, or a network's sign-in page (hotel, campus or office Wi-Fi), is in the way, or it is failing. Check the proxy settings ({proxy}); if a browser asks you to sign in to the network, do so; then run the same command again. If nothing is wrong on your side, wait a few minutes and retry.",
                "{action} の応答が AWS からではなく Web ページ（HTML）でした。プロキシやネットワークのログインページ（ホテル・学校・会社の Wi-Fi など）が間にあるか、それが障害を起こしています。プロキシの設定（{proxy}）を確認し、ブラウザーでネットワークへのログインを求められたらログインしてから、同じコマンドを再実行してください。こちら側に問題がなければ、数分待ってから再試行してください。"
            ),
            _ => t!(
                lang,
                "{action} failed with a server error on every attempt: AWS, or a proxy between you and AWS, is failing; this is not caused by anything you did. Wait a few minutes and run the same command again (your answers are saved); https://health.aws.amazon.com/health/status shows AWS outages. If it goes on, check the proxy settings ({proxy}) or try another network.",
                "{action} が何度試してもサーバーエラーになりました。AWS か、途中のプロキシに障害が起きています（あなたの操作が原因ではありません）。数分待ってから同じコマンドを再実行してください（回答は保存されています）。AWS の障害は https://health.aws.amazon.com/health/status で確認できます。続く場合はプロキシの設定（{proxy}）を確認するか、別のネットワークを試してください。"
            ),
        }
    }
}

/// Whether HTTPS_PROXY is set (never its value, which may hold a password).
fn proxy_setting(lang: Lang) -> String {
    let set = ["HTTPS_PROXY", "https_proxy"]
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|v| !v.is_empty()));
    match set {
        true => lang
            .pick(
                "HTTPS_PROXY is set: is its proxy working?",
                "HTTPS_PROXY が設定されています。そのプロキシは動いていますか？",
            )
            .into(),
        false => lang
            .pick(
                "HTTPS_PROXY is not set; a network that requires a proxy needs it",
                "HTTPS_PROXY は未設定です。プロキシが必要なネットワークでは設定が必要です",
            )
            .into(),
    }
}
