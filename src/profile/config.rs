//! The profile file (TOML): what one customer's lists are made of.
//!
//! Unknown keys are errors; every error names the file and line. Values that
//! need checking beyond their type (countries, groups, addresses, dates) keep
//! their position ([`Spanned`]) so that their errors can point at them too.
//! The keys are documented in `docs/profiles.md`.

use crate::geo::codes;
use crate::net::{parse_entry, Entry};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Which traffic a block applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Inbound,
    Outbound,
    #[default]
    Both,
}

impl Direction {
    pub fn inbound(self) -> bool {
        self != Direction::Outbound
    }
    pub fn outbound(self) -> bool {
        self != Direction::Inbound
    }
}

/// What the firewall can hold, per list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// ipset `hash:net`, `maxelem` default.
    #[default]
    Ipset,
    /// Palo Alto external dynamic list (IP list), per list.
    PaloaltoEdl,
    /// FortiGate external threat feed, mid-range models.
    Fortigate,
    /// Windows Firewall: addresses per rule.
    Windows,
    /// MikroTik address list, small routers (RAM-bound).
    Mikrotik,
    /// No limit.
    Unlimited,
}

impl Target {
    /// The default number of entries (lines) one list may hold.
    pub fn default_capacity(self) -> Option<usize> {
        match self {
            Target::Ipset => Some(65_536),
            Target::PaloaltoEdl => Some(50_000),
            Target::Fortigate => Some(131_072),
            Target::Windows => Some(1_000),
            Target::Mikrotik => Some(50_000),
            Target::Unlimited => None,
        }
    }
}

