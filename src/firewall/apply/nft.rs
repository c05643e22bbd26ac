//! nftables: `nft -c -f FILE`, then `nft -f FILE` (one transaction that
//! replaces the table); check from `nft -t list ruleset`.
//!
//! Why check reads the ruleset tersely: listing a set (`nft list set`,
//! `nft -j list set`, even `nft -t list table` or `nft get element`, which
//! fetch the set's elements) takes seconds for 400k entries, while `nft
//! -t list ruleset` leaves every element out and answers at once. It
//! shows the table's comment (a digest of the whole rendered file and the
//! entries per set, written at render time), the sets' declarations and
//! the chains with their rules and counters. Check renders the lists
//! again and compares: the same digest means the table in force was loaded
//! from exactly these lists (with these entry counts); the same chains and
//! rules mean nobody edited them since. A table removed by a firewall
//! reload (`flush ruleset`) is reported missing. What the digest cannot
//! see is a set emptied by hand inside the table; `--full` counts every
//! live element too.

use super::{run, ApplyPlan, ApplyReport, CheckReport, Prepared, SetChange, SetState};
use crate::firewall::render::nft::{self as r, SETS};
use crate::firewall::Error;
use std::io::Write;

/// The rendered file, written to a temporary file for nft.
fn file(p: &Prepared, plan: &ApplyPlan) -> Result<(tempfile::NamedTempFile, String), Error> {
    let (body, comment) = r::render_with_comment(p, &plan.options);
    let err = |e: std::io::Error| Error::Write {
        path: std::env::temp_dir().display().to_string(),
        source: e,
    };
    let mut f = tempfile::Builder::new()
        .prefix("tl-fw-")
        .suffix(".nft")
        .tempfile()
        .map_err(err)?;
    f.write_all(&body).map_err(err)?;
    f.flush().map_err(err)?;
    Ok((f, comment))
}

pub fn apply(plan: &ApplyPlan, p: &Prepared, report: &mut ApplyReport) -> Result<(), Error> {
    let (f, _) = file(p, plan)?;
    let path = f.path().to_string_lossy().into_owned();
    let nft = &plan.tools.nft;
    run(nft, &["-c", "-f", &path], None, Some(&mut report.commands))?;
    let live = if plan.dry_run {
        Some(live_table(plan, &mut report.commands)?)
    } else {
        run(nft, &["-f", &path], None, Some(&mut report.commands))?;
        None
    };
    for (set, _, list, family) in SETS {
        let d = r::data(p, list, family);
        let mut change = SetChange {
            set: set.to_string(),
            entries: d.len(),
            live: None,
            added: 0,
            removed: 0,
        };
        // A live table of an older render may lack the set: all added.
        let in_force =
            matches!(&live, Some(Some(t)) if t.iter().any(|l| *l == format!("set {set} {{")));
        if in_force {
            let (v4, v6) = live_set(plan, set, &mut report.commands)?;
            let (added, removed, n) = match d {
                r::Data::V4(s) => {
                    let (a, b) = super::diff(s.ranges(), &v4);
                    (a, b, v4.len())
                }
                r::Data::V6(s) => {
                    let (a, b) = super::diff(s.ranges(), &v6);
                    (a, b, v6.len())
                }
            };
            change.live = Some(n);
            change.added = added;
            change.removed = removed;
        } else if live.is_some() {
            change.added = d.len();
        }
        report.sets.push(change);
    }
    Ok(())
}

/// Our table's lines from `nft -t list ruleset` (trimmed, without blank
/// lines), or `None` when it is not loaded.
fn live_table(plan: &ApplyPlan, commands: &mut Vec<String>) -> Result<Option<Vec<String>>, Error> {
    let out = run(
        &plan.tools.nft,
        &["-t", "list", "ruleset"],
        None,
        Some(commands),
    )?;
    let head = format!("table inet {} {{", plan.options.name);
    let mut lines = out.lines();
    if !lines.any(|l| l == head) {
        return Ok(None);
    }
    let mut table = Vec::new();
    for l in lines {
        if l == "}" {
            break;
        }
        let t = l.trim();
        if !t.is_empty() {
            table.push(t.to_string());
        }
    }
    Ok(Some(table))
}

