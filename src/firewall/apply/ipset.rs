//! ipset + iptables: missing live sets created (empty), the rules checked
//! with `iptables-restore --test`, then `ipset restore` (temporary sets
//! filled, swapped in, destroyed), then `iptables-restore --noflush` (our
//! chains flushed and refilled in one commit, a jump from each built-in
//! chain inserted when missing and extra ones removed). Check reads the
//! set headers (`ipset list -t`: the number of entries without the
//! members) and our chains (`iptables -S`).

use super::{run, ApplyPlan, ApplyReport, CheckReport, Prepared, SetChange, SetState};
use crate::firewall::render::ipset::{self as r, TEMP};
use crate::firewall::render::nft::Family;
use crate::firewall::Error;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn families(plan: &ApplyPlan) -> Vec<Family> {
    match plan.options.ipv6 {
        true => vec![Family::V4, Family::V6],
        false => vec![Family::V4],
    }
}

fn iptables(plan: &ApplyPlan, f: Family) -> (&PathBuf, &PathBuf) {
    match f {
        Family::V4 => (&plan.tools.iptables, &plan.tools.iptables_restore),
        Family::V6 => (&plan.tools.ip6tables, &plan.tools.ip6tables_restore),
    }
}

/// Lines `-A BUILTIN -j CHAIN` in force, per built-in chain.
fn jumps(plan: &ApplyPlan, f: Family, commands: &mut Vec<String>) -> Result<Vec<usize>, Error> {
    let (ipt, _) = iptables(plan, f);
    let mut counts = Vec::new();
    for (builtin, chain) in r::chains(&plan.options) {
        let out = run(ipt, &["-w", "-S", builtin], None, Some(commands))?;
        let jump = format!("-A {builtin} -j {chain}");
        counts.push(out.lines().filter(|l| *l == jump).count());
    }
    Ok(counts)
}

/// The rules file with the jumps that are missing, and deletions of the
/// extra ones, before its COMMIT.
fn rules_input(
    plan: &ApplyPlan,
    p: &Prepared,
    f: Family,
    commands: &mut Vec<String>,
) -> Result<Vec<u8>, Error> {
    let file = r::rules_file(p, &plan.options, f);
    let counts = jumps(plan, f, commands)?;
    let mut extra = String::new();
    for ((builtin, chain), n) in r::chains(&plan.options).iter().zip(counts) {
        if n == 0 {
            extra.push_str(&format!("-I {builtin} 1 -j {chain}\n"));
        }
        for _ in 1..n.max(1) {
            extra.push_str(&format!("-D {builtin} -j {chain}\n"));
        }
    }
    let text = String::from_utf8_lossy(&file);
    let body = text.strip_suffix("COMMIT\n").unwrap_or(&text);
    Ok(format!("{body}{extra}COMMIT\n").into_bytes())
}

/// A live set's members (`ipset list NAME`: a full listing).
fn members(
    plan: &ApplyPlan,
    name: &str,
    commands: &mut Vec<String>,
) -> Result<super::LiveRanges, Error> {
    let out = run(&plan.tools.ipset, &["list", name], None, Some(commands))?;
    let body = out.split_once("Members:\n").map_or("", |(_, m)| m);
    Ok(super::parse_live(
        body.lines().filter_map(|l| l.split_whitespace().next()),
    ))
}

