//! The monitor's memory once the container is made: it keeps only what its loop uses.
//!
//! The create runs libcontainer's whole setup (the spec parsed, the seccomp filter compiled,
//! the clone), so the monitor's resident set after it holds pages of code and heap that the
//! loop, which copies output and waits for the exit for the container's whole life, never
//! touches again. A monitor runs per container, so that is paid per container: the loop
//! sheds them once, before it starts:
//!
//! - the free heap goes back to the system (`malloc_trim`, glibc);
//! - the read-only file mappings (the code and constants of the monitor's program and of
//!   its libraries) that hold no private copy of a page are dropped from its page tables
//!   (`MADV_DONTNEED`): every page of such a mapping is the file's own, so the pages the loop does use are mapped again
//!   from the page cache on their next touch (a minor fault each, no disk read while others
//!   run the same program), one page at a time (`MADV_RANDOM`: without it each fault maps
//!   the cached pages around it too, and the loop's few pages of code came back as a
//!   megabyte). Writable mappings (data, heap, stack) and read-only ones with
//!   private copies (the relocated constants that the loader made read-only after writing
//!   them, "RELRO") are left alone: dropping them would lose their contents.
//!
//! `unsafe` is allowed here by name, for those two calls.
#![allow(unsafe_code)]

use nix::sys::mman::{MmapAdvise, madvise};

/// Gives back what the create used and the loop does not (see the module's docs); a failure
/// only leaves the memory in use, so it is logged and ignored.
pub(super) fn shed_create_pages() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim only returns free heap memory to the system; no allocation moves.
    unsafe {
        nix::libc::malloc_trim(0);
    }
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return;
    };
    for (start, len) in clean_read_only_ranges(&smaps) {
        let Some(addr) = std::ptr::NonNull::new(start as *mut std::ffi::c_void) else {
            continue;
        };
        // SAFETY: the range is a whole private, non-writable mapping of a file without a
        // private copy of any page (checked in `clean_read_only_ranges`; no
        // one writes to it, it is not writable): every page is the file's, so dropping them
        // loses nothing, and the next touch maps them in again.
        if let Err(err) = unsafe { madvise(addr, len, MmapAdvise::MADV_DONTNEED) } {
            eprintln!("libcontainer monitor: shedding pages: {err}");
        }
        // SAFETY: as above; `MADV_RANDOM` changes no page, only how the next faults map
        // them: one page each, without the neighbours the kernel would map around it.
        if let Err(err) = unsafe { madvise(addr, len, MmapAdvise::MADV_RANDOM) } {
            eprintln!("libcontainer monitor: shedding pages: {err}");
        }
    }
}

/// The `(start, length)` of each private mapping of a file without write permission and
/// without a private (anonymous) copy of any of its pages, read from `/proc/self/smaps`'s
/// text `smaps`.
fn clean_read_only_ranges(smaps: &str) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    // The mapping being read, while it qualifies so far.
    let mut current: Option<(usize, usize)> = None;
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let Some(first) = fields.next() else {
            continue;
        };
        if let Some((start, end)) = first.split_once('-')
            && let (Ok(start), Ok(end)) = (
                usize::from_str_radix(start, 16),
                usize::from_str_radix(end, 16),
            )
        {
            // A mapping's header: "START-END PERMS OFFSET DEV INODE [PATH]".
            let perms = fields.next().unwrap_or("");
            let path = fields.nth(3);
            // A file's path is absolute; `[vdso]`, `[stack]` and the like are not files.
            let wanted = path.is_some_and(|p| p.starts_with('/'))
                && perms.ends_with('p')
                && !perms.contains('w')
                && end > start;
            current = wanted.then_some((start, end - start));
        } else if first == "Anonymous:"
            && let Some(range) = current.take()
            && fields.next() == Some("0")
        {
            ranges.push(range);
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_clean_private_read_only_file_mappings_are_chosen() {
        let smaps = "\
55d0c0a00000-55d0c0b00000 r--p 00000000 fe:01 1234 /usr/bin/mon
Rss:                 400 kB
Anonymous:             0 kB
55d0c0b00000-55d0c0f00000 r-xp 00100000 fe:01 1234 /usr/bin/mon
Anonymous:             0 kB
55d0c0f00000-55d0c0f80000 r--p 00500000 fe:01 1234 /usr/bin/mon
Anonymous:           512 kB
55d0c0f80000-55d0c1000000 rw-p 00580000 fe:01 1234 /usr/bin/mon
Anonymous:             4 kB
55d0c1000000-55d0c1001000 r--s 00000000 fe:01 1234 /usr/bin/mon
Anonymous:             0 kB
7f0000000000-7f0000100000 r-xp 00000000 fe:01 99 /usr/lib/libc.so.6
Anonymous:             0 kB
7f0000200000-7f0000300000 r--p 00000000 00:00 0
Anonymous:             0 kB
7f0000400000-7f0000401000 r-xp 00000000 00:00 0 [vdso]
Anonymous:             0 kB
7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0 [stack]
Anonymous:           132 kB
";
        assert_eq!(
            clean_read_only_ranges(smaps),
            [
                (0x55d0c0a00000, 0x100000),
                (0x55d0c0b00000, 0x400000),
                (0x7f0000000000, 0x100000)
            ]
        );
    }

    #[test]
    fn shedding_keeps_this_process_running() {
        shed_create_pages();
        // Code and constants come back on their next touch.
        assert_eq!(format!("{}", 40 + 2), "42");
    }
}
