//! `copy_out` and `copy_in`: files and directories between a container and the host, with
//! `docker cp`'s rules, as Podman's `cp`.
//!
//! The container's side is untrusted: every path in it is resolved with `openat2`
//! (`RESOLVE_IN_ROOT`) from a descriptor of its root, and trees are read and written through
//! directory descriptors without following symlinks (libpod-storage's tar writer and layer
//! applier), so a symlink the container made, or swaps in while the copy runs, cannot lead
//! outside it. A running container is reached through `/proc/PID/root` (its mounts, tmpfs
//! included, as its processes see them); another one through its mounted root filesystem,
//! with a path under a named volume or a bind mount taken from that volume or source.

use super::Container;
use super::copy_tree::{chown_tree, copy_tree, fd_path};
use crate::error::{CoreError, Result};
use crate::record::{ContainerStatus, RootfsSource};
use libpod_fs::{Durability, Policy, Root, TempFile};
use libpod_spec::parse::VolumeMount;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

/// How [`Container::copy_in`] copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct CopyOptions {
    /// Give what is copied in the container's primary uid and gid (Podman's `--archive`,
    /// on by default); else the owners the host files have.
    pub chown: bool,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions { chown: true }
    }
}

impl CopyOptions {
    /// Sets `chown`.
    pub fn chown(mut self, chown: bool) -> Self {
        self.chown = chown;
        self
    }
}

/// What a copy out reads: a directory, or a regular file with its metadata.
enum Source {
    Dir(Root),
    File(fs::File, fs::Metadata),
}

/// A directory of the container (its root, a volume's or a bind mount's source) and the
/// path below it; holds the root filesystem's mount while alive.
struct Located<'c> {
    root: Root,
    rel: PathBuf,
    unmount: Option<&'c Container>,
}

impl Drop for Located<'_> {
    fn drop(&mut self) {
        if let Some(ctr) = self.unmount
            && let Err(err) = ctr.unmount()
        {
            tracing::warn!(container = %ctr.id(), %err, "root filesystem left mounted after a copy");
        }
    }
}

