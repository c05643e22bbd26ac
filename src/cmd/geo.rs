//! `tl-geo` (stub: being written).

use clap::{CommandFactory, Parser};
use std::process::ExitCode;

pub const NAME: &str = "tl-geo";

/// Not yet implemented.
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
struct Cli {}

pub const SECTIONS: &[(&str, &str)] = &[];

pub fn command() -> clap::Command {
    super::with_sections(Cli::command(), SECTIONS)
}

pub fn main() -> ExitCode {
    let _ = command().get_matches();
    ExitCode::from(2)
}
