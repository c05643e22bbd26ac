//! The zone stage: a plan in (what to publish, where, with which
//! configuration), a report out (per file: changed or not, serial, size,
//! reloaded or not; what was left out of a zone and why).
//!
//! The stage reads the configuration, checks the origin and the list name,
//! chooses between one list and every profile, writes the zones, the server
//! fragments, and runs the reload command for every zone that changed.

use super::config::{self, ZoneConfig};
use super::name::{self, check_list_label};
use super::serial::{next_serial, SerialStyle};
use super::server::{self, ZoneFile};
use super::zonefile::{self, Published};
use super::{header, profiles, rbldnsd_header, single, Error, Format};
use crate::error::{InputError, Verdict};
use std::fmt;
use std::path::{Path, PathBuf};

/// What to publish. Names of options in messages are `tl-zone`'s.
#[derive(Clone, Debug, Default)]
pub struct ZonePlan {
    /// The zone origin (one trailing dot allowed); with `profiles`,
    /// profile P gets `P.ORIGIN` and its policy zone at `rpz.origin`
    /// (default `P.rpz.ORIGIN`).
    pub origin: String,
    /// The zone configuration (TOML); `None`: the defaults.
    pub config: Option<String>,
    /// Overrides the configuration's serial style.
    pub serial_style: Option<SerialStyle>,
    /// Unix time for serials; `None`: now.
    pub now: Option<i64>,
    /// Exactly one for one list; any number with `profiles` (none: each
    /// profile's `formats.txt`, else the configuration's).
    pub formats: Vec<Format>,
    /// Publish every profile in this directory (as `tl-compile` writes
    /// them) instead of one list.
    pub profiles: Option<String>,
    /// One list's files; empty: standard input.
    pub lists: Vec<String>,
    /// The list's name in the zone (default: from the first file's name).
    pub name: Option<String>,
    pub allow: Vec<String>,
    /// rpz: lists of clients (rpz-client-ip triggers), each with the
    /// action `rpz.list_actions` gives its name, else `rpz.client_ip_action`.
    pub client_ip: Vec<String>,
    /// rpz: lists of name servers (rpz-nsdname, rpz-nsip triggers), each
    /// with the action `rpz.list_actions` gives its name, else `rpz.action`.
    pub ns_lists: Vec<String>,
    pub provenance: Option<String>,
    /// One list: the zone file (`None` or `-`: standard output). Profiles:
    /// the directory for the zones (default: the profiles' directory).
    pub output: Option<String>,
    /// Server fragments to write (default: the configuration's, relative
    /// to the output directory).
    pub named_conf: Option<String>,
    pub nsd_conf: Option<String>,
    /// Fragments for secondaries (default: the configuration's).
    pub secondary_named_conf: Option<String>,
    pub secondary_nsd_conf: Option<String>,
    /// The primary's addresses for the secondary fragments, `ADDR` or
    /// `ADDR@PORT` (default: the configuration's `server.primaries`).
    pub primaries: Vec<String>,
    /// The reload command, split on spaces (default: the configuration's).
    pub reload: Option<String>,
    /// One list: publish it even when it is empty (see [`Held`]).
    pub force: bool,
    /// Publish every list's entries as given, not merged (sets the
    /// configuration's `exact`).
    pub exact: bool,
    /// TXT lists without the count record and markers (sets `txt.plain`).
    pub txt_plain: bool,
}

/// What a run published.
#[derive(Clone, Debug, Default)]
pub struct ZoneReport {
    /// Every zone and rbldnsd dataset, in the order written.
    pub zones: Vec<ZoneOutcome>,
    /// The server fragments written or found up to date.
    pub fragments: Vec<Fragment>,
    /// What was left out of a zone, and why.
    pub skipped: Vec<Skipped>,
    /// Lists held back: nothing of them was written.
    pub held: Vec<Held>,
}

impl ZoneReport {
    /// No when a list was held back, else Done.
    pub fn verdict(&self) -> Verdict {
        if self.held.is_empty() {
            Verdict::Done
        } else {
            Verdict::No
        }
    }
}

/// One list held back because it came out empty (its input empty, or all
/// of it allowed): an empty zone would take every entry out of service at
/// once, like a list that shrank to nothing. [`ZonePlan::force`]
/// publishes it anyway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub list: String,
    /// The zone file (or dataset) not replaced; `None` for standard
    /// output.
    pub file: Option<String>,
    /// The file exists: its version stays in force.
    pub existing: bool,
}

