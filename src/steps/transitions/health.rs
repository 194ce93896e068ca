//! Pure decisions about the target group's health check: did Rails answer the health-check path
//! or did Nginx serve a file (then stopping Unicorn changes nothing the alarm watches), when has a
//! target stayed healthy too long after the stop, and what AWS's reason codes for a target's
//! health mean, in one line each.

use crate::cloud::elb::HealthCheck;
use crate::cloud::probe::Probe;
use crate::i18n::Lang;
use crate::t;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who answered a GET of the health-check path through the ALB.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answerer {
    /// Rails: the response carries `X-Request-Id` (every Rails version, `ActionDispatch::RequestId`)
    /// or `X-Runtime` (`Rack::Runtime`, in the default stack before Rails 7.0).
    Rails,
    /// A successful answer with neither header: a file Nginx served without asking Unicorn.
    StaticFile,
    /// No answer, or an error page: nothing can be told from it.
    Unknown,
}

/// The Rails-or-not decision on one response.
pub fn who_answered(probe: &Probe) -> Answerer {
    let from_rails = ["X-Request-Id", "X-Runtime"]
        .iter()
        .any(|name| probe.header(name).is_some_and(|v| !v.is_empty()));
    match probe.status {
        _ if from_rails => Answerer::Rails,
        Some(status) if (200..400).contains(&status) => Answerer::StaticFile,
        _ => Answerer::Unknown,
    }
}

/// How long after the stop a target that is still healthy shows the health check cannot see the
/// app server: the failures it takes (interval × unhealthy threshold), plus two more intervals and
/// a minute of margin.
pub fn healthy_too_long_after(health: &HealthCheck) -> i64 {
    let interval = i64::from(health.interval_seconds.max(1));
    interval * i64::from(health.unhealthy_threshold.max(1)) + 2 * interval + 60
}

/// Whether the watch for ALARM should end now: the target is still healthy well past the time
/// the health check needs to fail.
pub fn still_healthy_too_long(
    health: &HealthCheck,
    stopped_at: DateTime<Utc>,
    target: &str,
    at: DateTime<Utc>,
) -> bool {
    target == "healthy" && (at - stopped_at).num_seconds() > healthy_too_long_after(health)
}

/// The plain warning, why the alarm would never fire, and the fixes (both languages).
pub fn blind_health_check(health: &HealthCheck, lang: Lang) -> Vec<String> {
    let path = &health.path;
    vec![
        t!(
            lang,
            "The health check cannot see Unicorn: {path} is answered without Rails (no X-Request-Id or X-Runtime header), so Nginx serves it as a file.",
            "ヘルスチェックから Unicorn が見えていません: {path} は Rails を通らずに応答しています（X-Request-Id も X-Runtime ヘッダーもない）。Nginx がファイルとして返しています。"
        ),
        t!(
            lang,
            "Why the alarm would never fire: with Unicorn stopped, Nginx still answers {path} with 200, the target stays healthy, HealthyHostCount stays 1 and no ALARM mail comes.",
            "アラームが発火しない理由: Unicorn を止めても Nginx が {path} に 200 を返し続けるので、ターゲットは healthy のまま、HealthyHostCount は 1 のままで、ALARM のメールは届きません。"
        ),
        t!(
            lang,
            "Fix: check a path Rails answers. Apps made with Rails 7.1 or later have `/up` (config/routes.rb: `get \"up\" => \"rails/health#show\"`); on older Rails add a route such as `get \"/healthcheck\", to: proc {{ [200, {{}}, [\"ok\"]] }}`. Then point the target group's health check at it (console: EC2 → Target groups → Health checks → Edit).",
            "対処: Rails が応答するパスをチェックしてください。Rails 7.1 以降で作ったアプリには `/up` があります（config/routes.rb: `get \"up\" => \"rails/health#show\"`）。それより古い Rails では `get \"/healthcheck\", to: proc {{ [200, {{}}, [\"ok\"]] }}` のようなルートを追加します。そのうえでターゲットグループのヘルスチェックをそのパスに向けます（コンソール: EC2 → ターゲットグループ → ヘルスチェック → 編集）。"
        ),
    ]
}

