//! sts:GetCallerIdentity through the real SDK client against moto over the wire.

use crate::harness::{moto_url, sdk_config};
use lecture06::aws::Aws;

#[test]
fn caller_identity_from_moto() {
    // moto takes a 12-digit access key as the account to answer for.
    let config = sdk_config("ap-northeast-1", Some(&moto_url()), None, "556300001111");
    let cloud = Aws::from_config(config).unwrap().connect();
    let caller = cloud.identity.caller().expect("moto answers GetCallerIdentity");
    assert_eq!(caller.account, "556300001111");
    assert!(caller.arn.starts_with("arn:aws:"), "{}", caller.arn);
    assert_eq!(cloud.region, "ap-northeast-1");
}

#[test]
fn unreachable_endpoint_is_a_network_error_with_advice() {
    let config = sdk_config("ap-northeast-1", Some("http://127.0.0.1:9"), None, "AKIAEXAMPLE");
    let cloud = Aws::from_config(config).unwrap().connect();
    let err = cloud.identity.caller().unwrap_err();
    assert_eq!(err.kind, lecture06::cloud::CloudErrorKind::Network, "{err:?}");
    assert!(err.explain(lecture06::i18n::Lang::En, None).contains("sts:GetCallerIdentity"));
}
