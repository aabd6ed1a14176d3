//! Independent jobs (the layers of a pull, the blobs of a push) on one thread per core.

use crate::error::Result;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `work` on every item, several at a time, and returns the results in item order. After a
/// failure no new item is started, and the failure is returned.
pub(crate) fn map_parallel<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(usize, &T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Result<R>>>> = Mutex::new(items.iter().map(|_| None).collect());
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(items.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else { break };
                    let result = work(index, item);
                    if result.is_err() {
                        // Let the other workers run out of items.
                        next.store(items.len(), Ordering::Relaxed);
                    }
                    slots.lock().unwrap_or_else(|p| p.into_inner())[index] = Some(result);
                }
            });
        }
    });
    let slots = slots.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut results = Vec::with_capacity(slots.len());
    let mut first_error = None;
    for slot in slots {
        match slot {
            Some(Ok(result)) => results.push(result),
            Some(Err(err)) => {
                first_error.get_or_insert(err);
            }
            // Not started because another item failed.
            None => {}
        }
    }
    match first_error {
        Some(err) => Err(err),
        None => Ok(results),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::StorageError;

    #[test]
    fn results_come_back_in_item_order() {
        let items: Vec<u64> = (0..50).collect();
        let doubled = map_parallel(&items, |i, n| {
            std::thread::sleep(std::time::Duration::from_micros(50 - *n));
            Ok((i, n * 2))
        })
        .unwrap();
        assert_eq!(
            doubled,
            (0..50usize)
                .zip((0..50u64).map(|n| n * 2))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_failure_stops_new_items_and_is_returned() {
        let items: Vec<u32> = (0..1000).collect();
        let started = AtomicUsize::new(0);
        let err = map_parallel(&items, |_, n| {
            started.fetch_add(1, Ordering::Relaxed);
            if *n == 3 {
                Err(StorageError::ImageNotKnown("three".into()))
            } else {
                Ok(*n)
            }
        })
        .unwrap_err();
        assert!(matches!(err, StorageError::ImageNotKnown(ref s) if s == "three"));
        assert!(started.load(Ordering::Relaxed) < 1000);
        assert!(
            map_parallel(&[] as &[u32], |_, n| Ok(*n))
                .unwrap()
                .is_empty()
        );
    }
}
