//! `WWW-Authenticate` challenges (RFC 7235), as registries send them on 401:
//! `Bearer realm="https://auth.example.com/token",service="registry",scope="repository:a/b:pull"`.
//!
//! The parser is lenient where registries are sloppy (spaces around `=`, unquoted values, a
//! trailing comma) and never panics on any input: a header it cannot read gives no challenge.
//!
//! ```
//! use libpod_storage::registry::parse_challenges;
//! let header = r#"Bearer realm="https://auth.example.com/token",service="registry.example.com""#;
//! let challenges = parse_challenges(header);
//! assert_eq!(challenges[0].scheme, "bearer");
//! assert_eq!(challenges[0].param("realm"), Some("https://auth.example.com/token"));
//! assert_eq!(challenges[0].param("Service"), Some("registry.example.com"));
//! ```

use std::collections::BTreeMap;

/// The longest header we look at; registries send a few hundred bytes.
const MAX_HEADER: usize = 16 << 10;

/// One authentication challenge: a scheme and its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme, lowercased (`basic`, `bearer`).
    pub scheme: String,
    /// The parameters, names lowercased.
    pub params: BTreeMap<String, String>,
}

impl Challenge {
    /// A parameter by name, case-insensitively.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// Parses every challenge in a `WWW-Authenticate` header value.
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    if header.len() > MAX_HEADER {
        return Vec::new();
    }
    let mut parser = Parser {
        rest: header.as_bytes(),
    };
    let mut challenges: Vec<Challenge> = Vec::new();
    loop {
        parser.skip(|c| c == b' ' || c == b'\t' || c == b',');
        let token = parser.token();
        if token.is_empty() {
            break;
        }
        parser.skip(|c| c == b' ' || c == b'\t');
        if parser.peek() == Some(b'=') {
            // `name=value` after a scheme: a parameter of the current challenge.
            parser.rest = &parser.rest[1..];
            parser.skip(|c| c == b' ' || c == b'\t');
            let value = parser.value();
            let Some(current) = challenges.last_mut() else {
                return Vec::new();
            };
            current.params.insert(token.to_ascii_lowercase(), value);
        } else {
            challenges.push(Challenge {
                scheme: token.to_ascii_lowercase(),
                params: BTreeMap::new(),
            });
        }
    }
    challenges
}

struct Parser<'a> {
    rest: &'a [u8],
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn skip(&mut self, what: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&what) {
            self.rest = &self.rest[1..];
        }
    }

    /// An RFC 7230 token (scheme or parameter name).
    fn token(&mut self) -> String {
        let len = self
            .rest
            .iter()
            .take_while(|&&c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c))
            .count();
        let token = String::from_utf8_lossy(&self.rest[..len]).into_owned();
        self.rest = &self.rest[len..];
        token
    }

    /// A quoted string (with backslash escapes) or a bare token up to the next comma.
    fn value(&mut self) -> String {
        if self.peek() != Some(b'"') {
            let len = self
                .rest
                .iter()
                .take_while(|&&c| c != b',' && c != b' ' && c != b'\t')
                .count();
            let value = String::from_utf8_lossy(&self.rest[..len]).into_owned();
            self.rest = &self.rest[len..];
            return value;
        }
        let mut value = Vec::new();
        let mut i = 1;
        while i < self.rest.len() {
            match self.rest[i] {
                b'\\' if i + 1 < self.rest.len() => {
                    value.push(self.rest[i + 1]);
                    i += 2;
                }
                b'"' => {
                    i += 1;
                    break;
                }
                c => {
                    value.push(c);
                    i += 1;
                }
            }
        }
        self.rest = &self.rest[i.min(self.rest.len())..];
        String::from_utf8_lossy(&value).into_owned()
    }
}

#[cfg(test)]
#[path = "challenge_tests.rs"]
mod tests;
