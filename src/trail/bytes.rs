//! A log file's bytes, read the fast way: a gzip member inflated into a reused buffer whose size
//! never trusts the trailer, and the records of a CloudTrail log (`{"Records":[…]}`, or a
//! LookupEvents JSON array) split without parsing them, so that only candidates are parsed.

use super::damage::Damage;
use super::stream::{WHOLE_FILE_CAP, not_a_log};
use memchr::memmem;
use serde_json::Value;

/// The most room reserved before inflating anything, whatever the trailer says.
const FIRST_RESERVATION_CAP: usize = 4 << 20;
/// Deflate cannot expand data more than about 1032 times; more output than this from a file is
/// damage, not data.
pub(super) const MAX_RATIO: usize = 1032;

/// Inflates a single-member gzip file whole into `out` (CloudTrail files are 10–100 KB), up to
/// `WHOLE_FILE_CAP`, and returns its length. The gzip trailer's size (ISIZE, the last four bytes) is only a hint: in a
/// truncated file those bytes are compressed data and may say 4 GiB. So the first reservation is
/// at most a small multiple of the compressed size and a few MiB, and the buffer doubles when
/// the data needs more, up to what deflate can produce from that many bytes. The buffer only
/// ever grows, so it is not cleared for each file.
/// `Ok(None)` when the data inflates beyond `WHOLE_FILE_CAP` (the caller then streams it).
pub(super) fn inflate(
    inflater: &mut libdeflater::Decompressor,
    gz: &[u8],
    out: &mut Vec<u8>,
) -> Result<Option<usize>, Damage> {
    if gz.len() < 18 {
        return Err(Damage::GzipTooShort);
    }
    let tail = &gz[gz.len() - 4..];
    let stated = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]) as usize;
    let most = gz.len().saturating_mul(MAX_RATIO).max(1024);
    let ceiling = most.min(WHOLE_FILE_CAP);
    let sane = gz
        .len()
        .saturating_mul(16)
        .clamp(64 << 10, FIRST_RESERVATION_CAP);
    let mut size = stated.clamp(1024, sane);
    loop {
        if out.len() < size {
            out.resize(size, 0);
        }
        match inflater.gzip_decompress(gz, out) {
            Ok(n) => return Ok(Some(n)),
            Err(libdeflater::DecompressionError::InsufficientSpace) if out.len() < ceiling => {
                size = out.len().saturating_mul(2).min(ceiling);
            }
            Err(libdeflater::DecompressionError::InsufficientSpace) if ceiling < most => {
                return Ok(None);
            }
            Err(libdeflater::DecompressionError::InsufficientSpace) => {
                return Err(Damage::GzipImpossible {
                    mib: ceiling >> 20,
                    bytes: gz.len(),
                });
            }
            Err(libdeflater::DecompressionError::BadData) => {
                return Err(Damage::GzipBad);
            }
        }
    }
}

/// LookupEvents output keeps the record as a JSON string in `CloudTrailEvent`.
pub(super) fn unwrap_lookup(value: Value) -> Value {
    if let Some(Value::String(inner)) = value.get("CloudTrailEvent")
        && let Ok(parsed) = serde_json::from_str::<Value>(inner)
    {
        return parsed;
    }
    value
}

pub(super) enum Split<'a> {
    /// Each record's bytes, not yet parsed.
    Slices(Vec<&'a [u8]>),
    /// Records of a rare shape, parsed whole.
    Parsed(Vec<Value>),
}

