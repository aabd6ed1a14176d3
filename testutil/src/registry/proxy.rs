//! A TCP proxy in front of a plain-HTTP registry that cuts, corrupts, lengthens or stalls blob
//! downloads, redirects them or moves upload locations elsewhere, and records the requests it
//! forwards.

use super::accept::AcceptLoop;
use super::http::Head;
use super::http::read_head;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Blob bodies at most this long pass untouched whatever the fault (config blobs of test
/// images are smaller, layers larger).
pub const MIN_FAULTY_BODY: u64 = 1024;

/// What the proxy does. All but [`Fault::StallUploads`], [`Fault::MoveUploads`] and
/// [`Fault::RedirectBlobs`] act on blob bodies longer than
/// [`MIN_FAULTY_BODY`] (in answers to `GET /v2/NAME/blobs/sha256:HEX`, status 200 or 206).
/// Offsets count from the start of the response body, so for a `Range` request from the
/// start of the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Pass everything through.
    None,
    /// For the first `times` such responses, send the head (with the true `Content-Length`)
    /// and `bytes` bytes of the body, then close the connection; afterwards behave.
    CutAfter {
        /// Body bytes sent before the cut.
        bytes: u64,
        /// How many responses to cut.
        times: u32,
    },
    /// In every such response, flip the lowest bit of the body byte at `offset`.
    FlipByte {
        /// The body offset of the byte to corrupt.
        offset: u64,
    },
    /// In every such response, send `extra` bytes (zeros) after the body, with a
    /// `Content-Length` that counts them: a registry serving more than the descriptor says.
    Overlong {
        /// Bytes added after the true body.
        extra: u64,
    },
    /// In every such response, send the head and `bytes` bytes of the body, then nothing more
    /// while keeping the connection open, until the client hangs up (or 30 s pass).
    StallAfter {
        /// Body bytes sent before the stall.
        bytes: u64,
    },
    /// Upload requests whose body is longer than [`MIN_FAULTY_BODY`] (`PUT` or `PATCH` to
    /// `/v2/NAME/blobs/uploads/...`, by `Content-Length`, or of unknown length) are not read
    /// past their head nor answered: the proxy holds the connection for 30 s, so a client
    /// sending a body larger than the socket buffers blocks in its writes.
    StallUploads,
    /// Answers to upload requests (`/v2/NAME/blobs/uploads/...`) get their `Location` moved
    /// to `to` (same path and query, `http://`): an upload URL on another host.
    MoveUploads {
        /// Where upload locations point.
        to: SocketAddr,
    },
    /// Every blob `GET` that the registry answers 200 or 206, whatever the size (so only once
    /// the registry has accepted the credentials), is answered `307 Temporary Redirect` to the
    /// same path and query on `to` (`http://`) instead, as a registry whose storage serves
    /// blobs from elsewhere (a CDN, an object store) does. Other answers, 401 included, pass.
    RedirectBlobs {
        /// Where blob downloads are sent.
        to: SocketAddr,
    },
}

/// A request the proxy forwarded, as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `PUT`, ...
    pub method: String,
    /// The request target (path and query).
    pub target: String,
    /// The headers in order, names as sent.
    pub headers: Vec<(String, String)>,
}

impl RecordedRequest {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// A snapshot of a [`FaultProxy`]'s counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultProxyStats {
    /// Client connections accepted.
    pub connections: u64,
    /// Blob `GET`s forwarded (whatever their size or outcome).
    pub blob_gets: u64,
    /// Responses cut, corrupted, stalled, redirected or with a moved `Location`.
    pub faults_injected: u64,
}

