//! Two independent pieces of work at once: the slow steps of cleanup and removal are mostly
//! waiting (a runtime delete, fsyncs, inode operations), so they overlap well.

use std::sync::Mutex;

/// Runs `background` on a thread named `name` while `foreground` runs on this one, and returns
/// both results. Runs them one after the other (background first) when no thread can be
/// started. A panic in `background` is resumed here.
pub(crate) fn overlap<B: Send, F>(
    name: &str,
    background: impl FnOnce() -> B + Send,
    foreground: impl FnOnce() -> F,
) -> (B, F) {
    // Kept here, not moved into the thread, so that it can still run if the spawn fails.
    let slot = Mutex::new(Some(background));
    let take = || slot.lock().unwrap_or_else(|p| p.into_inner()).take();
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name(name.to_string())
            .spawn_scoped(scope, || take().map(|work| work()));
        let background = match spawned {
            Ok(thread) => {
                let foreground = foreground();
                let background = thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                return (background.expect("the thread ran the work"), foreground);
            }
            Err(err) => {
                tracing::debug!(%err, name, "no thread to overlap with; running in turn");
                take().expect("the work did not run")()
            }
        };
        (background, foreground())
    })
}

#[cfg(test)]
mod tests {
    use super::overlap;
    use std::time::Duration;

    #[test]
    fn both_run_and_their_results_come_back_in_order() {
        let here = std::thread::current().id();
        let (a, b) = overlap(
            "test",
            || (std::thread::current().id(), 1),
            || (std::thread::current().id(), 2),
        );
        assert_eq!((a.1, b.1), (1, 2));
        assert_ne!(a.0, here, "the background work ran here");
        assert_eq!(b.0, here);
    }

    #[test]
    fn they_run_at_the_same_time() {
        // Each waits for the other's message: only work done at once gets both in time.
        let (to_foreground, from_background) = std::sync::mpsc::channel();
        let (to_background, from_foreground) = std::sync::mpsc::channel();
        let wait = Duration::from_secs(10);
        let (background, foreground) = overlap(
            "test",
            move || {
                to_foreground.send(()).unwrap();
                from_foreground.recv_timeout(wait).is_ok()
            },
            move || {
                let got = from_background.recv_timeout(wait).is_ok();
                to_background.send(()).unwrap();
                got
            },
        );
        assert!(background && foreground);
    }

    #[test]
    #[should_panic(expected = "in the background")]
    fn a_background_panic_reaches_the_caller() {
        overlap("test", || panic!("in the background"), || ());
    }
}
