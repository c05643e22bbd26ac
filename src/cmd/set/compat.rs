//! iprange's command line.
use std::ffi::OsString;
use std::process::ExitCode;

pub fn main(_prog: &str, _args: &[OsString]) -> ExitCode {
    ExitCode::from(2)
}