/// The guard of one list: an empty one is held back, unless the plan
/// forces it, with a report that says so (nothing is written).
pub(super) fn hold_empty(s: &single::Single, empty: bool) -> Option<ZoneReport> {
    if !empty || s.plan.force {
        return None;
    }
    let file = s.output.map(String::from);
    let existing = file.as_deref().is_some_and(|f| Path::new(f).exists());
    Some(ZoneReport {
        held: vec![Held {
            list: s.name.clone(),
            file,
            existing,
        }],
        ..ZoneReport::default()
    })
}

/// One zone file or rbldnsd dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneOutcome {
    /// The file; `None` for standard output.
    pub file: Option<String>,
    /// The zone's origin; `None` for an rbldnsd dataset (its zone is named
    /// on rbldnsd's command line).
    pub origin: Option<String>,
    /// False when the file already held exactly this content.
    pub changed: bool,
    pub serial: u32,
    /// Records in a zone file (`None` for a dataset).
    pub records: Option<u64>,
    /// Octets written (or found in place).
    pub size: u64,
    /// The reload command ran for this zone.
    pub reloaded: bool,
}

/// A server configuration fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fragment {
    pub path: String,
    pub changed: bool,
}

/// Entries a zone does not carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skipped {
    /// Prefixes left out of the A or AAAA names (`format`): expanding them
    /// would take the list past `limits.max_chunks` names; the APL, TXT and
    /// DNSBL forms carry them.
    WidePrefixes {
        list: String,
        format: Format,
        prefixes: u64,
        addresses: u128,
        max_chunks: usize,
    },
    /// One list published as A or AAAA has entries of the other family,
    /// which `format` would carry.
    OtherFamily { list: String, format: Format },
    /// Domains of a policy zone that are valid names but too long for its
    /// origin (the owner `*.NAME.ORIGIN` over 255 octets); `first` is the
    /// first of them in order.
    TooLongNames {
        zone: String,
        names: u64,
        first: String,
    },
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skipped::WidePrefixes {
                list,
                format,
                prefixes,
                addresses,
                max_chunks,
            } => write!(
                f,
                "{list}: {prefixes} {} ({}) left out of the {} names: expanded they would \
                 pass limits.max_chunks ({max_chunks} names); the APL, TXT and DNSBL forms \
                 carry them",
                if *prefixes == 1 { "prefix" } else { "prefixes" },
                addresses_text(*format, *addresses),
                format.name().to_ascii_uppercase()
            ),
            Skipped::OtherFamily { list, format } => {
                let family = if *format == Format::Aaaa {
                    "IPv6"
                } else {
                    "IPv4"
                };
                let format = format.name();
                write!(
                    f,
                    "{list}: {family} entries are not in this zone (use --format {format})"
                )
            }
            Skipped::TooLongNames { zone, names, first } => write!(
                f,
                "{zone}: {names} {} left out: too long for this zone ({}), first {}",
                if *names == 1 { "domain" } else { "domains" },
                super::name::TOO_LONG_FOR_ZONE,
                crate::error::quote(first.as_bytes())
            ),
        }
    }
}

/// A number of addresses for people: thousands separators, IPv6 space
/// beyond 2^64 in /64s.
fn addresses_text(format: Format, n: u128) -> String {
    use crate::set::count::thousands;
    let family = if format == Format::Aaaa {
        "IPv6"
    } else {
        "IPv4"
    };
    match u64::try_from(n) {
        Ok(n) => format!("{} {family} addresses", thousands(n)),
        Err(_) => format!("{} IPv6 /64s", thousands((n >> 64) as u64)),
    }
}

/// Settings of one run, checked.
pub(super) struct Run<'a> {
    pub cfg: &'a ZoneConfig,
    /// Without the trailing dot.
    pub origin: String,
    /// Unix time for serials.
    pub now: i64,
}

