//! Feeds arbitrary strings to `libpod_net::parse::parse_publish` and `parse_expose`: they may
//! refuse, never panic, and what they accept is a real port range (never port 0).
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_net::parse::{parse_expose, parse_publish};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(port) = parse_publish(text) {
        assert!(port.container_port >= 1 && port.range >= 1, "{text}: {port:?}");
        let last = u32::from(port.container_port) + u32::from(port.range) - 1;
        assert!(last <= 65535, "{text}: {port:?}");
        if port.host_port != 0 {
            assert!(u32::from(port.host_port) + u32::from(port.range) - 1 <= 65535, "{text}");
        }
        let _ = port.protocols();
    }
    if let Ok(ports) = parse_expose(&[text]) {
        assert!(!ports.contains_key(&0), "{text}: {ports:?}");
    }
});
