//! Real servers for the registry tests (openssl s_server, docker-registry): a free port, and
//! a guard that kills the server by PID when the test ends, even on panic.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A port nobody listens on right now on 127.0.0.1.
pub(crate) fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

/// A server process, killed and reaped when dropped.
pub(crate) struct ServerGuard {
    child: Child,
    name: String,
}

impl ServerGuard {
    /// Starts `command` and waits until it accepts connections on 127.0.0.1:`port`.
    ///
    /// # Panics
    /// When it cannot start, or exits or does not listen within 10 s.
    pub(crate) fn start(mut command: Command, port: u16) -> ServerGuard {
        let name = format!("{command:?}");
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("starting {name}: {err}"));
        let mut guard = ServerGuard { child, name };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            if let Some(status) = guard.child.try_wait().unwrap() {
                panic!("{} exited with {status}", guard.name);
            }
            assert!(
                Instant::now() < deadline,
                "{} did not listen on {port}",
                guard.name
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        guard
    }
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        if let Err(err) = self.child.kill() {
            eprintln!("killing {}: {err}", self.name);
        }
        let _ = self.child.wait();
    }
}
