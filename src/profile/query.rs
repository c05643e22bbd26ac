//! The forensic question: is an address or domain listed by a profile,
//! on which list, and why (from the version's provenance).

use super::basis::{Basis, Ranking};
use super::compile::Row;
use super::explain::{open_basis, Explained};
use super::layout::{self, OutDir};
use super::publish::history;
use super::Error;
use crate::error::{InputError, Verdict};
use crate::net::{parse_entry, Entry};
use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What is asked about.
#[derive(Clone, Debug, PartialEq)]
pub enum Subject {
    Ip(Entry),
    Domain(String),
}

/// What `tl-query` is asked.
pub struct QueryPlan {
    /// `tl-compile`'s output directory.
    pub out: PathBuf,
    /// Answer as of this time (Unix seconds) instead of now.
    pub at: Option<i64>,
    pub queries: Vec<Query>,
}

/// One query and where it came from, for its error.
pub struct Query {
    /// `argument`, or `-` for stdin.
    pub file: String,
    /// The line of stdin.
    pub line: Option<u64>,
    pub text: String,
}

/// The answers: rows `query,profile,list,entry,reason,detail` in the
/// order of the queries, then profile names.
#[derive(Debug, Default)]
pub struct QueryReport {
    /// query, profile, list, entry, reason, detail, first_listed, first_serial
    pub rows: Vec<[String; 8]>,
    /// Whether any profile blocks any query (block-in, block-out, domains).
    pub listed: bool,
}

impl QueryReport {
    /// Done when a query is blocked somewhere, No when none is.
    pub fn verdict(&self) -> Verdict {
        if self.listed {
            Verdict::Done
        } else {
            Verdict::No
        }
    }
}

/// Answers every query against every profile under `plan.out`: every
/// query is checked before any profile is opened.
pub fn answer(plan: &QueryPlan) -> Result<QueryReport, Error> {
    let mut subjects = Vec::new();
    for q in &plan.queries {
        let s = subject(&q.text).ok_or_else(|| InputError {
            file: q.file.clone(),
            line: q.line,
            reason: "not an address or domain name".into(),
            text: Some(q.text.as_bytes().to_vec()),
        })?;
        subjects.push((&q.text, s));
    }
    let querier = Querier::new(&plan.out, plan.at)?;
    let mut report = QueryReport::default();
    for (q, s) in &subjects {
        let (rows, listed) = querier.ask(q, s);
        report.listed |= listed;
        report.rows.extend(rows);
    }
    Ok(report)
}

/// Reads a query: an address, CIDR or range, else a domain name.
pub fn subject(text: &str) -> Option<Subject> {
    if let Ok(e) = parse_entry(text.as_bytes()) {
        return Some(Subject::Ip(e));
    }
    let d = text.trim_end_matches('.').to_ascii_lowercase();
    let ok = d.contains(|c: char| c.is_ascii_alphabetic()) && crate::net::domain::is_name(&d);
    ok.then_some(Subject::Domain(d))
}

/// Answers queries against every profile under an output directory, as
/// published now or as in force at a time.
pub struct Querier {
    opened: Vec<Option<Explained>>,
    names: Vec<String>,
    /// Per profile, the kept history up to the version answering, oldest
    /// first; each version's lists are read the first time they are needed.
    history: Vec<Vec<Past>>,
}

/// A version of the kept history, read on demand.
struct Past {
    path: PathBuf,
    time: i64,
    serial: u64,
    version: std::cell::OnceCell<Option<super::publish::Version>>,
}

/// Opens versions, reading each basis (shared by the profiles of a run)
/// once.
#[derive(Default)]
pub struct Opener {
    bases: HashMap<(u64, u64), Arc<(Basis, Ranking)>>,
}

impl Opener {
    pub fn open(&mut self, dir: &Path) -> Result<Explained, InputError> {
        let path = dir.join(layout::BASIS);
        let m = fs::metadata(&path).map_err(|e| InputError::io(path.display().to_string(), &e))?;
        let id = (m.dev(), m.ino());
        let b = match self.bases.get(&id) {
            Some(b) => b.clone(),
            None => {
                let b = Arc::new(open_basis(dir)?);
                self.bases.insert(id, b.clone());
                b
            }
        };
        Explained::open(dir, b)
    }
}

/// The directory of a profile's version: in force now, or at `at`.
fn version_dir(out: &OutDir, profile: &str, at: Option<i64>) -> Option<PathBuf> {
    match at {
        None => Some(out.current(profile)),
        Some(t) => history(out, profile)
            .into_iter()
            .rfind(|(_, m)| m.time <= t)
            .map(|(p, _)| p),
    }
}

/// The whole provenance of a profile's version, one row per reason of
/// every entry, as `entry,list,reason,detail` rows.
pub fn provenance(out: &Path, profile: &str, at: Option<i64>) -> Result<Vec<Row>, Error> {
    let dir = version_dir(&OutDir::new(out), profile, at)
        .filter(|d| d.join(layout::COMPILED).exists())
        .ok_or_else(|| {
            let reason = format!("no version of profile '{profile}'");
            InputError::file(out.display().to_string(), reason)
        })?;
    Ok(Opener::default().open(&dir)?.rows(None))
}

