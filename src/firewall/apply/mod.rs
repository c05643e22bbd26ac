//! The apply and check stages: the rendered configuration loaded into the
//! live firewall (nftables, ipset + iptables), and the live firewall
//! compared with the lists.
//!
//! Apply replaces the whole state on every run (never per-element
//! timeouts): nftables in one checked `nft -f` transaction, ipset by
//! temporary sets swapped in. On any failure the rules in force stay as
//! they were and the stage returns [`Error::Tool`]. A dry run loads
//! nothing and says, per set, how many entries would be added and
//! removed. Check reads only what is cheap to read (no set listing for
//! nftables, set headers for ipset) and says what is not in force.
//!
//! Tools run as plain processes (no shell), by the paths in [`Tools`].

mod ipset;
mod nft;
mod pf;

use super::fit::Cut;
use super::render::{prepare, Options, Prepared, Source};
use super::{Error, Target};
use crate::net::{Addr, Entry, Range};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The programs apply and check run.
#[derive(Clone, Debug)]
pub struct Tools {
    pub nft: PathBuf,
    pub ipset: PathBuf,
    pub iptables: PathBuf,
    pub ip6tables: PathBuf,
    pub iptables_restore: PathBuf,
    pub ip6tables_restore: PathBuf,
    pub pfctl: PathBuf,
}

impl Default for Tools {
    fn default() -> Self {
        Tools {
            nft: "nft".into(),
            ipset: "ipset".into(),
            iptables: "iptables".into(),
            ip6tables: "ip6tables".into(),
            iptables_restore: "iptables-restore".into(),
            ip6tables_restore: "ip6tables-restore".into(),
            pfctl: "pfctl".into(),
        }
    }
}

/// One apply or check: the lists, as for a render, and the live firewall.
#[derive(Clone, Debug)]
pub struct ApplyPlan {
    pub target: Target,
    pub source: Source,
    pub scores: Option<String>,
    pub nameservers: Vec<Entry>,
    pub options: Options,
    /// Load nothing; say what would change.
    pub dry_run: bool,
    /// Check: also count every live element (slow for large nft sets).
    pub full: bool,
    pub tools: Tools,
}

/// One set's change.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SetChange {
    pub set: String,
    /// Entries the set gets.
    pub entries: usize,
    /// Entries the live set holds (dry run only; `None`: no live set).
    pub live: Option<usize>,
    /// Entries added and removed (dry run only).
    pub added: usize,
    pub removed: usize,
}

/// What an apply did (or, dry, would do).
#[derive(Clone, Debug, Serialize)]
pub struct ApplyReport {
    pub target: &'static str,
    pub dry_run: bool,
    pub lists: Vec<Cut>,
    pub sets: Vec<SetChange>,
    /// The commands run, in order.
    pub commands: Vec<String>,
}

/// One live set as check saw it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SetState {
    pub set: String,
    pub expected: usize,
    /// Entries in force, when known.
    pub live: Option<usize>,
}

/// What check found.
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    pub target: &'static str,
    /// Everything in force as the lists say.
    pub in_force: bool,
    /// What is missing or different, one line each.
    pub problems: Vec<String>,
    pub sets: Vec<SetState>,
    /// Packets dropped per drop rule, where the tool says cheaply.
    pub drops: Vec<(String, u64)>,
    /// How the check was made.
    pub method: &'static str,
}

fn kernel_target(t: Target) -> Result<(), Error> {
    match t {
        Target::Nftables | Target::Ipset | Target::Pf => Ok(()),
        t => Err(Error::Plan(format!(
            "apply and check take nftables, ipset or pf; the {t} target is \
             loaded by the device itself (use tl-fw render)"
        ))),
    }
}

fn prepared(plan: &ApplyPlan) -> Result<Prepared, Error> {
    kernel_target(plan.target)?;
    prepare(
        plan.target,
        &plan.source,
        plan.scores.as_deref(),
        &plan.nameservers,
        &plan.options,
    )
}

/// The apply stage: the lists rendered and loaded atomically (or, dry,
/// compared with the live sets).
pub fn apply(plan: &ApplyPlan) -> Result<ApplyReport, Error> {
    let p = prepared(plan)?;
    let mut report = ApplyReport {
        target: plan.target.name(),
        dry_run: plan.dry_run,
        lists: p.cuts.clone(),
        sets: Vec::new(),
        commands: Vec::new(),
    };
    match plan.target {
        Target::Nftables => nft::apply(plan, &p, &mut report)?,
        Target::Pf => pf::apply(plan, &p, &mut report)?,
        _ => ipset::apply(plan, &p, &mut report)?,
    }
    Ok(report)
}

