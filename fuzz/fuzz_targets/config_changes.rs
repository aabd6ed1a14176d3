//! Feeds arbitrary `--change` lines to `libpod_storage::config_changes::apply_changes`; none may
//! panic. The input, as UTF-8 (lossily), is split into lines; each line is one change, applied
//! both all at once and one by one to the same config.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_storage::config_changes::apply_changes;
use oci_spec::image::Config;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let changes: Vec<String> = text.lines().map(str::to_string).collect();
    let mut all_at_once = Config::default();
    let _ = apply_changes(&mut all_at_once, &changes);
    let mut one_by_one = Config::default();
    for change in &changes {
        let _ = apply_changes(&mut one_by_one, std::slice::from_ref(change));
    }
    // Applying in one call or in several gives the same config up to the first error.
    if apply_changes(&mut Config::default(), &changes).is_ok() {
        assert_eq!(all_at_once, one_by_one);
    }
});
