//! Dockerfile-style words (quotes and backslash escapes) and signal names for `--change`.

/// Splits `s` at unquoted ASCII whitespace, keeping quotes and escapes in the words (so that a
/// word can still be split at its first unquoted `=` before being unquoted).
pub(super) fn split_words(s: &str) -> Result<Vec<&str>, String> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut scanner = Scanner::default();
    for (i, c) in s.char_indices() {
        let quoted = scanner.in_quotes_or_escape();
        scanner.feed(c);
        if c.is_ascii_whitespace() && !quoted {
            if let Some(begin) = start.take() {
                words.push(&s[begin..i]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    scanner.finish(s)?;
    if let Some(begin) = start {
        words.push(&s[begin..]);
    }
    Ok(words)
}

/// A raw word split at its first `=` outside quotes and escapes.
pub(super) fn split_assignment(word: &str) -> Option<(&str, &str)> {
    let mut scanner = Scanner::default();
    for (i, c) in word.char_indices() {
        if c == '=' && !scanner.in_quotes_or_escape() {
            return Some((&word[..i], &word[i + 1..]));
        }
        scanner.feed(c);
    }
    None
}

/// Removes quotes and escapes as a shell does: `'...'` is literal, `"..."` keeps everything but
/// `\"`, `\\`, `\$` and `` \` ``, and outside quotes a backslash takes the next character as is.
pub(super) fn unquote(word: &str) -> Result<String, String> {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (Some('\''), c) => out.push(c),
            (Some(_), '\\') if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                out.extend(chars.next());
            }
            (Some(_), c) => out.push(c),
            (None, '\'' | '"') => quote = Some(c),
            // A trailing backslash has nothing to escape and stays.
            (None, '\\') => out.push(chars.next().unwrap_or('\\')),
            (None, c) => out.push(c),
        }
    }
    match quote {
        Some(q) => Err(format!("unterminated {q} quote in {word:?}")),
        None => Ok(out),
    }
}

/// Tracks quotes and backslash escapes while scanning a word.
#[derive(Default)]
struct Scanner {
    quote: Option<char>,
    escaped: bool,
}

impl Scanner {
    /// Whether the next character is quoted or escaped.
    fn in_quotes_or_escape(&self) -> bool {
        self.quote.is_some() || self.escaped
    }

    fn feed(&mut self, c: char) {
        if self.escaped {
            self.escaped = false;
            return;
        }
        match (self.quote, c) {
            (Some('\''), '\'') | (Some('"'), '"') => self.quote = None,
            (Some('"') | None, '\\') => self.escaped = true,
            (None, '\'' | '"') => self.quote = Some(c),
            _ => {}
        }
    }

    fn finish(&self, s: &str) -> Result<(), String> {
        match self.quote {
            Some(q) => Err(format!("unterminated {q} quote in {s:?}")),
            None => Ok(()),
        }
    }
}

/// Linux signal names without `SIG`, as containers/common's table has them.
const SIGNALS: &[(&str, u8)] = &[
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("ILL", 4),
    ("TRAP", 5),
    ("ABRT", 6),
    ("IOT", 6),
    ("BUS", 7),
    ("FPE", 8),
    ("KILL", 9),
    ("USR1", 10),
    ("SEGV", 11),
    ("USR2", 12),
    ("PIPE", 13),
    ("ALRM", 14),
    ("TERM", 15),
    ("STKFLT", 16),
    ("CHLD", 17),
    ("CLD", 17),
    ("CONT", 18),
    ("STOP", 19),
    ("TSTP", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("URG", 23),
    ("XCPU", 24),
    ("XFSZ", 25),
    ("VTALRM", 26),
    ("PROF", 27),
    ("WINCH", 28),
    ("IO", 29),
    ("POLL", 29),
    ("PWR", 30),
    ("SYS", 31),
    ("UNUSED", 31),
];
const SIGRTMIN: u8 = 34;
const SIGRTMAX: u8 = 64;

/// A signal number (1-64) or name (`SIGQUIT`, `quit`, `RTMIN+3`, `SIGRTMAX-1`), as its number.
pub(super) fn parse_signal(value: &str) -> Result<u8, String> {
    let invalid = || format!("STOPSIGNAL {value:?} is not a signal name or a number from 1 to 64");
    if let Ok(number) = value.parse::<i64>() {
        return u8::try_from(number)
            .ok()
            .filter(|n| (1..=SIGRTMAX).contains(n))
            .ok_or_else(invalid);
    }
    let upper = value.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if let Some(&(_, number)) = SIGNALS.iter().find(|(known, _)| *known == name) {
        return Ok(number);
    }
    // Only the offsets in the table Podman uses: RTMIN..RTMIN+15 and RTMAX-14..RTMAX.
    let offset = |text: &str| {
        let canonical = text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0');
        text.parse::<u8>().ok().filter(|n| canonical && *n <= 15)
    };
    let realtime = match name {
        "RTMIN" => Some(SIGRTMIN),
        "RTMAX" => Some(SIGRTMAX),
        _ => name
            .strip_prefix("RTMIN+")
            .and_then(offset)
            .map(|n| SIGRTMIN + n)
            .or_else(|| {
                name.strip_prefix("RTMAX-")
                    .and_then(offset)
                    .filter(|n| *n <= 14)
                    .map(|n| SIGRTMAX - n)
            }),
    };
    realtime.ok_or_else(invalid)
}
