//! PAX extended header records.

use super::tar_reader::{Entry, Timestamp};
use crate::error::{Result, StorageError};

fn malformed(reason: impl Into<String>) -> StorageError {
    StorageError::MalformedLayer {
        reason: reason.into(),
    }
}

/// Parses PAX records (`<length> <key>=<value>\n`).
pub(crate) fn parse_pax(mut data: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let invalid = || malformed("invalid PAX record");
    let mut records = Vec::new();
    while !data.is_empty() {
        let space = data.iter().position(|b| *b == b' ').ok_or_else(invalid)?;
        let length: usize = std::str::from_utf8(&data[..space])
            .ok()
            .and_then(|text| text.parse().ok())
            .filter(|length| *length > space + 1 && *length <= data.len())
            .ok_or_else(invalid)?;
        let record = &data[space + 1..length];
        data = &data[length..];
        let record = record.strip_suffix(b"\n").ok_or_else(invalid)?;
        let equals = record.iter().position(|b| *b == b'=').ok_or_else(invalid)?;
        let key = std::str::from_utf8(&record[..equals]).map_err(|_| invalid())?;
        if key.is_empty() || key.contains('\0') {
            return Err(invalid());
        }
        records.push((key.to_string(), record[equals + 1..].to_vec()));
    }
    Ok(records)
}

/// Applies PAX records to an entry (later records win, as in Go).
pub(crate) fn apply_pax(entry: &mut Entry, records: Vec<(String, Vec<u8>)>) -> Result<()> {
    let number = |key: &str, value: &[u8]| {
        std::str::from_utf8(value)
            .ok()
            .and_then(|text| text.parse::<u64>().ok())
            .ok_or_else(|| malformed(format!("invalid PAX {key} record")))
    };
    for (key, value) in records {
        match key.as_str() {
            "path" | "linkpath" if value.contains(&0) => {
                return Err(malformed(format!("PAX {key} record contains NUL")));
            }
            "path" => entry.path = value,
            "linkpath" => entry.link = value,
            "size" => entry.size = number(&key, &value)?,
            "uid" => entry.uid = number(&key, &value)?,
            "gid" => entry.gid = number(&key, &value)?,
            "mtime" => entry.mtime = pax_time(&value)?,
            "atime" => entry.atime = Some(pax_time(&value)?),
            _ if key.starts_with("GNU.sparse.") => {
                return Err(StorageError::Unsupported {
                    what: "layer entry",
                    reason: format!(
                        "{:?} is a PAX-format sparse file",
                        String::from_utf8_lossy(&entry.path)
                    ),
                });
            }
            _ => {
                if let Some(name) = key.strip_prefix("SCHILY.xattr.") {
                    entry.xattrs.retain(|(existing, _)| existing != name);
                    entry.xattrs.push((name.to_string(), value));
                }
            }
        }
    }
    Ok(())
}

/// A PAX time: decimal seconds, optionally negative, with an optional fraction.
fn pax_time(value: &[u8]) -> Result<Timestamp> {
    let invalid = || malformed("invalid PAX time record");
    let text = std::str::from_utf8(value).map_err(|_| invalid())?;
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(invalid());
    }
    let secs: i64 = whole.parse().map_err(|_| invalid())?;
    let mut nanos: u32 = 0;
    for (place, digit) in (0..9u32).rev().zip(fraction.bytes()) {
        nanos += u32::from(digit - b'0') * 10u32.pow(place);
    }
    Ok(if !negative {
        Timestamp { secs, nanos }
    } else if nanos == 0 {
        Timestamp { secs: -secs, nanos }
    } else {
        Timestamp {
            secs: -secs - 1,
            nanos: 1_000_000_000 - nanos,
        }
    })
}
