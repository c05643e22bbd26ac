//! `tl-fw`: the firewall side. Pulls a profile's lists over DNS (or from
//! files and URLs), renders them into a complete configuration for a
//! firewall, applies them atomically to nftables, ipset or pf, and checks
//! that the rules are still in force.

mod apply;
mod pull;
mod render;

use crate::cli::{self, Verdict};
use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

pub const NAME: &str = "tl-fw";

const EXAMPLES: &str = "\
tl-fw pull --server 192.0.2.53 --zone acme.lists.example -o /var/lib/tl-fw/acme
        the profile's lists over DNS (TCP) into block-in.txt, block-out.txt, allow.txt
tl-fw render --target nftables /var/lib/tl-fw/acme | nft -c -f -
        one inet table: allow first, inbound saddr drop, outbound daddr drop + log
tl-fw render --target paloalto --scores scores.csv -o /srv/edl out/acme
        external dynamic lists, cut to 50,000 entries by score, manifest.json
tl-fw apply --target nftables /var/lib/tl-fw/acme
        replace the live table in one checked transaction
tl-fw check --target nftables /var/lib/tl-fw/acme
        are the rules and sets still in force, with the expected sizes?";

const TARGETS: &str = "\
nftables  one `table inet NAME` replaced in one transaction: interval sets
          (merged, disjoint), the allow-list accepted first, `ip saddr
          @block-in drop` inbound, `ip daddr @block-out` logged and dropped
ipset     `ipset restore` input: hash:net sets sized from the lists, built
          as temporary sets and swapped in; iptables/ip6tables rules
pf        table files and anchor rules; states the table-entries limit
asa       Cisco ASA/FTD object-groups and access-list entries
mikrotik  RouterOS script: temporary address-lists swapped in by name
paloalto  external dynamic lists (text pages); 50,000 entries per list
fortinet  external threat feeds (text pages); 131,072 entries per feed
srx       Juniper SRX address-book and policy set commands
windows   PowerShell New-NetFirewallRule, at most 1,000 addresses a rule
A list longer than the device takes (--max-entries, or the target's
documented limit) keeps its highest-scoring entries (--scores); every entry
left out is named in manifest.json and counted on stderr.";

const GUARDS: &str = "\
The allow-list always wins: it is taken out of both block lists (and
accepted first where the target has rule order). A block list that holds
all of IPv4 or IPv6, or a --nameserver address, is refused: nothing is
written or applied and the rules in force stay.";

const EXIT_STATUS: &str = "\
0  success
1  check: the rules or sets in force are not what the lists say
2  any error: an unreadable or refused list, a failed pull (the previous
   lists are kept), a tool that failed (the previous rules stay in force)";

/// Sections shared by `--help` and the man page.
pub const SECTIONS: &[(&str, &str)] = &[
    ("EXAMPLES", EXAMPLES),
    ("TARGETS", TARGETS),
    ("GUARDS", GUARDS),
    ("EXIT STATUS", EXIT_STATUS),
];

/// Threat lists into firewall rules: pull them over DNS, render them for
/// a firewall, apply them atomically, check they are in force
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Fetch a profile's lists from its nameserver (or files, URLs)
    Pull(pull::PullArgs),
    /// Write a complete firewall configuration for the lists
    Render(render::RenderArgs),
    /// Replace the live rules and sets atomically (nftables, ipset, pf)
    Apply(apply::ApplyArgs),
    /// Say whether the live rules and sets match the lists
    Check(apply::CheckArgs),
}

/// The clap definition, for `--help`, man pages and completions.
pub fn command() -> clap::Command {
    super::with_sections(Cli::command(), SECTIONS)
}

/// Entry point of the `tl-fw` binary.
pub fn main() -> ExitCode {
    let cli: Cli = cli::parse(command());
    cli::run(NAME, || -> Result<Verdict, cli::Failure> {
        match cli.command {
            Command::Pull(a) => pull::run(a),
            Command::Render(a) => render::run(a),
            Command::Apply(a) => apply::run(a),
            Command::Check(a) => apply::check(a),
        }
    })
}
