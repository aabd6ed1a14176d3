//! OCI archives: a tar of an OCI image layout.
//!
//! Reading unpacks the archive into a private directory accepting only regular files and
//! directories at plain relative paths: an archive is untrusted, and a link or device in it
//! could otherwise make the layout reader reach outside. Writing produces a deterministic tar
//! (sorted entries, owner 0:0, mtime 0, modes 0644/0755), as reproducible as the layout is.

use super::{ImageSource, OciLayout, ResolvedManifest};
use crate::digest::Digest;
use crate::error::{Result, StorageError};
use crate::manifest::Platform;
use libpod_fs::{Durability, Root, TempFile};
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

/// An OCI archive opened for reading: unpacked (regular files and directories only) into a
/// private temporary directory, read as a layout, removed on drop.
#[derive(Debug)]
pub struct OciArchive {
    // Declared first so that its descriptors close before the directory is removed.
    layout: OciLayout,
    _unpacked: UnpackedDir,
}

impl OciArchive {
    /// Unpacks `file` into a temporary directory under `tmp_dir` and opens the image `tag` in it.
    ///
    /// `file` is a tar (as skopeo and Podman write), or a gzip-compressed tar.
    pub fn open(
        file: &Path,
        tmp_dir: &Path,
        tag: Option<&str>,
        platform: &Platform,
    ) -> Result<Self> {
        let unpacked = UnpackedDir::create(tmp_dir)?;
        unpack(file, &unpacked.path, None)?;
        let layout = OciLayout::open(&unpacked.path, tag, platform)
            .map_err(|err| name_archive(err, file, &unpacked.path))?;
        Ok(OciArchive {
            layout,
            _unpacked: unpacked,
        })
    }
}

impl OciArchive {
    /// The chosen image's `org.opencontainers.image.ref.name` annotation, if it has one.
    pub fn ref_name(&self) -> Option<&str> {
        self.layout.ref_name()
    }
}

impl ImageSource for OciArchive {
    fn manifest(&self) -> Result<ResolvedManifest> {
        self.layout.manifest()
    }

    fn blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send>> {
        self.layout.blob(digest)
    }
}

/// A directory of ours, removed with everything in it on drop.
#[derive(Debug)]
pub(super) struct UnpackedDir {
    pub(super) path: PathBuf,
}

impl UnpackedDir {
    pub(super) fn create(tmp_dir: &Path) -> Result<Self> {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let mut builder = fs::DirBuilder::new();
        builder.mode(0o700);
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let path = tmp_dir.join(format!("oci-archive-{}-{n}-{nanos}", std::process::id()));
            match builder.create(&path) {
                Ok(()) => return Ok(UnpackedDir { path }),
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(err) => return Err(StorageError::io("create", path, err)),
            }
        }
        Err(StorageError::io(
            "create",
            tmp_dir,
            io::Error::new(
                io::ErrorKind::AlreadyExists,
                "no free temporary directory name",
            ),
        ))
    }
}

impl Drop for UnpackedDir {
    fn drop(&mut self) {
        // remove_dir_all does not follow symlinks (and unpacking creates none).
        if let Err(err) = fs::remove_dir_all(&self.path) {
            tracing::warn!(dir = %self.path.display(), %err, "could not remove unpacked archive");
        }
    }
}

/// Errors about files in the unpacked directory are about the archive: the directory is gone
/// by the time anyone reads the message.
pub(super) fn name_archive(err: StorageError, file: &Path, unpacked: &Path) -> StorageError {
    let inside = |path: &Path| {
        path.strip_prefix(unpacked)
            .map(|rel| rel.display().to_string())
            .ok()
    };
    match err {
        StorageError::InvalidLayout { reason, .. } => refuse(file, reason),
        StorageError::Json { what, path, source } => refuse(
            file,
            format!(
                "malformed {what} {}: {source}",
                inside(&path).unwrap_or_default()
            ),
        ),
        StorageError::Io { op, path, source } => match inside(&path) {
            Some(rel) => refuse(file, format!("{op} {rel}: {source}")),
            None => StorageError::Io { op, path, source },
        },
        err => err,
    }
}

