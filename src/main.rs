//! The `scim-sidecar` command line.

use anyhow::{bail, Context as _};
use clap::{Parser, Subcommand, ValueEnum};
use pingora::server::UnixShutdownSignalWatch;
use scim_sidecar::config::{ApiKey, Config, Secret, SecretSource};
use scim_sidecar::emulator;
use scim_sidecar::legacy::LegacyClient;
use scim_sidecar::server::{self, app::App, auth, reload};
use scim_sidecar::telemetry::{self, LogFormat};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// The demo configuration shipped with the product.
const DEMO_CONFIG: &str = include_str!("../config/demo.toml");

#[derive(Debug, Parser)]
#[command(
    name = "scim-sidecar",
    version,
    about = "A SCIM 2.0 sidecar in front of an existing membership API"
)]
struct Cli {
    /// Log line format.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    log_format: Format,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve SCIM with the given config file (production mode).
    Run {
        /// The TOML config file; reloaded on change and on SIGHUP.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Start the bundled legacy API and the sidecar together, with one demo tenant.
    Demo {
        /// The SCIM listen address.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// The bundled legacy API's listen address; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:0")]
        legacy_listen: SocketAddr,
        /// The bearer key of the demo tenant; random if not given.
        #[arg(long, env = "SCIM_SIDECAR_DEMO_KEY")]
        key: Option<String>,
        /// The legacy API's service token; random if not given.
        #[arg(long)]
        legacy_token: Option<String>,
        /// A config file to use instead of the shipped demo config.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Run the bundled legacy membership and session API alone.
    LegacyApi {
        /// The listen address.
        #[arg(long, default_value = "127.0.0.1:9000")]
        listen: SocketAddr,
        /// The service token callers must send as a bearer token.
        #[arg(long, env = "SCIM_SIDECAR_LEGACY_TOKEN")]
        token: String,
    },
    /// Validate a config file and report every problem with its location.
    CheckConfig {
        /// The TOML config file.
        file: PathBuf,
    },
    /// Manage API keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Print a new random key and the line to add to a tenant's `keys`.
    New {
        /// A label for the key, shown in logs.
        #[arg(long)]
        label: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The error chain, without the backtrace anyhow adds when RUST_BACKTRACE is set.
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn execute(cli: Cli) -> anyhow::Result<()> {
    let format = match cli.log_format {
        Format::Text => LogFormat::Text,
        Format::Json => LogFormat::Json,
    };
    match cli.command {
        Command::Run { config } => {
            telemetry::init(format, "info");
            run(config)
        }
        Command::Demo {
            listen,
            legacy_listen,
            key,
            legacy_token,
            config,
        } => {
            telemetry::init(format, "info,pingora_core=warn,pingora_proxy=warn");
            demo(listen, legacy_listen, key, legacy_token, config)
        }
        Command::LegacyApi { listen, token } => {
            telemetry::init(format, "info");
            let running = emulator::start(listen, &token)
                .with_context(|| format!("cannot start the legacy API on {listen}"))?;
            println!("legacy API listening on http://{}", running.addr());
            wait_for_ctrl_c()?;
            running.stop();
            Ok(())
        }
        Command::CheckConfig { file } => check_config(file),
        Command::Key {
            command: KeyCommand::New { label },
        } => {
            let key = auth::generate_key();
            let hash = hex::encode(auth::hash_key(&key));
            println!("key:    {key}");
            match label {
                Some(label) => {
                    let label = toml::Value::String(label);
                    println!("config: {{ sha256 = \"{hash}\", label = {label} }}")
                }
                None => println!("config: {{ sha256 = \"{hash}\" }}"),
            }
            eprintln!(
                "Give the key to the identity provider; add the config line to the tenant's keys."
            );
            Ok(())
        }
    }
}

fn run(path: PathBuf) -> anyhow::Result<()> {
    let config = Config::load(&path)
        .map_err(|e| anyhow::anyhow!("invalid config {}:\n{e}", path.display()))?;
    let token = config
        .legacy
        .token
        .resolve()
        .map_err(|e| anyhow::anyhow!("legacy.token: {e}"))?;
    let legacy = LegacyClient::new(&config.legacy, token);
    let app = App::new(config.clone(), legacy);
    reload::spawn(app.clone(), Some(path), |_| {})?;
    server::serve(app, &config, Box::new(UnixShutdownSignalWatch))?;
    Ok(())
}

fn demo(
    listen: SocketAddr,
    legacy_listen: SocketAddr,
    key: Option<String>,
    legacy_token: Option<String>,
    config_path: Option<PathBuf>,
) -> anyhow::Result<()> {
    let mut config = match &config_path {
        Some(path) => Config::load(path),
        None => Config::from_toml(DEMO_CONFIG),
    }
    .map_err(|e| anyhow::anyhow!("invalid demo config:\n{e}"))?;
    if config.tenants.is_empty() {
        bail!("the demo config has no tenant");
    }
    let key = key.unwrap_or_else(auth::generate_key);
    let legacy_token = legacy_token.unwrap_or_else(auth::generate_key);
    let legacy = emulator::start(legacy_listen, &legacy_token)
        .with_context(|| format!("cannot start the bundled legacy API on {legacy_listen}"))?;
    let legacy_url = format!("http://{}", legacy.addr());

    let prepare = {
        let (legacy_url, legacy_token, key) =
            (legacy_url.clone(), legacy_token.clone(), key.clone());
        move |config: &mut Config| {
            config.server.listen = listen;
            config.legacy.base_url = legacy_url.clone();
            config.legacy.token = SecretSource::Inline(Secret::new(legacy_token.clone()));
            config.tenants[0].keys.push(ApiKey {
                sha256: auth::hash_key(&key),
                expires: None,
                label: Some("demo".into()),
            });
        }
    };
    prepare(&mut config);
    let client = LegacyClient::new(&config.legacy, Secret::new(legacy_token.clone()));
    let app = App::new(config.clone(), client);
    reload::spawn(app.clone(), config_path, prepare)?;

    let base = format!("http://{listen}{}", config.server.base_path);
    let org = &config.tenants[0].org;
    println!("scim-sidecar demo");
    println!("  SCIM base URL:   {base}");
    println!("  bearer key:      {key}");
    println!("  legacy API:      {legacy_url}  (organisation {org}, service token {legacy_token})");
    println!();
    println!("Try it:");
    println!(
        "  curl -s -H 'Authorization: Bearer {key}' -H 'Content-Type: application/scim+json' \\\n    \
         -d '{{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"ada@example.com\",\"emails\":[{{\"type\":\"work\",\"value\":\"ada@example.com\"}}],\"name\":{{\"givenName\":\"Ada\",\"familyName\":\"Lovelace\"}},\"active\":true}}' \\\n    \
         {base}/Users"
    );
    println!("  curl -s -H 'Authorization: Bearer {key}' '{base}/Users?filter=userName%20eq%20%22ada@example.com%22'");
    println!();
    println!("Press Ctrl-C to stop.");
    server::serve(app, &config, Box::new(UnixShutdownSignalWatch))?;
    legacy.stop();
    Ok(())
}

fn check_config(file: PathBuf) -> anyhow::Result<()> {
    match Config::load(&file) {
        Ok(config) => {
            let mut warnings = Vec::new();
            if let Err(e) = config.legacy.token.resolve() {
                warnings.push(format!("legacy.token: {e}"));
            }
            for (i, tenant) in config.tenants.iter().enumerate() {
                if tenant.keys.is_empty() {
                    warnings.push(format!(
                        "tenants[{i}].keys: tenant {} has no key and cannot sign in",
                        tenant.name
                    ));
                }
            }
            for warning in &warnings {
                println!("warning: {warning}");
            }
            println!(
                "{}: ok ({} tenants, {} mapped attributes)",
                file.display(),
                config.tenants.len(),
                config.mapping.fields().len()
            );
            Ok(())
        }
        Err(error) => {
            let shown = file.display().to_string();
            for problem in &error.problems {
                match problem.location == shown {
                    true => println!("{shown}: {}", problem.message),
                    false => println!("{shown}: {}: {}", problem.location, problem.message),
                }
            }
            bail!(
                "{shown} is not a valid config ({} problems)",
                error.problems.len()
            )
        }
    }
}

fn wait_for_ctrl_c() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(tokio::signal::ctrl_c())?;
    Ok(())
}
