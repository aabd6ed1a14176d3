//! Spec generation per container: what `SpecGenerator::generate` costs once the generator
//! (seccomp profile, hooks) is loaded. Users resolve in a busybox rootfs on disk, as at init.

use criterion::{Criterion, criterion_group, criterion_main};
use libpod_spec::{CreateConfig, SpecContext, SpecDefaults, SpecGenerator};
use libpod_testutil::{TempRoot, busybox_rootfs};
use std::hint::black_box;

fn generate(c: &mut Criterion) {
    let tmp = TempRoot::new().unwrap();
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let generator = SpecGenerator::new(SpecDefaults::default()).unwrap();
    let ctx = SpecContext::new(&"ab".repeat(32), &rootfs);

    let mut default = CreateConfig::default();
    default.command = Some(vec!["/bin/true".into()]);
    c.bench_function("generate default spec", |b| {
        b.iter(|| generator.generate(black_box(&default), None, &ctx).unwrap())
    });

    let mut busy = default.clone();
    busy.user.user = Some("user".into());
    busy.security.cap_add = vec!["NET_ADMIN".into()];
    busy.resources.memory = Some(64 << 20);
    busy.resources.ulimit = vec!["nofile=512:1024".into()];
    busy.tmpfs = vec!["/scratch:rw,size=64m".into()];
    busy.env.insert("FOO".into(), "bar".into());
    c.bench_function("generate spec with options", |b| {
        b.iter(|| generator.generate(black_box(&busy), None, &ctx).unwrap())
    });

    c.bench_function("serialize config.json", |b| {
        let spec = generator.generate(&default, None, &ctx).unwrap();
        b.iter(|| serde_json::to_vec(black_box(&spec)).unwrap())
    });
}

criterion_group!(benches, generate);
criterion_main!(benches);