/// The check stage: are the rules and sets in force as the lists say?
pub fn check(plan: &ApplyPlan) -> Result<CheckReport, Error> {
    let p = prepared(plan)?;
    let mut report = match plan.target {
        Target::Nftables => nft::check(plan, &p)?,
        Target::Pf => pf::check(plan, &p)?,
        _ => ipset::check(plan, &p)?,
    };
    report.in_force = report.problems.is_empty();
    Ok(report)
}

/// A live set's elements, IPv4 and IPv6 ranges.
pub(crate) type LiveRanges = (Vec<Range<u32>>, Vec<Range<u128>>);

/// Runs a tool; its standard output, or [`Error::Tool`] with what it said.
pub(crate) fn run(
    program: &std::path::Path,
    args: &[&str],
    stdin: Option<&[u8]>,
    commands: Option<&mut Vec<String>>,
) -> Result<String, Error> {
    run_in(None, program, args, stdin, commands)
}

/// [`run`] in a working directory (pfctl reads table files by the names
/// the anchor gives them).
pub(crate) fn run_in(
    dir: Option<&std::path::Path>,
    program: &std::path::Path,
    args: &[&str],
    stdin: Option<&[u8]>,
    commands: Option<&mut Vec<String>>,
) -> Result<String, Error> {
    let shown = std::iter::once(program.display().to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(c) = commands {
        c.push(match stdin {
            Some(_) => format!("{shown} < (input)"),
            None => shown.clone(),
        });
    }
    let tool_err = |reason: String| Error::Tool {
        program: shown.clone(),
        reason,
    };
    let mut command = Command::new(program);
    if let Some(d) = dir {
        command.current_dir(d);
    }
    let mut child = command
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| tool_err(format!("cannot run it: {}", crate::error::describe_io(&e))))?;
    let writer = match (stdin, child.stdin.take()) {
        (Some(data), Some(mut pipe)) => {
            let data = data.to_vec();
            Some(std::thread::spawn(move || pipe.write_all(&data)))
        }
        _ => None,
    };
    let out = child
        .wait_with_output()
        .map_err(|e| tool_err(crate::error::describe_io(&e)))?;
    let wrote = writer.map(|w| w.join());
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let said: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        // The first lines name the failure; a long echo of input is cut.
        let mut reason = said.iter().take(6).copied().collect::<Vec<_>>().join("; ");
        if reason.len() > 600 {
            reason.truncate(600);
            reason.push('…');
        }
        let status = match out.status.code() {
            Some(c) => format!("exit status {c}"),
            None => "killed by a signal".to_string(),
        };
        return Err(tool_err(if reason.is_empty() {
            format!("failed ({status}); the rules in force were left as they were")
        } else {
            format!("failed ({status}): {reason}; the rules in force were left as they were")
        }));
    }
    if let Some(Ok(Err(e))) = wrote {
        return Err(tool_err(format!(
            "could not take its input: {}",
            crate::error::describe_io(&e)
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Entries in `new` and not in `live`, and in `live` and not in `new`
/// (both sorted by start).
pub(crate) fn diff<A: Addr>(new: &[Range<A>], live: &[Range<A>]) -> (usize, usize) {
    let (mut i, mut j, mut added, mut removed) = (0, 0, 0, 0);
    while i < new.len() && j < live.len() {
        match (new[i].start, new[i].end).cmp(&(live[j].start, live[j].end)) {
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                added += 1;
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                removed += 1;
                j += 1;
            }
        }
    }
    (added + new.len() - i, removed + live.len() - j)
}

/// Entries of a live listing (`a`, `a/n`, `a-b`), sorted.
pub(crate) fn parse_live<'a>(
    tokens: impl Iterator<Item = &'a str>,
) -> (Vec<Range<u32>>, Vec<Range<u128>>) {
    let (mut v4, mut v6) = (Vec::new(), Vec::new());
    for t in tokens {
        match crate::net::parse_entry(t.as_bytes()) {
            Ok(Entry::V4(r)) => v4.push(r),
            Ok(Entry::V6(r)) => v6.push(r),
            Err(_) => {}
        }
    }
    v4.sort_unstable();
    v6.sort_unstable();
    (v4, v6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_counts_entries_on_each_side() {
        let r = |a: u32, b: u32| Range::new(a, b);
        let new = [r(1, 1), r(3, 4), r(9, 9)];
        let live = [r(1, 1), r(3, 5), r(7, 7), r(9, 9)];
        assert_eq!(diff(&new, &live), (1, 2));
        assert_eq!(diff::<u32>(&[], &live), (0, 4));
        assert_eq!(diff(&new, &[]), (3, 0));
    }

    #[test]
    fn a_failing_tool_is_a_tool_error() {
        let e = run(std::path::Path::new("false"), &[], None, None).unwrap_err();
        assert!(matches!(e, Error::Tool { .. }), "{e}");
        let e = run(
            std::path::Path::new("/nonexistent/nft"),
            &["-f", "x"],
            None,
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("cannot run it"), "{e}");
    }
}
