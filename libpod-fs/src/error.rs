//! The crate's one error type.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// What a path was expected to name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expected {
    /// A directory.
    Directory,
    /// A regular file.
    RegularFile,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::Directory => "a directory",
            Expected::RegularFile => "a regular file",
        })
    }
}

/// Everything that can go wrong here, naming the path and what was wrong with it.
///
/// The refusals (every variant but [`FsError::Io`]) name the entry by its path relative to
/// the root it was resolved in, as [`FsError::refusal`] words it: the reason a layout or a
/// rootfs was refused is about the entry, wherever the root happens to be.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FsError {
    /// A system call failed.
    #[error("{op} {}", path.display())]
    Io {
        /// What was being done (`open`, `create`, `write`, `fsync`, `rename`, ...).
        op: &'static str,
        /// The path involved (a root's entry joined to the root).
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A symbolic link where the policy follows none.
    #[error("in {}: {}", root.display(), self.refusal().unwrap_or_default())]
    Symlink {
        /// The root the path was resolved in.
        root: PathBuf,
        /// The symlink, relative to the root.
        path: PathBuf,
        /// What was expected in its place.
        expected: Expected,
    },
    /// An entry that is not what was asked for (a FIFO, device or directory where a regular
    /// file was expected; a file where a directory was).
    #[error("in {}: {}", root.display(), self.refusal().unwrap_or_default())]
    WrongType {
        /// The root the path was resolved in.
        root: PathBuf,
        /// The entry, relative to the root.
        path: PathBuf,
        /// What was expected.
        expected: Expected,
    },
    /// A file larger than the caller accepts.
    #[error("in {}: {}", root.display(), self.refusal().unwrap_or_default())]
    TooLarge {
        /// The root the path was resolved in.
        root: PathBuf,
        /// The file, relative to the root.
        path: PathBuf,
        /// The most the caller accepts, in bytes.
        limit: u64,
    },
    /// A path that leads out of its root (`..` past it, or an absolute path) where the policy
    /// stays beneath it.
    #[error("in {}: {}", root.display(), self.refusal().unwrap_or_default())]
    OutsideRoot {
        /// The root the path was resolved in.
        root: PathBuf,
        /// The path, relative to the root.
        path: PathBuf,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = FsError> = std::result::Result<T, E>;

impl FsError {
    /// Shorthand for [`FsError::Io`].
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        FsError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    /// For a refusal, the entry and what is wrong with it, e.g.
    /// `blobs/sha256 is a symbolic link, not a directory`; `None` for [`FsError::Io`].
    pub fn refusal(&self) -> Option<String> {
        let (path, problem) = self.problem()?;
        Some(format!("{} is {problem}", path.display()))
    }

    /// The root a refused entry was resolved in; `None` for [`FsError::Io`].
    pub fn root(&self) -> Option<&Path> {
        match self {
            FsError::Symlink { root, .. }
            | FsError::WrongType { root, .. }
            | FsError::TooLarge { root, .. }
            | FsError::OutsideRoot { root, .. } => Some(root),
            FsError::Io { .. } => None,
        }
    }

    /// The full path the error is about (a refused entry joined to its root).
    pub fn path(&self) -> PathBuf {
        match self {
            FsError::Io { path, .. } => path.clone(),
            FsError::Symlink { root, path, .. }
            | FsError::WrongType { root, path, .. }
            | FsError::TooLarge { root, path, .. }
            | FsError::OutsideRoot { root, path } => root.join(path),
        }
    }

    /// The entry (relative to its root) and what is wrong with it, without the entry's name.
    fn problem(&self) -> Option<(&Path, String)> {
        match self {
            FsError::Symlink { path, expected, .. } => {
                Some((path, format!("a symbolic link, not {expected}")))
            }
            FsError::WrongType { path, expected, .. } => Some((path, format!("not {expected}"))),
            FsError::TooLarge { path, limit, .. } => {
                Some((path, format!("larger than {limit} bytes")))
            }
            FsError::OutsideRoot { path, .. } => Some((path, "outside its root".to_string())),
            FsError::Io { .. } => None,
        }
    }
}

/// The system call's own error for [`FsError::Io`]; for a refusal, an
/// [`io::ErrorKind::InvalidData`] error whose message is the problem alone (`not a regular
/// file`, `larger than 65536 bytes`), for callers whose error already names the path.
impl From<FsError> for io::Error {
    fn from(err: FsError) -> Self {
        match err {
            FsError::Io { source, .. } => source,
            refused => {
                let problem = refused.problem().map(|(_, problem)| problem);
                io::Error::new(io::ErrorKind::InvalidData, problem.unwrap_or_default())
            }
        }
    }
}
