//! `tl-fw render`: lists into a target's configuration.

use crate::cli::{Failure, Verdict};
use crate::firewall::{self, Options, RenderPlan, Source, Target};
use crate::net::Entry;
use std::path::PathBuf;

/// Where the lists come from and how the rules look, for render and apply.
#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// The firewall: nftables, ipset, pf, asa, mikrotik, paloalto, fortinet, srx, windows
    #[arg(short, long, value_name = "TARGET", value_parser = parse_target)]
    pub target: Target,
    /// A directory with block-in.txt, block-out.txt and allow.txt (a
    /// compiled profile, or what `tl-fw pull` wrote)
    #[arg(value_name = "DIR", required_unless_present_any = ["block_in", "block_out"])]
    pub dir: Option<PathBuf>,
    /// The inbound block list (instead of DIR); - for stdin
    #[arg(long, value_name = "FILE", conflicts_with = "dir")]
    pub block_in: Option<String>,
    /// The outbound block list (instead of DIR)
    #[arg(long, value_name = "FILE", conflicts_with = "dir")]
    pub block_out: Option<String>,
    /// The allow-list (instead of DIR)
    #[arg(long, value_name = "FILE", conflicts_with = "dir")]
    pub allow: Option<String>,
    /// Scores CSV (tl-score's output) to keep the highest-scoring entries
    /// when a list is longer than the device takes
    #[arg(long, value_name = "FILE")]
    pub scores: Option<String>,
    /// At most N entries per list [default: the target's documented limit]
    #[arg(long, value_name = "N")]
    pub max_entries: Option<usize>,
    /// Leave IPv6 out (counted and named in the manifest)
    #[arg(long)]
    pub no_ipv6: bool,
    /// Name of the table, sets or lists
    #[arg(long, value_name = "NAME", default_value = "threatlist")]
    pub name: String,
    /// Prefix of the log line of an outbound drop
    #[arg(long, value_name = "TEXT", default_value = "threatlist drop out: ")]
    pub log_prefix: String,
    /// Also log inbound drops, with this prefix (nftables and ipset only);
    /// put a drop word in it (e.g. "threatlist drop in: ") so that tl-logs
    /// reads the lines as inbound drops and sensor events
    #[arg(long, value_name = "TEXT")]
    pub log_in_prefix: Option<String>,
    /// An address the firewall needs (its resolver): a list that blocks it is refused
    #[arg(long, value_name = "ADDR", value_parser = parse_address)]
    pub nameserver: Vec<Entry>,
}

impl ListArgs {
    pub fn source(&self) -> Source {
        match &self.dir {
            Some(d) => Source::Dir(d.clone()),
            None => Source::Files {
                block_in: self.block_in.clone(),
                block_out: self.block_out.clone(),
                allow: self.allow.clone(),
            },
        }
    }

    pub fn options(&self) -> Options {
        Options {
            name: self.name.clone(),
            log_prefix: self.log_prefix.clone(),
            log_in_prefix: self.log_in_prefix.clone(),
            ipv6: !self.no_ipv6,
            max_entries: self.max_entries,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct RenderArgs {
    #[command(flatten)]
    pub lists: ListArgs,
    /// Write to FILE (one-file targets) or into DIR (with manifest.json)
    /// [default: stdout, one-file targets only]
    #[arg(short, long, value_name = "FILE|DIR")]
    pub output: Option<PathBuf>,
    /// Print nothing on stderr but errors
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn parse_target(s: &str) -> Result<Target, String> {
    Target::parse(s).ok_or_else(|| format!("unknown target (one of: {})", Target::names(", ")))
}

pub fn parse_address(s: &str) -> Result<Entry, String> {
    crate::net::parse_entry(s.as_bytes()).map_err(|e| e.to_string())
}

pub fn run(a: RenderArgs) -> Result<Verdict, Failure> {
    let plan = RenderPlan {
        target: a.lists.target,
        source: a.lists.source(),
        scores: a.lists.scores.clone(),
        nameservers: a.lists.nameserver.clone(),
        options: a.lists.options(),
        output: a.output,
    };
    let report = firewall::render(&plan)?;
    if !a.quiet {
        for c in &report.lists {
            eprintln!("{}", cut_line(c));
        }
    }
    Ok(Verdict::Done)
}

/// `tl-fw: block-in: 1,234 entries, left out 5 (over capacity 5, IPv6 not taken 0)`
pub fn cut_line(c: &firewall::fit::Cut) -> String {
    let mut s = format!("{}: {}: {} entries", super::NAME, c.list, c.kept);
    if !c.left_out.is_empty() {
        s.push_str(&format!(
            ", left out {} (over capacity {}, IPv6 not taken {}; see manifest.json)",
            c.left_out.len(),
            c.over_capacity,
            c.ipv6_not_taken
        ));
    }
    s
}