/// What to do with entries beyond the capacity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Overflow {
    /// Keep the highest-scored evidence; report the rest.
    #[default]
    KeepHighest,
    /// First merge neighbouring prefixes across small gaps (at most
    /// `merge_extra` addresses added in all), then keep the highest.
    Merge,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Every entry scored at least this.
    pub min_score: Option<f64>,
    /// Feed name → minimum score for entries that feed reported.
    #[serde(default)]
    pub feeds: BTreeMap<Spanned<String>, f64>,
    /// Category → minimum score.
    #[serde(default)]
    pub categories: BTreeMap<Spanned<String>, f64>,
    #[serde(default)]
    pub direction: Direction,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeoRule {
    #[serde(default)]
    pub countries: Vec<Spanned<String>>,
    #[serde(default)]
    pub continents: Vec<Spanned<String>>,
    #[serde(default)]
    pub groups: Vec<Spanned<String>>,
    #[serde(default)]
    pub asns: Vec<u32>,
    #[serde(default)]
    pub direction: Direction,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockRule {
    #[serde(default)]
    pub entries: Vec<Spanned<String>>,
    #[serde(default)]
    pub files: Vec<Spanned<String>>,
    #[serde(default)]
    pub direction: Direction,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowRule {
    #[serde(default)]
    pub entries: Vec<Spanned<String>>,
    #[serde(default)]
    pub files: Vec<Spanned<String>>,
    /// Last day the entries apply (`YYYY-MM-DD`, inclusive).
    pub expires: Option<Spanned<String>>,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domains {
    /// Categories whose domains are listed (none: no domains).
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub min_score: f64,
    /// Domains (and their subdomains) never listed.
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    #[serde(default)]
    pub target: Target,
    /// Overrides the target's default.
    pub max_entries: Option<usize>,
    #[serde(default)]
    pub overflow: Overflow,
    /// With `overflow = "merge"`: most addresses merging may add.
    #[serde(default = "default_merge_extra")]
    pub merge_extra: u64,
}

fn default_merge_extra() -> u64 {
    4096
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guards {
    /// The customer's own networks: never blocked, listed in allow.txt.
    #[serde(default)]
    pub own_networks: Vec<Spanned<String>>,
    /// DNS servers, gateways and other hosts the firewall needs.
    #[serde(default)]
    pub infrastructure: Vec<Spanned<String>>,
    /// Addresses whose blocking refuses publication (besides the defaults).
    #[serde(default)]
    pub canaries: Vec<Spanned<String>>,
    #[serde(default = "yes")]
    pub default_canaries: bool,
    /// Widest prefix a non-geo entry may have.
    #[serde(default = "default_widest_v4")]
    pub widest_v4: u32,
    #[serde(default = "default_widest_v6")]
    pub widest_v6: u32,
    /// Circuit breaker, percent of the last published entry count.
    #[serde(default = "default_shrink")]
    pub max_shrink: f64,
    #[serde(default = "default_grow")]
    pub max_grow: f64,
    /// A named feed whose newest entry is older than this is stale.
    #[serde(default = "default_stale_days")]
    pub stale_days: f64,
    /// Let documentation and benchmarking space (RFC 5737, 3849, 2544, 9637)
    /// be listed: only for tests and demonstrations.
    #[serde(default)]
    pub documentation_space: bool,
}

fn yes() -> bool {
    true
}
fn default_widest_v4() -> u32 {
    8
}
fn default_widest_v6() -> u32 {
    32
}
fn default_shrink() -> f64 {
    50.0
}
fn default_grow() -> f64 {
    300.0
}
fn default_stale_days() -> f64 {
    7.0
}

impl Default for Guards {
    fn default() -> Self {
        toml::from_str("").expect("all guard keys have defaults")
    }
}

/// The publication formats `tl-zone` knows.
pub const FORMATS: &[&str] = &["a", "aaaa", "apl", "txt", "dnsbl", "rbldnsd", "rpz"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: Option<Spanned<String>>,
    #[serde(default = "yes")]
    ipv6: bool,
    #[serde(default)]
    formats: Vec<Spanned<String>>,
    #[serde(default)]
    evidence: Evidence,
    #[serde(default)]
    geo: Vec<GeoRule>,
    #[serde(default)]
    block: Vec<BlockRule>,
    #[serde(default)]
    allow: Vec<AllowRule>,
    #[serde(default)]
    domains: Domains,
    #[serde(default)]
    capacity: Capacity,
    #[serde(default)]
    guards: Guards,
    /// Group name → file of country codes (overrides a shipped group).
    #[serde(default)]
    groups: BTreeMap<String, Spanned<String>>,
}

/// An entry with where it came from, for provenance and errors.
#[derive(Clone, Debug)]
pub struct Sourced {
    pub entry: Entry,
    /// `FILE:LINE` of the entry.
    pub origin: String,
}

/// A resolved geo rule: codes checked, groups expanded.
#[derive(Clone, Debug)]
pub struct Geo {
    /// (country, how it was named: `country` or `group:NAME`)
    pub countries: Vec<(codes::Code, String)>,
    pub continents: Vec<codes::Code>,
    pub asns: Vec<u32>,
    pub direction: Direction,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub entries: Vec<Sourced>,
    pub direction: Direction,
    pub comment: String,
}

#[derive(Clone, Debug)]
pub struct Allow {
    pub entries: Vec<Sourced>,
    /// Unix seconds of the end of the last day, if any.
    pub expires: Option<(i64, String)>,
    pub comment: String,
}

/// A checked profile.
#[derive(Clone, Debug)]
pub struct Profile {
    pub name: String,
    pub file: String,
    pub ipv6: bool,
    pub formats: Vec<String>,
    pub min_score: Option<u64>,
    /// (name, minimum score in thousandths, `FILE:LINE` of the key)
    pub feeds: Vec<(String, u64, String)>,
    pub categories: Vec<(String, u64)>,
    pub evidence_direction: Direction,
    pub geo: Vec<Geo>,
    pub block: Vec<Block>,
    pub allow: Vec<Allow>,
    pub own: Vec<Sourced>,
    pub infrastructure: Vec<Sourced>,
    pub canaries: Vec<Sourced>,
    pub domain_categories: Vec<String>,
    pub domain_min_score: u64,
    pub domain_allow: Vec<String>,
    pub capacity: Option<usize>,
    pub overflow: Overflow,
    pub merge_extra: u64,
    pub guards: Guards,
}

/// Public resolvers and root servers: blocking any of them would take a
/// network's name resolution down with it.
pub const DEFAULT_CANARIES: &[&str] = &[
    "1.1.1.1",
    "1.0.0.1",
    "8.8.8.8",
    "8.8.4.4",
    "9.9.9.9",
    "149.112.112.112",
    "208.67.222.222",
    "208.67.220.220",
    "198.41.0.4",
    "199.9.14.201",
    "192.33.4.12",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "2620:fe::fe",
];

/// Shipped country groups: dated, editable files under `data/country-groups`.
const SHIPPED_GROUPS: &[(&str, &str)] = &[
    ("eu", include_str!("../../data/country-groups/eu.txt")),
    (
        "sanctions",
        include_str!("../../data/country-groups/sanctions.txt"),
    ),
];

pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Converts a score threshold to thousandths, as the scores CSV has them.
fn milli(x: f64) -> u64 {
    (x * 1000.0).round().clamp(0.0, u64::MAX as f64) as u64
}

/// Reads a group file: one country code per line, `#` comments.
fn parse_group(file: &str, text: &str) -> Result<Vec<codes::Code>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.split('#').next().unwrap_or("").trim();
        if t.is_empty() {
            continue;
        }
        match codes::code(t.as_bytes()).filter(|c| codes::country(*c).is_some()) {
            Some(c) => out.push(c),
            None => return Err(format!("{file}:{}: {}", i + 1, codes::unknown(t, false))),
        }
    }
    Ok(out)
}

/// Reads and checks the profile at `path`. `today` (Unix seconds) decides
/// which allow entries have expired.
pub fn load(path: &Path) -> Result<Profile, String> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{file}: {}", crate::error::describe_io(&e)))?;
    parse(&file, &text, path.parent().unwrap_or(Path::new(".")))
}

/// Checks a profile given as text; relative file names are read from `dir`.
pub fn parse(file: &str, text: &str, dir: &Path) -> Result<Profile, String> {
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        format!("{file}:{line}: {}", e.message().trim())
    })?;
    let at = |span: std::ops::Range<usize>| format!("{file}:{}", line_of(text, span.start));
    let entry = |s: &Spanned<String>| -> Result<Sourced, String> {
        let v = s.get_ref().trim();
        let origin = at(s.span());
        parse_entry(v.as_bytes())
            .map(|entry| Sourced {
                entry,
                origin: origin.clone(),
            })
            .map_err(|e| format!("{origin}: {e}: {}", crate::error::quote(v.as_bytes())))
    };
    let entries = |list: &[Spanned<String>]| -> Result<Vec<Sourced>, String> {
        list.iter().map(entry).collect()
    };
    let resolve = |s: &Spanned<String>| -> PathBuf { dir.join(s.get_ref()) };
    let files = |list: &[Spanned<String>]| -> Result<Vec<Sourced>, String> {
        let mut out = Vec::new();
        for f in list {
            let p = resolve(f);
            let name = p.display().to_string();
            let body = std::fs::read(&p).map_err(|e| {
                format!(
                    "{}: {name}: {}",
                    at(f.span()),
                    crate::error::describe_io(&e)
                )
            })?;
            for (i, line) in body.split(|&b| b == b'\n').enumerate() {
                let t = line.split(|&b| b == b'#').next().unwrap_or(b"");
                let t = t.trim_ascii();
                if t.is_empty() {
                    continue;
                }
                let origin = format!("{name}:{}", i + 1);
                let e = parse_entry(t)
                    .map_err(|e| format!("{origin}: {e}: {}", crate::error::quote(t)))?;
                out.push(Sourced { entry: e, origin });
            }
        }
        Ok(out)
    };

    let name = match &raw.name {
        Some(n) => {
            let v = n.get_ref();
            let ok = !v.is_empty()
                && v.len() <= 63
                && !v.starts_with(['-', '.'])
                && v.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !ok {
                return Err(format!(
                    "{}: a profile name is 1-63 characters a-z, 0-9 and '-', not first: {}",
                    at(n.span()),
                    crate::error::quote(v.as_bytes())
                ));
            }
            v.clone()
        }
        None => {
            return Err(format!("{file}:1: missing key 'name'"));
        }
    };

    let mut formats = Vec::new();
    for f in &raw.formats {
        if !FORMATS.contains(&f.get_ref().as_str()) {
            return Err(format!(
                "{}: unknown format {} (one of {})",
                at(f.span()),
                crate::error::quote(f.get_ref().as_bytes()),
                FORMATS.join(", ")
            ));
        }
        formats.push(f.get_ref().clone());
    }
    formats.sort();
    formats.dedup();

    // Groups: shipped ones, then the profile's own files.
    let mut groups: BTreeMap<String, Vec<codes::Code>> = BTreeMap::new();
    for (g, body) in SHIPPED_GROUPS {
        groups.insert(g.to_string(), parse_group(g, body)?);
    }
    for (g, f) in &raw.groups {
        let p = resolve(f);
        let body = std::fs::read_to_string(&p).map_err(|e| {
            format!(
                "{}: {}: {}",
                at(f.span()),
                p.display(),
                crate::error::describe_io(&e)
            )
        })?;
        groups.insert(g.clone(), parse_group(&p.display().to_string(), &body)?);
    }

    let mut geo = Vec::new();
    for r in &raw.geo {
        let mut countries = Vec::new();
        for c in &r.countries {
            match codes::code(c.get_ref().as_bytes()).filter(|k| codes::country(*k).is_some()) {
                Some(k) => countries.push((k, "country".to_string())),
                None => {
                    return Err(format!(
                        "{}: {}",
                        at(c.span()),
                        codes::unknown(c.get_ref(), false)
                    ))
                }
            }
        }
        for g in &r.groups {
            match groups.get(g.get_ref()) {
                Some(list) => {
                    countries.extend(list.iter().map(|k| (*k, format!("group:{}", g.get_ref()))))
                }
                None => {
                    return Err(format!(
                        "{}: unknown country group {} (known: {})",
                        at(g.span()),
                        crate::error::quote(g.get_ref().as_bytes()),
                        groups.keys().cloned().collect::<Vec<_>>().join(", ")
                    ))
                }
            }
        }
        let mut continents = Vec::new();
        for c in &r.continents {
            match codes::code(c.get_ref().as_bytes()).filter(|k| codes::is_continent(*k)) {
                Some(k) => continents.push(k),
                None => {
                    return Err(format!(
                        "{}: {}",
                        at(c.span()),
                        codes::unknown(c.get_ref(), true)
                    ))
                }
            }
        }
        geo.push(Geo {
            countries,
            continents,
            asns: r.asns.clone(),
            direction: r.direction,
        });
    }

    let mut block = Vec::new();
    for r in &raw.block {
        let mut e = entries(&r.entries)?;
        e.extend(files(&r.files)?);
        block.push(Block {
            entries: e,
            direction: r.direction,
            comment: r.comment.clone(),
        });
    }
    let mut allow = Vec::new();
    for r in &raw.allow {
        let mut e = entries(&r.entries)?;
        e.extend(files(&r.files)?);
        let expires = match &r.expires {
            None => None,
            Some(d) => {
                let date: jiff::civil::Date = d.get_ref().parse().map_err(|_| {
                    format!(
                        "{}: expires is not a date (YYYY-MM-DD): {}",
                        at(d.span()),
                        crate::error::quote(d.get_ref().as_bytes())
                    )
                })?;
                let end = date
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .map_err(|e| format!("{}: {e}", at(d.span())))?
                    .timestamp()
                    .as_second()
                    + 86_400
                    - 1;
                Some((end, d.get_ref().clone()))
            }
        };
        allow.push(Allow {
            entries: e,
            expires,
            comment: r.comment.clone(),
        });
    }

    let mut domain_allow = Vec::new();
    for d in &raw.domains.allow {
        let v = d
            .get_ref()
            .trim()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let ok = !v.is_empty()
            && v.len() <= 253
            && v.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        if !ok {
            return Err(format!(
                "{}: not a domain name: {}",
                at(d.span()),
                crate::error::quote(d.get_ref().as_bytes())
            ));
        }
        domain_allow.push(v);
    }
    domain_allow.sort();
    domain_allow.dedup();

    let g = &raw.guards;
    if g.widest_v4 > 32 || g.widest_v6 > 128 {
        return Err(format!(
            "{file}: guards.widest_v4 is at most 32 and guards.widest_v6 at most 128"
        ));
    }
    let mut canaries = Vec::new();
    if g.default_canaries {
        for c in DEFAULT_CANARIES {
            canaries.push(Sourced {
                entry: parse_entry(c.as_bytes()).expect("default canaries parse"),
                origin: "default canary".into(),
            });
        }
    }
    canaries.extend(entries(&g.canaries)?);

    let score_ok = |x: f64| x.is_finite() && x >= 0.0;
    let mut feeds = Vec::new();
    for (k, v) in &raw.evidence.feeds {
        if !score_ok(*v) {
            return Err(format!(
                "{}: a minimum score is a number >= 0",
                at(k.span())
            ));
        }
        feeds.push((k.get_ref().clone(), milli(*v), at(k.span())));
    }
    let mut categories = Vec::new();
    for (k, v) in &raw.evidence.categories {
        if !score_ok(*v) {
            return Err(format!(
                "{}: a minimum score is a number >= 0",
                at(k.span())
            ));
        }
        categories.push((k.get_ref().clone(), milli(*v)));
    }
    let capacity = raw
        .capacity
        .max_entries
        .or(raw.capacity.target.default_capacity());

    Ok(Profile {
        name,
        file: file.to_string(),
        ipv6: raw.ipv6,
        formats,
        min_score: raw.evidence.min_score.map(milli),
        feeds,
        categories,
        evidence_direction: raw.evidence.direction,
        geo,
        block,
        allow,
        own: entries(&g.own_networks)?,
        infrastructure: entries(&g.infrastructure)?,
        canaries,
        domain_categories: raw.domains.categories.clone(),
        domain_min_score: milli(raw.domains.min_score),
        domain_allow,
        capacity,
        overflow: raw.capacity.overflow,
        merge_extra: raw.capacity.merge_extra,
        guards: Guards {
            own_networks: Vec::new(),
            infrastructure: Vec::new(),
            canaries: Vec::new(),
            ..raw.guards
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Profile, String> {
        parse("p.toml", text, Path::new("."))
    }

    #[test]
    fn unknown_keys_name_file_and_line() {
        let e = p("name = \"a\"\n[evidence]\nmin_score = 1\nmin_scor = 2\n").unwrap_err();
        assert!(e.starts_with("p.toml:4: unknown field `min_scor`"), "{e}");
        let e = p("name = \"a\"\n\n[[geo]]\ncountries = [\"FR\", \"XZ\"]\n").unwrap_err();
        assert!(e.starts_with("p.toml:4: unknown country code 'XZ'"), "{e}");
        let e = p("name = \"a\"\n[[geo]]\ngroups = [\"nato\"]\n").unwrap_err();
        assert!(
            e.starts_with("p.toml:3: unknown country group 'nato'"),
            "{e}"
        );
        let e = p("name = \"a\"\n[[block]]\nentries = [\n\"1.2.3.4\",\n\"1.2.3\"]\n").unwrap_err();
        assert!(
            e.starts_with("p.toml:5: IPv4 address without four octets"),
            "{e}"
        );
    }

    #[test]
    fn groups_and_defaults() {
        let prof =
            p("name = \"a\"\n[[geo]]\ngroups = [\"eu\"]\ndirection = \"inbound\"\n").unwrap();
        assert_eq!(prof.geo[0].countries.len(), 27);
        assert_eq!(prof.geo[0].direction, Direction::Inbound);
        assert_eq!(prof.capacity, Some(65_536));
        assert_eq!(prof.guards.widest_v4, 8);
        assert!(prof.canaries.len() >= 10);
    }
}
