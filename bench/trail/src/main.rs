//! `trail-bench`: writes a deterministic synthetic trail archive shaped like a real one, and times
//! the very engine `lecture06 trail search` runs (its source files are compiled in here, so the
//! release build does not wait for the AWS SDK). See scripts/bench-trail.sh.
#![allow(dead_code)]

#[path = "../../../src/clock.rs"]
mod clock;
#[path = "../../../src/trail/bytes.rs"]
mod bytes;
#[path = "../../../src/trail/damage.rs"]
mod damage;
#[path = "../../../src/trail/engine.rs"]
mod engine;
#[path = "../../../src/i18n.rs"]
mod i18n;
#[path = "../../../src/trail/record.rs"]
mod record;
#[path = "../../../src/trail/stream.rs"]
mod stream;

use chrono::{DateTime, Duration, TimeZone, Utc};
use clap::{Parser, Subcommand};
use serde_json::{Value, json};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a synthetic archive of at least MB megabytes (uncompressed) under DIR
    Generate {
        dir: PathBuf,
        #[arg(long, default_value_t = 1100)]
        mb: u64,
        /// Real trail files whose records serve as shapes
        #[arg(long)]
        templates: PathBuf,
        #[arg(long, default_value_t = 6)]
        seed: u64,
    },
    /// Run the search engine over DIR and print its figures as JSON
    Search {
        dir: PathBuf,
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        event: Option<String>,
        #[arg(long, default_value_t = 1_000_000)]
        latest: usize,
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Inflate every file on one core with libdeflate and with flate2 (zlib-rs); print MB/s
    Inflate { dir: PathBuf },
}

