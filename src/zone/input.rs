//! Reading what zones are made from: address lists, domain lists and the
//! provenance records of a compiled profile.

use super::config::ZoneConfig;
use super::name::check_list_domain;
use crate::error::InputError;
use crate::files::input;
use crate::net::{parse_entry, Entry};
use crate::set::{IntervalSet, IpSet, Loader, SetBuilder};
use std::collections::BTreeMap;

/// Reads plain address lists (one address, CIDR or range per line; `-` is
/// stdin) into one set; the first bad line is an error.
pub fn read_ips(paths: &[String]) -> Result<IpSet, InputError> {
    let mut b = SetBuilder::default();
    for p in paths {
        let inp = input::open(p).map_err(|e| InputError::io(p, &e))?;
        let name = inp.name.clone();
        match (Loader {
            lenient: false,
            csv_header: None,
        })
        .load(inp.reader, &mut b)
        {
            Err(e) => return Err(InputError::io(name, &e)),
            Ok(Err(e)) => return Err(e.in_file(&name)),
            Ok(Ok(_)) => {}
        }
    }
    Ok(b.build())
}

/// A list that may hold both addresses and domains (what a policy zone
/// publishes). Lines are a whole entry each, or blank, or a `#` comment:
/// nothing is cut from a line, so `evil.com;x` is refused, not shortened.
#[derive(Clone, Debug, Default)]
pub struct Mixed {
    pub ips: IpSet,
    pub domains: Vec<String>,
}

pub fn read_mixed(paths: &[String], origin: &str) -> Result<Mixed, InputError> {
    let mut b = SetBuilder::default();
    let mut domains = Vec::new();
    for p in paths {
        let inp = input::open(p).map_err(|e| InputError::io(p, &e))?;
        let name = inp.name.clone();
        let mut lines = input::Lines::new(inp.reader);
        loop {
            let next = lines.next_line().map_err(|e| InputError::io(&name, &e))?;
            let Some((n, line)) = next else { break };
            let line = match line {
                Ok(l) => l,
                Err(head) => return Err(InputError::text(name, n, "line too long", head)),
            };
            let text = line.strip_suffix(b"\r").unwrap_or(line).trim_ascii();
            if text.is_empty() || text.starts_with(b"#") {
                continue;
            }
            match parse_entry(text) {
                Ok(e) => b.push(e),
                Err(_) => match check_list_domain(text, origin) {
                    Ok(d) => domains.push(d),
                    Err(reason) => return Err(InputError::text(name, n, reason, line)),
                },
            }
        }
    }
    domains.sort_unstable();
    domains.dedup();
    Ok(Mixed {
        ips: b.build(),
        domains,
    })
}

/// Provenance of a compiled profile (`entry,list,reason,detail`), reduced to
/// what publication needs: the class (see [`ZoneConfig::class_of`]) of each
/// address entry per list, and of each domain.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// Per list: entries by class.
    pub ips: BTreeMap<String, Vec<(Entry, usize)>>,
    /// Domain → class; a domain with several rows takes the first matching
    /// category (the default only when none matches).
    pub domains: BTreeMap<String, usize>,
}

/// Reads a `provenance.csv` (entry,list,reason,detail) written by an
/// older `tl-compile` or by hand.
pub fn read_provenance(path: &str, cfg: &ZoneConfig) -> Result<Provenance, InputError> {
    let inp = input::open(path).map_err(|e| InputError::io(path, &e))?;
    let mut r = crate::record::csv_reader(inp.reader);
    let csv_error = |e: csv::Error| {
        let line = e.position().map_or(1, |p| p.line());
        InputError::line(path, line, e.to_string())
    };
    let headers = r.byte_headers().map_err(csv_error)?.clone();
    let want: [&[u8]; 4] = [b"entry", b"list", b"reason", b"detail"];
    if headers.len() < 4 || !headers.iter().zip(want).all(|(h, w)| h == w) {
        return Err(InputError::line(
            path,
            1,
            "not a provenance file: the header must be entry,list,reason,detail",
        ));
    }
    let mut prov = Provenance::default();
    let mut rec = csv::ByteRecord::new();
    while r.read_byte_record(&mut rec).map_err(csv_error)? {
        let line = rec.position().map_or(0, |p| p.line());
        let field = |i: usize| rec.get(i).unwrap_or_default();
        prov.add(cfg, [field(0), field(1), field(2), field(3)])
            .map_err(|(reason, text)| InputError::text(path, line, reason, text))?;
    }
    Ok(prov)
}

impl Provenance {
    /// Takes one row (entry, list, reason, detail); rule rows
    /// (`rule:…`) name no entry and are passed over.
    pub fn add(
        &mut self,
        cfg: &ZoneConfig,
        row: [&[u8]; 4],
    ) -> Result<(), (&'static str, Vec<u8>)> {
        let [entry, list, reason, detail] = row;
        if entry.starts_with(b"rule:") {
            return Ok(());
        }
        let class = cfg.class_of(
            &String::from_utf8_lossy(reason),
            &String::from_utf8_lossy(detail),
        );
        if let Ok(e) = parse_entry(entry) {
            let list =
                std::str::from_utf8(list).map_err(|_| ("list name is not UTF-8", list.to_vec()))?;
            self.ips
                .entry(list.to_string())
                .or_default()
                .push((e, class));
        } else {
            let d = check_list_domain(entry, "").map_err(|reason| (reason, entry.to_vec()))?;
            let rank = |c: usize| if c == 0 { usize::MAX } else { c };
            let slot = self.domains.entry(d).or_insert(class);
            if rank(class) < rank(*slot) {
                *slot = class;
            }
        }
        Ok(())
    }
}

/// The addresses of each class, per family: (class, set), in class order.
pub type Regions = (
    Vec<(usize, IntervalSet<u32>)>,
    Vec<(usize, IntervalSet<u128>)>,
);

/// Splits `block` into the regions of each class: the addresses of a
/// category's entries, first category first, and the rest in the default
/// class 0. Only non-empty regions, in class order.
pub fn regions(block: &IpSet, rows: &[(Entry, usize)], classes: usize) -> Regions {
    let mut per: Vec<SetBuilder> = (0..classes).map(|_| SetBuilder::default()).collect();
    for (e, c) in rows {
        if *c > 0 && *c < classes {
            per[*c].push(*e);
        }
    }
    let mut left = block.clone();
    let (mut r4, mut r6) = (Vec::new(), Vec::new());
    for (c, b) in per.into_iter().enumerate().skip(1) {
        let s = b.build().intersection(&left);
        left = left.difference(&s);
        if !s.v4.is_empty() {
            r4.push((c, s.v4));
        }
        if !s.v6.is_empty() {
            r6.push((c, s.v6));
        }
    }
    if !left.v4.is_empty() {
        r4.insert(0, (0, left.v4));
    }
    if !left.v6.is_empty() {
        r6.insert(0, (0, left.v6));
    }
    (r4, r6)
}
