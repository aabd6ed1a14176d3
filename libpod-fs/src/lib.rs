//! Safe filesystem work for libpod-rs, in one place: what the other crates need when a path
//! comes from an image, a layer or a layout someone else wrote, and when a file must be
//! replaced without a reader ever seeing half of it.
//!
//! - [`Root`] ([`root`]): a directory opened once, and paths resolved beneath it under one of
//!   two [`Policy`]s: [`Policy::InRoot`] (symlinks resolve as if the root were `/`, for a
//!   container's root filesystem) and [`Policy::NoSymlinks`] (any symlink on the way is
//!   refused, for OCI layouts and overlay layers). [`open_at`] is the same resolution for
//!   hot paths that name their own errors.
//! - [`Root::read_regular`] ([`read`]): a regular file only, at most N bytes, never opening a
//!   device or a FIFO.
//! - [`replace`], [`replace_at`] and [`TempFile`] ([`atomic`]): atomic replacement, durable or
//!   volatile as the caller's [`Durability`] says.
//! - [`create_private_dir`] and [`private_file`] ([`private`]): the 0700 directories and 0600
//!   files the engine and the store keep.
//! - [`now_rfc3339`] ([`time`]): the timestamp the records we write carry.
//!
//! Every failure is an [`FsError`] naming the path and what was wrong.
//!
//! # Example
//! ```
//! use libpod_fs::{Durability, Policy, Root, replace};
//! let dir = tempfile::tempdir()?;
//! std::fs::create_dir(dir.path().join("etc"))?;
//! replace(&dir.path().join("etc/hostname"), b"box\n", 0o644, Durability::Volatile)?;
//! std::os::unix::fs::symlink("/etc/hostname", dir.path().join("name"))?;
//! let root = Root::open(dir.path())?;
//! // The absolute link resolves inside the root, never to the host's /etc/hostname.
//! assert_eq!(root.read_regular("name", Policy::InRoot, 64)?, b"box\n");
//! assert!(root.read_regular("name", Policy::NoSymlinks, 64).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

pub mod atomic;
pub mod error;
pub mod private;
pub mod read;
pub mod root;
pub mod time;

pub use atomic::{Durability, TempFile, replace, replace_at};
pub use error::{Expected, FsError, Result};
pub use private::{
    ExistingDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, create_private_dir, private_file, restrict,
};
pub use root::{Policy, Root, open_at};
pub use time::now_rfc3339;
