//! `tl-zone`: lists published as DNS zone files for BIND and NSD (and
//! datasets for rbldnsd): multi-host A/AAAA, APL, TXT, DNSBL and RPZ.

use crate::cli::{self, Failure, Verdict};
use crate::zone::{self, serial::SerialStyle, Format, ZonePlan};
use clap::builder::PossibleValue;
use clap::{CommandFactory, Parser, ValueEnum};
use std::process::ExitCode;

pub const NAME: &str = "tl-zone";

const EXAMPLES: &str = "\
tl-zone --format a --origin lists.example.net -o lists.zone block-in.txt
        multi-host A names blk, blk1, ... (4000 addresses each)
tl-zone --format apl --origin lists.example.net --allow allow.txt -o apl.zone blk.txt
        APL records, allow-listed holes as ! items
tl-zone --format dnsbl --origin bl.example.net --config zone.toml \\
        --provenance provenance.csv -o bl.zone block-in.txt
tl-zone --format rbldnsd --origin bl.example.net -o bl.rbl block-in.txt
        writes bl.rbl (ip4set) and bl6.rbl (ip6trie)
tl-zone --format rpz --origin rpz.example.net --allow ok-domains.txt -o rpz.zone domains.txt
tl-zone --format txt --exact --txt-plain --origin lists.example.net -o txt.zone tokens.txt
        the entries as given, one token each, no seq=/chunks= markers
tl-zone --format rpz --origin rpz.example.net --config zone.toml \\
        --client-ip inside.txt --ns-list bad-ns.txt -o rpz.zone domains.txt
        clients in inside.txt get rpz.list_actions.inside (e.g. local-data:garden);
        names served by the name servers in bad-ns.txt are blocked
tl-zone --out out --origin lists.example.net --config zone.toml \\
        --named-conf named-zones.conf --reload 'rndc reload {zone}'
        every profile tl-compile wrote: out/PROFILE.zone, out/PROFILE.rpz.zone, ...
tl-zone --out out --origin lists.example.net --config zone.toml \\
        --secondary-named-conf named-secondary.conf \\
        --secondary-nsd-conf nsd-secondary.conf --primary 192.0.2.1
        also the fragments that BIND and NSD secondaries include to transfer
        the zones from the primary at 192.0.2.1 (with server.tsig_key)";

const NOTES: &str = "\
One list: LIST files (or stdin) hold one address, CIDR or range per line (for
rpz also domain names: one canonical lower-case A-label name per line; _
labels such as _sip._tcp.example.com are names, and *.example.com lists only
the subdomains of example.com). The
zone holds the list at NAME (--name): chunk 0 at NAME, chunk k at NAMEk, and
TXT \"chunks=K\" at NAME. A/AAAA names hold 4000/2000 addresses each;
prefixes are expanded narrowest first while the list stays within
limits.max_chunks names (100); what is left out is counted in the TXT record
and on stderr (it is in the APL, TXT and DNSBL forms).
APL records hold at most 64 items (NSD), TXT strings at most 255 octets with
a seq=I/N marker first in every record (--txt-plain: no markers and no
chunks=K record). DNSBL names are reversed octets under the origin, IPv6 the
32 reversed nibbles under the origin too, as RFC 5782 and rbldnsd have them
(dnsbl.ip6_label = true: under ip6.ORIGIN), answering 127.0.0.x and a TXT
reason per category (--provenance and [[category]] in the configuration).
RPZ actions: nxdomain, nodata, passthru, drop, tcp-only, redirect:NAME, or
local-data:SET (the A, AAAA and TXT records of [rpz.local_data.SET] answered
instead); --client-ip and --ns-list files take rpz.list_actions.NAME (NAME:
the file name up to its first dot). Name servers become rpz-nsdname (names)
and rpz-nsip (addresses) triggers: BIND applies them through real
delegations, Unbound also to stub zones.

Normally a list is published as the set of its addresses: adjacent and
overlapping entries merge. --exact publishes the entries as given, sorted by
address and then prefix length (wider first), duplicates dropped, a range
that is no CIDR as its CIDRs: A/AAAA expand or leave out whole entries, APL
and TXT carry one item or token per entry, rbldnsd one line per entry. The
DNSBL and RPZ forms answer per address and do not change.