/// One line on a target's health reason code (DescribeTargetHealth's `Reason`), or `None` for
/// one the course does not meet.
pub fn reason_explained(reason: &str, lang: Lang) -> Option<String> {
    Some(match reason {
        "Target.ResponseCodeMismatch" => t!(
            lang,
            "the health check got a status code it does not accept: Nginx answers 502 Bad Gateway because Unicorn behind it is stopped.",
            "ヘルスチェックが想定外のステータスコードを受け取りました。Unicorn が止まっているので、Nginx が 502 Bad Gateway を返しています。"
        ),
        "Target.FailedHealthChecks" => t!(
            lang,
            "the health check got no HTTP answer at all: the connection is refused or times out because Nginx is stopped.",
            "ヘルスチェックに HTTP の応答がありません。Nginx が止まっているので、接続が拒否されるかタイムアウトしています。"
        ),
        "Target.Timeout" => t!(
            lang,
            "the health check timed out: nothing answered within the timeout.",
            "ヘルスチェックがタイムアウトしました。時間内に応答がありません。"
        ),
        "Target.InvalidState" | "Target.NotInUse" | "Target.NotRegistered" => t!(
            lang,
            "the target is not in use (the instance is stopped): the ALB no longer checks it, HealthyHostCount gets no datapoints, and the alarm goes to INSUFFICIENT_DATA — or to ALARM if missing data is treated as breaching.",
            "ターゲットが使われていません（インスタンスが停止中）。ALB はヘルスチェックをやめ、HealthyHostCount にデータポイントが来なくなり、アラームは INSUFFICIENT_DATA になります（欠落データを「不正（しきい値を超えている）」扱いにしていれば ALARM）。"
        ),
        "Elb.RegistrationInProgress" | "Elb.InitialHealthChecking" => t!(
            lang,
            "the target was just registered and is still being checked for the first time.",
            "ターゲットは登録されたばかりで、最初のヘルスチェック中です。"
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(status: Option<u16>, headers: &[(&str, &str)]) -> Probe {
        Probe {
            status,
            millis: 4,
            error: None,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn rails_is_told_by_its_request_id_or_runtime() {
        // A Rails 7.1 app behind Nginx (Puma/Unicorn): Rails adds X-Request-Id, no X-Runtime.
        let rails_7 = probe(
            Some(200),
            &[
                ("Server", "nginx/1.20.1"),
                ("Content-Type", "text/html; charset=utf-8"),
                ("x-frame-options", "SAMEORIGIN"),
                ("x-content-type-options", "nosniff"),
                ("Cache-Control", "max-age=0, private, must-revalidate"),
                ("x-request-id", "b3f9a3c4-6a77-4a0e-9a43-0b8e2f6d1a77"),
            ],
        );
        assert_eq!(who_answered(&rails_7), Answerer::Rails);
        // Rails 6.1: X-Runtime as well.
        let rails_6 = probe(
            Some(200),
            &[
                ("X-Request-Id", "4e0d6f5e-5a1c-4a3e-8d2b-8e9f1c2b3a4d"),
                ("X-Runtime", "0.004512"),
            ],
        );
        assert_eq!(who_answered(&rails_6), Answerer::Rails);
        // Only X-Runtime (request id stripped by a proxy) still says Rails.
        assert_eq!(
            who_answered(&probe(Some(200), &[("X-Runtime", "0.01")])),
            Answerer::Rails
        );
    }

    #[test]
    fn a_file_from_nginx_carries_neither_header() {
        let nginx_file = probe(
            Some(200),
            &[
                ("Server", "nginx/1.20.1"),
                ("Content-Type", "text/html"),
                ("Last-Modified", "Mon, 02 Oct 2023 04:12:55 GMT"),
                ("ETag", "\"651a4327-2d4\""),
                ("Accept-Ranges", "bytes"),
            ],
        );
        assert_eq!(who_answered(&nginx_file), Answerer::StaticFile);
        // Nginx's own 502 page, or no answer, tells nothing.
        assert_eq!(
            who_answered(&probe(Some(502), &[("Server", "nginx/1.20.1")])),
            Answerer::Unknown
        );
        assert_eq!(who_answered(&probe(None, &[])), Answerer::Unknown);
    }

    #[test]
    fn healthy_too_long_follows_interval_and_threshold() {
        let hc = HealthCheck::default(); // 30 s × 2
        assert_eq!(healthy_too_long_after(&hc), 60 + 60 + 60);
        let stop = crate::clock::parse_time("2026-11-21T01:00:00Z").unwrap();
        let later = |s| stop + chrono::Duration::seconds(s);
        assert!(!still_healthy_too_long(&hc, stop, "healthy", later(180)));
        assert!(still_healthy_too_long(&hc, stop, "healthy", later(181)));
        assert!(!still_healthy_too_long(&hc, stop, "unhealthy", later(900)));
        let slow = HealthCheck {
            interval_seconds: 300,
            unhealthy_threshold: 10,
            ..HealthCheck::default()
        };
        assert!(!still_healthy_too_long(&slow, stop, "healthy", later(1800)));
    }

    #[test]
    fn each_reason_code_is_explained_in_a_line() {
        // The codes as DescribeTargetHealth returns them (aws-cli examples in ../shared/testdata).
        let mismatch = reason_explained("Target.ResponseCodeMismatch", Lang::En).unwrap();
        assert!(mismatch.contains("502") && mismatch.contains("Unicorn"));
        let failed = reason_explained("Target.FailedHealthChecks", Lang::En).unwrap();
        assert!(failed.contains("refused") && failed.contains("Nginx"));
        let unused = reason_explained("Target.NotInUse", Lang::Ja).unwrap();
        assert!(unused.contains("INSUFFICIENT_DATA") && unused.contains("インスタンスが停止中"));
        assert!(
            reason_explained("Target.InvalidState", Lang::En)
                .unwrap()
                .contains("ALARM")
        );
        assert_eq!(reason_explained("Target.SomethingNew", Lang::En), None);
        for line in blind_health_check(&HealthCheck::default(), Lang::Ja) {
            assert!(!line.contains("。 "), "{line}");
        }
    }
}
