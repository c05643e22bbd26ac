//! threatlist: threat-intelligence lists for firewalls.
//!
//! The library holds all domain logic; each `src/bin/tl-*.rs` is a one-line
//! call into [`cmd`]. See `docs/architecture.md` for the data flow.

pub mod artifact;
pub mod cli;
pub mod cmd;
pub mod feed;
pub mod geo;
pub mod net;
pub mod profile;
pub mod record;
pub mod score;
pub mod set;
pub mod zone;
