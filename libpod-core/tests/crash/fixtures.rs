//! The images the trials work with, built once per run: the busybox base that containers run
//! on, two payload trees imported as rootfs tarballs, and two images in a loopback registry
//! that share those payloads' layers (so that pulls and imports reuse each other's layers,
//! as a half-deleted layer would be reused). Each comes with the tree it must mount as.

use super::rng::Rng;
use super::tree::{Tree, overlay, read_tree};
use libpod_storage::Digest;
use libpod_storage::store::chain_ids;
use libpod_testutil::registry::{
    LayerCompression, OciLayoutBuilder, Platform, RegistryOptions, TestRegistry, copy_to_registry,
};
use libpod_testutil::{TempRoot, busybox_rootfs, tar_directory};
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

/// The images a trial may import, pull or remove (the base is never removed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ImageKind {
    Import0,
    Import1,
    Pull0,
    Pull1,
}

impl ImageKind {
    pub const ALL: [ImageKind; 4] = [
        ImageKind::Import0,
        ImageKind::Import1,
        ImageKind::Pull0,
        ImageKind::Pull1,
    ];

    /// The image whose bottom layer this one shares.
    pub fn sibling(self) -> ImageKind {
        match self {
            ImageKind::Import0 => ImageKind::Pull0,
            ImageKind::Import1 => ImageKind::Pull1,
            ImageKind::Pull0 => ImageKind::Import0,
            ImageKind::Pull1 => ImageKind::Import1,
        }
    }

    pub fn is_pull(self) -> bool {
        matches!(self, ImageKind::Pull0 | ImageKind::Pull1)
    }
}

/// One image: the name it gets, its layers' chain IDs and the tree it mounts as.
pub struct ImageFixture {
    pub name: String,
    pub chain: Vec<Digest>,
    pub tree: Tree,
    /// The rootfs tarball of an imported image.
    pub tarball: Option<PathBuf>,
}

/// Everything the trials compare against, and the registry they pull from.
pub struct Fixtures {
    pub base: ImageFixture,
    pub images: BTreeMap<ImageKind, ImageFixture>,
    /// Every layer's own tree (its `diff` directory), by chain ID.
    pub layers: BTreeMap<Digest, Tree>,
    /// Kept running for the trials' pulls.
    _registry: TestRegistry,
    /// An empty auth file, so that pulls read none of the host's credentials.
    pub auth_file: PathBuf,
    _dir: TempRoot,
}

/// The base image's name.
pub const BASE: &str = "localhost/crash/base";

