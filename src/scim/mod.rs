//! The SCIM 2.0 protocol core: schemas, filters, PATCH and resource shaping.
//!
//! Everything under this module is pure: it does no I/O, so each piece is tested with tables of
//! inputs and expected outputs.

pub mod error;
pub mod filter;
pub mod normalize;
pub mod patch;
pub mod profile;
pub mod projection;
pub mod schema;
pub mod sort;
#[cfg(test)]
mod testing;