/// Publishes what the plan asks for: one list as one zone (or a pair of
/// rbldnsd datasets), or every profile; then the server fragments and the
/// reload command for every zone that changed.
pub fn publish(plan: &ZonePlan) -> Result<ZoneReport, Error> {
    let mut cfg = match &plan.config {
        Some(p) => config::load(p)?,
        None => ZoneConfig::default(),
    };
    if let Some(style) = plan.serial_style {
        cfg.serial_style = style;
    }
    cfg.exact |= plan.exact;
    cfg.txt.plain |= plan.txt_plain;
    primaries(plan, &mut cfg)?;
    let origin = name::check_absolute(&plan.origin).map_err(|reason| Error::Name {
        option: "--origin",
        reason,
        text: plan.origin.clone(),
    })?;
    let reload: Vec<String> = match &plan.reload {
        Some(r) => r.split_whitespace().map(String::from).collect(),
        None => cfg.server.reload.clone(),
    };
    let run = Run {
        cfg: &cfg,
        origin,
        now: plan.now.unwrap_or_else(crate::time::now),
    };
    // Fragment paths from the configuration are relative to the output
    // directory (or the zone file's directory).
    let (mut report, base) = match &plan.profiles {
        Some(dir) => {
            only_for_one_list(plan)?;
            let out_dir = plan.output.as_deref().unwrap_or(dir);
            // Made if missing, as tl-compile makes its output directory.
            std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, &e))?;
            let chosen = (!plan.formats.is_empty()).then_some(plan.formats.as_slice());
            let report = profiles::publish_all(&run, Path::new(dir), Path::new(out_dir), chosen)?;
            (report, PathBuf::from(out_dir))
        }
        None => {
            let report = single::publish_list(&run, &one_list(plan)?)?;
            if !report.held.is_empty() {
                return Ok(report);
            }
            let parent = plan.output.as_deref().and_then(|o| Path::new(o).parent());
            (report, parent.map(Path::to_path_buf).unwrap_or_default())
        }
    };
    let from_config = |p: &Option<String>| {
        p.as_ref()
            .map(|p| base.join(p).to_string_lossy().into_owned())
    };
    let pick =
        |flag: &Option<String>, key: &Option<String>| flag.clone().or_else(|| from_config(key));
    let s = &cfg.server;
    let paths = [
        pick(&plan.named_conf, &s.named_conf),
        pick(&plan.nsd_conf, &s.nsd_conf),
        pick(&plan.secondary_named_conf, &s.secondary_named_conf),
        pick(&plan.secondary_nsd_conf, &s.secondary_nsd_conf),
    ];
    write_fragments(&mut report, &cfg, paths)?;
    reload_changed(&mut report, &reload)?;
    Ok(report)
}

/// `--primary` replaces `server.primaries`; fragments for secondaries
/// need one (checked before anything is written).
fn primaries(plan: &ZonePlan, cfg: &mut ZoneConfig) -> Result<(), Error> {
    if !plan.primaries.is_empty() {
        cfg.server.primaries = (plan.primaries.iter())
            .map(|p| {
                config::parse_peer(p)
                    .map_err(|reason| Error::Plan(format!("--primary: {reason}: '{p}'")))
            })
            .collect::<Result<_, _>>()?;
    }
    let s = &cfg.server;
    let secondary = plan.secondary_named_conf.is_some()
        || plan.secondary_nsd_conf.is_some()
        || s.secondary_named_conf.is_some()
        || s.secondary_nsd_conf.is_some();
    if secondary && s.primaries.is_empty() {
        return Err(Error::Plan(
            "the fragments for secondaries need the primary's address: \
             --primary ADDR[@PORT] or server.primaries"
                .into(),
        ));
    }
    Ok(())
}

/// With profiles, each profile's own files are used: options for one list
/// would be ignored, so they are refused.
fn only_for_one_list(plan: &ZonePlan) -> Result<(), Error> {
    for (option, used) in [
        ("LIST", !plan.lists.is_empty()),
        ("--name", plan.name.is_some()),
        ("--allow", !plan.allow.is_empty()),
        ("--client-ip", !plan.client_ip.is_empty()),
        ("--ns-list", !plan.ns_lists.is_empty()),
        ("--provenance", plan.provenance.is_some()),
    ] {
        if used {
            return Err(Error::Plan(format!(
                "{option} is for one list; with --out each profile's files are used"
            )));
        }
    }
    Ok(())
}

/// One list from the plan, its format and name checked.
fn one_list(plan: &ZonePlan) -> Result<single::Single<'_>, Error> {
    let plan_error = |m: &str| Err(Error::Plan(m.into()));
    let format = match plan.formats.as_slice() {
        [f] => *f,
        [] => return plan_error("give --format for one list, or --out DIR for the profiles"),
        _ => return plan_error("one --format for one list (several only with --out)"),
    };
    let output = plan.output.as_deref().filter(|&o| o != "-");
    if format != Format::Rpz && !(plan.client_ip.is_empty() && plan.ns_lists.is_empty()) {
        return plan_error("--client-ip and --ns-list are for --format rpz");
    }
    if format == Format::Rbldnsd && output.is_none() {
        return plan_error(single::RBLDNSD_NEEDS_FILE);
    }
    let name = match &plan.name {
        Some(n) => {
            check_list_label(n).map_err(|reason| Error::Name {
                option: "--name",
                reason,
                text: n.clone(),
            })?;
            n.clone()
        }
        None => default_name(&plan.lists)?,
    };
    let inputs = if plan.lists.is_empty() {
        vec!["-".to_string()]
    } else {
        plan.lists.clone()
    };
    Ok(single::Single {
        plan,
        format,
        name,
        inputs,
        output,
    })
}

