//! The systemd restarter: `RestartUnit(unit, "replace")` on systemd's Manager over D-Bus,
//! then the job's `JobRemoved` signal awaited; its result must be `done` (Podman's
//! `restartSystemdUnit`).

use super::Restarter;
use crate::check::Group;
use crate::error::{AutoUpdateError, Result};
use libpod_core::runtime::Runtime;
use zbus::blocking::{Connection, Proxy};
use zbus::zvariant::OwnedObjectPath;

const DESTINATION: &str = "org.freedesktop.systemd1";
const PATH: &str = "/org/freedesktop/systemd1";
const MANAGER: &str = "org.freedesktop.systemd1.Manager";

/// Which bus systemd is on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SystemdBus {
    /// The system bus (root's units).
    #[default]
    System,
    /// The session bus (a user's units).
    Session,
    /// A bus at this address (`unix:path=...`).
    Address(String),
}

/// Restarts the unit a group runs in through systemd.
#[derive(Debug)]
pub struct SystemdRestarter {
    conn: Connection,
}

impl SystemdRestarter {
    /// Connects to systemd on `bus` and subscribes to its job signals.
    pub fn connect(bus: &SystemdBus) -> Result<SystemdRestarter> {
        let conn = match bus {
            SystemdBus::System => Connection::system()?,
            SystemdBus::Session => Connection::session()?,
            SystemdBus::Address(address) => {
                zbus::blocking::connection::Builder::address(address.as_str())?.build()?
            }
        };
        manager(&conn)?.call_method("Subscribe", &())?;
        Ok(SystemdRestarter { conn })
    }

    /// Restarts `unit` and waits for its job's result; `Ok` only for `done`.
    pub fn restart_unit(&self, unit: &str) -> Result<(), String> {
        let run = || -> zbus::Result<String> {
            let manager = manager(&self.conn)?;
            // Listening before the call: the job may end before the reply is read.
            let removed = manager.receive_signal("JobRemoved")?;
            let job: OwnedObjectPath = manager.call("RestartUnit", &(unit, "replace"))?;
            for message in removed {
                let (_id, path, _unit, result): (u32, OwnedObjectPath, String, String) =
                    message.body().deserialize()?;
                if path == job {
                    return Ok(result);
                }
            }
            Err(zbus::Error::Failure(
                "the bus closed before the job ended".into(),
            ))
        };
        match run() {
            Ok(result) if result == "done" => {
                tracing::info!(unit, "restarted systemd unit");
                Ok(())
            }
            Ok(result) => Err(format!("expected \"done\" but received {result:?}")),
            Err(err) => Err(err.to_string()),
        }
    }
}

fn manager(conn: &Connection) -> zbus::Result<Proxy<'static>> {
    Proxy::new(conn, DESTINATION, PATH, MANAGER)
}

impl Restarter for SystemdRestarter {
    fn restart(&self, _rt: &Runtime, group: &Group) -> Result<()> {
        let Some(unit) = &group.unit else {
            return Err(AutoUpdateError::Restart {
                container: group
                    .tasks
                    .first()
                    .map(|t| t.container_id.clone())
                    .unwrap_or_default(),
                target: "no systemd unit".into(),
                reason: "the container was not created by a systemd unit".into(),
            });
        };
        self.restart_unit(unit)
            .map_err(|reason| AutoUpdateError::Restart {
                container: group
                    .tasks
                    .first()
                    .map(|t| t.container_id.clone())
                    .unwrap_or_default(),
                target: format!("systemd unit {unit:?}"),
                reason,
            })
    }
}
