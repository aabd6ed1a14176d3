//! Fuzzes the mountinfo parser: no input may panic; every entry has an absolute mount point
//! and a filesystem type; and an entry's mount point, escaped as the kernel escapes it and
//! written back into a line, parses to itself.
//!
//! Input: the bytes, as a whole mountinfo text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_storage::mountinfo::{MAX_LINE, parse, parse_line};
use std::os::unix::ffi::OsStrExt;

/// The kernel's escaping of a mount point (show_mountinfo: space, tab, newline, backslash).
fn escape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    for &b in raw {
        match b {
            b' ' | b'\t' | b'\n' | b'\\' => out.extend(format!("\\{b:03o}").bytes()),
            _ => out.push(b),
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    for entry in parse(data).flatten() {
        let point = entry.mount_point.as_os_str().as_bytes();
        assert_eq!(point.first(), Some(&b'/'));
        assert!(!entry.fs_type.is_empty());
        let mut line = b"1 2 0:1 / ".to_vec();
        line.extend(escape(point));
        line.extend(b" rw - tmpfs tmpfs rw");
        if line.len() <= MAX_LINE {
            let again = parse_line(&line).expect("an escaped mount point parses");
            assert_eq!(again.mount_point, entry.mount_point);
        }
    }
});