/// A proxy on `127.0.0.1:PORT` forwarding HTTP/1.1 to `upstream`, one request per
/// connection: it sends `Connection: close` both ways (to the registry in the request, to
/// the client in the response), so a client that keeps connections alive opens a new one
/// per request. Requests, `Range` headers included, pass through unchanged otherwise.
/// Plain HTTP only: it cannot see inside TLS.
///
/// ```no_run
/// use libpod_testutil::registry::{Fault, FaultProxy, RegistryOptions, TestRegistry};
/// let registry = TestRegistry::start(RegistryOptions::default())?;
/// let proxy = FaultProxy::start(registry.addr(), Fault::CutAfter { bytes: 100, times: 1 })?;
/// // pull through proxy.host(): the first layer download stops after 100 bytes
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct FaultProxy {
    accept: AcceptLoop,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    upstream: SocketAddr,
    fault: Mutex<Fault>,
    cuts_done: AtomicU64,
    connections: AtomicU64,
    blob_gets: AtomicU64,
    faults_injected: AtomicU64,
    requests: Mutex<Vec<RecordedRequest>>,
}

impl FaultProxy {
    /// Starts proxying to `upstream` with `fault`.
    ///
    /// # Errors
    /// When no port can be bound.
    pub fn start(upstream: SocketAddr, fault: Fault) -> io::Result<FaultProxy> {
        let shared = Arc::new(Shared {
            upstream,
            fault: Mutex::new(fault),
            cuts_done: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            blob_gets: AtomicU64::new(0),
            faults_injected: AtomicU64::new(0),
            requests: Mutex::new(Vec::new()),
        });
        let handler_shared = Arc::clone(&shared);
        let accept = AcceptLoop::start("fault-proxy", move |client| {
            handler_shared.connections.fetch_add(1, Ordering::SeqCst);
            if let Err(err) = handler_shared.proxy(client) {
                log_unexpected(&err);
            }
        })?;
        Ok(FaultProxy { accept, shared })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.accept.addr()
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        self.addr().to_string()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.host())
    }

    /// Replaces the fault for the responses to come (and restarts the `CutAfter` count).
    pub fn set_fault(&self, fault: Fault) {
        *self
            .shared
            .fault
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = fault;
        self.shared.cuts_done.store(0, Ordering::SeqCst);
    }

    /// Every request forwarded so far, in the order they arrived.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The counters so far.
    pub fn stats(&self) -> FaultProxyStats {
        FaultProxyStats {
            connections: self.shared.connections.load(Ordering::SeqCst),
            blob_gets: self.shared.blob_gets.load(Ordering::SeqCst),
            faults_injected: self.shared.faults_injected.load(Ordering::SeqCst),
        }
    }
}

/// Broken pipes and resets are the normal end of a cut connection: not worth a word.
fn log_unexpected(err: &io::Error) {
    if !matches!(
        err.kind(),
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset | io::ErrorKind::UnexpectedEof
    ) {
        eprintln!("fault proxy: {err}");
    }
}

/// Whether `target` is `/v2/NAME/blobs/sha256:HEX` (query ignored).
fn is_blob_path(target: &str) -> bool {
    let path = target.split('?').next().unwrap_or_default();
    let Some((repo, digest)) = path
        .strip_prefix("/v2/")
        .and_then(|p| p.rsplit_once("/blobs/"))
    else {
        return false;
    };
    let hex = digest.strip_prefix("sha256:").unwrap_or_default();
    !repo.is_empty() && hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `target` is an upload: `/v2/NAME/blobs/uploads/...`.
fn is_upload_path(target: &str) -> bool {
    target.starts_with("/v2/") && target.contains("/blobs/uploads/")
}

/// `location` (a URL or an absolute path) with its scheme and host replaced by `http://to`.
fn moved_location(location: &str, to: SocketAddr) -> String {
    let path = match location.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => location,
    };
    format!("http://{to}{path}")
}

/// What to do to one response body.
#[derive(Debug, Clone, Copy)]
enum Action {
    Pass,
    Cut(u64),
    Flip(u64),
    Extend(u64),
    Stall(u64),
}