/// A list file's name as a list: the file name up to its first dot, in
/// lower case.
pub(super) fn list_name_of(path: &str) -> String {
    let file = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    file.split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The default list name: the first input's file name up to its first dot.
fn default_name(inputs: &[String]) -> Result<String, Error> {
    let Some(first) = inputs.first().filter(|p| p.as_str() != "-") else {
        return Ok("list".into());
    };
    let stem = list_name_of(first);
    check_list_label(&stem).map_err(|m| {
        InputError::file(
            first,
            format!("cannot name the list after this file ({m}): give --name"),
        )
    })?;
    Ok(stem)
}

/// Writes the zone files of a run and notes each in the report.
pub(super) struct Writer<'a> {
    run: &'a Run<'a>,
    pub report: ZoneReport,
}

impl<'a> Writer<'a> {
    pub fn new(run: &'a Run<'a>) -> Self {
        Writer {
            run,
            report: ZoneReport::default(),
        }
    }

    pub fn cfg(&self) -> &'a ZoneConfig {
        self.run.cfg
    }

    pub fn origin(&self) -> &'a str {
        &self.run.origin
    }

    /// A zone: its header for `origin`, then the body parts, at `path`
    /// (`None`: standard output, where no serial is read back).
    pub fn zone(&mut self, path: Option<&str>, origin: &str, body: &[&[u8]]) -> Result<(), Error> {
        let cfg = self.run.cfg;
        let mut glue = 0;
        for (ns, addrs) in super::in_zone_ns(origin, cfg) {
            if addrs.is_empty() {
                return Err(Error::NoNsAddress {
                    zone: origin.to_string(),
                    ns: ns.to_string(),
                });
            }
            glue += addrs.len() as u64;
        }
        let head = |serial| header(origin, cfg, serial);
        let published = match path {
            Some(path) => zonefile::publish(path, head, body, cfg.serial_style, self.run.now)?,
            None => {
                let serial = next_serial(None, cfg.serial_style, self.run.now);
                to_stdout(serial, &head(serial), body)?
            }
        };
        let records = 1 + cfg.ns.len() as u64 + glue + body.iter().map(|b| lines(b)).sum::<u64>();
        self.note(published, path.is_some(), Some(origin), Some(records));
        Ok(())
    }

    /// An rbldnsd dataset at `path`.
    pub fn dataset(&mut self, path: &str, body: &[u8]) -> Result<(), Error> {
        let cfg = self.run.cfg;
        let head = |serial| rbldnsd_header(cfg, serial);
        let published = zonefile::publish(path, head, &[body], cfg.serial_style, self.run.now)?;
        self.note(published, true, None, None);
        Ok(())
    }

    pub fn skipped(&mut self, skipped: impl IntoIterator<Item = Skipped>) {
        self.report.skipped.extend(skipped);
    }

    fn note(&mut self, p: Published, file: bool, origin: Option<&str>, records: Option<u64>) {
        self.report.zones.push(ZoneOutcome {
            file: file.then_some(p.path),
            origin: origin.map(String::from),
            changed: p.changed,
            serial: p.serial,
            records,
            size: p.size,
            reloaded: false,
        });
    }
}

/// Writes a zone to standard output; a reader that went away is no error.
fn to_stdout(serial: u32, head: &[u8], body: &[&[u8]]) -> Result<Published, Error> {
    use std::io::Write;
    let mut out = crate::files::Output::stdout();
    let written = std::iter::once(head)
        .chain(body.iter().copied())
        .try_for_each(|part| out.write_all(part))
        .and_then(|_| out.finish());
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Stdout(e)),
        _ => Ok(Published {
            path: "-".into(),
            changed: true,
            serial,
            size: (head.len() + body.iter().map(|b| b.len()).sum::<usize>()) as u64,
        }),
    }
}

fn lines(text: &[u8]) -> u64 {
    text.iter().filter(|&&b| b == b'\n').count() as u64
}

/// The zones a server loads: those written to files, with their origins.
fn served(report: &ZoneReport, cfg: &ZoneConfig) -> Vec<ZoneFile> {
    report
        .zones
        .iter()
        .filter_map(|z| {
            Some(ZoneFile {
                origin: z.origin.clone()?,
                file: server::server_path(Path::new(z.file.as_ref()?), cfg),
            })
        })
        .collect()
}

