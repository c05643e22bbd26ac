//! threatlist: threat-intelligence lists for firewalls.
//!
//! The library holds all domain logic as stages (a plan in, a report out)
//! that the tools and `tl-update` call; each `src/bin/tl-*.rs` is a one-line
//! call into [`cmd`]. `ARCHITECTURE.md` is the map of the code.

pub mod artifact;
pub mod cli;
pub mod cmd;
pub mod error;
pub mod feed;
pub mod files;
pub mod firewall;
pub mod geo;
pub mod logs;
pub mod net;
pub mod pool;
pub mod profile;
pub mod record;
pub mod score;
pub mod set;
pub mod time;
pub mod update;
pub mod zone;
