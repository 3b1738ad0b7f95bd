//! scim-sidecar library.
