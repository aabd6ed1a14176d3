//! Exec sessions in SQLite: the `exec_sessions` table, its rows deleted with their container.

use super::{SqliteState, db_err, exists, require_container};
use crate::error::{CoreError, Result};
use crate::record::ExecSession;
use crate::state::ExecStore;
use crate::state::common::{check_new_exec_session, decode_exec, encode_exec, id_in_use};
use rusqlite::{OptionalExtension, params};

fn not_found(id: &str) -> CoreError {
    CoreError::ExecSessionNotFound(id.to_string())
}

impl ExecStore for SqliteState {
    fn add_exec_session(&self, session: &ExecSession) -> Result<()> {
        check_new_exec_session(session)?;
        let (config, state) = encode_exec(session)?;
        let (id, container) = (session.id.as_str(), session.container_id.as_str());
        let mut conn = self.conn.lock();
        // Sessions do not outlive a reboot: no fsync (see `VOLATILE_SYNCHRONOUS`).
        let tx = self.begin_with(&mut conn, true, "begin adding exec session")?;
        require_container(&tx, container)?;
        let sql = "SELECT 1 FROM exec_sessions WHERE id = ?1";
        if exists(&tx, sql, id, "check exec session id")? {
            return Err(id_in_use(id));
        }
        tx.prepare_cached(
            "INSERT INTO exec_sessions (id, container_id, config, state) VALUES (?1, ?2, ?3, ?4)",
        )
        .and_then(|mut stmt| stmt.execute(params![id, container, config, state]))
        .map_err(db_err("insert exec session"))?;
        tx.commit().map_err(db_err("commit adding exec session"))
    }

    fn exec_session(&self, id: &str) -> Result<ExecSession> {
        let conn = self.conn.lock();
        let row: Option<(String, String, String)> = conn
            .prepare_cached("SELECT container_id, config, state FROM exec_sessions WHERE id = ?1")
            .and_then(|mut stmt| {
                stmt.query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                    .optional()
            })
            .map_err(db_err("read exec session"))?;
        let (container, config, state) = row.ok_or_else(|| not_found(id))?;
        decode_exec(id, &container, &config, &state)
    }

    fn save_exec_session(&self, session: &ExecSession) -> Result<()> {
        let (_, state) = encode_exec(session)?;
        let sql = "UPDATE exec_sessions SET state = ?1 WHERE id = ?2";
        match self.write_at(
            true,
            sql,
            [state.as_str(), &session.id],
            "save exec session",
        )? {
            0 => Err(not_found(&session.id)),
            _ => Ok(()),
        }
    }

    fn remove_exec_session(&self, id: &str) -> Result<()> {
        let sql = "DELETE FROM exec_sessions WHERE id = ?1";
        match self.write_at(true, sql, [id], "delete exec session")? {
            0 => Err(not_found(id)),
            _ => Ok(()),
        }
    }

    fn exec_sessions(&self, container_id: &str) -> Result<Vec<String>> {
        let sql = "SELECT id FROM exec_sessions WHERE container_id = ?1 ORDER BY id";
        self.ids(sql, Some(container_id), "list exec sessions")
    }
}