pub(super) fn refuse(file: &Path, reason: String) -> StorageError {
    StorageError::InvalidLayout {
        path: file.to_path_buf(),
        reason,
    }
}

/// The tar stream of `file`: as it is, or decompressed when it is gzip- or zstd-compressed.
pub(super) fn tar_stream(file: &Path) -> Result<Box<dyn Read>> {
    let opened = File::open(file).map_err(|err| StorageError::io("open", file, err))?;
    let mut reader = BufReader::new(opened);
    let magic = reader
        .fill_buf()
        .map_err(|err| StorageError::io("read", file, err))?;
    Ok(if magic.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(reader))
    } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(
            zstd::stream::read::Decoder::with_buffer(reader)
                .map_err(|err| StorageError::io("read", file, err))?,
        )
    } else {
        Box::new(reader)
    })
}

/// Unpacks the untrusted archive `file` (a tar: plain, gzip or zstd) into the empty directory
/// `dest`, as OCI archives are: regular files and directories at plain relative paths only,
/// each created once (files 0644, directories 0755, beneath a `dest` the caller keeps
/// private); anything else is an [`InvalidLayout`](StorageError::InvalidLayout) naming the
/// archive and the entry. Nothing it creates can lead a later read outside `dest`.
///
/// ```no_run
/// libpod_storage::transport::unpack_archive("/tmp/ctr.tar.zst".as_ref(), "/tmp/unpacked".as_ref())?;
/// # Ok::<(), libpod_storage::StorageError>(())
/// ```
pub fn unpack_archive(file: &Path, dest: &Path) -> Result<()> {
    unpack(file, dest, None)
}

/// Unpacks the archive `file` into the empty directory `dest`. Symbolic links are refused,
/// unless `links` is given: then none is created, each is recorded there as (its path, its
/// target as written) for the caller to resolve inside the archive.
pub(super) fn unpack(
    file: &Path,
    dest: &Path,
    mut links: Option<&mut Vec<(PathBuf, String)>>,
) -> Result<()> {
    let mut archive = tar::Archive::new(tar_stream(file)?);
    let read_error = |err: io::Error| refuse(file, format!("not a readable tar archive: {err}"));
    for entry in archive.entries().map_err(read_error)? {
        let mut entry = entry.map_err(read_error)?;
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        let Some(rel) = safe_relative_path(&raw_path) else {
            return Err(refuse(
                file,
                format!("entry {raw_path:?} is not a plain relative path"),
            ));
        };
        let target = dest.join(&rel);
        if kind.is_dir() {
            if !rel.as_os_str().is_empty() {
                create_dirs(dest, &rel, file)?;
            }
        } else if kind.is_file() || kind == tar::EntryType::Continuous {
            if rel.as_os_str().is_empty() {
                return Err(refuse(
                    file,
                    format!("entry {raw_path:?} names the archive root"),
                ));
            }
            if let Some(parent) = rel.parent().filter(|p| !p.as_os_str().is_empty()) {
                create_dirs(dest, parent, file)?;
            }
            // create_new: a second entry for the same file is refused, not merged.
            let mut out = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o644)
                .open(&target)
                .map_err(|err| match err.kind() {
                    io::ErrorKind::AlreadyExists => {
                        refuse(file, format!("entry {raw_path:?} appears twice"))
                    }
                    _ => StorageError::io("create", &target, err),
                })?;
            io::copy(&mut entry, &mut out).map_err(|err| match err.kind() {
                io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData => read_error(err),
                _ => StorageError::io("write", &target, err),
            })?;
        } else if kind == tar::EntryType::XGlobalHeader {
            // pax global headers carry no file.
        } else if let (tar::EntryType::Symlink, Some(links)) = (kind, links.as_deref_mut()) {
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default();
            links.push((rel, target));
        } else {
            return Err(refuse(
                file,
                format!(
                    "entry {raw_path:?} is a {kind:?}: only regular files and directories are allowed"
                ),
            ));
        }
    }
    Ok(())
}

