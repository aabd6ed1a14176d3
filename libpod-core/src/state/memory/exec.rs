//! Exec sessions in memory.

use super::{ExecRecord, MemoryState};
use crate::error::{CoreError, Result};
use crate::record::ExecSession;
use crate::state::ExecStore;
use crate::state::common::{check_new_exec_session, decode_exec, encode_exec, id_in_use};

fn not_found(id: &str) -> CoreError {
    CoreError::ExecSessionNotFound(id.to_string())
}

impl ExecStore for MemoryState {
    fn add_exec_session(&self, session: &ExecSession) -> Result<()> {
        check_new_exec_session(session)?;
        let (config, state) = encode_exec(session)?;
        let mut inner = self.inner.lock();
        inner.container(&session.container_id)?;
        if inner.exec_sessions.contains_key(&session.id) {
            return Err(id_in_use(&session.id));
        }
        inner.exec_sessions.insert(
            session.id.clone(),
            ExecRecord {
                container_id: session.container_id.clone(),
                config,
                state,
            },
        );
        Ok(())
    }

    fn exec_session(&self, id: &str) -> Result<ExecSession> {
        let inner = self.inner.lock();
        let record = inner.exec_sessions.get(id).ok_or_else(|| not_found(id))?;
        decode_exec(id, &record.container_id, &record.config, &record.state)
    }

    fn save_exec_session(&self, session: &ExecSession) -> Result<()> {
        let (_, state) = encode_exec(session)?;
        let mut inner = self.inner.lock();
        let record = inner
            .exec_sessions
            .get_mut(&session.id)
            .ok_or_else(|| not_found(&session.id))?;
        record.state = state;
        Ok(())
    }

    fn remove_exec_session(&self, id: &str) -> Result<()> {
        self.inner
            .lock()
            .exec_sessions
            .remove(id)
            .map(drop)
            .ok_or_else(|| not_found(id))
    }

    fn exec_sessions(&self, container_id: &str) -> Result<Vec<String>> {
        let inner = self.inner.lock();
        Ok(inner
            .exec_sessions
            .iter()
            .filter(|(_, s)| s.container_id == container_id)
            .map(|(id, _)| id.clone())
            .collect())
    }
}