fn main() {
    match Cli::parse().command {
        Command::Generate {
            dir,
            mb,
            templates,
            seed,
        } => generate(&dir, mb * 1_000_000, &templates, seed),
        Command::Search {
            dir,
            user,
            event,
            latest,
            threads,
        } => {
            let query = engine::Query {
                user,
                event,
                latest,
                ..engine::Query::default()
            };
            let started = Instant::now();
            let outcome =
                engine::search_local(&dir, &query, threads.unwrap_or_else(engine::cores)).unwrap();
            let secs = started.elapsed().as_secs_f64();
            let manifest: Value = std::fs::read(dir.join("manifest.txt"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or(Value::Null);
            let events = manifest["records"].as_f64().unwrap_or(0.0);
            println!(
                "{}",
                json!({
                    "matches": outcome.hits.len(),
                    "seconds": secs,
                    "files_read": outcome.files_read,
                    "bytes_read": outcome.bytes_read,
                    "bytes_inflated": outcome.bytes_inflated,
                    "records_parsed": outcome.records_parsed,
                    "damaged": outcome.damaged.len(),
                    "uncompressed_mb_per_s": outcome.bytes_inflated as f64 / 1e6 / secs,
                    "events_per_s": events / secs,
                })
            );
        }
        Command::Inflate { dir } => inflate_both(&dir),
    }
}

/// SplitMix64: small, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }
}

fn gz_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.to_string_lossy().ends_with(".json.gz") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

const STUDENT: &str = "taro-student";
const USERS: [&str; 12] = [
    "hanako",
    "jiro",
    "admin",
    "deploy",
    "ci-runner",
    "saburo",
    "yuki",
    "ken",
    "mai",
    "sora",
    "riku",
    "aoi",
];
const REGIONS: [&str; 2] = ["ap-northeast-1", "us-east-1"];
const STUDENT_EVENTS: [&str; 5] = [
    "StopInstances",
    "StartInstances",
    "DescribeInstances",
    "ConsoleLogin",
    "CreateLoadBalancer",
];

/// The archive: files every five minutes per Region, 80–700 records each (10–100 KB
/// compressed), records unsorted and up to 15 minutes older than the file, ~1% delivered twice,
/// 0.4% by the student `taro-student` (an IAM user).
fn generate(dir: &Path, target: u64, templates: &Path, seed: u64) {
    let mut shapes: Vec<Value> = Vec::new();
    for path in gz_files(templates) {
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        let file: Value = serde_json::from_str(&text).unwrap();
        shapes.extend(file["Records"].as_array().unwrap().iter().cloned());
    }
    assert!(
        !shapes.is_empty(),
        "no records under {}",
        templates.display()
    );
    let mut rng = Rng(seed);
    let mut compressor = libdeflater::Compressor::new(libdeflater::CompressionLvl::default());
    let mut time: DateTime<Utc> = Utc.with_ymd_and_hms(2023, 1, 1, 0, 5, 0).unwrap();
    let (mut written, mut records, mut files, mut compressed) = (0u64, 0u64, 0u64, 0u64);
    let mut recent: Vec<Value> = Vec::new();
    let mut text = Vec::new();
    let mut gz = Vec::new();
    while written < target {
        for region in REGIONS {
            let count = 80 + rng.below(620);
            text.clear();
            text.extend_from_slice(b"{\"Records\":[");
            for i in 0..count {
                let record = if !recent.is_empty() && rng.below(100) == 0 {
                    recent[rng.below(recent.len() as u64) as usize].clone()
                } else {
                    let mut r = shapes[rng.below(shapes.len() as u64) as usize].clone();
                    let at = time - Duration::seconds(rng.below(900) as i64);
                    r["eventTime"] = json!(at.format("%Y-%m-%dT%H:%M:%SZ").to_string());
                    r["eventID"] = json!(rng.uuid());
                    r["requestID"] = json!(rng.uuid());
                    r["awsRegion"] = json!(region);
                    if rng.below(1000) < 4 {
                        r["userIdentity"] = json!({
                            "type": "IAMUser",
                            "principalId": "AIDAEXAMPLESTUDENT0001",
                            "arn": format!("arn:aws:iam::123456789012:user/{STUDENT}"),
                            "accountId": "123456789012",
                            "accessKeyId": "ASIAEXAMPLE0000STUDENT",
                            "userName": STUDENT,
                        });
                        r["eventName"] =
                            json!(STUDENT_EVENTS[rng.below(STUDENT_EVENTS.len() as u64) as usize]);
                    } else if r["userIdentity"]["userName"].is_string() {
                        r["userIdentity"]["userName"] =
                            json!(USERS[rng.below(USERS.len() as u64) as usize]);
                    }
                    if recent.len() < 64 {
                        recent.push(r.clone());
                    } else {
                        let slot = rng.below(64) as usize;
                        recent[slot] = r.clone();
                    }
                    r
                };
                if i > 0 {
                    text.push(b',');
                }
                serde_json::to_writer(&mut text, &record).unwrap();
                records += 1;
            }
            text.extend_from_slice(b"]}");
            gz.resize(compressor.gzip_compress_bound(text.len()), 0);
            let n = compressor.gzip_compress(&text, &mut gz).unwrap();
            let folder = dir.join(format!(
                "AWSLogs/123456789012/CloudTrail/{region}/{}",
                time.format("%Y/%m/%d")
            ));
            std::fs::create_dir_all(&folder).unwrap();
            let name = format!(
                "123456789012_CloudTrail_{region}_{}_{:016x}.json.gz",
                time.format("%Y%m%dT%H%MZ"),
                rng.next()
            );
            std::fs::write(folder.join(name), &gz[..n]).unwrap();
            written += text.len() as u64;
            compressed += n as u64;
            files += 1;
        }
        time += Duration::minutes(5);
    }
    let manifest = json!({
        "records": records, "files": files, "uncompressed_bytes": written,
        "compressed_bytes": compressed, "student": STUDENT, "seed": seed,
    });
    std::fs::write(dir.join("manifest.txt"), manifest.to_string()).unwrap();
    println!("{manifest}");
}

fn inflate_both(dir: &Path) {
    let files: Vec<Vec<u8>> = gz_files(dir)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    let mut out = Vec::new();
    let mut lib = libdeflater::Decompressor::new();
    let started = Instant::now();
    let mut total = 0u64;
    for gz in &files {
        let size = u32::from_le_bytes(gz[gz.len() - 4..].try_into().unwrap()) as usize;
        out.resize(size, 0);
        total += lib.gzip_decompress(gz, &mut out).unwrap() as u64;
    }
    let lib_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for gz in &files {
        out.clear();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut out)
            .unwrap();
    }
    let flate_secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({
            "uncompressed_mb": total as f64 / 1e6,
            "libdeflate_mb_per_s": total as f64 / 1e6 / lib_secs,
            "flate2_zlib_rs_mb_per_s": total as f64 / 1e6 / flate_secs,
        })
    );
}
