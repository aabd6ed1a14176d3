//! The reference grammar of github.com/distribution/reference (reference.go, regexp.go), matched
//! by hand rather than by regular expression:
//!
//! ```text
//! reference        := name [ ":" tag ] [ "@" digest ]
//! name             := [domain '/'] remote-name
//! domain           := host [':' port-number]
//! host             := domain-name | '[' IPv6 hex digits and colons ']'
//! domain-name      := domain-component ['.' domain-component]*
//! domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
//! remote-name      := path-component ['/' path-component]*
//! path-component   := alpha-numeric [separator alpha-numeric]*
//! alpha-numeric    := /[a-z0-9]+/
//! separator        := /[_.]|__|[-]+/
//! tag              := /[\w][\w.-]{0,127}/
//! digest           := algorithm ':' /[0-9a-fA-F]{32,}/
//! ```
//!
//! Every delimiter (`/`, `:`, `@`) is ASCII, so the splits below always fall on character
//! boundaries. The tests check this matcher against the grammar written as a regular expression.

/// The most characters the name (`domain/path`) may have.
pub(crate) const NAME_TOTAL_LENGTH_MAX: usize = 255;

/// A string split along the grammar, before any normalisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Components<'a> {
    /// The domain, when the first path element is one.
    pub domain: Option<&'a str>,
    /// The remote name (path).
    pub path: &'a str,
    /// The tag, if any.
    pub tag: Option<&'a str>,
    /// The digest (`algorithm:hex`) as written, if any; not yet checked for a supported algorithm.
    pub digest: Option<&'a str>,
}

/// Why a string is not a reference, in distribution's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GrammarError {
    /// The string is empty.
    Empty,
    /// The string does not match the grammar.
    InvalidFormat,
    /// The string would match the grammar if it were lower-case.
    Uppercase,
    /// The name is longer than [`NAME_TOTAL_LENGTH_MAX`].
    NameTooLong,
}

impl GrammarError {
    /// The message distribution uses for this error.
    pub(crate) fn reason(self) -> String {
        match self {
            GrammarError::Empty => "repository name must have at least one component".into(),
            GrammarError::InvalidFormat => "invalid reference format".into(),
            GrammarError::Uppercase => "repository name must be lowercase".into(),
            GrammarError::NameTooLong => {
                format!("repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters")
            }
        }
    }
}

/// Splits `s` along the grammar (distribution's `Parse`, without its digest algorithm check).
pub(crate) fn parse(s: &str) -> Result<Components<'_>, GrammarError> {
    if s.is_empty() {
        return Err(GrammarError::Empty);
    }
    let Some(components) = split(s) else {
        let lower = s.to_lowercase();
        if lower != s && split(&lower).is_some() {
            return Err(GrammarError::Uppercase);
        }
        return Err(GrammarError::InvalidFormat);
    };
    let name_len = components.domain.map_or(0, |d| d.len() + 1) + components.path.len();
    if name_len > NAME_TOTAL_LENGTH_MAX {
        return Err(GrammarError::NameTooLong);
    }
    Ok(components)
}

/// The grammar match itself: `None` when `s` is not a reference.
pub(crate) fn split(s: &str) -> Option<Components<'_>> {
    // Neither the name nor the tag can contain '@', so the first one starts the digest.
    let (name_and_tag, digest) = match s.split_once('@') {
        Some((name_and_tag, digest)) => (name_and_tag, Some(digest)),
        None => (s, None),
    };
    if digest.is_some_and(|d| !is_digest(d)) {
        return None;
    }
    // A ':' inside the name only ever introduces a port, which a '/' follows; so the last ':'
    // with no '/' after it can only be the tag separator.
    let (name, tag) = match name_and_tag.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, Some(tag)),
        _ => (name_and_tag, None),
    };
    if tag.is_some_and(|t| !is_tag(t)) {
        return None;
    }
    let (domain, path) = split_name(name)?;
    Some(Components {
        domain,
        path,
        tag,
        digest,
    })
}

/// Splits a name into its domain (when the first element is one) and path. As in the regular
/// expression, a first element that can be a domain is one.
pub(crate) fn split_name(name: &str) -> Option<(Option<&str>, &str)> {
    if let Some((first, rest)) = name.split_once('/')
        && is_domain_and_port(first)
        && is_remote_name(rest)
    {
        return Some((Some(first), rest));
    }
    is_remote_name(name).then_some((None, name))
}

/// `host[:port]`: a domain name, or an IPv6 address in brackets, with an optional port.
pub(crate) fn is_domain_and_port(s: &str) -> bool {
    let (host_ok, port) = if let Some(inside_and_rest) = s.strip_prefix('[') {
        let Some((inside, after)) = inside_and_rest.split_once(']') else {
            return false;
        };
        let inside_ok =
            !inside.is_empty() && inside.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
        match after.strip_prefix(':') {
            Some(port) => (inside_ok, Some(port)),
            None => (inside_ok && after.is_empty(), None),
        }
    } else {
        match s.split_once(':') {
            Some((host, port)) => (is_domain_name(host), Some(port)),
            None => (is_domain_name(s), None),
        }
    };
    host_ok && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Dot-separated domain components.
fn is_domain_name(s: &str) -> bool {
    s.split('.').all(is_domain_component)
}

/// Letters, digits and inner hyphens.
fn is_domain_component(s: &str) -> bool {
    let bytes = s.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

/// Slash-separated path components.
pub(crate) fn is_remote_name(s: &str) -> bool {
    s.split('/').all(is_path_component)
}

/// Runs of lower-case letters and digits joined by one `.`, one or two `_`, or any number of `-`.
fn is_path_component(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    loop {
        let run_start = i;
        while i < bytes.len() && (bytes[i].is_ascii_lowercase() || bytes[i].is_ascii_digit()) {
            i += 1;
        }
        if i == run_start {
            return false;
        }
        if i == bytes.len() {
            return true;
        }
        match bytes[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if bytes.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            b'-' => {
                while bytes.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
}

/// `[\w][\w.-]{0,127}`, with `\w` the ASCII word characters.
pub(crate) fn is_tag(s: &str) -> bool {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = s.as_bytes();
    (1..=128).contains(&bytes.len())
        && is_word(bytes[0])
        && bytes[1..]
            .iter()
            .all(|&b| is_word(b) || b == b'.' || b == b'-')
}

/// `algorithm:hex` with at least 32 hex digits; the algorithm is letter-led components joined
/// by one of `-_+.`.
fn is_digest(s: &str) -> bool {
    let Some((algorithm, hex)) = s.split_once(':') else {
        return false;
    };
    let algorithm_ok = algorithm.split(['-', '_', '+', '.']).all(|component| {
        let bytes = component.as_bytes();
        bytes.first().is_some_and(u8::is_ascii_alphabetic)
            && bytes.iter().all(u8::is_ascii_alphanumeric)
    });
    algorithm_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `s` is 64 lower-case hex digits: an image ID, which distribution refuses as a name.
pub(crate) fn is_identifier(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
#[path = "grammar_tests.rs"]
mod tests;
