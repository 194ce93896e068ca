//! The AWS SDK side of the `crate::cloud` traits. One place builds the SDK configuration from the
//! standard chain (`--profile` or `AWS_PROFILE`, SSO profiles, environment keys; `--region`, else
//! the profile's Region, else ap-northeast-1; `AWS_ENDPOINT_URL` honoured, which is how the tests
//! reach moto), and one place turns SDK errors into `CloudError`s a student can act on.
//!
//! The traits are synchronous (the wizard waits for people anyway); each adapter runs its calls on
//! a shared Tokio runtime and may run several concurrently inside one call.

mod billing;
mod cloudtrail;
mod cloudwatch;
mod elb;
mod inventory;
mod pricing;
pub mod s3;
mod sns;
mod ssm;
mod sts;
pub mod trail_archive;
pub mod trail_athena;

use crate::cloud::{Cloud, CloudError, CloudErrorKind};
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::sync::Arc;
use std::time::Duration;

pub use billing::BillingAdapter;
pub use cloudtrail::CloudTrailAdapter;
pub use cloudwatch::CloudWatchAdapter;
pub use elb::ElbAdapter;
pub use inventory::{InventoryAdapter, bucket_size_from_metrics};
pub use pricing::PricingAdapter;
pub use sns::SnsAdapter;
pub use ssm::SsmAdapter;
pub use sts::StsAdapter;

pub const DEFAULT_REGION: &str = "ap-northeast-1";

/// The runtime and configuration every adapter shares.
#[derive(Clone)]
pub struct Aws {
    pub runtime: Arc<tokio::runtime::Runtime>,
    pub config: SdkConfig,
}

impl Aws {
    /// The standard credential and Region chain.
    /// A profile the config files do not define is refused here, named, before any call.
    pub fn from_environment(
        profile: Option<&str>,
        region: Option<&str>,
    ) -> Result<Aws, CloudError> {
        let runtime = new_runtime()
            .map_err(|e| CloudError::new(CloudErrorKind::Other, "tokio runtime", e.to_string()))?;
        if let Some(profile) = profile
            && runtime.block_on(profile_defined(profile)) == Some(false)
        {
            return Err(CloudError::new(
                CloudErrorKind::ProfileMissing,
                "aws profile",
                format!("profile `{profile}` is not defined"),
            ));
        }
        let config = runtime.block_on(async {
            let mut loader = aws_config::defaults(BehaviorVersion::latest())
                .retry_config(RetryConfig::standard().with_max_attempts(max_attempts()))
                .timeout_config(timeouts());
            if let Some(profile) = profile {
                loader = loader.profile_name(profile);
            }
            let region_chain = match region {
                Some(region) => RegionProviderChain::first_try(Region::new(region.to_string())),
                None => {
                    let mut from_profile =
                        aws_config::default_provider::region::DefaultRegionChain::builder();
                    if let Some(profile) = profile {
                        from_profile = from_profile.profile_name(profile);
                    }
                    RegionProviderChain::first_try(from_profile.build())
                        .or_else(Region::from_static(DEFAULT_REGION))
                }
            };
            loader.region(region_chain).load().await
        });
        Ok(Aws {
            runtime: Arc::new(runtime),
            config,
        })
    }

    /// An already-built configuration (tests: a replayed HTTP client, or moto's endpoint).
    pub fn from_config(config: SdkConfig) -> anyhow::Result<Aws> {
        Ok(Aws {
            runtime: Arc::new(new_runtime()?),
            config,
        })
    }

    pub fn region(&self) -> String {
        self.config
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| DEFAULT_REGION.to_string())
    }

    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The real account as a `Cloud`.
    pub fn connect(self) -> Cloud {
        Cloud {
            region: self.region(),
            clock: Arc::new(crate::clock::SystemClock),
            identity: Box::new(StsAdapter::new(self.clone())),
            events: Box::new(CloudTrailAdapter::new(self.clone())),
            elb: Box::new(ElbAdapter::new(self.clone())),
            sns: Box::new(SnsAdapter::new(self.clone())),
            alarms: Box::new(CloudWatchAdapter::new(self.clone())),
            billing: Box::new(BillingAdapter::new(self.clone())),
            remote: Box::new(SsmAdapter::new(self.clone())),
            student: Box::new(crate::cloud::student::OwnHands),
            http: Box::new(crate::cloud::probe::TcpProbe {
                timeout: std::time::Duration::from_secs(5),
            }),
            inventory: Box::new(InventoryAdapter::new(self.clone())),
            prices: Box::new(PricingAdapter::new(self)),
        }
    }
}

