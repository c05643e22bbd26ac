//! `tl-fw pull`: not written yet.

use crate::cli::{Failure, Verdict};

#[derive(clap::Args, Debug)]
pub struct PullArgs {}

pub fn run(_: PullArgs) -> Result<Verdict, Failure> {
    Err(Failure::msg("pull is not written yet"))
}
