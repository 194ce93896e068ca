//! `trail search --s3` against moto S3 over the wire: the test uploads the real archive (plus the
//! same files again under the next day and two newer days), then checks the answer against a full
//! parse and that date pruning really leaves objects unread (counted by the search).

use crate::harness::{moto_url, sdk_config};
use crate::trail_search::{DAY_DIR, all_records, original_day};
use lecture06::aws::Aws;
use lecture06::aws::s3::client as s3_client;
use lecture06::aws::trail_archive::search_s3_async;
use lecture06::trail::engine::Query;
use lecture06::trail::parse_bound;

fn bucket_name(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("lecture06-trail-{tag}-{nanos}")
}

#[test]
fn searches_an_uploaded_archive_reading_only_the_days_needed() {
    let config = sdk_config("us-east-1", Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE");
    let aws = Aws::from_config(config).unwrap();
    let client = s3_client(&aws);
    let bucket = bucket_name("s3");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(original_day())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    aws.block_on(async {
        client.create_bucket().bucket(&bucket).send().await.unwrap();
        let put = |key: String, body: Vec<u8>| {
            let client = client.clone();
            let bucket = bucket.clone();
            async move {
                client
                    .put_object()
                    .bucket(bucket)
                    .key(key)
                    .body(body.into())
                    .send()
                    .await
                    .unwrap();
            }
        };
        for path in &files {
            let name = path.file_name().unwrap().to_str().unwrap();
            put(format!("{DAY_DIR}/10/{name}"), std::fs::read(path).unwrap()).await;
        }
        // Delivered again under the next day's folder.
        for path in files.iter().take(3) {
            let name = path.file_name().unwrap().to_str().unwrap();
            put(format!("{DAY_DIR}/11/again-{name}"), std::fs::read(path).unwrap()).await;
        }
        for day in ["24", "25"] {
            put(
                format!("{DAY_DIR}/{day}/newer.json"),
                format!(r#"{{"Records":[{{"eventTime":"2023-07-{day}T05:00:00Z","eventID":"new-{day}","eventName":"StopInstances","userIdentity":{{"type":"IAMUser","userName":"benjamin"}}}}]}}"#).into_bytes(),
            )
            .await;
        }
        put("AWSLogs/218007301253/CloudTrail-Digest/us-east-1/2023/07/10/d.json.gz".into(), b"{}".to_vec()).await;
    });

    // Everything: the answer of a full parse, each event once.
    let query = Query {
        latest: 100_000,
        ..Query::default()
    };
    let outcome = aws
        .block_on(search_s3_async(&client, &bucket, "", &query))
        .unwrap();
    let lists = outcome.list_requests;
    assert_eq!(
        outcome.files_read, 60,
        "55 + 3 again + 2 newer; the digest is not read"
    );
    assert!(outcome.damaged.is_empty(), "{:?}", outcome.damaged);
    assert_eq!(outcome.hits.len(), 2902);
    let mut want: Vec<String> = all_records()
        .iter()
        .map(|r| r["eventID"].as_str().unwrap().to_string())
        .collect();
    want.extend(["new-24".to_string(), "new-25".to_string()]);
    want.sort();
    let mut got: Vec<String> = outcome.hits.iter().map(|h| h.id.clone()).collect();
    got.sort();
    assert_eq!(got, want);
    assert!(outcome.bytes_read > 400_000, "{}", outcome.bytes_read);
    assert!(
        lists >= 8,
        "walks AWSLogs/acct/CloudTrail/region/year/month/day: {lists}"
    );

    // From the 25th: only that day's folder and its neighbour (the 24th) are read.
    let query = Query {
        since: parse_bound("2023-07-25", false),
        latest: 10,
        ..Query::default()
    };
    let outcome = aws
        .block_on(search_s3_async(&client, &bucket, "AWSLogs/", &query))
        .unwrap();
    assert_eq!(outcome.files_read, 2, "{outcome:?}");
    let ids: Vec<&str> = outcome.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, vec!["new-25"]);

    // The latest one of benjamin's events: the 25th's file answers, nothing older is read.
    let query = Query {
        user: Some("benjamin".into()),
        latest: 1,
        ..Query::default()
    };
    let outcome = aws
        .block_on(search_s3_async(&client, &bucket, "", &query))
        .unwrap();
    let ids: Vec<&str> = outcome.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, vec!["new-25"]);
    // Up to 16 fetches are in flight when the answer is found, and a loaded machine may start a
    // few more before they see the stop: at most two waves of the 60 files are read.
    assert!(outcome.files_read <= 32, "stops early: {outcome:?}");
    assert!(outcome.files_skipped_by_latest >= 28, "{outcome:?}");
}

