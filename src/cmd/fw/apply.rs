//! `tl-fw apply` and `tl-fw check`: not written yet.

use super::render::ListArgs;
use crate::cli::{Failure, Verdict};

#[derive(clap::Args, Debug)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub lists: ListArgs,
    /// Show what would change; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub lists: ListArgs,
}

pub fn run(_: ApplyArgs) -> Result<Verdict, Failure> {
    Err(Failure::msg("apply is not written yet"))
}

pub fn check(_: CheckArgs) -> Result<Verdict, Failure> {
    Err(Failure::msg("check is not written yet"))
}
