//! The reading thread's side of the pool: hands out jobs, knows what is in flight, waits.

use super::{DirId, FileJob, MAX_IN_FLIGHT_BYTES, MAX_IN_FLIGHT_FILES, PRUNE_AT, Queued, Shared};
use crate::error::{Result, StorageError};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Sender, channel};
use std::thread::Scope;

/// Where a job went: its worker and its position in that worker's queue (from 1).
#[derive(Clone, Copy, Debug)]
pub(super) struct Ticket {
    pub(super) worker: usize,
    index: u64,
}

/// The in-flight files of one directory.
#[derive(Default)]
pub(super) struct DirFlight {
    /// The directory's latest job.
    last: Option<Ticket>,
    pub(super) names: HashMap<Vec<u8>, Ticket>,
}

/// The reading thread's side of the workers: hands out jobs, tracks what is in flight.
pub(in crate::layer::apply) struct Pool<'scope, 'env> {
    scope: &'scope Scope<'scope, 'env>,
    shared: &'env Shared,
    /// One queue per worker, empty until the first job starts the workers.
    queues: Vec<Sender<Queued<'env>>>,
    dispatched: Vec<u64>,
    pub(super) flights: HashMap<DirId, DirFlight>,
    tracked: usize,
}

impl<'scope, 'env> Pool<'scope, 'env> {
    /// A pool whose workers run in `scope`, started on the first job.
    pub(in crate::layer::apply) fn new(
        scope: &'scope Scope<'scope, 'env>,
        shared: &'env Shared,
    ) -> Self {
        Pool {
            scope,
            shared,
            queues: Vec::new(),
            dispatched: vec![0; shared.completed.len()],
            flights: HashMap::new(),
            tracked: 0,
        }
    }

    /// Whether there are workers to hand files to.
    pub(in crate::layer::apply) fn enabled(&self) -> bool {
        !self.dispatched.is_empty()
    }

    fn is_done(&self, ticket: Ticket) -> bool {
        self.shared.completed[ticket.worker].load(Ordering::Acquire) >= ticket.index
    }

    fn pending(&self, worker: usize) -> u64 {
        self.dispatched[worker] - self.shared.completed[worker].load(Ordering::Acquire)
    }

    /// Whether any file is in flight.
    pub(in crate::layer::apply) fn busy(&self) -> bool {
        (0..self.dispatched.len()).any(|worker| self.pending(worker) > 0)
    }

    /// Fails with the earliest failure once a worker failed.
    pub(in crate::layer::apply) fn check(&mut self) -> Result<()> {
        if self.shared.stop_after.load(Ordering::Acquire) == u64::MAX {
            return Ok(());
        }
        self.drain()
    }

    /// Waits until no file is in flight; then fails with the earliest failure, if any.
    pub(in crate::layer::apply) fn drain(&mut self) -> Result<()> {
        if self.enabled() {
            self.shared.wait_until(|state| state.files == 0);
            self.flights.clear();
            self.tracked = 0;
        }
        match self.shared.lock().error.take() {
            Some((_, err)) => Err(err),
            None => Ok(()),
        }
    }

    /// Before anything touches `name` in directory `dir`: waits if a file of that name in
    /// that directory is in flight.
    pub(in crate::layer::apply) fn settle_file(&mut self, dir: DirId, name: &[u8]) -> Result<()> {
        let in_flight = self
            .flights
            .get(&dir)
            .and_then(|flight| flight.names.get(name))
            .is_some_and(|ticket| !self.is_done(*ticket));
        if in_flight { self.drain() } else { Ok(()) }
    }

    /// Before the metadata of directory `dir` changes: waits if files are in flight in it.
    pub(in crate::layer::apply) fn settle_dir(&mut self, dir: DirId) -> Result<()> {
        let in_flight = self
            .flights
            .get(&dir)
            .and_then(|flight| flight.last)
            .is_some_and(|ticket| !self.is_done(ticket));
        if in_flight { self.drain() } else { Ok(()) }
    }

    /// Hands a file to a worker, waiting while too much is in flight. Entry `seq` comes
    /// after every entry handed over before.
    pub(in crate::layer::apply) fn submit(&mut self, seq: u64, job: FileJob<'env>) -> Result<()> {
        self.check()?;
        if self.queues.is_empty() {
            self.start();
        }
        let bytes = job.content.len();
        self.shared.wait_until(|state| {
            state.files < MAX_IN_FLIGHT_FILES
                && (state.files == 0 || state.bytes + bytes <= MAX_IN_FLIGHT_BYTES)
        });
        self.check()?;
        let dir = job.dir.id;
        let worker = match self.flights.get(&dir).and_then(|flight| flight.last) {
            // The directory's files stay on one worker while it has some in flight.
            Some(ticket) if !self.is_done(ticket) => ticket.worker,
            _ => (0..self.dispatched.len())
                .min_by_key(|worker| self.pending(*worker))
                .unwrap_or(0),
        };
        let name = job.file_name.as_bytes().to_vec();
        let shown = job.name.root.join(&job.name.relative);
        {
            let mut state = self.shared.lock();
            state.files += 1;
            state.bytes += bytes;
            state.peak_files = state.peak_files.max(state.files);
            state.peak_bytes = state.peak_bytes.max(state.bytes);
        }
        if self.queues[worker].send(Queued { seq, job }).is_err() {
            let mut state = self.shared.lock();
            state.files -= 1;
            state.bytes -= bytes;
            return Err(StorageError::io(
                "hand over",
                shown,
                std::io::Error::other("the file creating worker stopped"),
            ));
        }
        self.dispatched[worker] += 1;
        let ticket = Ticket {
            worker,
            index: self.dispatched[worker],
        };
        let flight = self.flights.entry(dir).or_default();
        flight.last = Some(ticket);
        flight.names.insert(name, ticket);
        self.tracked += 1;
        if self.tracked > PRUNE_AT {
            self.prune();
        }
        Ok(())
    }

    /// Forgets the files that are done.
    fn prune(&mut self) {
        let completed: Vec<u64> = (self.shared.completed.iter())
            .map(|done| done.load(Ordering::Acquire))
            .collect();
        let done = |ticket: &Ticket| completed[ticket.worker] >= ticket.index;
        self.flights.retain(|_, flight| {
            flight.names.retain(|_, ticket| !done(ticket));
            !flight.names.is_empty()
        });
        self.tracked = self.flights.values().map(|flight| flight.names.len()).sum();
    }

    fn start(&mut self) {
        for worker in 0..self.dispatched.len() {
            let (queue, jobs) = channel();
            let shared = self.shared;
            self.queues.push(queue);
            self.scope.spawn(move || shared.work(worker, jobs));
        }
    }
}

impl Drop for Pool<'_, '_> {
    /// Abandoned (an error or a panic before the final drain): the workers skip what is
    /// left, and held ones are let go, so that the scope can end.
    fn drop(&mut self) {
        self.shared.stop_after.store(0, Ordering::Release);
        self.shared.lock().released = true;
        self.shared.changed.notify_all();
    }
}