impl Querier {
    /// Opens every profile in `out` (directories not starting with '.').
    /// With `at`, each profile's version in force at that time.
    pub fn new(path: &Path, at: Option<i64>) -> Result<Querier, InputError> {
        let file = path.display().to_string();
        let out = OutDir::new(path);
        let rd = fs::read_dir(path).map_err(|e| InputError::io(file.clone(), &e))?;
        let mut names: Vec<String> = rd
            .flatten()
            .map(|d| d.file_name().to_string_lossy().into_owned())
            .filter(|n| !layout::is_hidden(n) && out.current_file(n, layout::COMPILED).exists())
            .collect();
        names.sort();
        if names.is_empty() {
            let reason = format!("no compiled profiles (run tl-compile --out {file} first)");
            return Err(InputError::file(file, reason));
        }
        let mut opened = Vec::new();
        let mut pasts = Vec::new();
        let mut opener = Opener::default();
        for n in &names {
            let o = match version_dir(&out, n, at) {
                Some(d) => Some(opener.open(&d)?),
                None => None,
            };
            let upto = o.as_ref().map_or(0, |o| o.version.meta.serial);
            pasts.push(
                history(&out, n)
                    .into_iter()
                    .filter(|(_, m)| m.serial <= upto)
                    .map(|(path, m)| Past {
                        path,
                        time: m.time,
                        serial: m.serial,
                        version: Default::default(),
                    })
                    .collect(),
            );
            opened.push(o);
        }
        Ok(Querier {
            opened,
            names,
            history: pasts,
        })
    }

    /// When the subject was first on `list` in the kept history of profile
    /// `i`: the time and serial of the oldest version whose list holds it.
    fn first_listed(&self, i: usize, list: &str, s: &Subject) -> Option<(i64, u64)> {
        self.history[i].iter().find_map(|p| {
            let v = p
                .version
                .get_or_init(|| super::publish::read_version(&p.path.join(layout::COMPILED)).ok());
            let held = v
                .as_ref()
                .is_some_and(|v| lists_holding(v, s).contains(&list));
            held.then_some((p.time, p.serial))
        })
    }

    /// Rows `query,profile,list,entry,reason,detail` and whether any
    /// profile blocks the subject (block-in, block-out or domains).
    pub fn ask(&self, text: &str, s: &Subject) -> (Vec<[String; 8]>, bool) {
        let mut rows = Vec::new();
        let mut listed = false;
        for (i, (name, o)) in self.names.iter().zip(&self.opened).enumerate() {
            let row = |list: &str, entry: &str, reason: &str, detail: &str| {
                let first = match list {
                    "none" | "no-version" | "excluded" => None,
                    _ => self.first_listed(i, list, s),
                };
                let (since, serial) = first.map_or((String::new(), String::new()), |(t, n)| {
                    (crate::time::format(t), n.to_string())
                });
                [
                    text.to_string(),
                    name.clone(),
                    list.to_string(),
                    entry.to_string(),
                    reason.to_string(),
                    detail.to_string(),
                    since,
                    serial,
                ]
            };
            let Some(o) = o else {
                rows.push(row("no-version", "", "", ""));
                continue;
            };
            let hit_lists = lists_holding(&o.version, s);
            let before = rows.len();
            let found: Vec<Row> = match s {
                Subject::Ip(q) => o.rows(Some(q)),
                Subject::Domain(q) => o
                    .own
                    .iter()
                    .filter(|r| {
                        !r.is_rule()
                            && r.ip().is_none()
                            && crate::net::domain::is_under(q, &r.entry)
                    })
                    .cloned()
                    .collect(),
            };
            for list in &hit_lists {
                if *list != "allow" && *list != "allow-domains" {
                    listed = true;
                }
                for r in found.iter().filter(|r| r.list == *list) {
                    rows.push(row(list, &r.entry, &r.reason, &r.detail));
                }
            }
            // Why it is not listed, when the guards or capacity took it out.
            if hit_lists.iter().all(|l| l.starts_with("allow")) {
                for r in found.iter().filter(|r| r.list == "excluded") {
                    rows.push(row("excluded", &r.entry, &r.reason, &r.detail));
                }
            }
            if rows.len() == before {
                rows.push(row("none", "", "", ""));
            }
        }
        (rows, listed)
    }
}

/// The lists of a version that hold the subject.
fn lists_holding(v: &super::publish::Version, s: &Subject) -> Vec<&'static str> {
    let mut hit_lists = Vec::new();
    match s {
        Subject::Ip(e) => {
            for (list, set) in [
                ("block-in", &v.block_in),
                ("block-out", &v.block_out),
                ("allow", &v.allow),
            ] {
                if set.contains(e) {
                    hit_lists.push(list);
                }
            }
        }
        Subject::Domain(d) => {
            if v.meta
                .domains
                .iter()
                .any(|l| crate::net::domain::is_under(d, l))
            {
                hit_lists.push("domains");
            }
            if v.meta
                .allow_domains
                .iter()
                .any(|l| crate::net::domain::is_under(d, l))
            {
                hit_lists.push("allow-domains");
            }
        }
    }
    hit_lists
}
