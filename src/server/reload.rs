//! Config reloads without a restart: on SIGHUP or when the file changes.
//!
//! Tenants, keys, rate limits, the mapping, SCIM limits and the legacy service token (a rotated
//! Secret file, say) take effect at once; requests in flight finish on the config they started
//! with. The listener and the other legacy API settings are read only at start; a change to
//! them is logged as needing a restart.

use crate::config::Config;
use crate::server::app::App;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How often the config file's modification time is checked.
const POLL: Duration = Duration::from_secs(2);

/// How often the failed-authentication table is pruned.
const PRUNE: Duration = Duration::from_secs(60);

/// Starts the background thread that reloads `path` into `app` and prunes limiter state.
///
/// `prepare` adjusts a freshly loaded config the way start-up did (the demo adds its key).
pub fn spawn(
    app: Arc<App>,
    path: Option<PathBuf>,
    prepare: impl Fn(&mut Config) + Send + 'static,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("config-reload".into())
        .spawn(move || {
            runtime.block_on(watch(app, path, prepare));
        })?;
    Ok(())
}

async fn watch(app: Arc<App>, path: Option<PathBuf>, prepare: impl Fn(&mut Config)) {
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    let mut seen = path.as_deref().and_then(modified);
    let mut poll = tokio::time::interval(POLL);
    let mut prune = tokio::time::interval(PRUNE);
    loop {
        let forced = tokio::select! {
            _ = poll.tick() => false,
            _ = prune.tick() => { app.prune(); continue; }
            Some(()) = async { match hangup.as_mut() { Some(h) => h.recv().await, None => None } } => true,
        };
        let Some(path) = path.as_deref() else {
            continue;
        };
        let now = modified(path);
        if !forced && now == seen {
            continue;
        }
        seen = now;
        reload(&app, path, &prepare);
    }
}

fn reload(app: &App, path: &Path, prepare: &impl Fn(&mut Config)) {
    match Config::load(path) {
        Ok(mut config) => {
            prepare(&mut config);
            let old = app.snapshot();
            if fixed_settings(&old.config) != fixed_settings(&config) {
                tracing::warn!("server or legacy API settings changed; they apply after a restart");
            }
            match config.legacy.token.resolve() {
                Ok(token) => app.legacy.set_token(token),
                Err(error) => {
                    tracing::error!(%error, "legacy.token cannot be read; the reload is refused");
                    return;
                }
            }
            let tenants = config.tenants.len();
            app.reload(config);
            tracing::info!(tenants, "config reloaded");
        }
        Err(error) => {
            tracing::error!(%error, "config reload failed; the previous config stays in force");
        }
    }
}

/// The settings read only at start, as text to compare.
fn fixed_settings(config: &Config) -> String {
    let legacy = &config.legacy;
    format!(
        "{:?}",
        (
            &config.server,
            &legacy.base_url,
            legacy.timeout,
            legacy.max_concurrency,
            legacy.retries,
            legacy.page_size,
            &legacy.api,
        )
    )
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
