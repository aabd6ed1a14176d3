//! The conformance suite every storage driver passes, public behind the `testsuite` feature.
//!
//! It runs through the public [`Store`] API on a store opened with the driver under test
//! (`StoreOptions.driver = Some(kind)`), so what it checks is what the engine sees: an image
//! of two layers holding every kind of entry (modes, owners, setuid, symlinks, hardlinks,
//! whiteouts, an opaque directory) mounts as the image's tree; a container's writes stay in
//! its own layer; a remount shows the same tree; a removed container leaves nothing; changes
//! list what the container did.
//!
//! [`driver_suite!`](crate::driver_suite) makes one `#[test]` per case, each on a fresh store
//! from the given constructor, which returns a [`Subject`]. The cases mount, so they need
//! root. A passing case removes its containers and unmounts what it mounted; a subject whose
//! drop unmounts what a failed case left behind (libpod-testutil's `TempRoot` does) keeps a
//! failure from leaking mounts.
//!
//! ```
//! // In a test crate with libpod-storage's `testsuite` feature:
//! use libpod_storage::driver::{DriverKind, suite::Subject};
//! use libpod_storage::{RegistriesConfig, Store, StoreOptions};
//!
//! struct Fixture {
//!     store: Store,
//!     _dir: tempfile::TempDir,
//! }
//!
//! impl Subject for Fixture {
//!     fn store(&self) -> &Store {
//!         &self.store
//!     }
//! }
//!
//! fn vfs() -> Fixture {
//!     let dir = tempfile::tempdir().unwrap();
//!     let mut options = StoreOptions::new(dir.path().join("root"), dir.path().join("run"));
//!     options.driver = Some(DriverKind::Vfs);
//!     options.registries = Some(RegistriesConfig::default());
//!     Fixture { store: Store::open(options).unwrap(), _dir: dir }
//! }
//!
//! // One #[test] per case: vfs_conformance::the_image_tree_is_mounted, ...
//! mod vfs_conformance {
//!     libpod_storage::driver_suite!(super::vfs);
//! }
//! # fn main() {}
//! ```

mod image;
mod tree;

use crate::error::StorageError;
use crate::layer::ChangeKind;
use crate::store::Store;
use image::{EXPECTED, HARDLINKS, IMAGE};
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tree::{is_mount_point, same_file, tree};

/// A store under test.
pub trait Subject {
    /// An empty store, opened with the driver under test.
    fn store(&self) -> &Store;
}

/// The conformance suite of storage drivers: one `#[test]` per case of
/// [`driver::suite`](crate::driver::suite), each on a fresh store made by `$make()`, which
/// returns a [`Subject`](crate::driver::suite::Subject) (a function path or a closure).
///
/// Invoke it inside a module of its own (one per driver): the tests are named after the
/// cases. Needs the `testsuite` feature.
#[macro_export]
macro_rules! driver_suite {
    ($make:expr) => {
        $crate::driver_suite!(@each $make;
            the_image_tree_is_mounted, hardlinks_stay_one_file,
            writes_stay_in_the_containers_layer, a_remount_shows_the_same_tree,
            a_removed_container_leaves_nothing, changes_list_what_the_container_did,
            an_image_mount_shows_the_image);
    };
    (@each $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let subject = $make();
                $crate::driver::suite::$name(&subject);
            }
        )*
    };
}

/// The tree a container on the suite's image shows.
fn expected() -> BTreeMap<String, String> {
    EXPECTED
        .iter()
        .map(|(path, entry)| (path.to_string(), entry.to_string()))
        .collect()
}

/// Pulls the suite's image into the subject's store, creates container `id` on it and mounts
/// it; returns the store and the container's root.
fn mounted(subject: &dyn Subject, id: &str) -> (Store, PathBuf) {
    let store = subject.store().clone();
    if store.image(IMAGE).is_err() {
        image::pull(&store);
    }
    store
        .create_container(id, Some(IMAGE))
        .unwrap_or_else(|err| panic!("create container {id}: {err}"));
    let root = store
        .mount_container(id)
        .unwrap_or_else(|err| panic!("mount container {id}: {err}"));
    (store, root)
}

/// Removes containers `ids` (which unmounts them), so that a passing case leaves no mount.
fn remove(store: &Store, ids: &[&str]) {
    for id in ids {
        store
            .remove_container(id)
            .unwrap_or_else(|err| panic!("remove container {id}: {err}"));
    }
}

/// Changes a container's tree: adds a file and a directory, replaces a file's content and
/// another's mode, deletes a file, a symlink and a directory of a lower layer.
fn write_into(root: &Path) {
    fs::write(root.join("etc/added"), "added").unwrap();
    fs::create_dir(root.join("newdir/sub")).unwrap();
    fs::write(root.join("etc/passwd"), "changed\n").unwrap();
    fs::set_permissions(root.join("secret"), fs::Permissions::from_mode(0o444)).unwrap();
    fs::remove_file(root.join("etc/group")).unwrap();
    fs::remove_file(root.join("bin/sh")).unwrap();
    fs::remove_dir_all(root.join("data")).unwrap();
}

/// The suite's tree after [`write_into`].
fn expected_after_writes() -> BTreeMap<String, String> {
    let mut tree = expected();
    tree.insert("etc/added".into(), "file 644 0:0 added".into());
    tree.insert("newdir/sub".into(), "dir 755 0:0".into());
    tree.insert("etc/passwd".into(), "file 640 0:0 changed\n".into());
    tree.insert("secret".into(), "file 444 0:0 s".into());
    for gone in ["etc/group", "bin/sh", "data", "data/old"] {
        tree.remove(gone);
    }
    tree
}

