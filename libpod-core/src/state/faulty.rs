//! A state store whose writes fail on demand, for tests of what the lifecycle does when the
//! database refuses a save at the worst moment.

use super::{MemoryState, StateStore};
use crate::error::{CoreError, Result};
use crate::record::{ContainerConfig, ContainerState, ContainerStatus};
use parking_lot::Mutex;
use std::sync::Arc;

/// The failure to inject: the next save of a state with this status fails, storing nothing.
#[derive(Debug, Default)]
pub(crate) struct Fault(Mutex<Option<ContainerStatus>>);

impl Fault {
    /// Makes the next save of a state in `status` fail.
    pub(crate) fn fail_next_save_of(&self, status: ContainerStatus) {
        *self.0.lock() = Some(status);
    }

    fn check(&self, id: &str, state: &ContainerState) -> Result<()> {
        let mut armed = self.0.lock();
        if *armed == Some(state.status) {
            *armed = None;
            return Err(CoreError::io(
                "save container state",
                id,
                std::io::Error::other("injected failure"),
            ));
        }
        Ok(())
    }
}

/// A [`MemoryState`] with a [`Fault`] in front of its state saves.
#[derive(Debug)]
pub(crate) struct FaultyState {
    inner: MemoryState,
    fault: Arc<Fault>,
}

impl FaultyState {
    /// An empty store and the switch of its fault.
    pub(crate) fn new() -> (Self, Arc<Fault>) {
        let fault = Arc::new(Fault::default());
        let store = FaultyState {
            inner: MemoryState::new(),
            fault: fault.clone(),
        };
        (store, fault)
    }
}

impl StateStore for FaultyState {
    fn add_container(&self, config: &ContainerConfig, state: &ContainerState) -> Result<()> {
        self.inner.add_container(config, state)
    }
    fn remove_container(&self, id: &str) -> Result<()> {
        self.inner.remove_container(id)
    }
    fn container_config(&self, id: &str) -> Result<ContainerConfig> {
        self.inner.container_config(id)
    }
    fn container_state(&self, id: &str) -> Result<ContainerState> {
        self.inner.container_state(id)
    }
    fn save_container_state(&self, id: &str, state: &ContainerState) -> Result<()> {
        self.fault.check(id, state)?;
        self.inner.save_container_state(id, state)
    }
    fn lookup_container(&self, name_or_id: &str) -> Result<String> {
        self.inner.lookup_container(name_or_id)
    }
    fn all_containers(&self) -> Result<Vec<String>> {
        self.inner.all_containers()
    }
    fn container_name(&self, id: &str) -> Result<String> {
        self.inner.container_name(id)
    }
    fn dependents(&self, id: &str) -> Result<Vec<String>> {
        self.inner.dependents(id)
    }
    fn record_exit_code(&self, id: &str, code: i32, state: Option<&ContainerState>) -> Result<()> {
        if let Some(state) = state {
            self.fault.check(id, state)?;
        }
        self.inner.record_exit_code(id, code, state)
    }
    fn exit_code(&self, id: &str) -> Result<Option<i32>> {
        self.inner.exit_code(id)
    }
    fn metadata(&self, key: &str) -> Result<Option<String>> {
        self.inner.metadata(key)
    }
    fn set_metadata(&self, key: &str, value: &str) -> Result<()> {
        self.inner.set_metadata(key, value)
    }
}
