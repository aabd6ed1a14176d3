use super::*;

fn keys(text: &str) -> DetachKeys {
    DetachKeys::parse(text).unwrap()
}

#[test]
fn parses_every_form_moby_knows() {
    assert_eq!(keys(DEFAULT_DETACH_KEYS), DetachKeys::default());
    assert_eq!(keys("ctrl-@").bytes(), &[0]);
    assert_eq!(keys("ctrl-z").bytes(), &[26]);
    assert_eq!(
        keys("ctrl-\\,ctrl-],ctrl-^,ctrl-_").bytes(),
        &[28, 29, 30, 31]
    );
    assert_eq!(keys("x,DEL,ctrl-a").bytes(), &[b'x', 127, 1]);
    for bad in ["ctrl-P", "ctrl-", "del", "ab", "a,,b"] {
        let err = DetachKeys::parse(bad).unwrap_err().to_string();
        assert!(
            err.starts_with("invalid detach keys: Unknown character:"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn the_sequence_in_one_read_detaches_and_forwards_what_came_before() {
    let mut m = DetachMatcher::new(&DetachKeys::default());
    assert_eq!(m.feed(b"ls\x10\x11rest"), Fed::Detach(b"ls".to_vec()));
}

#[test]
fn the_sequence_across_reads_detaches_and_nothing_of_it_is_forwarded() {
    let mut m = DetachMatcher::new(&DetachKeys::default());
    assert_eq!(m.feed(b"a\x10"), Fed::Forward(b"a".to_vec()));
    assert_eq!(m.feed(b"\x11"), Fed::Detach(Vec::new()));
}

#[test]
fn a_broken_start_is_forwarded_in_order() {
    let mut m = DetachMatcher::new(&DetachKeys::default());
    assert_eq!(m.feed(b"\x10"), Fed::Forward(Vec::new()));
    assert_eq!(m.feed(b"x"), Fed::Forward(b"\x10x".to_vec()));
    // Ctrl-p twice: the first is passed on, the second may still begin the sequence.
    assert_eq!(m.feed(b"\x10\x10"), Fed::Forward(b"\x10".to_vec()));
    assert_eq!(m.feed(b"\x11"), Fed::Detach(Vec::new()));
}

#[test]
fn overlapping_sequences_are_found() {
    let mut m = DetachMatcher::new(&keys("x,x,y"));
    assert_eq!(m.feed(b"xxxy"), Fed::Detach(b"x".to_vec()));
}

#[test]
fn held_bytes_come_out_at_the_end_of_input() {
    let mut m = DetachMatcher::new(&DetachKeys::default());
    assert_eq!(m.feed(b"q\x10"), Fed::Forward(b"q".to_vec()));
    assert_eq!(m.finish(), b"\x10");
}

#[test]
fn no_keys_never_detach() {
    let mut m = DetachMatcher::new(&keys(""));
    assert_eq!(m.feed(b"\x10\x11"), Fed::Forward(b"\x10\x11".to_vec()));
    assert!(m.finish().is_empty());
}