/// A new container on the image shows exactly the image's tree: the top layer's files, modes
/// and owners win, whiteouts hide what they name (and show nothing themselves), an opaque
/// directory hides the lower layers' content.
pub fn the_image_tree_is_mounted(subject: &dyn Subject) {
    let (store, root) = mounted(subject, "suite-tree");
    assert_eq!(tree(&root), expected(), "{}", store.driver().name());
    remove(&store, &["suite-tree"]);
}

/// Paths a layer hardlinks are one file in a container.
pub fn hardlinks_stay_one_file(subject: &dyn Subject) {
    let (store, root) = mounted(subject, "suite-hardlinks");
    for (a, b) in HARDLINKS {
        assert!(same_file(&root, a, b), "{a} and {b} are one file");
    }
    remove(&store, &["suite-hardlinks"]);
}

/// A container's writes show in its own tree only: not in another container on the same
/// image, nor in the image.
pub fn writes_stay_in_the_containers_layer(subject: &dyn Subject) {
    let (store, writer) = mounted(subject, "suite-writer");
    let (_, other) = mounted(subject, "suite-other");
    write_into(&writer);
    assert_eq!(tree(&writer), expected_after_writes());
    assert_eq!(tree(&other), expected(), "another container");
    let image_root = store.mount_image(IMAGE).unwrap();
    assert_eq!(tree(&image_root), expected(), "the image");
    store.unmount_image(IMAGE, false).unwrap();
    // A container created after the writes starts from the image too.
    let (_, late) = mounted(subject, "suite-late");
    assert_eq!(tree(&late), expected(), "a later container");
    remove(&store, &["suite-writer", "suite-other", "suite-late"]);
}

/// Unmounting (to no mount left) and mounting again shows the same tree, writes included.
pub fn a_remount_shows_the_same_tree(subject: &dyn Subject) {
    let id = "suite-remount";
    let (store, root) = mounted(subject, id);
    write_into(&root);
    let before = tree(&root);
    assert_eq!(store.unmount_container(id, false).unwrap(), 0);
    assert_eq!(store.container_mount_count(id), 0);
    let again = store.mount_container(id).unwrap();
    assert_eq!(tree(&again), before);
    assert_eq!(before, expected_after_writes());
    remove(&store, &[id]);
}

/// A removed container (removed while mounted) leaves no record, no mount, no directory and
/// nothing `check` would report; a new container of the same ID starts from the image.
pub fn a_removed_container_leaves_nothing(subject: &dyn Subject) {
    let id = "suite-removed";
    let (store, root) = mounted(subject, id);
    write_into(&root);
    store.remove_container(id).unwrap();
    assert!(
        matches!(store.container(id), Err(StorageError::ContainerNotKnown(x)) if x == id),
        "its record is gone"
    );
    assert!(store.containers().unwrap().is_empty());
    assert_eq!(store.container_mount_count(id), 0);
    assert!(
        !is_mount_point(&root),
        "{} is still mounted",
        root.display()
    );
    let containers = store.root().join("containers");
    let left: Vec<_> = fs::read_dir(&containers).unwrap().flatten().collect();
    assert!(
        left.is_empty(),
        "left in {}: {left:?}",
        containers.display()
    );
    assert_eq!(store.check().unwrap(), []);
    let (_, again) = mounted(subject, id);
    assert_eq!(tree(&again), expected(), "the same ID again");
    remove(&store, &[id]);
}

/// A new container has no changes; after writes, each added, changed and deleted path is
/// listed as such, and nothing the container left alone.
pub fn changes_list_what_the_container_did(subject: &dyn Subject) {
    let id = "suite-changes";
    let (store, root) = mounted(subject, id);
    assert_eq!(store.container_changes(id).unwrap(), []);
    write_into(&root);
    let changes = store.container_changes(id).unwrap();
    let kind_of = |path: &str| {
        let found = changes.iter().find(|c| c.path == Path::new(path));
        found.map(|change| change.kind)
    };
    for (path, kind) in [
        ("/etc/added", ChangeKind::Added),
        ("/newdir/sub", ChangeKind::Added),
        ("/etc/passwd", ChangeKind::Changed),
        ("/secret", ChangeKind::Changed),
        ("/etc/group", ChangeKind::Deleted),
        ("/bin/sh", ChangeKind::Deleted),
        ("/data", ChangeKind::Deleted),
    ] {
        assert_eq!(kind_of(path), Some(kind), "{path} in {changes:?}");
    }
    for untouched in [
        "/bin/tool",
        "/opaque",
        "/opaque/upper-only",
        "/etc/new",
        "/abs",
    ] {
        assert_eq!(kind_of(untouched), None, "{untouched} in {changes:?}");
    }
    remove(&store, &[id]);
}

/// An image mount shows the image's tree, and its last unmount leaves no mount.
pub fn an_image_mount_shows_the_image(subject: &dyn Subject) {
    let store = subject.store();
    image::pull(store);
    let root = store.mount_image(IMAGE).unwrap();
    assert_eq!(tree(&root), expected());
    for (a, b) in HARDLINKS {
        assert!(same_file(&root, a, b), "{a} and {b} are one file");
    }
    assert_eq!(store.unmount_image(IMAGE, false).unwrap(), 0);
    assert!(
        !is_mount_point(&root),
        "{} is still mounted",
        root.display()
    );
}
