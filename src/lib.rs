//! scim-sidecar: a SCIM 2.0 service that provisions users into an existing membership API.

pub mod cache;
pub mod config;
pub mod emulator;
pub mod legacy;
pub mod mapping;
pub mod scim;
pub mod server;
pub mod telemetry;
