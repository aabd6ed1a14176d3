//! The metadata's cases.

use super::Subject;

/// Runtime-wide values.
pub fn metadata_round_trips(subject: &dyn Subject) {
    let store = subject.store();
    assert_eq!(store.metadata("boot").unwrap(), None);
    store.set_metadata("boot", "one").unwrap();
    store.set_metadata("other", "").unwrap();
    assert_eq!(store.metadata("boot").unwrap().as_deref(), Some("one"));
    store.set_metadata("boot", "two").unwrap();
    assert_eq!(store.metadata("boot").unwrap().as_deref(), Some("two"));
    assert_eq!(store.metadata("other").unwrap().as_deref(), Some(""));
}
