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
        the profile's lists over DNS (TCP, APL form) into block-in.txt, block-out.txt, allow.txt
tl-fw pull --server ns1.example.net --zone acme.lists.example --form txt \\
        --tsig-key /etc/tl-fw/acme.key -o /var/lib/tl-fw/acme
tl-fw pull --block-in https://lists.example.net/acme/block-in.txt --allow allow.txt -o DIR
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
          allow4/6, block_in4/6, block_out4/6 (merged, disjoint), the
          allow-list accepted first, `ip saddr @block_in4` counted and
          dropped inbound (and logged, with --log-in-prefix), `ip daddr
          @block_out4` counted, logged, dropped
ipset     `ipset restore` input: hash:net sets sized from the lists, built
          as temporary sets and swapped in; iptables/ip6tables rules (LOG
          before DROP outbound, and inbound with --log-in-prefix)
pf        table files NAME_block_in, NAME_block_out, NAME_allow (one CIDR a
          line) and NAME.anchor, which loads them and blocks with them, in
          one transaction; states the `set limit table-entries` they need:
            tl-fw render --target pf --name acme -o /etc/pf/acme DIR
            cd /etc/pf/acme && pfctl -a acme -f acme.anchor
asa       Cisco ASA/FTD 9.0+: object-groups and deny entries at the top of
          the access-lists NAME_in and NAME_out; each group is built as
          NAME_block_in_new and enforced before the old one goes:
            tl-fw render --target asa --name acme -o acme-asa.txt DIR
mikrotik  RouterOS script: lists loaded as NAME_block_in_new (dropped by a
          rule of their own), then renamed; IPv4 and IPv6 lists apart; the
          filter rules are added only when absent (found by comment):
            tl-fw render --target mikrotik --name acme -o acme.rsc DIR
            /import file-name=acme.rsc
paloalto  external dynamic lists (text pages); 50,000 entries per list
fortinet  external threat feeds (text pages); 131,072 entries per feed
srx       Juniper SRX set commands for one commit: address-sets in the
          configuration group NAME (replaced by `delete groups NAME`), zone
          policies untrust->trust (deny) and trust->untrust (deny, log):
            tl-fw render --target srx --name acme -o acme-srx.txt DIR
            load set acme-srx.txt; commit check; commit
windows   PowerShell: New-NetFirewallRule block rules of at most 1,000
          addresses, one a line, in the rule group NAME; the group's old
          rules are removed once the new ones are in:
            tl-fw render --target windows --name acme -o acme.ps1 DIR
A list longer than the device takes (--max-entries, or the target's
documented limit) keeps its highest-scoring entries (--scores); every entry
left out is named in manifest.json and counted on stderr.
On pf, asa, mikrotik, srx and windows no pass/permit rule is written for the
allow-list (there it would end the evaluation and let allowed addresses past
the device's other rules): the allow-list is taken out of the block lists.";

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
    ("PULL", pull::NOTES),
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
