//! Containers' network attachments in SQLite: the `container_networks` table, its rows
//! deleted with their container.

use super::{SqliteState, db_err, require_container};
use crate::error::{CoreError, Result};
use crate::record::NetworkAttachment;
use crate::state::NetworkAttachmentStore;
use crate::state::common::{check_attachment, decode, encode, interface_in_use};
use rusqlite::params;

impl NetworkAttachmentStore for SqliteState {
    fn connect_network(&self, container_id: &str, attachment: &NetworkAttachment) -> Result<()> {
        check_attachment(container_id, attachment)?;
        let json = encode("network attachment", container_id, attachment)?;
        let network = attachment.network.as_str();
        let interface = attachment.interface_name.as_str();
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, false, "begin connecting network")?;
        require_container(&tx, container_id)?;
        let connected = tx
            .prepare_cached(
                "SELECT 1 FROM container_networks WHERE container_id = ?1 AND network = ?2",
            )
            .and_then(|mut stmt| stmt.exists([container_id, network]))
            .map_err(db_err("check network attachment"))?;
        if connected {
            return Err(CoreError::NetworkConnected {
                container: container_id.to_string(),
                network: network.to_string(),
            });
        }
        let interface_used = !interface.is_empty()
            && tx
                .prepare_cached(
                    "SELECT 1 FROM container_networks \
                     WHERE container_id = ?1 AND interface_name = ?2",
                )
                .and_then(|mut stmt| stmt.exists([container_id, interface]))
                .map_err(db_err("check interface name"))?;
        if interface_used {
            return Err(interface_in_use(container_id, interface));
        }
        tx.prepare_cached(
            "INSERT INTO container_networks (container_id, network, interface_name, options) \
             VALUES (?1, ?2, ?3, ?4)",
        )
        .and_then(|mut stmt| stmt.execute(params![container_id, network, interface, json]))
        .map_err(db_err("insert network attachment"))?;
        tx.commit().map_err(db_err("commit connecting network"))
    }

    fn disconnect_network(&self, container_id: &str, network: &str) -> Result<()> {
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, false, "begin disconnecting network")?;
        require_container(&tx, container_id)?;
        let deleted = tx
            .prepare_cached(
                "DELETE FROM container_networks WHERE container_id = ?1 AND network = ?2",
            )
            .and_then(|mut stmt| stmt.execute([container_id, network]))
            .map_err(db_err("delete network attachment"))?;
        if deleted == 0 {
            return Err(CoreError::NetworkNotConnected {
                container: container_id.to_string(),
                network: network.to_string(),
            });
        }
        tx.commit().map_err(db_err("commit disconnecting network"))
    }

    fn container_networks(&self, container_id: &str) -> Result<Vec<NetworkAttachment>> {
        let sql = "SELECT options FROM container_networks WHERE container_id = ?1 ORDER BY network";
        self.ids(sql, Some(container_id), "read network attachments")?
            .iter()
            .map(|json| decode("network attachment", container_id, json))
            .collect()
    }

    fn network_users(&self, network: &str) -> Result<Vec<String>> {
        let sql =
            "SELECT container_id FROM container_networks WHERE network = ?1 ORDER BY container_id";
        self.ids(sql, Some(network), "read network users")
    }
}