impl Shared {
    fn proxy(&self, mut client: TcpStream) -> io::Result<()> {
        client.set_read_timeout(Some(Duration::from_secs(30)))?;
        // A TLS handshake (a client trying HTTPS first) gets the 400 a Go server answers, at
        // once, rather than a wait for a request head that never comes.
        let mut first = [0u8; 1];
        if client.peek(&mut first)? == 1 && first[0] == 0x16 {
            let _ = client.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        let Some(request) = read_head(&mut client)? else {
            return Ok(());
        };
        let mut parts = request.start_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let target = parts.next().unwrap_or_default().to_string();
        let is_blob_get = method == "GET" && is_blob_path(&target);
        let is_upload = is_upload_path(&target);
        let body_length = request
            .header("content-length")
            .and_then(|v| v.parse::<u64>().ok());
        let stall_upload = is_upload
            && matches!(method.as_str(), "PUT" | "PATCH")
            && body_length.is_none_or(|length| length > MIN_FAULTY_BODY)
            && *self.fault.lock().unwrap_or_else(PoisonError::into_inner) == Fault::StallUploads;
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(RecordedRequest {
                method,
                target: target.clone(),
                headers: request.headers.clone(),
            });
        if stall_upload {
            self.faults_injected.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_secs(30));
            return Ok(());
        }
        let mut upstream = TcpStream::connect(self.upstream)?;
        upstream.write_all(&request.to_bytes_with("Connection", "close"))?;
        upstream.write_all(&request.rest)?;
        // The rest of a request body (uploads) flows on while the response comes back.
        let mut client_reader = client.try_clone()?;
        let mut upstream_writer = upstream.try_clone()?;
        std::thread::spawn(move || {
            let _ = io::copy(&mut client_reader, &mut upstream_writer);
        });
        let redirect = self.blob_redirect(is_blob_get, &target);
        let result = self.relay_response(
            &mut upstream,
            &mut client,
            is_blob_get,
            is_upload,
            redirect.as_deref(),
        );
        let _ = client.shutdown(Shutdown::Both);
        let _ = upstream.shutdown(Shutdown::Both);
        result
    }

