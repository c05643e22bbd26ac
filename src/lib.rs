//! threatlist: threat-intelligence lists for firewalls.
//!
//! The library holds all domain logic; each `src/bin/tl-*.rs` is a one-line
//! call into [`cmd`]. See `docs/architecture.md` for the data flow.

pub mod artifact;
pub mod cli;
pub mod cmd;
pub mod error;
pub mod feed;
pub mod files;
pub mod geo;
pub mod net;
pub mod pool;
pub mod profile;
pub mod record;
pub mod score;
pub mod set;
pub mod time;
pub mod zone;
