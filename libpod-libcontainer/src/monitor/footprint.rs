//! The monitor's memory once the container is made: it keeps only what its loop uses.
//!
//! The create runs libcontainer's whole setup (the spec parsed, the seccomp filter compiled,
//! the clone), so the monitor's resident set after it holds pages of code and heap that the
//! loop, which copies output and waits for the exit for the container's whole life, never
//! touches again. A monitor runs per container, so that is paid per container: the loop
//! sheds them once, when the container has run for a while (`Relay::shed_after`: a short
//! one, a `run --rm`, would only pay the faults that bring the exit's code back):
//!
//! - the free heap goes back to the system (`malloc_trim`, glibc);
//! - the read-only file mappings (the code and constants of the monitor's program and of
//!   its libraries) that never were writable and hold no private copy of a page, resident
//!   or swapped out, are dropped from its page tables
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
        // SAFETY: the range is a whole private mapping of a file that is not and never was
        // writable and holds no private copy of a page, resident or swapped out (checked in
        // `clean_read_only_ranges`; this process is single-threaded, so nothing changes it
        // meanwhile): every page is the file's, so dropping them loses nothing, and the next
        // touch maps them in again.
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

/// The `(start, length)` of each private mapping of a file without write permission that
/// holds no private copy of any of its pages, read from `/proc/self/smaps`'s text `smaps`: no
/// page resident as a private copy (`Anonymous: 0`), none swapped out (`Swap: 0`: a private
/// copy pushed out to swap is counted there, not as anonymous), and never writable (no `ac`
/// in its `VmFlags`: the kernel accounts every private mapping that was writable, such as the
/// loader's relocated constants made read-only after, RELRO, and keeps the flag). A mapping
/// whose record lacks any of these lines is not chosen.
fn clean_read_only_ranges(smaps: &str) -> Vec<(usize, usize)> {
    /// A mapping being read that qualifies so far, and what its record said.
    struct Candidate {
        range: (usize, usize),
        no_private_pages: bool,
        none_swapped: bool,
    }
    let mut ranges = Vec::new();
    let mut current: Option<Candidate> = None;
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
            current = wanted.then_some(Candidate {
                range: (start, end - start),
                no_private_pages: false,
                none_swapped: false,
            });
            continue;
        }
        let Some(candidate) = current.as_mut() else {
            continue;
        };
        match first {
            "Anonymous:" => candidate.no_private_pages = fields.next() == Some("0"),
            "Swap:" => candidate.none_swapped = fields.next() == Some("0"),
            "VmFlags:" => {
                let never_writable = !fields.any(|flag| flag == "ac");
                if let Some(candidate) = current.take()
                    && candidate.no_private_pages
                    && candidate.none_swapped
                    && never_writable
                {
                    ranges.push(candidate.range);
                }
            }
            _ => {}
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_clean_private_read_only_file_mappings_are_chosen() {
        let record = |header: &str, anon: u32, swap: u32, flags: &str| {
            format!(
                "{header}\nRss: 400 kB\nAnonymous: {anon} kB\nSwap: {swap} kB\nVmFlags: {flags}\n"
            )
        };
        let smaps = [
            record(
                "55d0c0a00000-55d0c0b00000 r--p 00000000 fe:01 1234 /usr/bin/mon",
                0,
                0,
                "rd mr mw me",
            ),
            record(
                "55d0c0b00000-55d0c0f00000 r-xp 00100000 fe:01 1234 /usr/bin/mon",
                0,
                0,
                "rd ex mr mw me",
            ),
            // RELRO: relocated, then made read-only.
            record(
                "55d0c0f00000-55d0c0f80000 r--p 00500000 fe:01 1234 /usr/bin/mon",
                512,
                0,
                "rd mr mw me ac",
            ),
            // The same, its private pages all swapped out.
            record(
                "55d0c0f80000-55d0c0f90000 r--p 00580000 fe:01 1234 /usr/bin/mon",
                0,
                64,
                "rd mr mw me ac",
            ),
            // The same, once written but no longer: the flag alone keeps it.
            record(
                "55d0c0f90000-55d0c0fa0000 r--p 00590000 fe:01 1234 /usr/bin/mon",
                0,
                0,
                "rd mr mw me ac",
            ),
            record(
                "55d0c0fa0000-55d0c1000000 rw-p 005a0000 fe:01 1234 /usr/bin/mon",
                4,
                0,
                "rd wr mr mw me ac",
            ),
            record(
                "55d0c1000000-55d0c1001000 r--s 00000000 fe:01 1234 /usr/bin/mon",
                0,
                0,
                "rd sh mr mw me",
            ),
            record(
                "7f0000000000-7f0000100000 r-xp 00000000 fe:01 99 /usr/lib/libc.so.6",
                0,
                0,
                "rd ex mr mw me",
            ),
            // Swapped private pages without the flag (not seen in practice): still kept.
            record(
                "7f0000100000-7f0000110000 r--p 00100000 fe:01 99 /usr/lib/libc.so.6",
                0,
                8,
                "rd mr mw me",
            ),
            record(
                "7f0000200000-7f0000300000 r--p 00000000 00:00 0",
                0,
                0,
                "rd mr mw me",
            ),
            record(
                "7f0000400000-7f0000401000 r-xp 00000000 00:00 0 [vdso]",
                0,
                0,
                "rd ex mr mw me de",
            ),
            record(
                "7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0 [stack]",
                132,
                0,
                "rd wr mr mw me gd ac",
            ),
        ]
        .concat();
        // A record cut before its flags is not chosen.
        let cut = format!(
            "{smaps}7f0000500000-7f0000510000 r-xp 00000000 fe:01 99 /usr/lib/libm.so.6\nAnonymous: 0 kB\n"
        );
        assert_eq!(
            clean_read_only_ranges(&cut),
            [
                (0x55d0c0a00000, 0x100000),
                (0x55d0c0b00000, 0x400000),
                (0x7f0000000000, 0x100000)
            ]
        );
    }

    #[test]
    fn shedding_gives_back_resident_code_and_keeps_this_process_running() {
        let resident = || -> u64 {
            // The resident file-backed kilobytes of the whole process.
            std::fs::read_to_string("/proc/self/status")
                .unwrap()
                .lines()
                .find_map(|l| l.strip_prefix("RssFile:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
                .unwrap()
        };
        let before = resident();
        shed_create_pages();
        let after = resident();
        // Code and constants come back on their next touch; far fewer than were resident.
        assert_eq!(format!("{}", 40 + 2), "42");
        assert!(
            after < before,
            "resident file pages {before} kB, then {after} kB"
        );
    }
}
