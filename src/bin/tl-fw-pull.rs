//! Temporary on branch fw-pull: `tl-fw pull` as a binary of its own, for
//! the tests, until `tl-fw` takes `cmd::fw_pull::PullArgs` as its `pull`.
use clap::Parser;

#[derive(Parser)]
#[command(name = "tl-fw-pull")]
struct Cli {
    #[command(flatten)]
    args: threatlist::cmd::fw_pull::PullArgs,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    threatlist::cli::run(threatlist::cmd::fw_pull::NAME, || {
        threatlist::cmd::fw_pull::run(cli.args)
    })
}