impl Container {
    /// Copies `path` (a file, a symlink or a directory; `DIR/.` for a directory's content)
    /// out of the container to `host_dest`, as `podman cp CTR:PATH DEST`: into `host_dest`
    /// when it is a directory, else as `host_dest` (whose parent must exist). Files get the
    /// caller's uid and gid.
    ///
    /// ```no_run
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let ctr = rt.container("build")?;
    /// ctr.copy_out("/out/report.xml", "/tmp/report.xml".as_ref())?;
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn copy_out(&self, path: &str, host_dest: &Path) -> Result<()> {
        let contents_only = path.ends_with("/.");
        let source = self.locate(path)?;
        let meta = source.lstat().map_err(|e| not_found_in(self, path, e))?;
        // A symlink is followed (inside the container), and the copy named after its
        // target, as Podman 4.3 copies one.
        let mut name = base_name(path).to_string();
        if meta.file_type().is_symlink() {
            let link = source
                .read_link()
                .map_err(|e| not_found_in(self, path, e))?;
            name = base_name(&link.to_string_lossy()).to_string();
        }
        let from = match open_dir(&source.root, &source.rel) {
            Ok(dir) => Source::Dir(dir),
            Err(_) => {
                let file = source
                    .root
                    .open_regular(&source.rel, Policy::InRoot)
                    .map_err(|_| {
                        not_found_in(self, path, io::Error::from_raw_os_error(nix::libc::ENOENT))
                    })?;
                let meta = file
                    .metadata()
                    .map_err(|e| CoreError::io("stat", Path::new(path), e))?;
                Source::File(file, meta)
            }
        };
        let is_dir = matches!(from, Source::Dir(_));
        let target = match fs::symlink_metadata(host_dest) {
            Ok(m) if m.is_dir() && !contents_only => host_dest.join(&name),
            Ok(m) if m.is_dir() => host_dest.to_path_buf(),
            Ok(_) if is_dir => {
                return Err(copy_error(host_dest, "cannot copy a directory to a file"));
            }
            Ok(_) => host_dest.to_path_buf(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if host_dest.as_os_str().to_string_lossy().ends_with('/') {
                    return Err(copy_error(
                        host_dest,
                        "destination directory does not exist",
                    ));
                }
                host_parent_must_exist(host_dest)?;
                host_dest.to_path_buf()
            }
            Err(e) => return Err(CoreError::io("stat", host_dest, e)),
        };
        let (uid, gid) = (
            nix::unistd::geteuid().as_raw(),
            nix::unistd::getegid().as_raw(),
        );
        match from {
            Source::Dir(from) => {
                let mode = fs::metadata(fd_path(&from))
                    .map_err(|e| CoreError::io("stat", Path::new(path), e))?
                    .mode();
                fs::create_dir_all(&target).map_err(|e| CoreError::io("create", &target, e))?;
                fs::set_permissions(&target, fs::Permissions::from_mode(mode & 0o7777))
                    .map_err(|e| CoreError::io("chmod", &target, e))?;
                let to = Root::open(&target)?;
                copy_tree(Path::new(&fd_path(&from)), &fd_path(&to))?;
                chown_tree(&to, uid, gid)?;
            }
            Source::File(mut from, meta) => {
                let parent = target.parent().filter(|p| !p.as_os_str().is_empty());
                let dir = Root::open(parent.unwrap_or(Path::new(".")))?;
                let name = target.file_name().unwrap_or(OsStr::new(""));
                let temp = TempFile::in_root(&dir, name, meta.mode() & 0o7777)?;
                io::copy(&mut from, &mut temp.file())
                    .map_err(|e| CoreError::io("copy to", &target, e))?;
                keep_mtime(temp.file(), &meta, &target)?;
                nix::unistd::fchown(temp.file(), Some(uid.into()), Some(gid.into()))
                    .map_err(|e| CoreError::io("chown", &target, e.into()))?;
                temp.commit(Durability::Volatile)?;
            }
        }
        Ok(())
    }

    /// Copies `host_src` (a file, a symlink or a directory; `DIR/.` for a directory's
    /// content) into the container at `path`, as `podman cp SRC CTR:PATH`: into `path` when
    /// it is a directory, else as `path` (whose parent must exist).
    ///
    /// ```no_run
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// use libpod_core::container::CopyOptions;
    /// let ctr = rt.container("web")?;
    /// ctr.copy_in("site/".as_ref(), "/srv", CopyOptions::default())?;
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn copy_in(&self, host_src: &Path, path: &str, options: CopyOptions) -> Result<()> {
        let contents_only = host_src.as_os_str().to_string_lossy().ends_with("/.");
        // A symlink is followed, and the copy named after its target, as Podman 4.3's.
        let meta = fs::metadata(host_src).map_err(|e| {
            copy_error(
                host_src,
                format!("could not be found on the host: {}", reason(&e)),
            )
        })?;
        let src_name = match fs::read_link(host_src) {
            Ok(link) => base_name(&link.to_string_lossy()).to_string(),
            Err(_) => base_name(&host_src.to_string_lossy()).to_string(),
        };
        let dest = self.locate(path)?;
        let (dir, name) = match open_dir(&dest.root, &dest.rel) {
            Ok(dir) if contents_only => (dir, None),
            Ok(dir) => (dir, Some(src_name)),
            Err(_) => {
                if path.ends_with('/') {
                    return Err(copy_error(
                        Path::new(path),
                        format!(
                            "destination directory does not exist in container {}",
                            self.name()
                        ),
                    ));
                }
                let parent = dest.rel.parent().unwrap_or(Path::new(""));
                let dir = open_dir(&dest.root, parent).map_err(|e| not_found_in(self, path, e))?;
                (dir, Some(base_name(path).to_string()))
            }
        };
        let owner = if options.chown {
            Some(self.primary_ids()?)
        } else {
            None
        };
        if meta.is_dir() {
            let to = match &name {
                Some(name) => dir.ensure_dir(name, meta.mode() & 0o7777)?,
                None => dir,
            };
            copy_tree(host_src, &fd_path(&to))?;
            if let Some((uid, gid)) = owner {
                chown_tree(&to, uid, gid)?;
            }
        } else {
            let name = name.ok_or_else(|| copy_error(host_src, "not a directory"))?;
            let mut from =
                fs::File::open(host_src).map_err(|e| CoreError::io("open", host_src, e))?;
            let temp = TempFile::in_root(&dir, OsStr::new(&name), meta.mode() & 0o7777)?;
            io::copy(&mut from, &mut temp.file())
                .map_err(|e| CoreError::io("copy into", Path::new(path), e))?;
            keep_mtime(temp.file(), &meta, Path::new(path))?;
            let (uid, gid) = owner.unwrap_or((meta.uid(), meta.gid()));
            nix::unistd::fchown(temp.file(), Some(uid.into()), Some(gid.into()))
                .map_err(|e| CoreError::io("chown", Path::new(path), e.into()))?;
            temp.commit(Durability::Volatile)?;
        }
        Ok(())
    }

