//! The SCIM server: pingora listener, authentication, routing and the SCIM endpoints.
//!
//! [`serve`] builds a pingora server from the validated config (pingora's own YAML is never
//! exposed), checks that the listen address can be bound, and runs until the shutdown signal.

pub mod app;
pub mod auth;
mod discovery;
pub mod handler;
mod list;
pub mod proxy;
pub mod reload;
pub mod response;
mod users;

use crate::config::Config;
use app::App;
use pingora::server::configuration::ServerConf;
use pingora::server::{RunArgs, Server, ShutdownSignalWatch};
use std::sync::Arc;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listen address is taken or not ours.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The TLS certificate or key could not be used.
    #[error("cannot use the TLS certificate or key: {0}")]
    Tls(String),
}

/// Runs the SCIM listener until `shutdown` fires, then drains and returns.
pub fn serve(
    app: Arc<App>,
    config: &Config,
    shutdown: Box<dyn ShutdownSignalWatch + Send + Sync>,
) -> Result<(), ServeError> {
    let server_config = &config.server;
    // pingora retries a failed bind in the background and then panics inside the service
    // task while the process lives on; checking first turns that into a clear error.
    std::net::TcpListener::bind(server_config.listen).map_err(|source| ServeError::Bind {
        addr: server_config.listen,
        source,
    })?;

    let conf = ServerConf {
        threads: server_config.threads,
        grace_period_seconds: Some(server_config.grace_period_seconds),
        graceful_shutdown_timeout_seconds: Some(server_config.shutdown_timeout_seconds),
        ..ServerConf::default()
    };
    let mut server = Server::new_with_opt_and_conf(None, conf);
    server.bootstrap();
    let front = proxy::ScimProxy::new(
        app,
        server_config.base_path.clone(),
        server_config.public_url.clone(),
        server_config.max_body_bytes,
        server_config.tls.is_some(),
    );
    let mut service =
        pingora::proxy::http_proxy_service_with_name(&server.configuration, front, "scim");
    let addr = server_config.listen.to_string();
    match &server_config.tls {
        Some(tls) => service
            .add_tls(&addr, &tls.cert, &tls.key)
            .map_err(|e| ServeError::Tls(e.to_string()))?,
        None => service.add_tcp(&addr),
    }
    server.add_service(service);
    tracing::info!(listen = %server_config.listen, base_path = %server_config.base_path, "scim listener starting");
    server.run(RunArgs {
        shutdown_signal: shutdown,
    });
    tracing::info!("scim listener stopped");
    Ok(())
}