#[test]
fn a_missing_bucket_is_an_error_saying_so() {
    let config = sdk_config("us-east-1", Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE");
    let aws = Aws::from_config(config).unwrap();
    let client = s3_client(&aws);
    let err = aws
        .block_on(search_s3_async(
            &client,
            "lecture06-no-such-bucket-x",
            "",
            &Query {
                latest: 1,
                ..Query::default()
            },
        ))
        .unwrap_err();
    assert_eq!(
        err.kind,
        lecture06::cloud::CloudErrorKind::NotFound,
        "{err:?}"
    );
    // A misspelt bucket is named as one, not as something that "no longer exists".
    assert_eq!(err.code.as_deref(), Some("NoSuchBucket"), "{err:?}");
    let told = err.explain(lecture06::i18n::Lang::En, None);
    assert!(told.contains("check the spelling"), "{told}");
    assert!(!told.contains("no longer exists"), "{told}");
}

/// The CloudTrail step's offer: DescribeTrails (moto serves it; it cannot serve LookupEvents)
/// finds the bucket and prefix, and the archive search reads them.
#[test]
fn describe_trails_finds_the_archive_the_step_searches() {
    let config = sdk_config("us-east-1", Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE");
    let aws = Aws::from_config(config.clone()).unwrap();
    let client = s3_client(&aws);
    let bucket = bucket_name("step");
    let trail_name = bucket.replace("lecture06-trail-", "t-");
    let day = original_day();
    let first = std::fs::read_dir(&day)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    aws.block_on(async {
        client.create_bucket().bucket(&bucket).send().await.unwrap();
        client
            .put_object()
            .bucket(&bucket)
            .key(format!("school/{DAY_DIR}/10/one.json.gz"))
            .body(std::fs::read(&first).unwrap().into())
            .send()
            .await
            .unwrap();
        aws_sdk_cloudtrail::Client::new(&config)
            .create_trail()
            .name(&trail_name)
            .s3_bucket_name(&bucket)
            .s3_key_prefix("school")
            .send()
            .await
            .unwrap();
    });
    let cloud = aws.connect();
    let archives = cloud.events.trail_archives().unwrap();
    let archive = archives
        .iter()
        .find(|a| a.name == trail_name)
        .unwrap_or_else(|| panic!("{archives:?}"));
    assert_eq!(archive.bucket, bucket);
    assert_eq!(archive.prefix, "school/AWSLogs/");
    let query = Query {
        latest: 10_000,
        ..Query::default()
    };
    let outcome = cloud.events.search_archive(archive, &query).unwrap();
    assert_eq!(outcome.files_read, 1);
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&first).unwrap()),
        &mut text,
    )
    .unwrap();
    let records: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        outcome.hits.len(),
        records["Records"].as_array().unwrap().len()
    );
}

