//! "Does the app answer through the ALB?": one HTTP GET of the ALB's DNS name, its status code and
//! how long it took. Real runs speak plain HTTP/1.1 over a TCP socket (no HTTP client crate for
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
        let result = get_status(url, self.timeout);
        let millis = started.elapsed().as_millis() as u64;
        match result {
            Ok(status) => Probe {
                status: Some(status),
                millis,
                error: None,
            },
            Err(e) => Probe {
                status: None,
                millis,
                error: Some(e.to_string()),
            },
        }
    }
}

fn get_status(url: &str, timeout: Duration) -> std::io::Result<u16> {
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
    let mut head = [0u8; 64];
    let mut read = 0;
    while read < 12 {
        let n = stream.read(&mut head[read..])?;
        if n == 0 {
            break;
        }
        read += n;
    }
    let line = String::from_utf8_lossy(&head[..read]);
    line.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP answer"))
}