/// Finds each record of a file without parsing it: `{"Records":[…]}` as trails deliver, or a
/// top-level array (LookupEvents tools); anything else is parsed whole (a LookupEvents response
/// `{"Events":[…]}` or a single record).
pub(super) fn split_records(text: &[u8]) -> Result<Split<'_>, Damage> {
    let start = skip_ws(text, 0);
    match text.get(start) {
        Some(b'[') => array_elements(text, start).map(Split::Slices),
        Some(b'{') => {
            if let Some(at) = memmem::find(text, b"\"Records\"") {
                let colon = skip_ws(text, at + 9);
                if text.get(colon) == Some(&b':') {
                    let open = skip_ws(text, colon + 1);
                    if text.get(open) == Some(&b'[') {
                        return array_elements(text, open).map(Split::Slices);
                    }
                }
            }
            let value: Value =
                serde_json::from_slice(text).map_err(|e| Damage::Json(e.to_string()))?;
            if let Some(events) = value.get("Events").and_then(Value::as_array) {
                Ok(Split::Parsed(
                    events.iter().cloned().map(unwrap_lookup).collect(),
                ))
            } else if value.get("eventTime").is_some() || value.get("eventName").is_some() {
                Ok(Split::Parsed(vec![value]))
            } else {
                Err(Damage::NoRecords)
            }
        }
        Some(_) => Err(not_a_log(&text[start..])),
        None => Err(Damage::Empty),
    }
}

/// How every record CloudTrail writes begins.
const RECORD_START: &[u8] = b"{\"eventVersion\":";

/// The records holding each occurrence of `needle`, found from the occurrence outwards: back to
/// the nearest record start (`{"eventVersion":` cannot occur unescaped inside a string), then
/// forward to its end. Only a few records hold a user's name among thousands, so this reads a
/// few KB instead of splitting the whole file. `None` when the layout is not the usual one (the
/// caller then splits the whole file).
pub(super) fn records_around<'a>(text: &'a [u8], needle: &memmem::Finder) -> Option<Vec<&'a [u8]>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(offset) = needle.find(&text[from..]) {
        let at = from + offset;
        let start = from + memmem::rfind(&text[from..at], RECORD_START)?;
        let before = text[..start]
            .iter()
            .rev()
            .find(|b| !b.is_ascii_whitespace())?;
        if !matches!(before, b'[' | b',') {
            return None;
        }
        let end = object_end(text, start)?;
        if end <= at {
            return None;
        }
        let after = text[end..].iter().find(|b| !b.is_ascii_whitespace())?;
        if !matches!(after, b']' | b',') {
            return None;
        }
        out.push(&text[start..end]);
        from = end;
    }
    Some(out)
}

fn skip_ws(text: &[u8], mut at: usize) -> usize {
    // A UTF-8 byte-order mark is whitespace here.
    if text[at.min(text.len())..].starts_with(&[0xef, 0xbb, 0xbf]) {
        at += 3;
    }
    while at < text.len() && matches!(text[at], b' ' | b'\n' | b'\r' | b'\t') {
        at += 1;
    }
    at
}

/// The objects of the array opening at `open`.
fn array_elements(text: &[u8], open: usize) -> Result<Vec<&[u8]>, Damage> {
    let mut out = Vec::new();
    let mut at = skip_ws(text, open + 1);
    if text.get(at) == Some(&b']') {
        return Ok(out);
    }
    loop {
        match text.get(at) {
            Some(b'{') => {}
            Some(_) => return Err(Damage::JsonAt(at)),
            None => return Err(Damage::JsonTruncated),
        }
        let end = object_end(text, at).ok_or(Damage::JsonTruncated)?;
        out.push(&text[at..end]);
        at = skip_ws(text, end);
        match text.get(at) {
            Some(b',') => at = skip_ws(text, at + 1),
            Some(b']') => return Ok(out),
            Some(_) => return Err(Damage::JsonAt(at)),
            None => return Err(Damage::JsonTruncated),
        }
    }
}

/// The end (exclusive) of the object opening at `start`, skipping strings.
pub(super) fn object_end(text: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = start;
    loop {
        at += memchr::memchr3(b'"', b'{', b'}', text.get(at..)?)?;
        match text[at] {
            b'"' => {
                at += 1;
                loop {
                    at += memchr::memchr2(b'"', b'\\', text.get(at..)?)?;
                    if text[at] == b'\\' {
                        at += 2;
                    } else {
                        at += 1;
                        break;
                    }
                }
                continue;
            }
            b'{' => depth += 1,
            _ => {
                depth -= 1;
                if depth == 0 {
                    return Some(at + 1);
                }
            }
        }
        at += 1;
    }
}
