//! The store's invariants: `check()` is clean, no staging is left, every layer holds exactly
//! its tarball, every image mounts as the tarballs it was made from, and names point at the
//! right images.

use super::fixtures::Fixtures;
use super::invariants::{Report, entries};
use super::tree::{differences, read_tree};
use libpod_core::runtime::Runtime;
use std::collections::BTreeMap;

/// `check()`, staging, layers and images.
pub fn check_store(rt: &Runtime, fixtures: &Fixtures, report: &mut Report) {
    let store = rt.storage();
    match store.check() {
        Ok(problems) if problems.is_empty() => {}
        Ok(problems) => report.fail(
            "store check",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Err(e) => report.fail("store check", format!("check() failed: {e}")),
    }
    let staging = entries(&store.root().join("tmp"));
    if !staging.is_empty() {
        report.fail(
            "no staging",
            format!(
                "left in {}: {staging:?}",
                store.root().join("tmp").display()
            ),
        );
    }

    // Every layer on disk (after the reopen's repair: every recorded one) holds exactly its
    // tarball: a half-deleted or half-extracted layer would be reused by the next pull.
    let known: BTreeMap<String, _> = fixtures
        .layers
        .iter()
        .map(|(id, tree)| (id.hex(), tree))
        .collect();
    for name in entries(&store.root().join("layers")) {
        let diff = store.root().join("layers").join(&name).join("diff");
        match known.get(&name) {
            None => report.fail("layer known", format!("layers/{name} is no layer we made")),
            Some(expected) => match read_tree(&diff) {
                Ok(actual) => {
                    let diffs = differences(expected, &actual, 5);
                    if !diffs.is_empty() {
                        report.fail(
                            "layer whole",
                            format!("layers/{name}: {}", diffs.join("; ")),
                        );
                    }
                }
                Err(e) => report.fail("layer whole", format!("reading {}: {e}", diff.display())),
            },
        }
    }

    let images = match store.images() {
        Ok(images) => images,
        Err(e) => return report.fail("images", format!("images() failed: {e}")),
    };
    for image in &images {
        let Some(fixture) = fixtures.by_chain(&image.layers) else {
            report.fail(
                "image known",
                format!(
                    "image {} {:?} has layers {:?}",
                    image.id, image.names, image.layers
                ),
            );
            continue;
        };
        let id = image.id.hex();
        match store.mount_image(&id) {
            Ok(root) => {
                match read_tree(&root) {
                    Ok(actual) => {
                        let diffs = differences(&fixture.tree, &actual, 5);
                        if !diffs.is_empty() {
                            report.fail(
                                "image tree",
                                format!("{} ({id}) mounted: {}", fixture.name, diffs.join("; ")),
                            );
                        }
                    }
                    Err(e) => report.fail("image tree", format!("reading {}: {e}", root.display())),
                }
                if let Err(e) = store.unmount_image(&id, true) {
                    report.fail("image mount", format!("unmounting {}: {e}", fixture.name));
                }
            }
            Err(e) => report.fail(
                "image mount",
                format!("mounting {} ({id}): {e}", fixture.name),
            ),
        }
    }
    // Names point at the images they name.
    for fixture in std::iter::once(&fixtures.base).chain(fixtures.images.values()) {
        if let Ok(image) = store.image(&fixture.name)
            && image.layers != fixture.chain
        {
            report.fail(
                "image name",
                format!(
                    "{} names image {} with layers {:?}",
                    fixture.name, image.id, image.layers
                ),
            );
        }
    }
    if store.image(&fixtures.base.name).is_err() {
        report.fail("image name", "the base image is gone");
    }
}