    /// Where `path` of the container is on the host: under `/proc/PID/root` while it runs,
    /// else in its mounted root filesystem, or in the volume or bind source it is under.
    fn locate(&self, path: &str) -> Result<Located<'_>> {
        let rel = in_container(path)?;
        let state = self.state()?;
        if let (ContainerStatus::Running | ContainerStatus::Paused, Some(pid)) =
            (state.status, state.pid)
        {
            let root = Root::open(Path::new(&format!("/proc/{pid}/root")))?;
            return Ok(Located {
                root,
                rel,
                unmount: None,
            });
        }
        if let Some((source, below)) = self.mount_source(&rel)? {
            return Ok(Located {
                root: Root::open(&source)?,
                rel: below,
                unmount: None,
            });
        }
        let mounted = self.mount()?;
        let unmount = matches!(self.config().rootfs, Some(RootfsSource::Image { .. }));
        Ok(Located {
            root: Root::open(&mounted)?,
            rel,
            unmount: unmount.then_some(self),
        })
    }

    /// The host directory of the named volume or bind mount whose destination is the
    /// longest prefix of `rel`, and the rest of `rel` below it.
    fn mount_source(&self, rel: &Path) -> Result<Option<(PathBuf, PathBuf)>> {
        let mut best: Option<(usize, &VolumeMount, PathBuf)> = None;
        for mount in &self.config().mounts {
            let destination = match mount {
                VolumeMount::Named { destination, .. } => PathBuf::from(destination),
                VolumeMount::Mount(m) if m.typ().as_deref() == Some("bind") => {
                    m.destination().clone()
                }
                _ => continue,
            };
            let destination = in_container(&destination.to_string_lossy())?;
            let Ok(below) = rel.strip_prefix(&destination) else {
                continue;
            };
            let depth = destination.components().count();
            if best.as_ref().is_none_or(|(d, ..)| depth > *d) {
                best = Some((depth, mount, below.to_path_buf()));
            }
        }
        let Some((_, mount, below)) = best else {
            return Ok(None);
        };
        let source = match mount {
            VolumeMount::Named { name, .. } => self.runtime().volume(name)?.inspect()?.mountpoint,
            VolumeMount::Mount(m) => m.source().clone().unwrap_or_default(),
            _ => return Ok(None),
        };
        Ok(Some((source, below)))
    }

    /// The uid and gid the container's user resolves to in its own /etc/passwd and
    /// /etc/group (root when it names none).
    fn primary_ids(&self) -> Result<(u32, u32)> {
        let config = self.config();
        let user = config
            .spec
            .user
            .user
            .clone()
            .or_else(|| config.image_config.as_ref().and_then(|i| i.user().clone()))
            .unwrap_or_default();
        if user.is_empty() || user == "0" || user == "0:0" || user == "root" {
            return Ok((0, 0));
        }
        let state = self.state()?;
        let found = match (state.status, state.pid) {
            (ContainerStatus::Running | ContainerStatus::Paused, Some(pid)) => {
                libpod_spec::user::resolve_user(Path::new(&format!("/proc/{pid}/root")), &user)?
            }
            _ => {
                let rootfs = self.mount()?;
                let found = libpod_spec::user::resolve_user(&rootfs, &user);
                if matches!(config.rootfs, Some(RootfsSource::Image { .. })) {
                    self.unmount()?;
                }
                found?
            }
        };
        Ok((found.uid, found.gid))
    }
}

