//! Finding where the last N lines of a log start, reading backwards from its end: showing
//! ten lines of a gigabyte log reads a few kilobytes.

use super::join::slot;
use super::reader::MAX_LINE;
use super::record::{Record, parse_record_bytes};
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

const CHUNK: usize = 64 * 1024;

/// The offset from which reading the first `size` bytes of `file` yields (at least) its last
/// `count` lines whole, partial records joined: the start of the earliest record of those
/// lines, or 0 when the file holds fewer.
///
/// Lines are counted as the reader makes them: each `F` record ends one, and the trailing `P`
/// records of a stream that no `F` follows make one more when `count_unfinished` (the file is
/// complete); otherwise (following a log still written) they are not counted, but where they
/// start is included so that the line can be completed. Once `count` lines are found, the
/// scan goes on only as far back as the first parts of those lines. A stream's unfinished
/// last line that lies before all of them is therefore not seen (it would be shown last).
pub(crate) fn tail_start(
    file: &File,
    size: u64,
    count: usize,
    count_unfinished: bool,
) -> io::Result<u64> {
    if count == 0 {
        return Ok(size);
    }
    let mut scan = Scan {
        count_unfinished,
        wanted: count,
        counted: 0,
        open: [false; 2],
        seen: [false; 2],
        start: size,
    };
    let mut chunk = vec![0; CHUNK];
    // The end part of the line being assembled (it continues into the chunks read before).
    let mut line: Vec<u8> = Vec::new();
    let mut overlong = false;
    let mut pos = size;
    while pos > 0 {
        let len = CHUNK.min(usize::try_from(pos).unwrap_or(CHUNK));
        let chunk_start = pos - len as u64;
        if let Err(err) = file.read_exact_at(&mut chunk[..len], chunk_start) {
            // The file shrank under us (conmon truncated it): read it all.
            return if err.kind() == io::ErrorKind::UnexpectedEof {
                Ok(0)
            } else {
                Err(err)
            };
        }
        let mut segment_end = len;
        for at in (0..len).rev().filter(|&at| chunk[at] == b'\n') {
            let head = &chunk[at + 1..segment_end];
            let too_long = overlong || head.len() + line.len() > MAX_LINE;
            if !too_long {
                let mut full = head.to_vec();
                full.extend_from_slice(&line);
                if scan.visit(&full, chunk_start + at as u64 + 1) {
                    return Ok(scan.start);
                }
            }
            line.clear();
            overlong = false;
            segment_end = at;
        }
        if !overlong {
            if segment_end + line.len() > MAX_LINE {
                overlong = true;
                line = Vec::new();
            } else {
                let mut joined = chunk[..segment_end].to_vec();
                joined.extend_from_slice(&line);
                line = joined;
            }
        }
        pos = chunk_start;
    }
    if !overlong {
        scan.visit(&line, 0);
    }
    Ok(if scan.counted >= count { scan.start } else { 0 })
}

/// The backward scan's state.
struct Scan {
    count_unfinished: bool,
    wanted: usize,
    counted: usize,
    /// A counted line of this stream may have earlier parts.
    open: [bool; 2],
    /// A record of this stream was met.
    seen: [bool; 2],
    /// The start of the earliest record of a counted line.
    start: u64,
}

impl Scan {
    /// Takes the line at `offset`; true when the scan can stop.
    fn visit(&mut self, line: &[u8], offset: u64) -> bool {
        let Ok(Record {
            stream, partial, ..
        }) = parse_record_bytes(line)
        else {
            // Skipped by the reader as well.
            return false;
        };
        let s = slot(stream);
        let first_of_stream = !std::mem::replace(&mut self.seen[s], true);
        if !partial {
            if self.counted >= self.wanted {
                // The end of an earlier line: the counted line of this stream is whole.
                self.open[s] = false;
            } else {
                self.counted += 1;
                self.open[s] = true;
                self.start = offset;
            }
        } else if self.open[s] {
            self.start = offset;
        } else if first_of_stream {
            // The stream's last line is unfinished: the reader shows it last, or (following)
            // completes it later.
            if self.count_unfinished {
                self.counted += 1;
            }
            self.open[s] = true;
            self.start = offset;
        }
        self.counted >= self.wanted && !self.open.iter().any(|&open| open)
    }
}

#[cfg(test)]
#[path = "tail_tests.rs"]
mod tests;
