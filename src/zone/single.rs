//! One list from the command line: one zone in one format at the origin
//! (to a file or standard output), or a pair of rbldnsd datasets.

use super::input::{read_given, read_ips, read_mixed, read_provenance, Provenance};
use super::stage::{hold_empty, list_name_of, Run, Skipped, Writer, ZonePlan, ZoneReport};
use super::{list_body, rbldnsd_bodies, read_name_servers, rpz_body, v6_dataset_path};
use super::{Error, Format};
use super::{ListData, PolicyData};
use crate::net::Entry;
use crate::set::IpSet;

/// Why rbldnsd needs `-o`.
pub(super) const RBLDNSD_NEEDS_FILE: &str =
    "rbldnsd writes two datasets (ip4set and ip6trie): give -o FILE";

/// One list: the plan, with its format, name, files and output checked.
pub(super) struct Single<'a> {
    pub plan: &'a ZonePlan,
    pub format: Format,
    /// The list's name in the zone (A, AAAA, APL, TXT).
    pub name: String,
    /// The list's files (`-`: standard input).
    pub inputs: Vec<String>,
    /// `None` for standard output (never for rbldnsd).
    pub output: Option<&'a str>,
}

/// Refuses a list that blocks a whole address family (`tl-fw` refuses to
/// load one too; a zone must not carry it to every firewall that pulls it).
fn world(list: &str, block: &IpSet) -> Result<(), Error> {
    match block.whole_family() {
        Some(family) => Err(Error::WholeFamily {
            list: list.to_string(),
            family,
        }),
        None => Ok(()),
    }
}

/// Builds and publishes the zone (or datasets) of one list.
pub(super) fn publish_list(run: &Run, s: &Single) -> Result<ZoneReport, Error> {
    let cfg = run.cfg;
    let prov = match &s.plan.provenance {
        Some(p) => read_provenance(p, cfg)?,
        None => Provenance::default(),
    };
    let rows: Vec<(Entry, usize)> = prov.ips.values().flatten().copied().collect();
    let mut out = Writer::new(run);
    let origin = run.origin.as_str();
    if s.format == Format::Rpz {
        let wildcard = cfg.rpz.wildcard;
        let listed = read_mixed(&s.inputs, origin, wildcard)?;
        let allowed = read_mixed(&s.plan.allow, origin, wildcard)?;
        world(origin, &listed.ips.difference(&allowed.ips))?;
        let mut p = PolicyData::from_lists(listed, allowed, &prov);
        p.ip_rows = rows;
        let rpz = &cfg.rpz;
        for f in &s.plan.client_ip {
            let action = rpz.client_action(&list_name_of(f));
            p.clients.push((read_ips(std::slice::from_ref(f))?, action));
        }
        for f in &s.plan.ns_lists {
            let list = read_name_servers(std::slice::from_ref(f), origin)?;
            p.add_name_servers(list, rpz.ns_action(&list_name_of(f), cfg));
        }
        if let Some(held) = hold_empty(s, p.is_empty()) {
            return Ok(held);
        }
        out.skipped(p.skipped(origin));
        out.zone(s.output, origin, &[&rpz_body(&p, cfg)])?;
        return Ok(out.report);
    }
    let allow = read_ips(&s.plan.allow)?;
    let given = if cfg.exact {
        Some(read_given(&s.inputs)?)
    } else {
        None
    };
    let block = match &given {
        Some(g) => g.set(),
        None => read_ips(&s.inputs)?,
    }
    .difference(&allow);
    world(&s.name, &block)?;
    if let Some(held) = hold_empty(s, block.is_empty()) {
        return Ok(held);
    }
    let d = ListData {
        name: &s.name,
        block: &block,
        allow: &allow,
        rows: &rows,
        given: given.as_ref(),
    };
    match (s.format, s.output) {
        (Format::Rbldnsd, Some(path)) => {
            let (b4, b6) = rbldnsd_bodies(&d, cfg);
            out.dataset(path, &b4)?;
            out.dataset(&v6_dataset_path(path), &b6)?;
        }
        (Format::Rbldnsd, None) => return Err(Error::Plan(RBLDNSD_NEEDS_FILE.into())),
        (f, output) => {
            // DNSBL names sit at the origin; the other forms at the name.
            let base = if f == Format::Dnsbl { "" } else { &s.name };
            let other = match f {
                Format::A => Some((Format::Aaaa, !block.v6.is_empty())),
                Format::Aaaa => Some((Format::A, !block.v4.is_empty())),
                _ => None,
            };
            if let Some((format, true)) = other {
                out.skipped([Skipped::OtherFamily {
                    list: s.name.clone(),
                    format,
                }]);
            }
            let mut body = Vec::new();
            let mut skipped = Vec::new();
            list_body(&mut body, f, base, &d, cfg, &mut skipped)?;
            out.skipped(skipped);
            out.zone(output, origin, &[&body])?;
        }
    }
    Ok(out.report)
}