Profiles (--out DIR): every DIR/PROFILE/ with block-in.txt, block-out.txt,
allow.txt, domains.txt, allow-domains.txt and provenance.csv becomes
PROFILE.zone (origin PROFILE.ORIGIN; names FORMAT.LIST such as a.block-in,
apl.block-out, bl.block-in), PROFILE.rpz.zone (origin rpz.origin, by default
PROFILE.rpz.ORIGIN) and
PROFILE.LIST.ip4set / .ip6trie for rbldnsd, in -o DIR (default: DIR). The
formats are --format's, else the profile's formats.txt (one a line), else
the configuration's.

Serials come from the file being replaced and only grow (RFC 1982). A file
whose content would not change is left alone. Files are replaced atomically
and always get a newer modification time. Every domain is checked again:
anything that is not a canonical owner name stops the run with exit 2.
BIND needs max-records-per-type 0 (the --named-conf and
--secondary-named-conf fragments set it) on every server and resolver in the
path for names with over 100 records.
See docs/zone.md.";

const EXIT_STATUS: &str = "\
0  success (also when nothing changed)
1  one list came out empty (its input empty, or all of it allowed) and was
   held back: nothing written, the zone in place stays (--force publishes it)
2  any error: a bad line in a list (named by file and line), a refused
   domain name, a bad configuration, a zone that cannot be written, a
   failed reload command";

/// Sections shared by `--help` and the man page.
pub const SECTIONS: &[(&str, &str)] = &[
    ("EXAMPLES", EXAMPLES),
    ("NOTES", NOTES),
    ("EXIT STATUS", EXIT_STATUS),
];

// The values of --format and --serial-style are the names the library
// gives them (the configuration reads the same names).
impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &Format::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

