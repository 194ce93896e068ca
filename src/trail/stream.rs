//! Log files too big to hold whole (a gzip bomb: 1 GiB of zeros in a 1 MB `.json.gz`, or a huge
//! plain file): inflated and split as a stream, one record at a time, in a window that never
//! grows beyond the largest record CloudTrail writes, with room to spare. Such a file costs time,
//! never memory; a record larger than that is damage. Also what a file that is neither gzip nor
//! JSON really is, from its first bytes, so a bzip2 or zip archive named `.json.gz` is named as
//! such instead of "invalid JSON".

use memchr::memmem;
use std::io::Read;
use std::path::Path;

/// CloudTrail events are at most 256 KB; a record four times that is a damaged file.
pub(super) const LARGEST_RECORD: usize = 1 << 20;
/// What a file may inflate to, or weigh compressed, and still be read whole into memory: far
/// more than a CloudTrail log file (10–100 KB compressed, a few MB inflated). Beyond it the file
/// is streamed. With at most `MAX_WORKERS` workers, each holding one file and its inflated text,
/// a search stays under 256 MB whatever it reads.
pub const WHOLE_FILE_CAP: usize = 16 << 20;
/// The most worker threads a local search runs (see `WHOLE_FILE_CAP`).
pub const MAX_WORKERS: usize = 6;
/// How much is read at a time.
const CHUNK: usize = 256 << 10;

/// What the first bytes of a file say it is when it is neither gzip nor JSON, with what to do.
pub(super) fn not_a_log(head: &[u8]) -> String {
    let kind = [
        (&b"BZh"[..], "bzip2-compressed data"),
        (b"PK\x03\x04", "a zip archive"),
        (b"PK\x05\x06", "an empty zip archive"),
        (b"\xfd7zXZ\x00", "xz-compressed data"),
        (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
        (b"\x1f\x9d", "compress (.Z) data"),
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"<?xml", "XML (an S3 error page?)"),
        (b"<", "HTML or XML (an error page?)"),
    ]
    .iter()
    .find(|(magic, _)| head.starts_with(magic))
    .map(|(_, kind)| *kind);
    let shown: Vec<String> = head.iter().take(4).map(|b| format!("{b:02x}")).collect();
    match kind {
        Some(kind) => format!(
            "not a CloudTrail log file: it is {kind}, not gzip-compressed JSON whatever its name says (first bytes {}); download the log file from the trail's bucket again",
            shown.join(" ")
        ),
        None => format!(
            "not a CloudTrail log file: neither gzip nor JSON (first bytes {})",
            shown.join(" ")
        ),
    }
}

/// A log file too big to read whole: gzip inflated as it is read, plain JSON as it is.
pub(super) fn open_log(path: &Path) -> std::io::Result<Box<dyn Read>> {
    let mut file = std::io::BufReader::with_capacity(CHUNK, std::fs::File::open(path)?);
    let head = std::io::BufRead::fill_buf(&mut file)?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    })
}

/// Reads `path` whole into `buffer` when it is at most `WHOLE_FILE_CAP` bytes; `Ok(false)` (and
/// nothing read) when it is bigger.
pub(super) fn read_small(path: &Path, buffer: &mut Vec<u8>) -> std::io::Result<bool> {
    let file = std::fs::File::open(path)?;
    if file.metadata()?.len() > WHOLE_FILE_CAP as u64 {
        return Ok(false);
    }
    file.take(WHOLE_FILE_CAP as u64 + 1).read_to_end(buffer)?;
    Ok(buffer.len() <= WHOLE_FILE_CAP)
}

/// Calls `each` with every record of a CloudTrail log read from `reader` (`{"Records":[…]}` or a
/// top-level array), holding at most one record and one chunk. Returns how many bytes were read.
pub(super) fn each_record(
    reader: impl Read,
    mut each: impl FnMut(&[u8]) -> Result<(), String>,
) -> Result<u64, String> {
    let mut stream = Stream {
        reader,
        window: Vec::with_capacity(CHUNK),
        at: 0,
        eof: false,
        read: 0,
    };
    stream.open_array()?;
    let mut first = true;
    loop {
        match stream.next_byte()? {
            Some(b']') => return Ok(stream.read),
            Some(b',') if !first => stream.at += 1,
            Some(_) if first => {}
            Some(other) => return Err(unexpected(other)),
            None => return Err("invalid JSON: truncated".into()),
        }
        first = false;
        match stream.next_byte()? {
            Some(b'{') => {}
            Some(other) => return Err(unexpected(other)),
            None => return Err("invalid JSON: truncated".into()),
        }
        let (start, end) = stream.record()?;
        each(&stream.window[start..end])?;
        stream.at = end;
    }
}

fn unexpected(byte: u8) -> String {
    format!(
        "invalid JSON: expected a record, found {:?}",
        char::from(byte)
    )
}

