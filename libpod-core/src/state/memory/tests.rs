use super::MemoryState;
use crate::state::StateStore;
use crate::state::suite::Subject;

impl Subject for MemoryState {
    fn store(&self) -> &dyn StateStore {
        self
    }
    fn damage(&self, id: &str, what: &str, json: &str) {
        MemoryState::damage(self, id, what, json);
    }
    fn age_exit_code(&self, id: &str, seconds: i64) {
        MemoryState::age_exit_code(self, id, seconds);
    }
}

crate::state_store_suite!(MemoryState::new);
