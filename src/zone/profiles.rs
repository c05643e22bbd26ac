//! Every profile `tl-compile` wrote: per profile P, `P.zone` (origin
//! `P.ORIGIN`: the lists as A, AAAA, APL, TXT and DNSBL), `P.rpz.zone`
//! (origin `rpz.origin`, by default `P.rpz.ORIGIN`), and rbldnsd datasets `P.LIST.ip4set` and
//! `P.LIST.ip6trie`.

use super::config::ZoneConfig;
use super::input::{read_given, read_mixed, read_provenance, Given, Provenance};
use super::name::{check_absolute, join};
use super::stage::{Run, Skipped, Writer, ZoneReport};
use super::{find_profiles, optional_ips};
use super::{list_body, rbldnsd_bodies, read_name_servers, rpz_body};
use super::{Error, Format, ListData, PolicyData};
use crate::error::InputError;
use crate::net::Entry;
use crate::profile::layout;
use crate::set::IpSet;
use std::path::{Path, PathBuf};

/// A profile's name, directory and what publishing reads from it.
struct Profile {
    name: String,
    dir: PathBuf,
    /// The allow-list: never listed, cut out of the other lists.
    allow: IpSet,
    prov: Provenance,
    /// The configuration's lists the profile has, in its order.
    lists: Vec<(String, IpSet)>,
    /// With `exact`: each list's entries as given (same order as `lists`).
    given: Vec<Option<Given>>,
}

impl Profile {
    fn rows(&self, list: &str) -> &[(Entry, usize)] {
        self.prov.ips.get(list).map_or(&[], Vec::as_slice)
    }
}

/// Publishes every profile under `dir` into `out_dir`, with the formats
/// `chosen`, else each profile's own, else the configuration's.
pub(super) fn publish_all(
    run: &Run,
    dir: &Path,
    out_dir: &Path,
    chosen: Option<&[Format]>,
) -> Result<ZoneReport, Error> {
    let found = find_profiles(dir)?;
    if found.is_empty() {
        return Err(InputError::file(
            dir.display().to_string(),
            format!(
                "no profiles (directories with {})",
                layout::list_files_text()
            ),
        )
        .into());
    }
    let mut out = Writer::new(run);
    for (name, dir) in found {
        let own = layout::read_formats(&dir)?;
        let formats = chosen.or(own.as_deref()).unwrap_or(&run.cfg.formats);
        let profile = read_profile(run, name, dir)?;
        list_zone(&mut out, &profile, formats, out_dir)?;
        if formats.contains(&Format::Rpz) {
            policy_zone(&mut out, &profile, out_dir)?;
        }
    }
    Ok(out.report)
}

fn read_profile(run: &Run, name: String, dir: PathBuf) -> Result<Profile, Error> {
    let cfg = run.cfg;
    let allow = optional_ips(&dir.join(layout::ALLOW))?.unwrap_or_default();
    let prov = provenance(&dir, cfg)?;
    let mut lists = Vec::new();
    let mut given = Vec::new();
    for l in &cfg.lists {
        let path = dir.join(layout::list_file(l));
        let (set, g) = if cfg.exact && path.is_file() {
            let g = read_given(&[path.to_string_lossy().into_owned()])?;
            (Some(g.set()), Some(g))
        } else {
            (optional_ips(&path)?, None)
        };
        if let Some(set) = set {
            given.push(g);
            // The allow-list always wins; the allow list itself is whole.
            let set = if l == "allow" {
                set
            } else {
                set.difference(&allow)
            };
            lists.push((l.clone(), set));
        }
    }
    Ok(Profile {
        name,
        dir,
        allow,
        prov,
        lists,
        given,
    })
}

/// Every entry's provenance: from the rules and the run's basis of a
/// version `tl-compile` published, else from `provenance.csv` if any.
fn provenance(dir: &Path, cfg: &ZoneConfig) -> Result<Provenance, Error> {
    // Provenance only picks an entry's class. Without categories every
    // entry is in the default class: the rows are not needed, and
    // explaining a large version costs seconds per profile.
    if cfg.categories.is_empty() {
        return Ok(Provenance::default());
    }
    let file = |f: &str| dir.join(f);
    if file(layout::COMPILED).is_file() && file(layout::BASIS).is_file() {
        let mut prov = Provenance::default();
        let rows = crate::profile::query::Opener::default()
            .open(dir)?
            .rows(None);
        for r in &rows {
            let row = [&r.entry, &r.list, &r.reason, &r.detail].map(|f| f.as_bytes());
            prov.add(cfg, row).map_err(|(reason, text)| InputError {
                file: dir.display().to_string(),
                line: None,
                reason: reason.into(),
                text: Some(text),
            })?;
        }
        return Ok(prov);
    }
    match file(layout::PROVENANCE) {
        p if p.is_file() => Ok(read_provenance(&p.to_string_lossy(), cfg)?),
        _ => Ok(Provenance::default()),
    }
}

/// One part of a profile's list zone (a list in a zone format), or a
/// list's rbldnsd datasets (`format` `None`).
#[derive(Clone, Copy)]
struct Part {
    list: usize,
    format: Option<Format>,
}

