//! Fuzzes containers.conf parsing: no file may panic, and a file that is accepted must give a
//! configuration within the rules (capabilities with their `CAP_` prefix, a valid
//! `log_size_max` and cgroup manager), map to spec defaults, and read the same when applied
//! twice (each key overrides, nothing accumulates).
//!
//! Input: the file, read as UTF-8 with replacement characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_core::runtime::config::{EngineConfig, HostFacts};
use std::path::Path;
use std::sync::OnceLock;

fn base() -> EngineConfig {
    static BASE: OnceLock<EngineConfig> = OnceLock::new();
    BASE.get_or_init(|| EngineConfig::builtin_for(&HostFacts::default()))
        .clone()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let origin = Path::new("/fuzz/containers.conf");
    let Ok(config) = EngineConfig::from_toml_str(origin, &text, base()) else {
        return;
    };
    for cap in &config.default_capabilities {
        assert!(cap.starts_with("CAP_"), "{cap:?}");
        assert_eq!(cap, &cap.to_ascii_uppercase());
    }
    assert!(config.log_size_max < 0 || config.log_size_max >= 8192);
    assert!(["cgroupfs", "systemd"].contains(&config.cgroup_manager.as_str()));
    assert!(config.umask <= 0o7777);
    assert_eq!(config.sources, [origin]);
    let _ = config.spec_defaults();

    let mut twice = EngineConfig::from_toml_str(origin, &text, config.clone())
        .expect("a file accepted once is accepted again");
    assert_eq!(twice.sources.len(), 2);
    twice.sources.pop();
    assert_eq!(twice, config);
});