/// `p` as a path of only normal components (`./` prefixes allowed), or `None` for absolute paths,
/// `..`, and anything a layout never contains.
pub(super) fn safe_relative_path(p: &str) -> Option<PathBuf> {
    if p.starts_with('/') || p.contains('\0') {
        return None;
    }
    let mut rel = PathBuf::new();
    for component in Path::new(p).components() {
        match component {
            Component::Normal(name) => rel.push(name),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(rel)
}

/// Creates `rel` and its parents beneath `dest`. Every component is a plain name and unpacking
/// creates no symlinks, so nothing here can leave `dest`.
fn create_dirs(dest: &Path, rel: &Path, file: &Path) -> Result<()> {
    let target = dest.join(rel);
    match fs::symlink_metadata(&target) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(_) => {
            return Err(refuse(
                file,
                format!("{} is both a file and a directory", rel.display()),
            ));
        }
        Err(_) => {}
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(&target)
        .map_err(|err| StorageError::io("create", target, err))
}

/// Writes the layout directory `layout` as an OCI archive at `file` (atomically: a temporary
/// file renamed into place).
pub fn write_oci_archive(layout: &Path, file: &Path) -> Result<()> {
    let parent = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = file.file_name().ok_or_else(|| {
        StorageError::invalid("archive path", file.display().to_string(), "no file name")
    })?;
    let parent = Root::open(parent)?;
    let temp = TempFile::in_root(&parent, name, 0o644)?;
    let mut builder = tar::Builder::new(io::BufWriter::new(temp.file()));
    append_tree(&mut builder, layout, Path::new(""))?;
    let mut out = builder
        .into_inner()
        .map_err(|err| StorageError::io("write", file, err))?;
    out.flush()
        .map_err(|err| StorageError::io("write", file, err))?;
    drop(out);
    Ok(temp.commit(Durability::Full)?)
}

/// Appends the entries beneath `layout/rel`, sorted by name, directories before their contents.
fn append_tree<W: Write>(builder: &mut tar::Builder<W>, layout: &Path, rel: &Path) -> Result<()> {
    let dir = layout.join(rel);
    let mut names: Vec<_> = fs::read_dir(&dir)
        .map_err(|err| StorageError::io("read", &dir, err))?
        .map(|entry| entry.map(|e| e.file_name()))
        .collect::<io::Result<_>>()
        .map_err(|err| StorageError::io("read", &dir, err))?;
    names.sort();
    for name in names {
        let child_rel = rel.join(&name);
        let child = layout.join(&child_rel);
        let meta =
            fs::symlink_metadata(&child).map_err(|err| StorageError::io("stat", &child, err))?;
        let mut header = tar::Header::new_gnu();
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        if meta.is_dir() {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_mode(0o755);
            header.set_size(0);
            let dir_name = format!("{}/", child_rel.display());
            builder
                .append_data(&mut header, dir_name, io::empty())
                .map_err(|err| StorageError::io("write", &child, err))?;
            append_tree(builder, layout, &child_rel)?;
        } else if meta.is_file() {
            let content = fs::OpenOptions::new()
                .read(true)
                .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
                .open(&child)
                .map_err(|err| StorageError::io("open", &child, err))?;
            header.set_entry_type(tar::EntryType::Regular);
            header.set_mode(0o644);
            header.set_size(meta.len());
            // A file that shrank meanwhile fails the write rather than corrupting the archive.
            let content = ExactReader {
                inner: content.take(meta.len()),
                remaining: meta.len(),
            };
            builder
                .append_data(&mut header, &child_rel, content)
                .map_err(|err| StorageError::io("write", &child, err))?;
        } else {
            return Err(StorageError::InvalidLayout {
                path: layout.to_path_buf(),
                reason: format!("{} is not a regular file or directory", child_rel.display()),
            });
        }
    }
    Ok(())
}

/// A reader that fails if it ends before `remaining` bytes (tar headers carry the size first).
struct ExactReader<R> {
    inner: R,
    remaining: u64,
}

impl<R: Read> Read for ExactReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.remaining > 0 && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("file shrank: {} bytes missing", self.remaining),
            ));
        }
        self.remaining = self.remaining.saturating_sub(n as u64);
        Ok(n)
    }
}