/// Issue 12, item 8: a trail bucket in us-east-1 searched from a Tokyo session. The SDK does not
/// follow S3's redirect to a bucket's Region, so the adapter asks `GetBucketLocation` (moto answers
/// it as S3 does) and reads the bucket with a client made for that Region.
#[test]
fn a_bucket_in_another_region_is_read_with_a_client_in_its_region() {
    let home = sdk_config("us-east-1", Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE");
    let home_aws = Aws::from_config(home).unwrap();
    let bucket = bucket_name("xregion");
    let first = std::fs::read_dir(original_day())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    home_aws.block_on(async {
        let client = s3_client(&home_aws);
        client.create_bucket().bucket(&bucket).send().await.unwrap();
        client
            .put_object()
            .bucket(&bucket)
            .key(format!("{DAY_DIR}/10/one.json.gz"))
            .body(std::fs::read(&first).unwrap().into())
            .send()
            .await
            .unwrap();
    });
    // The student's session works in Tokyo.
    let tokyo = sdk_config(
        "ap-northeast-1",
        Some(&moto_url()),
        None,
        "AKIAIOSFODNN7EXAMPLE",
    );
    let aws = Aws::from_config(tokyo).unwrap();
    let (client, region) = lecture06::aws::s3::client_for_bucket(&aws, &bucket);
    assert_eq!(region, "us-east-1");
    assert_eq!(
        client.config().region().map(|r| r.as_ref()),
        Some("us-east-1")
    );
    // A bucket made with a LocationConstraint answers with it.
    let eu_bucket = bucket_name("eu");
    home_aws.block_on(async {
        let eu = lecture06::aws::s3::client_in(&home_aws, Some("eu-west-1"));
        eu.create_bucket()
            .bucket(&eu_bucket)
            .create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    });
    let (_, eu_region) = lecture06::aws::s3::client_for_bucket(&aws, &eu_bucket);
    assert_eq!(eu_region, "eu-west-1");
    // And the search through the account's interface reads the us-east-1 bucket from Tokyo.
    let cloud = aws.connect();
    let archive = lecture06::cloud::events::TrailArchive {
        name: String::new(),
        bucket: bucket.clone(),
        prefix: String::new(),
    };
    let outcome = cloud
        .events
        .search_archive(
            &archive,
            &Query {
                latest: 10_000,
                ..Query::default()
            },
        )
        .unwrap();
    assert_eq!(outcome.files_read, 1, "{outcome:?}");
    assert!(!outcome.hits.is_empty());
}

/// A log file bigger than any CloudTrail delivers (18+ MB compressed, more than
/// `WHOLE_FILE_CAP`): 80 real records from the archive, each given its own eventID and a field
/// of random text (which deflate cannot shrink much); four of them name `streamed-user`.
/// Returns the gzip bytes, the plain JSON's length, every eventID and `streamed-user`'s.
fn big_log_object() -> (Vec<u8>, usize, Vec<String>, Vec<String>) {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let real = all_records();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut random_text = |len: usize| -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                ALPHABET[(seed % 64) as usize] as char
            })
            .collect()
    };
    let (mut records, mut all, mut by_user) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..80 {
        let mut record = real[i % real.len()].clone();
        let id = format!("streamed-{i:03}");
        record["eventID"] = id.clone().into();
        record["padding"] = random_text(300_000).into();
        if i % 20 == 7 {
            record["userIdentity"]["userName"] = "streamed-user".into();
            by_user.push(id.clone());
        }
        all.push(id);
        records.push(record);
    }
    let json = serde_json::to_vec(&serde_json::json!({ "Records": records })).unwrap();
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(&json).unwrap();
    let gz = gz.finish().unwrap();
    assert!(
        gz.len() > lecture06::trail::stream::WHOLE_FILE_CAP + (1 << 20),
        "the object must be bigger than what is read whole: {} bytes",
        gz.len()
    );
    (gz, json.len(), all, by_user)
}

/// Puts `objects` (key, body) into a new bucket on moto; returns the bucket's name.
fn upload(aws: &Aws, tag: &str, objects: &[(String, Vec<u8>)]) -> String {
    let client = s3_client(aws);
    let bucket = bucket_name(tag);
    aws.block_on(async {
        client.create_bucket().bucket(&bucket).send().await.unwrap();
        for (key, body) in objects {
            client
                .put_object()
                .bucket(&bucket)
                .key(key)
                .body(body.clone().into())
                .send()
                .await
                .unwrap();
        }
    });
    bucket
}

