//! The bundled legacy membership and session API, an in-memory stand-in for a company's own.
//!
//! It behaves like a real internal service rather than a mock: it has its own field names
//! (`given_name`, `external_ref`), offset/limit pagination, `{"error":{"code","message"}}`
//! bodies and the status codes such a service uses (404, 409, 412, 422). Organisations are
//! created on first use. Members and sessions live in separate stores keyed by member id, so
//! suspending or removing a member leaves their sessions alive until someone revokes them;
//! that is the gap the sidecar exists to close, and the emulator keeps it open on purpose.
//!
//! Tests steer it through `/_emulator/*` routes guarded by the same token: queued faults
//! (added latency, error statuses with an optional `Retry-After`, dropped connections), call
//! counters per route, and a reset.
//!
//! [`LegacyApi::serve`] runs it on a caller's runtime; [`start`] runs it on its own thread, which
//! suits synchronous tests, the demo and benchmarks.

mod error;
mod faults;
mod fields;
mod records;
mod routes;
mod store;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use routes::Service;

/// The pause after a failed `accept`, so exhausted file descriptors do not become a busy loop.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

/// An emulator: its data, its test controls and the token it accepts, shared by every clone.
#[derive(Debug, Clone)]
pub struct LegacyApi {
    service: Arc<Service>,
}

impl LegacyApi {
    /// Creates an empty emulator that accepts requests bearing `token`.
    pub fn new(token: impl Into<String>) -> Self {
        LegacyApi {
            service: Arc::new(Service::new(token.into())),
        }
    }

    /// Accepts connections until the future is dropped.
    ///
    /// Dropping the future also closes every connection it accepted. Failed accepts are
    /// logged and retried after a short pause, so in practice it never returns.
    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        let mut connections = JoinSet::new();
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                // Reaping finished connections keeps the set from growing without bound.
                Some(_) = connections.join_next() => continue,
            };
            let stream = match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::warn!(%error, "emulator failed to accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            };
            // Small JSON replies would otherwise wait on Nagle's algorithm for the client's ACK.
            let _ = stream.set_nodelay(true);
            let service = self.service.clone();
            connections.spawn(async move {
                let handler = service_fn(move |request| {
                    let service = service.clone();
                    async move { service.handle(request).await }
                });
                let served = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), handler)
                    .await;
                if let Err(error) = served {
                    tracing::debug!(%error, "emulator connection ended");
                }
            });
        }
    }
}

/// An emulator serving on its own thread and tokio runtime; dropping it stops the server.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    /// Returns the address the server is bound to, with the real port when 0 was asked for.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server, closes its connections and waits for its thread to finish.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Binds `addr` now (returning bind errors), then serves a fresh emulator accepting `token` on
/// a new thread with a two-worker runtime; port 0 picks a free port.
pub fn start(addr: SocketAddr, token: &str) -> std::io::Result<Running> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let api = LegacyApi::new(token);
    let (shutdown, stopped) = oneshot::channel::<()>();
    let (ready, started) = std::sync::mpsc::channel();

    // The runtime is built, used and dropped on the server thread only: dropping a runtime
    // inside another runtime's task panics, and callers of `start` are often async tests.
    let thread = std::thread::Builder::new()
        .name("legacy-api".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("legacy-api")
                .enable_all()
                .build();
            let setup = runtime.and_then(|runtime| {
                let listener = runtime.block_on(async { TcpListener::from_std(listener) })?;
                Ok((runtime, listener))
            });
            let (runtime, listener) = match setup {
                Ok(setup) => {
                    let _ = ready.send(Ok(()));
                    setup
                }
                Err(error) => {
                    let _ = ready.send(Err(error));
                    return;
                }
            };
            runtime.block_on(async move {
                tokio::select! {
                    served = api.serve(listener) => {
                        if let Err(error) = served {
                            tracing::error!(%error, "emulator stopped serving");
                        }
                    }
                    _ = stopped => {}
                }
            });
        })?;
    let running = Running {
        addr,
        shutdown: Some(shutdown),
        thread: Some(thread),
    };
    match started.recv() {
        Ok(Ok(())) => Ok(running),
        Ok(Err(error)) => Err(error),
        Err(_) => Err(std::io::Error::other(
            "emulator thread exited during startup",
        )),
    }
}
