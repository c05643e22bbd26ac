//! pf: the anchor and its tables loaded in one `pfctl -a NAME -f` (rules
//! and tables together, one transaction), parsed first with `pfctl -n`;
//! check reads the tables' statistics (`pfctl -s Tables -vv`: address
//! counts, not the addresses) and the anchor's rules.

use super::{run_in, ApplyPlan, ApplyReport, CheckReport, SetChange, SetState};
use crate::firewall::render::{render_files, Prepared};
use crate::firewall::{Error, Target};
use std::path::Path;

/// The table files and their entries, as rendered.
fn tables(r: &crate::firewall::Rendered) -> Vec<(String, usize)> {
    r.files
        .iter()
        .filter(|(name, _)| !name.ends_with(".anchor") && !name.ends_with(".json"))
        .map(|(name, body)| {
            let lines = body.split(|&b| b == b'\n');
            let entries = lines.filter(|l| !l.is_empty() && l[0] != b'#').count();
            (name.clone(), entries)
        })
        .collect()
}

pub fn apply(plan: &ApplyPlan, p: &Prepared, report: &mut ApplyReport) -> Result<(), Error> {
    let rendered = render_files(Target::Pf, p, &plan.options)?;
    for (set, entries) in tables(&rendered) {
        report.sets.push(SetChange {
            set,
            entries,
            live: None,
            added: 0,
            removed: 0,
        });
    }
    if plan.dry_run {
        return Ok(());
    }
    let dir = tempfile::Builder::new()
        .prefix(".tl-fw-pf-")
        .tempdir()
        .map_err(|e| write_error(Path::new("temporary directory"), e))?;
    for (name, body) in &rendered.files {
        let path = dir.path().join(name);
        crate::files::write_atomic(&path, &[body]).map_err(|e| write_error(&path, e))?;
    }
    let name = plan.options.name.as_str();
    let anchor = format!("{name}.anchor");
    let pfctl = &plan.tools.pfctl;
    let commands = &mut report.commands;
    run_in(
        Some(dir.path()),
        pfctl,
        &["-n", "-a", name, "-f", &anchor],
        None,
        Some(commands),
    )?;
    run_in(
        Some(dir.path()),
        pfctl,
        &["-a", name, "-f", &anchor],
        None,
        Some(commands),
    )?;
    Ok(())
}

fn write_error(path: &Path, source: std::io::Error) -> Error {
    Error::Write {
        path: path.display().to_string(),
        source,
    }
}

pub fn check(plan: &ApplyPlan, p: &Prepared) -> Result<CheckReport, Error> {
    let rendered = render_files(Target::Pf, p, &plan.options)?;
    let name = plan.options.name.as_str();
    let pfctl = &plan.tools.pfctl;
    let stats = run_in(
        None,
        pfctl,
        &["-a", name, "-s", "Tables", "-vv"],
        None,
        None,
    )?;
    let rules = run_in(None, pfctl, &["-a", name, "-s", "rules"], None, None)?;
    let mut report = CheckReport {
        target: "pf",
        in_force: false,
        problems: Vec::new(),
        sets: Vec::new(),
        drops: Vec::new(),
        method: "pfctl -s Tables -vv (address counts, not the addresses) and -s rules",
    };
    for (table, expected) in tables(&rendered) {
        let live = addresses(&stats, &table);
        if live != Some(expected) {
            report.problems.push(match live {
                None => format!("table <{table}> is not loaded in anchor {name}"),
                Some(n) => format!("table <{table}> holds {n} entries, the list {expected}"),
            });
        }
        report.sets.push(SetState {
            set: table,
            expected,
            live,
        });
    }
    for (list, table) in [("block-in", "block_in"), ("block-out", "block_out")] {
        let wanted = format!("<{name}_{table}>");
        if !rules
            .lines()
            .any(|l| l.starts_with("block") && l.contains(&wanted))
        {
            report.problems.push(format!(
                "anchor {name} has no block rule for {list} ({wanted})"
            ));
        }
    }
    Ok(report)
}

/// The `Addresses:` count pfctl prints under a table's line in
/// `-s Tables -vv` (the table's name is a field of that line).
fn addresses(stats: &str, table: &str) -> Option<usize> {
    let mut lines = stats.lines();
    while let Some(l) = lines.next() {
        if l.split_whitespace().any(|f| f == table) {
            return lines
                .take_while(|l| l.starts_with(char::is_whitespace))
                .find_map(|l| l.trim().strip_prefix("Addresses:"))
                .and_then(|n| n.trim().parse().ok());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn address_counts_from_table_statistics() {
        let stats =
            "-pa-r--\tfw_allow\tfw\n\tAddresses:   2\n\tCleared:     Mon Dec  7 12:00:00 2026\n\
                     -pa-r--\tfw_block_in\tfw\n\tAddresses:   15\n";
        assert_eq!(super::addresses(stats, "fw_allow"), Some(2));
        assert_eq!(super::addresses(stats, "fw_block_in"), Some(15));
        assert_eq!(super::addresses(stats, "fw_block_out"), None);
    }
}
