//! Log files too big to hold whole (a gzip bomb: 1 GiB of zeros in a 1 MB `.json.gz`, or a huge
//! plain file): inflated and split as a stream, one record at a time, in a window that never
//! grows beyond the largest record CloudTrail writes, with room to spare. Such a file costs time,
//! never memory; a record larger than that is damage. Also what a file that is neither gzip nor
//! JSON really is, from its first bytes, so a bzip2 or zip archive named `.json.gz` is named as
//! such instead of "invalid JSON".

use super::damage::{Damage, Kind};
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

/// What the first bytes of a file say it is when it is neither gzip nor JSON.
pub(super) fn not_a_log(head: &[u8]) -> Damage {
    let named = |en, ja| Kind { en, ja };
    let kind = [
        (
            &b"BZh"[..],
            named("bzip2-compressed data", "圧縮データ（bzip2）"),
        ),
        (b"PK\x03\x04", named("a zip archive", "アーカイブ（zip）")),
        (
            b"PK\x05\x06",
            named("an empty zip archive", "空のアーカイブ（zip）"),
        ),
        (
            b"\xfd7zXZ\x00",
            named("xz-compressed data", "圧縮データ（xz）"),
        ),
        (
            b"\x28\xb5\x2f\xfd",
            named("zstd-compressed data", "圧縮データ（zstd）"),
        ),
        (
            b"7z\xbc\xaf\x27\x1c",
            named("a 7-Zip archive", "アーカイブ（7-Zip）"),
        ),
        (
            b"\x1f\x9d",
            named("compress (.Z) data", "圧縮データ（compress、.Z）"),
        ),
        (b"%PDF", named("a PDF document", "文書（PDF）")),
        (b"\x89PNG", named("a PNG image", "画像（PNG）")),
        (
            b"<?xml",
            named("XML (an S3 error page?)", "S3 のエラーページらしい XML"),
        ),
        (
            b"<",
            named(
                "HTML or XML (an error page?)",
                "エラーページらしい HTML か XML",
            ),
        ),
    ]
    .into_iter()
    .find(|(magic, _)| head.starts_with(magic))
    .map(|(_, kind)| kind);
    let shown: Vec<String> = head.iter().take(4).map(|b| format!("{b:02x}")).collect();
    Damage::NotALog {
        kind,
        first_bytes: shown.join(" "),
    }
}

/// A log file too big to read whole: gzip inflated as it is read, plain JSON as it is.
pub(super) fn open_log(path: &Path) -> std::io::Result<Box<dyn Read>> {
    inflating(std::fs::File::open(path)?)
}

/// A log file read from `reader` as it comes (a file, or an S3 object's body): gzip inflated as
/// it is read, plain JSON as it is.
pub fn inflating(reader: impl Read + 'static) -> std::io::Result<Box<dyn Read>> {
    let mut reader = std::io::BufReader::with_capacity(CHUNK, reader);
    let head = std::io::BufRead::fill_buf(&mut reader)?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
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
    mut each: impl FnMut(&[u8]) -> Result<(), Damage>,
) -> Result<u64, Damage> {
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
            None => return Err(Damage::JsonTruncated),
        }
        first = false;
        match stream.next_byte()? {
            Some(b'{') => {}
            Some(other) => return Err(unexpected(other)),
            None => return Err(Damage::JsonTruncated),
        }
        let (start, end) = stream.record()?;
        each(&stream.window[start..end])?;
        stream.at = end;
    }
}

fn unexpected(byte: u8) -> Damage {
    Damage::JsonFound(char::from(byte))
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
    fn fill(&mut self) -> Result<bool, Damage> {
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
                    return Err(Damage::Unreadable(e.to_string()));
                }
            }
        };
        self.window.truncate(len + n);
        self.read += n as u64;
        self.eof = n == 0;
        Ok(n > 0)
    }

    /// The next byte that is not whitespace (not consumed), or `None` at the end.
    fn next_byte(&mut self) -> Result<Option<u8>, Damage> {
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
    fn open_array(&mut self) -> Result<(), Damage> {
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
                    .ok_or(Damage::NoRecords)?;
                let bracket = key + memchr::memchr(b'[', &head[key..]).unwrap_or(0);
                self.at += bracket;
            }
            Some(_) => return Err(not_a_log(&self.window[self.at..])),
            None => return Err(Damage::Empty),
        }
        self.at += 1;
        Ok(())
    }

    /// The record opening at `at`, read until it is whole: its bounds in the window.
    fn record(&mut self) -> Result<(usize, usize), Damage> {
        let too_long = || Damage::RecordTooLong {
            mib: LARGEST_RECORD >> 20,
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
                return Err(Damage::JsonTruncated);
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
        })
        .map_err(|damage| damage.to_string())?;
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
        let said = |head: &[u8]| not_a_log(head).to_string();
        assert!(said(b"BZh91AY&SY").contains("bzip2"));
        assert!(said(b"PK\x03\x04\x14\x00").contains("zip archive"));
        assert!(said(b"\x00\x00\x00").contains("neither gzip nor JSON (first bytes 00 00 00)"));
        assert!(
            records(b"\x00\x00")
                .unwrap_err()
                .contains("neither gzip nor JSON")
        );
    }
}