/// A live set's elements (a full listing: seconds for large sets).
fn live_set(
    plan: &ApplyPlan,
    set: &str,
    commands: &mut Vec<String>,
) -> Result<super::LiveRanges, Error> {
    let name = &plan.options.name;
    let out = run(
        &plan.tools.nft,
        &["list", "set", "inet", name, set],
        None,
        Some(commands),
    )?;
    let Some(start) = out.find("elements = {") else {
        return Ok(Default::default());
    };
    let body = &out[start + "elements = {".len()..];
    let body = &body[..body.find('}').unwrap_or(body.len())];
    Ok(super::parse_live(
        body.split([',', '\n', '\t', ' ']).filter(|t| !t.is_empty()),
    ))
}

/// `counter packets N bytes M` → `counter`, and N.
fn strip_counter(line: &str) -> (String, Option<u64>) {
    let Some(i) = line.find("counter packets ") else {
        return (line.to_string(), None);
    };
    let rest = &line[i + "counter packets ".len()..];
    let mut words = rest.splitn(4, ' ');
    let packets = words.next().and_then(|w| w.parse().ok());
    let (_, _) = (words.next(), words.next());
    let tail = words.next().unwrap_or("");
    let mut s = format!("{}counter", &line[..i]);
    if !tail.is_empty() {
        s.push(' ');
        s.push_str(tail);
    }
    (s, packets)
}

pub fn check(plan: &ApplyPlan, p: &Prepared) -> Result<CheckReport, Error> {
    let mut report = CheckReport {
        target: "nftables",
        in_force: false,
        problems: Vec::new(),
        sets: Vec::new(),
        drops: Vec::new(),
        method: "nft -t list ruleset (no set elements): the table's digest comment, sets, chains and rules",
    };
    let mut commands = Vec::new();
    let name = &plan.options.name;
    let (_, expected_comment) = r::render_with_comment(p, &plan.options);
    let expected_counts: Vec<usize> = SETS
        .iter()
        .map(|&(_, _, l, f)| r::data(p, l, f).len())
        .collect();
    let Some(live) = live_table(plan, &mut commands)? else {
        report
            .problems
            .push(format!("table inet {name} is not loaded"));
        for (i, (set, ..)) in SETS.iter().enumerate() {
            report.sets.push(SetState {
                set: set.to_string(),
                expected: expected_counts[i],
                live: None,
            });
        }
        return Ok(report);
    };
    let mut comment = None;
    let mut structure = Vec::new();
    let mut chain = String::new();
    for l in &live {
        if let Some(c) = l.strip_prefix("comment \"") {
            comment = Some(c.trim_end_matches('"').to_string());
            continue;
        }
        if let Some(c) = l.strip_prefix("chain ") {
            chain = c.trim_end_matches(" {").to_string();
        }
        let (line, packets) = strip_counter(l);
        if let Some(n) = packets {
            report.drops.push((format!("{chain}: {line}"), n));
        }
        structure.push(line);
    }
    let digest_ok = comment.as_deref() == Some(expected_comment.as_str());
    if !digest_ok {
        report.problems.push(format!(
            "table inet {name} was loaded from other lists or options (comment {}, expected {})",
            comment.map_or("missing".into(), |c| format!("'{c}'")),
            expected_comment
        ));
    }
    let expected = r::skeleton(p, &plan.options);
    if structure != expected {
        let first = expected
            .iter()
            .zip(structure.iter())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.len().min(structure.len()));
        report.problems.push(format!(
            "table inet {name}: sets, chains or rules differ from the lists' (first at: expected {}, found {})",
            expected.get(first).map_or("nothing".into(), |s| format!("'{s}'")),
            structure.get(first).map_or("nothing".into(), |s| format!("'{s}'")),
        ));
    }
    for (i, (set, ..)) in SETS.iter().enumerate() {
        let live = if plan.full {
            let (v4, v6) = live_set(plan, set, &mut commands)?;
            Some(v4.len() + v6.len())
        } else if digest_ok {
            Some(expected_counts[i])
        } else {
            None
        };
        if live.is_some_and(|n| n != expected_counts[i]) {
            report.problems.push(format!(
                "set {set}: {} entries in force, {} expected",
                live.unwrap_or(0),
                expected_counts[i]
            ));
        }
        report.sets.push(SetState {
            set: set.to_string(),
            expected: expected_counts[i],
            live,
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_left_out_and_read() {
        assert_eq!(
            strip_counter("ip saddr @block_in4 counter packets 12 bytes 720 drop"),
            ("ip saddr @block_in4 counter drop".to_string(), Some(12))
        );
        assert_eq!(
            strip_counter("ip saddr @allow4 accept"),
            ("ip saddr @allow4 accept".to_string(), None)
        );
    }
}
