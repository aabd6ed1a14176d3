//! Fuzzes `WWW-Authenticate` parsing: no input may panic or loop, every challenge has a
//! lowercase scheme and lowercase parameter names, and a challenge written back in canonical
//! form parses to itself.
//!
//! Input: the bytes, read as UTF-8 with replacement characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_storage::registry::parse_challenges;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let challenges = parse_challenges(&text);
    for challenge in &challenges {
        assert!(!challenge.scheme.is_empty());
        assert_eq!(challenge.scheme, challenge.scheme.to_ascii_lowercase());
        for name in challenge.params.keys() {
            assert_eq!(name, &name.to_ascii_lowercase());
        }
        let params: Vec<String> = challenge
            .params
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect();
        let written = format!("{} {}", challenge.scheme, params.join(", "));
        let again = parse_challenges(&written);
        assert_eq!(again.len(), 1, "{written:?}");
        assert_eq!(&again[0], challenge, "{written:?}");
    }
});