/// The profile's list zone, one part per list and format, and the rbldnsd
/// datasets: built on every core, then written in order.
fn list_zone(
    out: &mut Writer,
    p: &Profile,
    formats: &[Format],
    out_dir: &Path,
) -> Result<(), Error> {
    let cfg = out.cfg();
    let zone_formats: Vec<Format> = [
        Format::A,
        Format::Aaaa,
        Format::Apl,
        Format::Txt,
        Format::Dnsbl,
    ]
    .into_iter()
    .filter(|f| formats.contains(f))
    .collect();
    let in_dnsbl = |i: usize| cfg.dnsbl.lists.contains(&p.lists[i].0);
    let mut parts: Vec<Part> = Vec::new();
    for list in 0..p.lists.len() {
        for &f in &zone_formats {
            if f != Format::Dnsbl || in_dnsbl(list) {
                parts.push(Part {
                    list,
                    format: Some(f),
                });
            }
        }
    }
    if formats.contains(&Format::Rbldnsd) {
        let datasets = (0..p.lists.len()).filter(|&i| in_dnsbl(i));
        parts.extend(datasets.map(|list| Part { list, format: None }));
    }
    let built = crate::pool::try_map(&parts, |part| build_part(p, *part, cfg))?;
    let mut zone_body: Vec<Vec<u8>> = Vec::new();
    let mut datasets = Vec::new();
    for (part, (b, b6, skipped)) in parts.iter().zip(built) {
        out.skipped(skipped);
        match part.format {
            Some(_) => zone_body.push(b),
            None => datasets.push((&p.lists[part.list].0, b, b6)),
        }
    }
    let path = |name: String| out_dir.join(name).to_string_lossy().into_owned();
    if !zone_formats.is_empty() {
        let origin = join(&p.name, out.origin());
        let body: Vec<&[u8]> = zone_body.iter().map(Vec::as_slice).collect();
        out.zone(Some(&path(format!("{}.zone", p.name))), &origin, &body)?;
    }
    for (l, b4, b6) in datasets {
        out.dataset(&path(format!("{}.{l}.ip4set", p.name)), &b4)?;
        out.dataset(&path(format!("{}.{l}.ip6trie", p.name)), &b6)?;
    }
    Ok(())
}

/// A part's text (for datasets: the ip4set and ip6trie bodies) and what it
/// left out.
type Built = (Vec<u8>, Vec<u8>, Vec<Skipped>);

fn build_part(p: &Profile, part: Part, cfg: &ZoneConfig) -> Result<Built, Error> {
    let (l, set) = &p.lists[part.list];
    let no_allow = IpSet::default();
    let name = format!("{}: {l}", p.name);
    let d = ListData {
        name: &name,
        block: set,
        allow: if l == "allow" { &no_allow } else { &p.allow },
        rows: p.rows(l),
        given: p.given[part.list].as_ref(),
    };
    let mut skipped = Vec::new();
    match part.format {
        Some(f) => {
            let mut body = Vec::new();
            let base = super::codec::list_base(f.label(), l);
            list_body(&mut body, f, &base, &d, cfg, &mut skipped)?;
            Ok((body, Vec::new(), skipped))
        }
        None => {
            let (b4, b6) = rbldnsd_bodies(&d, cfg);
            Ok((b4, b6, skipped))
        }
    }
}

/// The profile's policy zone (at `rpz.origin`): its domain lists, and the
/// configuration's lists as rpz-ip, rpz-client-ip and name-server
/// triggers.
fn policy_zone(out: &mut Writer, p: &Profile, out_dir: &Path) -> Result<(), Error> {
    let cfg = out.cfg();
    let origin = cfg.rpz.origin_of(&p.name, out.origin());
    let origin = check_absolute(&origin).map_err(|reason| Error::Name {
        option: "rpz.origin",
        reason,
        text: origin.clone(),
    })?;
    let file = |f: &str| -> Vec<String> {
        let path = p.dir.join(f);
        if path.is_file() {
            vec![path.to_string_lossy().into_owned()]
        } else {
            vec![]
        }
    };
    let wildcard = cfg.rpz.wildcard;
    let listed = read_mixed(&file(layout::DOMAINS), &origin, wildcard)?;
    let allowed = read_mixed(&file(layout::ALLOW_DOMAINS), &origin, wildcard)?;
    let mut data = PolicyData::from_lists(listed, allowed, &p.prov);
    data.allow_ips = p.allow.union(&data.allow_ips);
    for (l, set) in &p.lists {
        if cfg.rpz.ip_lists.contains(l) {
            data.ips = data.ips.union(set);
            data.ip_rows.extend(p.rows(l).iter().copied());
        }
    }
    for l in &cfg.rpz.client_ip_lists {
        // a list of the zone's lists, else read for this only
        let set = match p.lists.iter().find(|(n, _)| n == l) {
            Some((_, set)) => Some(set.clone()),
            None => optional_ips(&p.dir.join(layout::list_file(l)))?,
        };
        if let Some(set) = set {
            data.clients.push((set, cfg.rpz.client_action(l)));
        }
    }
    for l in &cfg.rpz.ns_lists {
        let list = read_name_servers(&file(&layout::list_file(l)), &origin)?;
        data.add_name_servers(list, cfg.rpz.ns_action(l, cfg));
    }
    out.skipped(data.skipped(&origin));
    let path = out_dir.join(format!("{}.rpz.zone", p.name));
    out.zone(
        Some(&path.to_string_lossy()),
        &origin,
        &[&rpz_body(&data, cfg)],
    )
}
