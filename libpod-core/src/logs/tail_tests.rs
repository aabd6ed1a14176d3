use super::*;
use crate::logs::LogOptions;
use crate::logs::test_support::*;
use std::fs;

fn start_of(content: &[u8], count: usize) -> u64 {
    start_following(content, count, true)
}

fn start_following(content: &[u8], count: usize, count_unfinished: bool) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctr.log");
    fs::write(&path, content).unwrap();
    let file = File::open(&path).unwrap();
    tail_start(&file, content.len() as u64, count, count_unfinished).unwrap()
}

/// The offset of record `index` of `records`.
fn offset(records: &[String], index: usize) -> u64 {
    records[..index].iter().map(|r| r.len() as u64).sum()
}

#[test]
fn starts_at_the_first_part_of_the_earliest_wanted_line() {
    let records = [
        out(1, "a"),
        out_p(2, "b1"),
        err(3, "e"),
        out(4, "b2"),
        out(5, "c"),
    ];
    let content = records.concat();
    assert_eq!(start_of(content.as_bytes(), 0), content.len() as u64);
    assert_eq!(start_of(content.as_bytes(), 1), offset(&records, 4));
    assert_eq!(
        start_of(content.as_bytes(), 2),
        offset(&records, 1),
        "b1 starts b"
    );
    assert_eq!(start_of(content.as_bytes(), 3), offset(&records, 1));
    assert_eq!(start_of(content.as_bytes(), 4), 0);
    assert_eq!(start_of(content.as_bytes(), 99), 0);
    assert_eq!(start_of(b"", 3), 0);
}

#[test]
fn the_other_stream_s_parts_do_not_end_the_scan_early() {
    // Line "x" of stderr has parts before "o2"'s start: the scan goes on to its first part.
    let records = [out(1, "o1"), err_p(2, "x1"), out(3, "o2"), err(4, "x2")];
    let content = records.concat();
    assert_eq!(start_of(content.as_bytes(), 1), offset(&records, 1));
    assert_eq!(start_of(content.as_bytes(), 2), offset(&records, 1));
}

#[test]
fn trailing_partial_records_count_as_a_line() {
    let records = [out(1, "a"), out(2, "b"), out_p(3, "c")];
    let content = records.concat();
    assert_eq!(start_of(content.as_bytes(), 1), offset(&records, 2));
    assert_eq!(start_of(content.as_bytes(), 2), offset(&records, 1));
    // Following: "c" is not a line yet, but its start is kept for when it ends.
    assert_eq!(
        start_following(content.as_bytes(), 1, false),
        offset(&records, 1)
    );
    assert_eq!(start_following(content.as_bytes(), 2, false), 0);
}

#[test]
fn malformed_and_overlong_lines_are_not_counted() {
    let long = format!("{}\n", "z".repeat(MAX_LINE + 1));
    let records = [
        out(1, "a"),
        long,
        "garbage\n".to_string(),
        out(2, "b"),
        "\n".to_string(),
    ];
    let content = records.concat();
    assert_eq!(start_of(content.as_bytes(), 1), offset(&records, 3));
    assert_eq!(start_of(content.as_bytes(), 2), 0);
}

#[test]
fn lines_across_chunk_boundaries() {
    // Records of about a chunk each, so that newlines fall at every place around the edges.
    for size in [CHUNK - 80, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK / 2] {
        let records: Vec<String> = (0..6)
            .map(|n| out(n, &"m".repeat(size - 60 + usize::try_from(n).unwrap())))
            .collect();
        let content = records.concat();
        for count in 1..=6 {
            assert_eq!(
                start_of(content.as_bytes(), count),
                offset(&records, 6 - count),
                "size {size} count {count}"
            );
        }
    }
}

/// A tiny deterministic generator (no dependency for it).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn tail_equals_the_end_of_the_whole_log_on_random_logs() {
    let mut rng = Lcg(7);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctr.log");
    for round in 0..300 {
        let mut content = String::new();
        let records = rng.below(40);
        for n in 0..i64::try_from(records).unwrap() {
            let stream = if rng.below(3) == 0 { "e" } else { "o" };
            let message = match rng.below(10) {
                0 => "w".repeat(usize::try_from(rng.below(3 * CHUNK as u64)).unwrap()),
                1 => String::new(),
                _ => format!("m{n}"),
            };
            let partial = rng.below(3) == 0;
            content.push_str(&match (stream, partial) {
                ("o", false) => out(n, &message),
                ("o", true) => out_p(n, &message),
                (_, false) => err(n, &message),
                (_, true) => err_p(n, &message),
            });
            if rng.below(15) == 0 {
                content.push_str("garbage\n");
            }
        }
        // End every stream with a full record: then tail is exact (see `tail_start`).
        content.push_str(&out(99, "end-o"));
        content.push_str(&err(100, "end-e"));
        fs::write(&path, &content).unwrap();
        let whole = read(&path, &LogOptions::default());
        for count in [1, 2, 3, 5, 8, 50] {
            let expected = &whole[whole.len().saturating_sub(count)..];
            assert_eq!(
                read(&path, &tail(count)),
                expected,
                "round {round} tail {count}"
            );
        }
    }
}
