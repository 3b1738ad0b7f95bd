//! scim-sidecar: a SCIM 2.0 service that provisions users into an existing membership API.

pub mod config;
pub mod mapping;
pub mod scim;