impl Fixtures {
    pub fn build() -> std::io::Result<Fixtures> {
        let dir = TempRoot::new()?;
        let d = dir.path();
        let base_dir = d.join("base");
        busybox_rootfs(&base_dir)?;
        let payloads: Vec<PathBuf> = (0..2)
            .map(|variant| {
                let p = d.join(format!("payload{variant}"));
                payload(&p, variant, 500)?;
                Ok(p)
            })
            .collect::<std::io::Result<_>>()?;
        let extras = d.join("extras");
        payload(&extras, 7, 40)?;

        let mut tars = BTreeMap::new();
        for (name, src) in [
            ("base", &base_dir),
            ("payload0", &payloads[0]),
            ("payload1", &payloads[1]),
            ("extras", &extras),
        ] {
            let tar = d.join(format!("{name}.tar"));
            tar_directory(src, &tar)?;
            tars.insert(name, tar);
        }
        let diff_id =
            |name: &str| -> std::io::Result<Digest> { Ok(Digest::of(&fs::read(&tars[name])?)) };
        let trees: BTreeMap<&str, Tree> = [
            ("base", read_tree(&base_dir)?),
            ("payload0", read_tree(&payloads[0])?),
            ("payload1", read_tree(&payloads[1])?),
            ("extras", read_tree(&extras)?),
        ]
        .into_iter()
        .collect();

        let registry = TestRegistry::start(RegistryOptions::default())?;
        let layout = OciLayoutBuilder::create(&d.join("layout"))?;
        let pulls = [
            (ImageKind::Pull0, vec!["payload0", "extras"]),
            (ImageKind::Pull1, vec!["payload1"]),
        ];
        let mut images = BTreeMap::new();
        let mut layers = BTreeMap::new();
        for (kind, parts) in &pulls {
            let bytes = parts
                .iter()
                .map(|p| fs::read(&tars[p]))
                .collect::<std::io::Result<Vec<_>>>()?;
            let manifest =
                layout.add_image(&bytes, LayerCompression::Gzip, &Platform::host(), &["sh"])?;
            let tag = format!("pull{}", *kind as u8 - ImageKind::Pull0 as u8);
            layout.tag(&manifest, &tag)?;
            copy_to_registry(
                &format!("oci:{}:{tag}", layout.dir().display()),
                &registry,
                &format!("crash/{tag}:latest"),
                &[],
            )?;
            let diff_ids = parts
                .iter()
                .map(|p| diff_id(p))
                .collect::<Result<Vec<_>, _>>()?;
            let chain = chain_ids(&diff_ids);
            let mut tree = Tree::new();
            for (part, id) in parts.iter().zip(&chain) {
                tree = overlay(&tree, &trees[part]);
                layers.insert(*id, trees[part].clone());
            }
            images.insert(
                *kind,
                ImageFixture {
                    name: format!("{}/crash/{tag}:latest", registry.host()),
                    chain,
                    tree,
                    tarball: None,
                },
            );
        }
        for (kind, part) in [
            (ImageKind::Import0, "payload0"),
            (ImageKind::Import1, "payload1"),
        ] {
            let chain = chain_ids(&[diff_id(part)?]);
            layers.insert(chain[0], trees[part].clone());
            images.insert(
                kind,
                ImageFixture {
                    name: format!("localhost/crash/imp{}", kind as u8),
                    chain,
                    tree: trees[part].clone(),
                    tarball: Some(tars[part].clone()),
                },
            );
        }
        let base_chain = chain_ids(&[diff_id("base")?]);
        layers.insert(base_chain[0], trees["base"].clone());
        let base = ImageFixture {
            name: BASE.to_string(),
            chain: base_chain,
            tree: trees["base"].clone(),
            tarball: Some(tars["base"].clone()),
        };
        let auth_file = d.join("empty-auth.json");
        fs::write(&auth_file, r#"{"auths":{}}"#)?;
        Ok(Fixtures {
            base,
            images,
            layers,
            _registry: registry,
            auth_file,
            _dir: dir,
        })
    }

    pub fn image(&self, kind: ImageKind) -> &ImageFixture {
        &self.images[&kind]
    }

    /// The fixture whose layers are `chain`, the base included.
    pub fn by_chain(&self, chain: &[Digest]) -> Option<&ImageFixture> {
        std::iter::once(&self.base)
            .chain(self.images.values())
            .find(|f| f.chain == chain)
    }
}

/// Writes a payload tree into `dir`: `files` small files of pseudo-random sizes and content
/// in 24 directories, with varied modes and owners (setuid included), symlinks, a hardlink,
/// an empty directory and a sticky one: what a layer's extraction must reproduce exactly.
fn payload(dir: &Path, variant: u64, files: usize) -> std::io::Result<()> {
    let mut rng = Rng::new(0x5eed_0000 + variant);
    let set_mode =
        |path: &Path, mode: u32| fs::set_permissions(path, fs::Permissions::from_mode(mode));
    fs::create_dir_all(dir)?;
    set_mode(dir, 0o755)?;
    let top = dir.join(format!("payload{variant}"));
    fs::create_dir(&top)?;
    set_mode(&top, 0o755)?;
    let dirs: Vec<PathBuf> = (0..24)
        .map(|i| {
            let sub = top.join(format!("d{i:02}"));
            fs::create_dir(&sub)?;
            set_mode(&sub, [0o755, 0o750, 0o700, 0o1777][i % 4])?;
            Ok(sub)
        })
        .collect::<std::io::Result<_>>()?;
    for i in 0..files {
        let path = dirs[i % dirs.len()].join(format!("f{i:04}"));
        let len = usize::try_from(rng.below(400)).unwrap();
        let content: Vec<u8> = (0..len).map(|_| rng.next_u64().to_le_bytes()[0]).collect();
        fs::write(&path, content)?;
        set_mode(
            &path,
            [0o644, 0o755, 0o600, 0o640, 0o444][usize::try_from(rng.below(5)).unwrap()],
        )?;
        if i % 97 == 0 {
            std::os::unix::fs::chown(&path, Some(1000), Some(1000))?;
        }
    }
    let setuid = top.join("setuid-tool");
    fs::write(&setuid, b"#!/bin/sh\n")?;
    set_mode(&setuid, 0o4755)?;
    for i in 0..16 {
        symlink(
            format!("d{:02}/f{:04}", i % 24, i),
            top.join(format!("link{i:02}")),
        )?;
    }
    symlink("/nonexistent/absolute", top.join("dangling"))?;
    fs::hard_link(top.join("d00/f0000"), top.join("hardlink"))?;
    let empty = top.join("empty");
    fs::create_dir(&empty)?;
    set_mode(&empty, 0o700)?;
    Ok(())
}
