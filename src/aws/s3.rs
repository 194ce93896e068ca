//! S3 clients in the right Region. The Rust SDK does not follow S3's redirect to a bucket's own
//! Region, and Athena refuses a result location in another Region, so a trail bucket in
//! us-east-1 read from a Tokyo session needs clients made for us-east-1: `GetBucketLocation`
//! first, then the clients.

use super::{Aws, classify};
use crate::cloud::{CloudError, CloudErrorKind};
use aws_config::Region;

/// An S3 client for the shared configuration in `region` (the configuration's own when `None`);
/// path-style when an endpoint is set (moto, MinIO).
pub fn client_in(aws: &Aws, region: Option<&str>) -> aws_sdk_s3::Client {
    let mut builder = aws_sdk_s3::config::Builder::from(&aws.config);
    if let Some(region) = region {
        builder = builder.region(Region::new(region.to_string()));
    }
    if aws.config.endpoint_url().is_some() {
        builder = builder.force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(builder.build())
}

/// An S3 client in the configuration's Region.
pub fn client(aws: &Aws) -> aws_sdk_s3::Client {
    client_in(aws, None)
}

/// `GetBucketLocation`: an empty constraint means us-east-1, `EU` the old name of eu-west-1.
/// `None` when it cannot be read (no `s3:GetBucketLocation`, no such bucket).
pub async fn bucket_region(client: &aws_sdk_s3::Client, bucket: &str) -> Option<String> {
    let out = client
        .get_bucket_location()
        .bucket(bucket)
        .send()
        .await
        .map_err(|e| classify(e, "s3:GetBucketLocation"))
        .ok()?;
    Some(match out.location_constraint().map(|c| c.as_str()) {
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(region) => region.to_string(),
    })
}

/// An S3 client in `bucket`'s own Region, and that Region (the configuration's when it cannot
/// be read: then the requests themselves say what is wrong).
pub fn client_for_bucket(aws: &Aws, bucket: &str) -> (aws_sdk_s3::Client, String) {
    let region = aws
        .block_on(bucket_region(&client(aws), bucket))
        .unwrap_or_else(|| aws.region());
    (client_in(aws, Some(&region)), region)
}

/// Deletes every object under `prefix` (never the whole bucket: an empty prefix is refused);
/// returns how many were deleted.
pub async fn delete_prefix(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Result<u64, CloudError> {
    use aws_sdk_s3::types::{Delete, ObjectIdentifier};
    if prefix.is_empty() {
        return Err(CloudError::new(
            CloudErrorKind::InvalidInput,
            "s3:DeleteObject",
            format!("refusing to empty the whole bucket {bucket}"),
        ));
    }
    let mut deleted = 0;
    loop {
        let page = client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .send()
            .await
            .map_err(|e| classify(e, "s3:ListBucket"))?;
        let keys: Vec<ObjectIdentifier> = page
            .contents()
            .iter()
            .filter_map(|o| o.key())
            .filter_map(|k| ObjectIdentifier::builder().key(k).build().ok())
            .collect();
        if keys.is_empty() {
            return Ok(deleted);
        }
        deleted += keys.len() as u64;
        let delete = Delete::builder()
            .set_objects(Some(keys))
            .quiet(true)
            .build()
            .map_err(|e| {
                CloudError::new(CloudErrorKind::Other, "s3:DeleteObject", e.to_string())
            })?;
        client
            .delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await
            .map_err(|e| classify(e, "s3:DeleteObject"))?;
    }
}
