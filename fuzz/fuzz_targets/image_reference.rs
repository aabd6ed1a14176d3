//! Fuzzes image reference parsing: no input may panic, and a parsed reference's string form
//! (and its Docker short form) must parse back to the same reference.
//!
//! Input: the bytes, read as UTF-8 with replacement characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_storage::ImageReference;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let short = ImageReference::is_short_name(&text);
    let Ok(reference) = ImageReference::parse(&text) else {
        return;
    };
    assert!(reference.tag().is_some() || reference.digest().is_some());
    let shown = reference.to_string();
    let again = ImageReference::parse(&shown)
        .unwrap_or_else(|e| panic!("{shown:?}, shown from {text:?}, does not parse: {e}"));
    assert_eq!(again, reference, "{text:?} shown as {shown:?}");
    // The normalised form always names its registry.
    assert!(!ImageReference::is_short_name(&shown), "{shown:?}");
    let familiar = reference.familiar();
    let again = ImageReference::parse(&familiar)
        .unwrap_or_else(|e| panic!("{familiar:?}, familiar form of {text:?}, does not parse: {e}"));
    assert_eq!(again, reference, "{text:?} familiar as {familiar:?}");
    // A name that is not short is taken as written: its registry is its first element.
    if !short {
        assert!(text.starts_with(reference.registry()) || text.starts_with("index.docker.io/"));
    }
    let named = ImageReference::parse_named(&text).expect("parse_named accepts what parse does");
    assert_eq!(named.clone().or_default_tag(), reference);
});