struct Stream<R> {
    reader: R,
    /// Unconsumed bytes start at `at`.
    window: Vec<u8>,
    at: usize,
    eof: bool,
    read: u64,
}

impl<R: Read> Stream<R> {
    /// Drops the consumed bytes and reads one more chunk; `false` at the end of the input.
    fn fill(&mut self) -> Result<bool, String> {
        self.window.drain(..self.at);
        self.at = 0;
        if self.eof {
            return Ok(false);
        }
        let len = self.window.len();
        self.window.resize(len + CHUNK, 0);
        let n = loop {
            match self.reader.read(&mut self.window[len..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.window.truncate(len);
                    return Err(format!("damaged gzip or unreadable file: {e}"));
                }
            }
        };
        self.window.truncate(len + n);
        self.read += n as u64;
        self.eof = n == 0;
        Ok(n > 0)
    }

    /// The next byte that is not whitespace (not consumed), or `None` at the end.
    fn next_byte(&mut self) -> Result<Option<u8>, String> {
        loop {
            while let Some(b) = self.window.get(self.at) {
                if !b.is_ascii_whitespace() {
                    return Ok(Some(*b));
                }
                self.at += 1;
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Consumes up to the records array's `[`: at the start, or after `{"Records":` (CloudTrail
    /// writes that key first).
    fn open_array(&mut self) -> Result<(), String> {
        match self.next_byte()? {
            Some(b'[') => {}
            Some(b'{') => {
                while self.window.len() - self.at < 64 && self.fill()? {}
                let head = &self.window[self.at..];
                let key = memmem::find(head, b"\"Records\"")
                    .filter(|&k| {
                        let rest: Vec<u8> = head[k + 9..]
                            .iter()
                            .copied()
                            .filter(|b| !b.is_ascii_whitespace())
                            .take(2)
                            .collect();
                        rest == b":["
                    })
                    .ok_or("not CloudTrail records (no \"Records\" array at the start)")?;
                let bracket = key + memchr::memchr(b'[', &head[key..]).unwrap_or(0);
                self.at += bracket;
            }
            Some(_) => return Err(not_a_log(&self.window[self.at..])),
            None => return Err("empty file (0 bytes)".into()),
        }
        self.at += 1;
        Ok(())
    }

    /// The record opening at `at`, read until it is whole: its bounds in the window.
    fn record(&mut self) -> Result<(usize, usize), String> {
        let too_long = || {
            format!(
                "damaged file: a record longer than {} MiB, more than any CloudTrail record",
                LARGEST_RECORD >> 20
            )
        };
        loop {
            if let Some(end) = super::bytes::object_end(&self.window, self.at) {
                if end - self.at > LARGEST_RECORD {
                    return Err(too_long());
                }
                return Ok((self.at, end));
            }
            if self.window.len() - self.at > LARGEST_RECORD {
                return Err(too_long());
            }
            if !self.fill()? {
                return Err("invalid JSON: truncated record".into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(bytes: &[u8]) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        each_record(bytes, |r| {
            out.push(String::from_utf8_lossy(r).into_owned());
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn splits_records_across_chunks() {
        let mut text = String::from("{ \"Records\" : [");
        for i in 0..5000 {
            text.push_str(&format!(
                "{}{{\"eventID\":\"e{i}\",\"s\":\"}}{{\\\"\"}}",
                if i > 0 { ",\n" } else { "" }
            ));
        }
        text.push_str("]}");
        let found = records(text.as_bytes()).unwrap();
        assert_eq!(found.len(), 5000);
        assert_eq!(found[4999], "{\"eventID\":\"e4999\",\"s\":\"}{\\\"\"}");
        assert_eq!(records(b"[]").unwrap().len(), 0);
    }

    #[test]
    fn a_record_longer_than_any_cloudtrail_record_is_damage() {
        let huge = format!(
            "{{\"Records\":[{{\"a\":\"{}\"}}]}}",
            "0".repeat(LARGEST_RECORD + 1)
        );
        let err = records(huge.as_bytes()).map(|r| r.len()).unwrap_err();
        assert!(err.contains("longer than 1 MiB"), "{err}");
        assert!(
            records(b"{\"Records\":[{\"a\":1}")
                .unwrap_err()
                .contains("truncated")
        );
        assert!(records(b"{\"x\":1}").unwrap_err().contains("Records"));
    }

    #[test]
    fn names_what_a_file_really_is() {
        assert!(not_a_log(b"BZh91AY&SY").contains("bzip2"));
        assert!(not_a_log(b"PK\x03\x04\x14\x00").contains("zip archive"));
        assert!(
            not_a_log(b"\x00\x00\x00").contains("neither gzip nor JSON (first bytes 00 00 00)")
        );
        assert!(
            records(b"\x00\x00")
                .unwrap_err()
                .contains("neither gzip nor JSON")
        );
    }
}