/// Writes the server fragments asked for, unless they are up to date.
/// `paths`: the primary's named and NSD fragments, then the secondaries'.
fn write_fragments(
    report: &mut ZoneReport,
    cfg: &ZoneConfig,
    paths: [Option<String>; 4],
) -> Result<(), Error> {
    if paths.iter().all(Option::is_none) {
        return Ok(());
    }
    let zones = served(report, cfg);
    // A path goes into the fragments in quotes: it must not end them.
    if let Some(z) = zones
        .iter()
        .find(|z| z.file.contains(['"', '\\', '\n', '\r']))
    {
        return Err(Error::FragmentPath {
            path: z.file.clone(),
        });
    }
    type Render = fn(&[ZoneFile], &ZoneConfig) -> Vec<u8>;
    let renders: [Render; 4] = [
        server::named_conf,
        server::nsd_conf,
        server::named_secondary_conf,
        server::nsd_secondary_conf,
    ];
    for (path, render) in paths.into_iter().zip(renders) {
        if let Some(path) = path {
            let changed = zonefile::write_if_changed(&path, &render(&zones, cfg))?;
            report.fragments.push(Fragment { path, changed });
        }
    }
    Ok(())
}

/// Runs the reload command for every zone file that changed.
fn reload_changed(report: &mut ZoneReport, argv: &[String]) -> Result<(), Error> {
    if argv.is_empty() {
        return Ok(());
    }
    for z in report.zones.iter_mut().filter(|z| z.changed) {
        if let (Some(origin), Some(file)) = (&z.origin, &z.file) {
            server::reload(argv, origin, file)?;
            z.reloaded = true;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-27T00:00:00Z.
    const DAY: i64 = 1_795_737_600;

    fn plan(dir: &Path, list: &str, format: Format) -> ZonePlan {
        let input = dir.join("block.txt");
        std::fs::write(&input, list).unwrap();
        ZonePlan {
            origin: "lists.example.".into(),
            now: Some(DAY),
            formats: vec![format],
            lists: vec![input.to_string_lossy().into_owned()],
            output: Some(dir.join("z.zone").to_string_lossy().into_owned()),
            reload: Some("true {zone} {file}".into()),
            ..ZonePlan::default()
        }
    }

    #[test]
    fn a_list_is_published_once_and_then_found_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan(dir.path(), "192.0.2.0/24\n198.51.100.7\n", Format::Txt);
        let first = publish(&plan).unwrap();
        let [zone] = first.zones.as_slice() else {
            panic!("{first:?}")
        };
        assert_eq!(zone.file, plan.output);
        assert_eq!(zone.origin.as_deref(), Some("lists.example"));
        assert!(zone.changed && zone.reloaded);
        assert_eq!(zone.serial, 2026112700);
        let file = std::fs::read(dir.path().join("z.zone")).unwrap();
        assert_eq!(zone.size, file.len() as u64);
        // SOA, NS, the count record and one TXT record
        assert_eq!(zone.records, Some(4));
        assert!(first.skipped.is_empty() && first.fragments.is_empty());

        let again = publish(&ZonePlan {
            now: Some(DAY + 86400),
            ..plan.clone()
        })
        .unwrap();
        let [zone] = again.zones.as_slice() else {
            panic!("{again:?}")
        };
        assert!(!zone.changed && !zone.reloaded);
        assert_eq!((zone.serial, zone.size), (2026112700, file.len() as u64));
    }

    #[test]
    fn what_a_zone_leaves_out_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan(
            dir.path(),
            "10.0.0.0/8\n192.0.2.1\n2001:db8::1\n",
            Format::A,
        );
        let report = publish(&plan).unwrap();
        assert_eq!(
            report.skipped,
            [
                Skipped::OtherFamily {
                    list: "block".into(),
                    format: Format::Aaaa
                },
                Skipped::WidePrefixes {
                    list: "block".into(),
                    format: Format::A,
                    prefixes: 1,
                    addresses: 1 << 24,
                    max_chunks: 100
                }
            ]
        );
    }

    #[test]
    fn a_bad_line_names_its_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan(dir.path(), "192.0.2.1\nexample.com\n", Format::Apl);
        match publish(&plan) {
            Err(Error::Input(e)) => {
                assert_eq!((e.file.as_str(), e.line), (plan.lists[0].as_str(), Some(2)))
            }
            other => panic!("{other:?}"),
        }
        assert!(!dir.path().join("z.zone").exists());
    }
}
