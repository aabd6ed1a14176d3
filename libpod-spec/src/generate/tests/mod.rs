//! Unit tests of the generator's rules. Users resolve in a small rootfs written to a temp dir;
//! seccomp and hooks use the embedded profile and no hooks directory.

use super::*;
use crate::config::{ImageVolumeMode, NamespaceKind, NamespaceMode, NetworkMode};
use oci_spec::image::ConfigBuilder;
use oci_spec::runtime::{Capability, Mount};
use std::collections::HashMap;
use std::fs;
use tempfile::TempDir;

const ID: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Fixture {
    _dir: TempDir,
    generator: SpecGenerator,
    ctx: SpecContext,
}

fn fixture() -> Fixture {
    fixture_with(|_| {})
}

fn fixture_with(tweak: impl FnOnce(&mut SpecDefaults)) -> Fixture {
    let dir = TempDir::new().unwrap();
    let rootfs = dir.path().join("rootfs");
    fs::create_dir_all(rootfs.join("etc")).unwrap();
    fs::write(
        rootfs.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nuser:x:1000:1000:user:/home/user:/bin/sh\n",
    )
    .unwrap();
    fs::write(
        rootfs.join("etc/group"),
        "root:x:0:\nwheel:x:10:root,user\naudio:x:29:user\nnogroup:x:65534:\nuser:x:1000:\n",
    )
    .unwrap();
    let mut defaults = SpecDefaults {
        // A profile path that does not exist: the embedded profile is used.
        seccomp_profile: dir.path().join("no-such-seccomp.json"),
        hooks_dirs: vec![dir.path().join("no-hooks")],
        cgroup_v2: false,
        init_path: "/usr/libexec/podman/catatonit".into(),
        ..SpecDefaults::default()
    };
    tweak(&mut defaults);
    let generator = SpecGenerator::new(defaults).unwrap();
    let ctx = SpecContext::new(ID, &rootfs);
    Fixture {
        _dir: dir,
        generator,
        ctx,
    }
}

fn config(cmd: &[&str]) -> CreateConfig {
    CreateConfig {
        command: Some(cmd.iter().map(|s| s.to_string()).collect()),
        ..CreateConfig::default()
    }
}

impl Fixture {
    fn spec(&self, config: &CreateConfig) -> Spec {
        self.generator.generate(config, None, &self.ctx).unwrap()
    }
    fn spec_img(&self, config: &CreateConfig, image: &ImageConfig) -> Spec {
        self.generator
            .generate(config, Some(image), &self.ctx)
            .unwrap()
    }
    fn err(&self, config: &CreateConfig) -> SpecError {
        self.generator
            .generate(config, None, &self.ctx)
            .unwrap_err()
    }
}

fn args(spec: &Spec) -> Vec<String> {
    spec.process().as_ref().unwrap().args().clone().unwrap()
}

fn env(spec: &Spec) -> Vec<String> {
    spec.process().as_ref().unwrap().env().clone().unwrap()
}

fn env_var(spec: &Spec, key: &str) -> Option<String> {
    env(spec)
        .iter()
        .find_map(|e| e.strip_prefix(&format!("{key}=")).map(str::to_string))
}

fn mount<'a>(spec: &'a Spec, dest: &str) -> Option<&'a Mount> {
    spec.mounts()
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| m.destination().to_str() == Some(dest))
}

fn options(spec: &Spec, dest: &str) -> Vec<String> {
    mount(spec, dest)
        .unwrap()
        .options()
        .clone()
        .unwrap_or_default()
}

fn caps(set: &Option<oci_spec::runtime::Capabilities>) -> Vec<String> {
    let mut v: Vec<String> = set.iter().flatten().map(|c| format!("CAP_{c}")).collect();
    v.sort();
    v
}

fn annotations(spec: &Spec) -> HashMap<String, String> {
    spec.annotations().clone().unwrap()
}

fn image(build: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> ImageConfig {
    build(ConfigBuilder::default()).build().unwrap()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

mod linux;
mod mounts;
mod process;
