//! "Does the app answer through the ALB?": one HTTP GET of the ALB's DNS name, its status code,
//! its response headers (whether Rails or Nginx answered shows there) and how long it took. Real runs speak plain HTTP/1.1 over a TCP socket (no HTTP client crate for
//! one GET); the sandbox answers from its model (nginx's 502 while Unicorn is down).

use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    /// The status code; `None` when no HTTP answer came (refused, timeout).
    pub status: Option<u16>,
    pub millis: u64,
    pub error: Option<String>,
    /// The response headers, names as sent (compare with `header`).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
}

impl Probe {
    /// The value of header `name`, compared without regard to case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub trait HttpProbe: Send + Sync {
    fn get(&self, url: &str) -> Probe;
}

/// A minimal HTTP/1.1 GET (`http://host[:port]/path` only; ALB listeners of the course are HTTP).
pub struct TcpProbe {
    pub timeout: Duration,
}

impl HttpProbe for TcpProbe {
    fn get(&self, url: &str) -> Probe {
        let started = Instant::now();
        let result = get_head(url, self.timeout);
        let millis = started.elapsed().as_millis() as u64;
        match result {
            Ok((status, headers)) => Probe {
                status: Some(status),
                millis,
                error: None,
                headers,
            },
            Err(e) => Probe {
                status: None,
                millis,
                error: Some(e.to_string()),
                headers: Vec::new(),
            },
        }
    }
}

fn get_head(url: &str, timeout: Duration) -> std::io::Result<(u16, Vec<(String, String)>)> {
    let invalid =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, what.to_string());
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| invalid("only http:// URLs can be probed"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let address = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let target = address
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| invalid("the name does not resolve"))?;
    let mut stream = TcpStream::connect_timeout(&target, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: lecture06\r\nConnection: close\r\n\r\n"
    )?;
    // The status line and the headers: up to the blank line, at most 16 KiB.
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
            // A server that closes at once may reset the connection after its answer.
            Err(_) if !head.is_empty() => break,
            Err(e) => return Err(e),
        }
    }
    parse_head(&String::from_utf8_lossy(&head))
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP answer"))
}

/// The status code and headers of an HTTP/1.x response head.
fn parse_head(text: &str) -> Option<(u16, Vec<(String, String)>)> {
    let head = text.split("\r\n\r\n").next().unwrap_or(text);
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .collect();
    Some((status, headers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU16, Ordering};

    /// A local server whose answer can be switched between 200 and 502.
    fn server() -> (String, Arc<AtomicU16>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let status = Arc::new(AtomicU16::new(200));
        let answer = status.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let mut stream = stream.unwrap();
                let mut request = Vec::new();
                let mut buf = [0u8; 256];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let code = answer.load(Ordering::SeqCst);
                let reason = if code == 200 { "OK" } else { "Bad Gateway" };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {code} {reason}\r\nContent-Length: 0\r\nX-Request-Id: 6f1c2b7e-1d0a-4c5e-9a43-0b8e2f6d1a77\r\nConnection: close\r\n\r\n"
                );
            }
        });
        (url, status)
    }

    #[test]
    fn probe_reads_the_status_code() {
        let (url, status) = server();
        let probe = TcpProbe {
            timeout: Duration::from_secs(2),
        };
        let first = probe.get(&url);
        assert_eq!(first.status, Some(200));
        assert_eq!(
            first.header("x-request-id"),
            Some("6f1c2b7e-1d0a-4c5e-9a43-0b8e2f6d1a77")
        );
        assert_eq!(first.header("Content-Length"), Some("0"));
        status.store(502, Ordering::SeqCst);
        assert_eq!(probe.get(&url).status, Some(502));
        status.store(200, Ordering::SeqCst);
        assert_eq!(probe.get(&url).status, Some(200));
    }

    #[test]
    fn a_closed_port_is_no_answer() {
        let probe = TcpProbe {
            timeout: Duration::from_secs(2),
        };
        let result = probe.get("http://127.0.0.1:9/");
        assert_eq!(result.status, None);
        assert!(result.error.is_some());
        assert!(probe.get("https://example.com/").error.is_some());
    }
}