    fn relay_response(
        &self,
        upstream: &mut TcpStream,
        client: &mut TcpStream,
        is_blob_get: bool,
        is_upload: bool,
        redirect: Option<&str>,
    ) -> io::Result<()> {
        let Some(mut response) = read_head(upstream)? else {
            return Ok(());
        };
        if is_upload {
            self.move_upload_location(&mut response);
        }
        let status = response.start_line.split_whitespace().nth(1).unwrap_or("");
        let length: Option<u64> = response
            .header("content-length")
            .and_then(|value| value.parse().ok());
        if is_blob_get {
            self.blob_gets.fetch_add(1, Ordering::SeqCst);
        }
        if let Some(location) = redirect
            && matches!(status, "200" | "206")
        {
            self.faults_injected.fetch_add(1, Ordering::SeqCst);
            return send_redirect(client, location);
        }
        let faultable = is_blob_get
            && matches!(status, "200" | "206")
            && length.is_some_and(|len| len > MIN_FAULTY_BODY);
        let action = if faultable {
            self.choose_action()
        } else {
            Action::Pass
        };
        if !matches!(action, Action::Pass) {
            self.faults_injected.fetch_add(1, Ordering::SeqCst);
        }
        if let (Action::Extend(extra), Some(length)) = (action, length) {
            response.set("Content-Length", &length.saturating_add(extra).to_string());
        }
        client.write_all(&response.to_bytes_with("Connection", "close"))?;
        let mut sent = 0u64;
        let mut chunk = std::mem::take(&mut response.rest);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match action {
                Action::Cut(limit) | Action::Stall(limit) => {
                    let room = usize::try_from(limit.saturating_sub(sent)).unwrap_or(usize::MAX);
                    chunk.truncate(room.min(chunk.len()));
                }
                Action::Flip(offset) if offset >= sent => {
                    if let Ok(index) = usize::try_from(offset - sent)
                        && let Some(byte) = chunk.get_mut(index)
                    {
                        *byte ^= 0x01;
                    }
                }
                _ => {}
            }
            client.write_all(&chunk)?;
            sent += chunk.len() as u64;
            match action {
                Action::Cut(limit) if sent >= limit => return Ok(()),
                Action::Stall(limit) if sent >= limit => {
                    client.flush()?;
                    // Until the client hangs up (EOF) or the read timeout passes.
                    let _ = client.read(&mut [0u8; 1]);
                    return Ok(());
                }
                _ => {}
            }
            let n = upstream.read(&mut buf)?;
            if n == 0 {
                if let Action::Extend(extra) = action {
                    send_zeros(client, extra)?;
                }
                return client.flush();
            }
            chunk = buf[..n].to_vec();
        }
    }

    /// With [`Fault::RedirectBlobs`], where a blob `GET` of `target` is redirected to.
    fn blob_redirect(&self, is_blob_get: bool, target: &str) -> Option<String> {
        let fault = *self.fault.lock().unwrap_or_else(PoisonError::into_inner);
        match fault {
            Fault::RedirectBlobs { to } if is_blob_get => Some(moved_location(target, to)),
            _ => None,
        }
    }

    /// With [`Fault::MoveUploads`], points the response's `Location` at the other host.
    fn move_upload_location(&self, response: &mut Head) {
        let fault = *self.fault.lock().unwrap_or_else(PoisonError::into_inner);
        if let Fault::MoveUploads { to } = fault
            && let Some(location) = response.header("location")
        {
            let moved = moved_location(location, to);
            response.set("Location", &moved);
            self.faults_injected.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn choose_action(&self) -> Action {
        let fault = *self.fault.lock().unwrap_or_else(PoisonError::into_inner);
        match fault {
            Fault::None => Action::Pass,
            Fault::FlipByte { offset } => Action::Flip(offset),
            Fault::Overlong { extra } => Action::Extend(extra),
            Fault::StallAfter { bytes } => Action::Stall(bytes),
            Fault::StallUploads | Fault::MoveUploads { .. } | Fault::RedirectBlobs { .. } => {
                Action::Pass
            }
            Fault::CutAfter { bytes, times } => {
                let took_a_cut = self
                    .cuts_done
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |done| {
                        (done < u64::from(times)).then_some(done + 1)
                    })
                    .is_ok();
                if took_a_cut {
                    Action::Cut(bytes)
                } else {
                    Action::Pass
                }
            }
        }
    }
}

/// Answers `307 Temporary Redirect` to `location`, with no body.
fn send_redirect(client: &mut TcpStream, location: &str) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    client.write_all(head.as_bytes())?;
    client.flush()
}

/// Writes `count` zero bytes to `client`.
fn send_zeros(client: &mut TcpStream, mut count: u64) -> io::Result<()> {
    let zeros = [0u8; 64 * 1024];
    while count > 0 {
        let n = usize::try_from(count).map_or(zeros.len(), |c| c.min(zeros.len()));
        client.write_all(&zeros[..n])?;
        count -= n as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{is_blob_path, moved_location};

    #[test]
    fn recognizes_blob_paths() {
        let hex = "a".repeat(64);
        assert!(is_blob_path(&format!("/v2/busybox/blobs/sha256:{hex}")));
        assert!(is_blob_path(&format!(
            "/v2/library/busybox/blobs/sha256:{hex}?x=1"
        )));
        assert!(!is_blob_path(&format!(
            "/v2/busybox/manifests/sha256:{hex}"
        )));
        assert!(!is_blob_path("/v2/busybox/blobs/uploads/"));
        assert!(!is_blob_path("/v2/busybox/blobs/sha256:abc"));
    }

    #[test]
    fn moves_locations_to_another_host() {
        let to = "127.0.0.1:9".parse().unwrap();
        assert_eq!(
            moved_location("http://127.0.0.1:5000/v2/x/blobs/uploads/u?_state=s", to),
            "http://127.0.0.1:9/v2/x/blobs/uploads/u?_state=s"
        );
        assert_eq!(
            moved_location("/v2/x/blobs/uploads/u", to),
            "http://127.0.0.1:9/v2/x/blobs/uploads/u"
        );
    }
}