/// Whether the shared config or credentials file defines `profile` (`None` when they cannot be
/// read; the SDK then says what is wrong at the first call).
async fn profile_defined(profile: &str) -> Option<bool> {
    use aws_types::os_shim_internal::{Env, Fs};
    // aws-config names the files' type only by this deprecated alias (the type itself lives in
    // aws-runtime, not a direct dependency).
    #[allow(deprecated)]
    let files = aws_config::profile::profile_file::ProfileFiles::default();
    let set = aws_config::profile::load(&Fs::real(), &Env::real(), &files, None)
        .await
        .ok()?;
    Some(set.get_profile(profile).is_some())
}

/// Time limits for every call, so that an endpoint that accepts the connection and never answers
/// ends in an error naming the call instead of a silent hang: 5 s to connect, 30 s per attempt,
/// and for the whole call with its retries `LECTURE06_AWS_TIMEOUT` seconds (default 90; for slow
/// networks, and for tests).
pub fn timeouts() -> TimeoutConfig {
    let whole = std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(90);
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5.min(whole)))
        .operation_attempt_timeout(Duration::from_secs(30.min(whole)))
        .operation_timeout(Duration::from_secs(whole))
        .build()
}

pub const TIMEOUT_ENV: &str = "LECTURE06_AWS_TIMEOUT";

/// Attempts per call: `AWS_MAX_ATTEMPTS` (the AWS CLI's and SDKs' variable) when set to a whole
/// number from 1, else 6.
fn max_attempts() -> u32 {
    std::env::var("AWS_MAX_ATTEMPTS")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(6)
}

fn new_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Turns an SDK error into the situation it means for the student. `action` is the IAM action of
/// the call (`cloudtrail:LookupEvents`), named in the message when it was denied. An answer that
/// is a web page (a proxy's or a network sign-in page) or a server error (5xx) is said as such,
/// never as the parser's complaint about it.
pub fn classify<E>(err: SdkError<E, HttpResponse>, action: &str) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = err.code().map(str::to_string);
    let answer = err.raw_response().map(Answer::of);
    if let Some(answer) = answer.as_ref().filter(|a| a.html) {
        return CloudError::new(CloudErrorKind::ProxyPage, action, answer.describe());
    }
    let message = err
        .message()
        .map(str::to_string)
        .unwrap_or_else(|| error_chain(&err));
    let mut kind = match code.as_deref() {
        Some(code) => kind_of_code(code),
        None => match &err {
            SdkError::DispatchFailure(failure) if failure.is_io() || failure.is_timeout() => {
                CloudErrorKind::Network
            }
            SdkError::TimeoutError(_) => CloudErrorKind::Network,
            _ => kind_of_text(&message),
        },
    };
    let server_failed = answer.as_ref().is_some_and(|a| a.status >= 500);
    let message = match &answer {
        Some(answer) if server_failed && code.is_none() => answer.describe(),
        _ => message,
    };
    if server_failed && kind != CloudErrorKind::Throttled {
        kind = CloudErrorKind::ServerFailing;
    }
    CloudError {
        kind,
        action: action.into(),
        code,
        message,
        region: None,
    }
}

/// What came back over HTTP, as far as the student needs it: the status, and whether it was a web
/// page (AWS answers in XML or JSON; an HTML page comes from a proxy or a network's sign-in page).
struct Answer {
    status: u16,
    html: bool,
    title: Option<String>,
}