pub fn apply(plan: &ApplyPlan, p: &Prepared, report: &mut ApplyReport) -> Result<(), Error> {
    let o = &plan.options;
    let cmds = &mut report.commands;
    let names: BTreeSet<String> = run(&plan.tools.ipset, &["list", "-n"], None, Some(cmds))?
        .lines()
        .map(str::to_string)
        .collect();
    let mut pre = String::new();
    for (suffix, list, family) in r::sets(o) {
        let live = r::set_name(o, suffix);
        let n = r::entries(p, list, family).len();
        let temp = format!("{live}{TEMP}");
        if names.contains(&temp) {
            // Left over from a load that failed: ours by name.
            pre.push_str(&format!("destroy {temp}\n"));
        }
        let mut change = SetChange {
            set: live.clone(),
            entries: n,
            live: None,
            added: 0,
            removed: 0,
        };
        if !names.contains(&live) {
            pre.push_str(&r::create_line(&live, family, n));
            pre.push('\n');
            change.added = n;
        } else if plan.dry_run {
            let (v4, v6) = members(plan, &live, cmds)?;
            let new: Vec<crate::net::Range<u32>>;
            let new6: Vec<crate::net::Range<u128>>;
            let (added, removed, k) = match crate::firewall::render::nft::data(p, list, family) {
                crate::firewall::render::nft::Data::V4(s) => {
                    new = s
                        .cidrs()
                        .map(|c| crate::net::Range::from_prefix(c.addr, c.len))
                        .collect();
                    let (a, b) = super::diff(&new, &v4);
                    (a, b, v4.len())
                }
                crate::firewall::render::nft::Data::V6(s) => {
                    new6 = s
                        .cidrs()
                        .map(|c| crate::net::Range::from_prefix(c.addr, c.len))
                        .collect();
                    let (a, b) = super::diff(&new6, &v6);
                    (a, b, v6.len())
                }
            };
            change.live = Some(k);
            change.added = added;
            change.removed = removed;
        }
        report.sets.push(change);
    }
    if plan.dry_run {
        return Ok(());
    }
    if !pre.is_empty() {
        run(
            &plan.tools.ipset,
            &["restore"],
            Some(pre.as_bytes()),
            Some(cmds),
        )?;
    }
    let mut inputs = Vec::new();
    for f in families(plan) {
        let input = rules_input(plan, p, f, cmds)?;
        let (_, restore) = iptables(plan, f);
        run(
            restore,
            &["-w", "--test", "--noflush"],
            Some(&input),
            Some(cmds),
        )?;
        inputs.push((f, input));
    }
    run(
        &plan.tools.ipset,
        &["restore"],
        Some(&r::restore_file(p, o)),
        Some(cmds),
    )?;
    for (f, input) in inputs {
        let (_, restore) = iptables(plan, f);
        run(restore, &["-w", "--noflush"], Some(&input), Some(cmds))?;
    }
    Ok(())
}

pub fn check(plan: &ApplyPlan, p: &Prepared) -> Result<CheckReport, Error> {
    let o = &plan.options;
    let mut report = CheckReport {
        target: "ipset",
        in_force: false,
        problems: Vec::new(),
        sets: Vec::new(),
        drops: Vec::new(),
        method: "ipset list -t (set headers: number of entries, no members); iptables -S of our chains and the jumps to them",
    };
    let mut cmds = Vec::new();
    for (suffix, list, family) in r::sets(o) {
        let name = r::set_name(o, suffix);
        let expected = r::entries(p, list, family).len();
        let live = match run(
            &plan.tools.ipset,
            &["list", "-t", &name],
            None,
            Some(&mut cmds),
        ) {
            Ok(out) => out
                .lines()
                .find_map(|l| l.strip_prefix("Number of entries: "))
                .and_then(|n| n.trim().parse::<usize>().ok()),
            Err(_) => {
                report.problems.push(format!("set {name} is not loaded"));
                None
            }
        };
        if let Some(n) = live.filter(|&n| n != expected) {
            report.problems.push(format!(
                "set {name}: {n} entries in force, {expected} expected"
            ));
        }
        report.sets.push(SetState {
            set: name,
            expected,
            live,
        });
    }
    for f in families(plan) {
        let (ipt, _) = iptables(plan, f);
        let tool = ipt.display().to_string();
        for (chain, rules) in r::rules(o, f) {
            let expected: Vec<String> = std::iter::once(format!("-N {chain}"))
                .chain(rules)
                .collect();
            match run(ipt, &["-w", "-S", &chain], None, Some(&mut cmds)) {
                Ok(out) => {
                    let live: Vec<&str> = out.lines().collect();
                    if live != expected {
                        report.problems.push(format!(
                            "{tool}: chain {chain} holds other rules than the lists' ({} rules, {} expected)",
                            live.len().saturating_sub(1),
                            expected.len() - 1
                        ));
                    }
                }
                Err(_) => report
                    .problems
                    .push(format!("{tool}: chain {chain} is missing")),
            }
        }
        match jumps(plan, f, &mut cmds) {
            Ok(counts) => {
                for ((builtin, chain), n) in r::chains(o).iter().zip(counts) {
                    if n != 1 {
                        report.problems.push(format!(
                            "{tool}: {builtin} jumps to {chain} {n} times, expected once"
                        ));
                    }
                }
            }
            Err(e) => report.problems.push(e.to_string()),
        }
    }
    Ok(report)
}
