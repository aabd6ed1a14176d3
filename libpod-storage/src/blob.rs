//! The content-addressed blob store: `blobs/sha256/<hex>`.
//!
//! Blobs are written into an operation's staging directory first (hashed while written,
//! fsync'ed) and renamed into the store only when the operation commits, so the store never
//! holds a partial or unverified blob.

use crate::digest::{Digest, HashingWriter};
use crate::error::{Result, StorageError};
use crate::fsutil::{random_name, sync_dir};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The blobs of a store.
#[derive(Debug)]
pub struct BlobStore {
    dir: PathBuf,
}

/// A blob written and verified in a staging directory, waiting to be committed.
#[derive(Debug)]
pub(crate) struct StagedBlob {
    pub digest: Digest,
    pub size: u64,
    pub path: PathBuf,
}

impl BlobStore {
    pub(crate) fn new(dir: PathBuf) -> Self {
        BlobStore { dir }
    }

    /// Where the blob with `digest` is (or would be) stored.
    pub fn path(&self, digest: &Digest) -> PathBuf {
        self.dir.join("sha256").join(digest.hex())
    }

    /// Whether the blob is in the store.
    pub fn contains(&self, digest: &Digest) -> bool {
        self.path(digest).is_file()
    }

    /// Opens a stored blob.
    pub fn open(&self, digest: &Digest) -> Result<File> {
        let path = self.path(digest);
        File::open(&path).map_err(|e| StorageError::io("open blob", path, e))
    }

    /// Reads a whole stored blob of at most `limit` bytes, verifying its digest.
    pub fn read(&self, digest: &Digest, limit: u64) -> Result<Vec<u8>> {
        let path = self.path(digest);
        let mut data = Vec::new();
        self.open(digest)?
            .take(limit + 1)
            .read_to_end(&mut data)
            .map_err(|e| StorageError::io("read blob", &path, e))?;
        if data.len() as u64 > limit {
            return Err(StorageError::invalid(
                "blob",
                digest.to_string(),
                format!("larger than {limit} bytes"),
            ));
        }
        let actual = Digest::of(&data);
        if &actual != digest {
            return Err(StorageError::DigestMismatch {
                what: "stored blob",
                expected: digest.to_string(),
                actual: actual.to_string(),
            });
        }
        Ok(data)
    }

    /// Every blob in the store.
    pub fn list(&self) -> Result<Vec<Digest>> {
        let dir = self.dir.join("sha256");
        let entries =
            fs::read_dir(&dir).map_err(|e| StorageError::io("read directory", &dir, e))?;
        Ok(entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                format!("sha256:{}", e.file_name().to_string_lossy())
                    .parse()
                    .ok()
            })
            .collect())
    }

    /// Writes `content` into `staging`, verifying it against `expected` when given.
    pub(crate) fn stage(
        staging: &Path,
        expected: Option<&Digest>,
        content: impl Read,
    ) -> Result<StagedBlob> {
        let mut writer = BlobWriter::create(staging)?;
        let path = writer.path.clone();
        io::copy(&mut { content }, &mut writer)
            .map_err(|e| StorageError::io("write blob", &path, e))?;
        writer.finish(expected)
    }

    /// Moves a staged blob into the store (a blob already there is kept). Call under the
    /// store's writer lock, as part of a commit.
    pub(crate) fn commit(&self, staged: &StagedBlob) -> Result<()> {
        let dest = self.path(&staged.digest);
        if dest.exists() {
            return Ok(());
        }
        fs::rename(&staged.path, &dest).map_err(|e| StorageError::io("rename", &dest, e))?;
        sync_dir(&self.dir.join("sha256"))
    }

    /// Deletes a blob; a missing one is fine.
    pub(crate) fn remove(&self, digest: &Digest) -> Result<()> {
        let path = self.path(digest);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(StorageError::io("remove", path, e))
            }
            _ => Ok(()),
        }
    }
}

/// A blob being written into a staging directory, hashed as it goes.
pub(crate) struct BlobWriter {
    inner: HashingWriter<File>,
    path: PathBuf,
}

impl BlobWriter {
    pub fn create(staging: &Path) -> Result<Self> {
        let path = staging.join(format!("blob-{}", random_name(12)));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| StorageError::io("create", &path, e))?;
        Ok(BlobWriter {
            inner: HashingWriter::new(file),
            path,
        })
    }

    /// Flushes and fsyncs, and checks the digest against `expected` when given.
    pub fn finish(self, expected: Option<&Digest>) -> Result<StagedBlob> {
        let digest = self.inner.digest();
        let size = self.inner.byte_count();
        let file = self.inner.into_inner();
        file.sync_all()
            .map_err(|e| StorageError::io("fsync", &self.path, e))?;
        if let Some(expected) = expected
            && expected != &digest
        {
            let _ = fs::remove_file(&self.path);
            return Err(StorageError::DigestMismatch {
                what: "blob",
                expected: expected.to_string(),
                actual: digest.to_string(),
            });
        }
        Ok(StagedBlob {
            digest,
            size,
            path: self.path,
        })
    }
}

impl Write for BlobWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that copies everything it reads into a [`BlobWriter`]: a layer blob is stored
/// while it is unpacked, in one pass.
pub(crate) struct TeeReader<R> {
    pub inner: R,
    pub writer: BlobWriter,
}

impl<R: Read> Read for TeeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.writer.write_all(&buf[..n])?;
        Ok(n)
    }
}