impl Located<'_> {
    /// The directory holding the path's last component, and that component.
    fn parent_and_name(&self) -> io::Result<(Root, &OsStr)> {
        let parent = self.rel.parent().unwrap_or(Path::new(""));
        let dir = open_dir(&self.root, parent)?;
        Ok((dir, self.rel.file_name().unwrap_or(OsStr::new("."))))
    }

    fn lstat(&self) -> io::Result<fs::Metadata> {
        let (dir, name) = self.parent_and_name()?;
        fs::symlink_metadata(Path::new(&fd_path(&dir)).join(name))
    }

    fn read_link(&self) -> io::Result<PathBuf> {
        let (dir, name) = self.parent_and_name()?;
        fs::read_link(Path::new(&fd_path(&dir)).join(name))
    }
}

/// The directory `rel` beneath `root` (`root` itself when `rel` is empty), resolved in it;
/// a refusal or a missing directory is `NotFound`.
fn open_dir(root: &Root, rel: &Path) -> io::Result<Root> {
    let rel = if rel.as_os_str().is_empty() {
        Path::new(".")
    } else {
        rel
    };
    root.open_dir(rel, Policy::InRoot)
        .map_err(|_| io::Error::from_raw_os_error(nix::libc::ENOENT))
}

/// A path in the container as a relative one (`/a/b` is `a/b`); `..` is kept (it resolves
/// inside the root) but a NUL is refused.
fn in_container(path: &str) -> Result<PathBuf> {
    if path.contains('\0') || path.is_empty() {
        return Err(CoreError::InvalidOption {
            option: "path",
            reason: format!("{path:?} is not a path"),
        });
    }
    Ok(Path::new(path)
        .components()
        .filter(|c| !matches!(c, Component::RootDir | Component::CurDir))
        .collect())
}

/// The last component `docker cp` names a copy after (`/a/b/` gives `b`, `/` gives `/`).
fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches("/.").trim_end_matches('/');
    trimmed
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or("/")
}

fn host_parent_must_exist(dest: &Path) -> Result<()> {
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty());
    match parent.map(fs::metadata) {
        None | Some(Ok(_)) => Ok(()),
        Some(Err(e)) => Err(copy_error(
            parent.unwrap_or(dest),
            format!("could not be found on the host: {}", reason(&e)),
        )),
    }
}

/// Gives the copy `file` the modification time of the original (`meta`).
fn keep_mtime(file: &fs::File, meta: &fs::Metadata, shown: &Path) -> Result<()> {
    let modified = meta
        .modified()
        .map_err(|e| CoreError::io("stat", shown, e))?;
    file.set_modified(modified)
        .map_err(|e| CoreError::io("set times of", shown, e))
}

fn not_found_in(ctr: &Container, path: &str, err: io::Error) -> CoreError {
    copy_error(
        Path::new(path),
        format!(
            "could not be found on container {}: {}",
            ctr.name(),
            reason(&err)
        ),
    )
}

fn copy_error(path: &Path, reason: impl Into<String>) -> CoreError {
    CoreError::Copy {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// An I/O error in Go's words (`no such file or directory`), as Podman's messages say it.
fn reason(err: &io::Error) -> String {
    let text = err.to_string();
    text.split(" (os error")
        .next()
        .unwrap_or(&text)
        .to_lowercase()
}
