//! `tl-fw apply` and `tl-fw check`: the lists loaded into nftables or
//! ipset + iptables, and the live rules compared with the lists.

use super::render::{cut_line, ListArgs};
use crate::cli::{Failure, Verdict};
use crate::firewall::apply::{self, ApplyPlan, Tools};

#[derive(clap::Args, Debug)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub lists: ListArgs,
    /// Show what would change (entries added and removed per set, from
    /// the live sets); change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Print nothing on stderr but errors
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub lists: ListArgs,
    /// Also count every live element (nftables: lists the sets, seconds
    /// for large ones)
    #[arg(long)]
    pub full: bool,
}

/// The tools' paths: `nft`, `ipset`, `iptables`… from PATH, or the paths
/// in TL_FW_NFT, TL_FW_IPSET, TL_FW_IPTABLES, TL_FW_IP6TABLES,
/// TL_FW_IPTABLES_RESTORE, TL_FW_IP6TABLES_RESTORE, TL_FW_PFCTL.
fn tools() -> Tools {
    let mut t = Tools::default();
    for (var, slot) in [
        ("TL_FW_NFT", &mut t.nft),
        ("TL_FW_IPSET", &mut t.ipset),
        ("TL_FW_IPTABLES", &mut t.iptables),
        ("TL_FW_IP6TABLES", &mut t.ip6tables),
        ("TL_FW_IPTABLES_RESTORE", &mut t.iptables_restore),
        ("TL_FW_IP6TABLES_RESTORE", &mut t.ip6tables_restore),
        ("TL_FW_PFCTL", &mut t.pfctl),
    ] {
        if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            *slot = v.into();
        }
    }
    t
}

fn plan(l: &ListArgs, dry_run: bool, full: bool) -> ApplyPlan {
    ApplyPlan {
        target: l.target,
        source: l.source(),
        scores: l.scores.clone(),
        nameservers: l.nameserver.clone(),
        options: l.options(),
        dry_run,
        full,
        tools: tools(),
    }
}

pub fn run(a: ApplyArgs) -> Result<Verdict, Failure> {
    let report = apply::apply(&plan(&a.lists, a.dry_run, false))?;
    if a.quiet {
        return Ok(Verdict::Done);
    }
    for c in &report.lists {
        eprintln!("{}", cut_line(c));
    }
    for s in &report.sets {
        match (report.dry_run, s.live) {
            (false, _) => eprintln!("{}: set {}: {} entries", super::NAME, s.set, s.entries),
            (true, None) => eprintln!(
                "{}: set {}: {} entries (no live set: all added)",
                super::NAME,
                s.set,
                s.entries
            ),
            (true, Some(live)) => eprintln!(
                "{}: set {}: {} entries, {} in force: +{} -{}",
                super::NAME,
                s.set,
                s.entries,
                live,
                s.added,
                s.removed
            ),
        }
    }
    eprintln!(
        "{}: {} ({})",
        super::NAME,
        if report.dry_run {
            "dry run: nothing changed"
        } else {
            "applied"
        },
        report.commands.join("; ")
    );
    Ok(Verdict::Done)
}

pub fn check(a: CheckArgs) -> Result<Verdict, Failure> {
    let report = apply::check(&plan(&a.lists, false, a.full))?;
    for s in &report.sets {
        let live = s.live.map_or("unknown".to_string(), |n| n.to_string());
        println!(
            "set {}: {} entries expected, {} in force",
            s.set, s.expected, live
        );
    }
    for (rule, packets) in &report.drops {
        println!("dropped {packets} packets: {rule}");
    }
    for p in &report.problems {
        println!("NOT IN FORCE: {p}");
    }
    println!(
        "{}: {} (checked with {})",
        report.target,
        if report.in_force {
            "in force"
        } else {
            "not in force"
        },
        report.method
    );
    Ok(if report.in_force {
        Verdict::Done
    } else {
        Verdict::No
    })
}
