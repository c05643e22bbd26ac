//! Each tool's command line and top-level flow. Binaries are one line each;
//! keeping the clap definitions here lets one test render every man page and
//! completion from them.

pub mod set;

/// Every tool's clap definition, for man pages and completions.
pub fn all() -> Vec<clap::Command> {
    vec![set::command()]
}
