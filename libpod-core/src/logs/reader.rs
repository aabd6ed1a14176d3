//! Reading a log file line by line from an offset, tolerating a line still being written.

use super::join::MAX_MESSAGE;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Seek, SeekFrom};

/// The longest line kept: a record's header and a message of [`MAX_MESSAGE`] bytes. conmon's
/// records are far shorter (its read buffer is 8 KiB); longer lines are garbage and skipped.
pub(crate) const MAX_LINE: usize = MAX_MESSAGE + 128;

/// Reads complete lines; an unterminated last line stays buffered until its newline comes.
#[derive(Debug)]
pub(crate) struct LineReader {
    reader: BufReader<File>,
    /// Bytes of the file consumed so far, counting `partial`.
    offset: u64,
    /// The start of a line whose newline has not been read yet.
    partial: Vec<u8>,
    /// The current line is longer than [`MAX_LINE`]: drop it up to its newline.
    overlong: bool,
}

impl LineReader {
    /// Reads `file` from `offset`.
    pub(crate) fn new(file: File, offset: u64) -> io::Result<LineReader> {
        let mut reader = BufReader::with_capacity(64 * 1024, file);
        reader.seek(SeekFrom::Start(offset))?;
        Ok(LineReader {
            reader,
            offset,
            partial: Vec::new(),
            overlong: false,
        })
    }

    /// The next complete line, without its newline; `None` at the end of the file for now.
    /// Lines longer than [`MAX_LINE`] are skipped.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(None);
            }
            let newline = buf.iter().position(|&b| b == b'\n');
            let take = newline.map_or(buf.len(), |at| at + 1);
            if !self.overlong {
                self.partial
                    .extend_from_slice(&buf[..newline.unwrap_or(buf.len())]);
                if self.partial.len() > MAX_LINE {
                    self.partial = Vec::new();
                    self.overlong = true;
                }
            }
            self.reader.consume(take);
            self.offset += take as u64;
            if newline.is_some() {
                if std::mem::take(&mut self.overlong) {
                    tracing::debug!("skipping a log line longer than {MAX_LINE} bytes");
                    continue;
                }
                return Ok(Some(std::mem::take(&mut self.partial)));
            }
        }
    }

    /// The last line when it has no newline (a writer that died mid-line), taken out.
    pub(crate) fn take_unterminated(&mut self) -> Option<Vec<u8>> {
        if self.overlong || self.partial.is_empty() {
            self.overlong = false;
            self.partial.clear();
            return None;
        }
        Some(std::mem::take(&mut self.partial))
    }

    /// Bytes consumed so far (where the next read starts, plus a buffered partial line).
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// Starts over at the beginning of the file (it was truncated).
    pub(crate) fn restart(&mut self) -> io::Result<()> {
        self.reader.seek(SeekFrom::Start(0))?;
        self.offset = 0;
        self.partial.clear();
        self.overlong = false;
        Ok(())
    }

    /// The file being read.
    pub(crate) fn file(&self) -> &File {
        self.reader.get_ref()
    }
}
