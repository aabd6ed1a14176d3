//! Just enough HTTP/1.1 for the token server and the fault proxy: reading a message head,
//! finding a header, decoding a query string.

use std::io::{self, Read};

/// The most a message head may take; registries and clients send far less.
const MAX_HEAD: usize = 64 * 1024;

/// A request or response head: the start line and the headers, plus the raw bytes read so
/// far (the head and whatever followed it in the same reads).
#[derive(Debug)]
pub(crate) struct Head {
    /// `GET /v2/ HTTP/1.1` or `HTTP/1.1 200 OK`.
    pub start_line: String,
    /// The headers in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// Bytes read past the head (the start of the body).
    pub rest: Vec<u8>,
}

impl Head {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Replaces the headers named `name` (case-insensitive) with one `name: value`.
    pub fn set(&mut self, name: &str, value: &str) {
        self.headers
            .retain(|(key, _)| !key.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
    }

    /// The head serialized again, with `name` replaced by (or set to) `value`.
    pub fn to_bytes_with(&self, name: &str, value: &str) -> Vec<u8> {
        let mut out = format!("{}\r\n", self.start_line);
        for (key, val) in &self.headers {
            if !key.eq_ignore_ascii_case(name) {
                out.push_str(&format!("{key}: {val}\r\n"));
            }
        }
        out.push_str(&format!("{name}: {value}\r\n\r\n"));
        out.into_bytes()
    }
}

/// Reads a message head from `reader`. `Ok(None)` when the peer closed before sending a byte.
pub(crate) fn read_head(reader: &mut impl Read) -> io::Result<Option<Head>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "HTTP head too long",
            ));
        }
        let n = reader.read(&mut chunk)?;
        if n == 0 {
            if buf.is_empty() {
                return Ok(None);
            }
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "HTTP head cut short",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let text = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = text.split("\r\n");
    let start_line = lines.next().unwrap_or_default().to_string();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_string(), value.trim().to_string()))
        .collect();
    Ok(Some(Head {
        start_line,
        headers,
        rest: buf[end + 4..].to_vec(),
    }))
}

/// Decodes `%XX` escapes and `+` (as a space) in a query-string component.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match (hex_value(bytes[i + 1]), hex_value(bytes[i + 2])) {
                    (Some(high), Some(low)) => {
                        out.push(high << 4 | low);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|v| u8::try_from(v).ok())
}

/// The `(key, value)` pairs of a query string, decoded, in order (keys may repeat: `scope`).
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_scope_query() {
        let pairs = query_pairs("service=reg&scope=repository%3Afoo%2Fbar%3Apull%2Cpush&scope=x+y");
        assert_eq!(
            pairs,
            [
                ("service".to_string(), "reg".to_string()),
                (
                    "scope".to_string(),
                    "repository:foo/bar:pull,push".to_string()
                ),
                ("scope".to_string(), "x y".to_string()),
            ]
        );
        assert_eq!(percent_decode("50%"), "50%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }

    #[test]
    fn reads_head_and_keeps_the_body_start() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        let head = read_head(&mut &raw[..]).unwrap().unwrap();
        assert_eq!(head.start_line, "HTTP/1.1 200 OK");
        assert_eq!(head.header("content-length"), Some("5"));
        assert_eq!(head.rest, b"hello");
        assert!(read_head(&mut &b""[..]).unwrap().is_none());
    }
}
