//! sts:GetCallerIdentity through the real SDK client against moto over the wire.

use crate::harness::{moto_url, sdk_config};
use lecture06::aws::Aws;

#[test]
fn caller_identity_from_moto() {
    let config = sdk_config(
        "ap-northeast-1",
        Some(&moto_url()),
        None,
        "AKIAIOSFODNN7EXAMPLE",
    );
    let cloud = Aws::from_config(config).unwrap().connect();
    let caller = cloud
        .identity
        .caller()
        .expect("moto answers GetCallerIdentity");
    // moto's default account and identity.
    assert_eq!(caller.account, "123456789012");
    assert!(
        caller.arn.starts_with("arn:aws:sts::123456789012:"),
        "{}",
        caller.arn
    );
    assert!(!caller.principal_name().is_empty());
    assert_eq!(cloud.region, "ap-northeast-1");
}

#[test]
fn unreachable_endpoint_is_a_network_error_with_advice() {
    let config = sdk_config(
        "ap-northeast-1",
        Some("http://127.0.0.1:9"),
        None,
        "AKIAEXAMPLE",
    );
    let cloud = Aws::from_config(config).unwrap().connect();
    let err = cloud.identity.caller().unwrap_err();
    assert_eq!(
        err.kind,
        lecture06::cloud::CloudErrorKind::Network,
        "{err:?}"
    );
    assert!(
        err.explain(lecture06::i18n::Lang::En, None)
            .contains("sts:GetCallerIdentity")
    );
}