/// Issue 22: an object bigger than any log file is streamed from S3 record by record, not
/// skipped (it used to be listed as "not read"): every one of its events is found.
#[test]
fn an_object_bigger_than_any_log_file_is_streamed_and_searched() {
    let config = sdk_config("us-east-1", Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE");
    let aws = Aws::from_config(config).unwrap();
    let client = s3_client(&aws);
    let (gz, plain_len, want, wanted_user) = big_log_object();
    let bucket = upload(
        &aws,
        "big",
        &[(format!("{DAY_DIR}/10/big.json.gz"), gz.clone())],
    );

    let everything = Query {
        latest: 1000,
        ..Query::default()
    };
    let outcome = aws
        .block_on(search_s3_async(&client, &bucket, "", &everything))
        .unwrap();
    assert!(outcome.damaged.is_empty(), "{:?}", outcome.damaged);
    assert_eq!(outcome.files_read, 1);
    assert_eq!(outcome.bytes_read, gz.len() as u64);
    assert!(outcome.bytes_inflated >= plain_len as u64, "{outcome:?}");
    let mut got: Vec<String> = outcome.hits.iter().map(|h| h.id.clone()).collect();
    got.sort();
    assert_eq!(got, want);

    let by_user = Query {
        user: Some("streamed-user".into()),
        latest: 1000,
        ..Query::default()
    };
    let outcome = aws
        .block_on(search_s3_async(&client, &bucket, "", &by_user))
        .unwrap();
    let mut got: Vec<String> = outcome.hits.iter().map(|h| h.id.clone()).collect();
    got.sort();
    assert_eq!(got, wanted_user);
}

/// Issue 22: the real binary searches a bucket holding a gzip bomb (1 GiB of zeros in ~1 MB),
/// an object bigger than any log file and the real archive's files under `ulimit -v` 256 MiB
/// of address space (`harness::under_address_space_limit`): the bomb is listed as skipped, the
/// big object streamed, and every event of the rest found.
#[test]
fn an_s3_search_stays_within_256_mib_whatever_the_objects() {
    let config = sdk_config("us-east-1", Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE");
    let aws = Aws::from_config(config).unwrap();
    let (big, _, big_ids, _) = big_log_object();
    let bomb = crate::trail_search::shell("head -c 1073741824 /dev/zero | gzip -9");
    let mut objects = vec![
        (format!("{DAY_DIR}/11/big.json.gz"), big),
        (format!("{DAY_DIR}/11/bomb.json.gz"), bomb),
    ];
    for entry in std::fs::read_dir(original_day()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        objects.push((
            format!("{DAY_DIR}/10/{name}"),
            std::fs::read(&path).unwrap(),
        ));
    }
    let bucket = upload(&aws, "limit", &objects);

    let ws = crate::harness::Workspace::new();
    let s3 = format!("s3://{bucket}/");
    let args = [
        "trail", "search", "--s3", &s3, "--json", "--latest", "100000",
    ];
    let mut search = crate::bad_input::real_command(&ws, &moto_url(), &args);
    search.env("AWS_REGION", "us-east-1");
    let ran: crate::harness::Ran = crate::harness::under_address_space_limit(&search, 262144)
        .output()
        .expect("runs")
        .into();
    ran.success();
    let ids = crate::trail_search::ids_of(&ran);
    assert_eq!(ids.len(), 2900 + big_ids.len(), "{}", ran.stderr);
    for id in &big_ids {
        assert!(ids.contains(id), "{id} of the streamed object");
    }
    assert!(
        ran.stderr.contains("1 file(s) could not be read")
            && ran
                .stderr
                .contains("bomb.json.gz: not a CloudTrail log file"),
        "{}",
        ran.stderr
    );
}