impl ValueEnum for SerialStyle {
    fn value_variants<'a>() -> &'a [Self] {
        &SerialStyle::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

/// Zone files for BIND and NSD (and rbldnsd datasets) from IP and domain
/// lists: multi-host A/AAAA, APL, TXT, DNSBL and RPZ
#[derive(Parser, Debug)]
#[command(name = NAME, version)]
pub struct Cli {
    /// Input lists (one list); - for stdin, the default
    #[arg(value_name = "LIST", conflicts_with = "out")]
    lists: Vec<String>,
    /// Publication format; one for a single list, any number with --out
    /// (default there: the profile's formats.txt, else the configuration's)
    #[arg(short, long, value_enum)]
    format: Vec<Format>,
    /// Zone origin; with --out, profile P gets P.ORIGIN and the policy zone
    /// at rpz.origin (default P.rpz.ORIGIN)
    #[arg(long, value_name = "ZONE")]
    origin: String,
    /// Zone configuration (TOML): SOA, NS, TTL, limits, categories, servers
    #[arg(short, long, value_name = "FILE")]
    config: Option<String>,
    /// Publish every profile directory in DIR (as tl-compile writes them)
    #[arg(long, value_name = "DIR")]
    out: Option<String>,
    /// The zone file to replace (stdout without it); with --out, the
    /// directory for the zones (default: DIR)
    #[arg(short, long, value_name = "FILE")]
    output: Option<String>,
    /// The list's name in the zone (default: the first input's file name
    /// without extension, or "list")
    #[arg(long, value_name = "LABEL")]
    name: Option<String>,
    /// Allow-list (repeatable): its addresses are never listed and are cut
    /// out of wider prefixes as holes; for rpz its domains pass (PASSTHRU)
    #[arg(long, value_name = "FILE")]
    allow: Vec<String>,
    /// rpz: clients (addresses) whose queries get the list's action
    /// (rpz.list_actions.NAME, NAME the file name up to its first dot),
    /// else rpz.client_ip_action; repeatable, one action per file
    #[arg(long, value_name = "FILE")]
    client_ip: Vec<String>,
    /// rpz: name servers: names become rpz-nsdname, addresses rpz-nsip
    /// triggers (names served by them get the list's action, else
    /// rpz.action); repeatable
    #[arg(long, value_name = "FILE")]
    ns_list: Vec<String>,
    /// Provenance CSV (entry,list,reason,detail) that puts entries in the
    /// configuration's categories (DNSBL codes and texts, RPZ actions)
    #[arg(long, value_name = "FILE")]
    provenance: Option<String>,
    /// How serials are made (default: the configuration's, else date)
    #[arg(long, value_enum)]
    serial_style: Option<SerialStyle>,
    /// The time for serials: RFC 3339, a date (its end) or Unix seconds (default: now)
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    now: Option<String>,
    /// Write a named.conf fragment for the zones
    #[arg(long, value_name = "FILE")]
    named_conf: Option<String>,
    /// Write an nsd.conf fragment for the zones
    #[arg(long, value_name = "FILE")]
    nsd_conf: Option<String>,
    /// Write a named.conf fragment for a BIND secondary of the zones
    /// (needs --primary or server.primaries)
    #[arg(long, value_name = "FILE")]
    secondary_named_conf: Option<String>,
    /// Write an nsd.conf fragment for an NSD secondary of the zones
    #[arg(long, value_name = "FILE")]
    secondary_nsd_conf: Option<String>,
    /// The primary's address (and port) as the secondaries reach it, for
    /// the secondary fragments (repeatable; replaces server.primaries)
    #[arg(long, value_name = "ADDR[@PORT]")]
    primary: Vec<String>,
    /// Run this for every zone whose file changed ({zone} and {file} are
    /// replaced; split on spaces, no shell), e.g. 'rndc reload {zone}'
    #[arg(long, value_name = "COMMAND")]
    reload: Option<String>,
    /// One list: publish it even when it is empty (held back otherwise,
    /// exit 1)
    #[arg(long)]
    force: bool,
    /// Publish each list's entries as given: no merging of adjacent or
    /// overlapping entries (A/AAAA, APL, TXT, rbldnsd; see NOTES); also
    /// `exact = true` in the configuration
    #[arg(long)]
    exact: bool,
    /// TXT lists without the "chunks=K" record and "seq=I/N" markers (a
    /// client cannot check completeness; tl-fw pull refuses them); also
    /// txt.plain in the configuration
    #[arg(long)]
    txt_plain: bool,
    /// Print nothing on stderr but errors
    #[arg(short, long)]
    quiet: bool,
}

/// The clap definition, for `--help`, man pages and completions.
pub fn command() -> clap::Command {
    super::with_sections(Cli::command(), SECTIONS)
}

/// Entry point of the `tl-zone` binary.
pub fn main() -> ExitCode {
    let cli: Cli = cli::parse(command());
    cli::run(NAME, || run(cli))
}

fn run(cli: Cli) -> Result<Verdict, Failure> {
    let now = cli::now_arg(cli.now.as_deref())?;
    let quiet = cli.quiet;
    let plan = ZonePlan {
        origin: cli.origin,
        config: cli.config,
        serial_style: cli.serial_style,
        now,
        formats: cli.format,
        profiles: cli.out,
        lists: cli.lists,
        name: cli.name,
        allow: cli.allow,
        client_ip: cli.client_ip,
        ns_lists: cli.ns_list,
        provenance: cli.provenance,
        output: cli.output,
        named_conf: cli.named_conf,
        nsd_conf: cli.nsd_conf,
        secondary_named_conf: cli.secondary_named_conf,
        secondary_nsd_conf: cli.secondary_nsd_conf,
        primaries: cli.primary,
        reload: cli.reload,
        force: cli.force,
        exact: cli.exact,
        txt_plain: cli.txt_plain,
    };
    let report = zone::publish(&plan)?;
    // What a zone leaves out is said when it is written, not again on
    // every run that finds it unchanged.
    let written = report.zones.iter().any(|z| z.changed);
    if !quiet && written {
        for skipped in &report.skipped {
            eprintln!("{NAME}: warning: {skipped}");
        }
    }
    // Why the exit status is 1 is said even under -q.
    for h in &report.held {
        let stays = match (&h.file, h.existing) {
            (Some(f), true) => format!("{f} stays as it is"),
            (Some(f), false) => format!("{f} is not written (there is no earlier version)"),
            (None, _) => "nothing is written".into(),
        };
        eprintln!(
            "{NAME}: {}: held back: the list is empty (its input holds no entries, or all of \
             them are allowed); {stays} (--force publishes an empty zone)",
            h.list
        );
    }
    Ok(report.verdict())
}
