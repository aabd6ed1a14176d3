//! Feeds arbitrary bytes to the readers of what Podman and netavark write: a network file
//! (`libpod_net::config::parse_network_file`) and netavark's setup output
//! (`libpod_net::backend::parse_status`). They may refuse, never panic, and what they accept
//! writes back to JSON that reads as the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_net::backend::parse_status;
use libpod_net::config::parse_network_file;

fuzz_target!(|data: &[u8]| {
    if let Ok(network) = parse_network_file("fuzz.json".as_ref(), data) {
        let written = serde_json::to_vec(&network).expect("a network serializes");
        let again = parse_network_file("fuzz.json".as_ref(), &written).expect("ours reads back");
        assert_eq!(again, network);
    }
    if let Ok(status) = parse_status(data) {
        let written = serde_json::to_vec(&status).expect("a status serializes");
        assert_eq!(parse_status(&written).expect("ours reads back"), status);
    }
});