impl Answer {
    fn of(response: &HttpResponse) -> Answer {
        let body = response.body().bytes().unwrap_or_default();
        let start = String::from_utf8_lossy(&body[..body.len().min(4096)]).to_lowercase();
        let content_type = response
            .headers()
            .get("content-type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let trimmed = start.trim_start();
        let html = content_type.starts_with("text/html")
            || trimmed.starts_with("<!doctype html")
            || trimmed.starts_with("<html");
        let title = start
            .find("<title>")
            .map(|at| &start[at + "<title>".len()..])
            .and_then(|rest| {
                rest.find("</title>")
                    .map(|end| rest[..end].trim().to_string())
            })
            .filter(|t| !t.is_empty())
            .map(|t| t.chars().take(80).collect());
        Answer {
            status: response.status().as_u16(),
            html,
            title,
        }
    }

    /// `HTTP 502, an HTML page ("502 bad gateway")`.
    fn describe(&self) -> String {
        let status = self.status;
        match (self.html, &self.title) {
            (true, Some(title)) => format!("HTTP {status}, an HTML page (\"{title}\")"),
            (true, None) => format!("HTTP {status}, an HTML page"),
            (false, _) => format!("HTTP {status}"),
        }
    }
}

/// The error and its sources as one line (`dispatch failure: io error: …`), without the Debug dump
/// `DisplayErrorContext` appends, and only the first line of multi-line ones (the credential chain
/// lists every provider it tried).
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        let first = text
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .trim_end_matches("Attempted:")
            .trim()
            .to_string();
        if !first.is_empty() && !parts.iter().any(|p| p.contains(&first)) {
            parts.push(first);
        }
        current = e.source();
    }
    parts.join(": ")
}

fn kind_of_code(code: &str) -> CloudErrorKind {
    match code {
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "AuthorizationError"
        | "AuthorizationErrorException"
        | "UnauthorizedException" => CloudErrorKind::AccessDenied,
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired" => {
            CloudErrorKind::ExpiredCredentials
        }
        "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "SignatureDoesNotMatch"
        | "AuthFailure"
        | "InvalidAccessKeyId" => CloudErrorKind::InvalidCredentials,
        "MissingAuthenticationToken" => CloudErrorKind::NoCredentials,
        "Throttling"
        | "ThrottlingException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "Throttled"
        | "SlowDown" => CloudErrorKind::Throttled,
        "InternalFailure"
        | "InternalError"
        | "InternalServerError"
        | "InternalServerException"
        | "ServiceUnavailable"
        | "ServiceUnavailableException" => CloudErrorKind::ServerFailing,
        "OptInRequired"
        | "DataUnavailableException"
        | "KMSDisabled"
        | "KMSAccessDenied"
        | "KMSNotFound" => CloudErrorKind::NotEnabled,
        c if c.contains("NotFound") || c.starts_with("NoSuch") => CloudErrorKind::NotFound,
        c if c.starts_with("Invalid") || c.starts_with("Validation") => {
            CloudErrorKind::InvalidInput
        }
        _ => CloudErrorKind::Other,
    }
}

fn kind_of_text(text: &str) -> CloudErrorKind {
    let lower = text.to_ascii_lowercase();
    if lower.contains("expired") || lower.contains("sso session") {
        CloudErrorKind::ExpiredCredentials
    } else if lower.contains("credential") {
        CloudErrorKind::NoCredentials
    } else if lower.contains("dispatch") || lower.contains("connect") || lower.contains("dns") {
        CloudErrorKind::Network
    } else {
        CloudErrorKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_situations() {
        assert_eq!(
            kind_of_code("AccessDeniedException"),
            CloudErrorKind::AccessDenied
        );
        assert_eq!(
            kind_of_code("ExpiredToken"),
            CloudErrorKind::ExpiredCredentials
        );
        assert_eq!(
            kind_of_code("ThrottlingException"),
            CloudErrorKind::Throttled
        );
        assert_eq!(
            kind_of_code("InternalServerException"),
            CloudErrorKind::ServerFailing
        );
        assert_eq!(
            kind_of_code("ResourceNotFoundException"),
            CloudErrorKind::NotFound
        );
        assert_eq!(
            kind_of_code("InvalidParameterValue"),
            CloudErrorKind::InvalidInput
        );
        // Keys that exist but are wrong are not "no credentials".
        for code in ["InvalidClientTokenId", "SignatureDoesNotMatch"] {
            assert_eq!(
                kind_of_code(code),
                CloudErrorKind::InvalidCredentials,
                "{code}"
            );
        }
        assert_eq!(
            kind_of_text("failed to load credentials: no providers in chain"),
            CloudErrorKind::NoCredentials
        );
        assert_eq!(
            kind_of_text("the SSO session has expired or is invalid"),
            CloudErrorKind::ExpiredCredentials
        );
    }
}
