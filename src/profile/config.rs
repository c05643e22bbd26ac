//! The profile file (TOML): what one customer's lists are made of.
//!
//! Unknown keys are errors; every error names the file and line. Values that
//! need checking beyond their type (countries, groups, addresses, dates) keep
//! their position ([`Spanned`]) so that their errors can point at them too.
//! The keys are documented in `docs/profiles.md`.

use super::layout::Format;
use crate::error::{describe_io, quote, InputError};
use crate::geo::codes;
use crate::net::{parse_entry, Entry};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: Option<Spanned<String>>,
    #[serde(default = "yes")]
    ipv6: bool,
    #[serde(default)]
    formats: Vec<Spanned<String>>,
    #[serde(default)]
    firewall: Vec<Spanned<String>>,
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
    pub formats: Vec<Format>,
    /// The firewall targets the profile asks to be rendered for (its
    /// `firewall` key): each name as written and the line of it in `file`.
    /// This layer does not know the targets; the firewall layer checks the
    /// names (`firewall::target::of_profile`).
    pub firewall: Vec<(String, u64)>,
    pub min_score: Option<u64>,
    /// (name, minimum score in thousandths, line of the key in `file`)
    pub feeds: Vec<(String, u64, u64)>,
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

/// Converts a score threshold to thousandths, as the scores CSV has them.
fn milli(x: f64) -> u64 {
    (x * 1000.0).round().clamp(0.0, u64::MAX as f64) as u64
}

/// Reads a group file: one country code per line, `#` comments.
fn parse_group(file: &str, text: &str) -> Result<Vec<codes::Code>, InputError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.split('#').next().unwrap_or("").trim();
        if t.is_empty() {
            continue;
        }
        match codes::code(t.as_bytes()).filter(|c| codes::country(*c).is_some()) {
            Some(c) => out.push(c),
            None => {
                return Err(InputError::line(
                    file,
                    i as u64 + 1,
                    codes::unknown(t, false),
                ))
            }
        }
    }
    Ok(out)
}

/// Reads and checks the profile at `path`; files it names are read from
/// its directory.
pub fn load(path: &Path) -> Result<Profile, InputError> {
    let file = path.display().to_string();
    let text = crate::files::read_text(&file)?;
    parse(&file, &text, path.parent().unwrap_or(Path::new(".")))
}

/// Checks a profile given as text; relative file names are read from `dir`.
/// The steps follow the file's sections; the first error is returned.
pub fn parse(file: &str, text: &str, dir: &Path) -> Result<Profile, InputError> {
    let raw: Raw = crate::files::parse_toml(text, file)?;
    let src = Source { file, text, dir };
    let name = src.name(raw.name.as_ref())?;
    let formats = src.formats(&raw.formats)?;
    let groups = src.groups(&raw.groups)?;
    let geo = (raw.geo.iter())
        .map(|r| src.geo(r, &groups))
        .collect::<Result<_, _>>()?;
    let block = raw
        .block
        .iter()
        .map(|r| src.block(r))
        .collect::<Result<_, _>>()?;
    let allow = raw
        .allow
        .iter()
        .map(|r| src.allow(r))
        .collect::<Result<_, _>>()?;
    let domain_allow = src.domain_allow(&raw.domains.allow)?;
    let g = &raw.guards;
    if g.widest_v4 > 32 || g.widest_v6 > 128 {
        return Err(InputError::file(
            file,
            "guards.widest_v4 is at most 32 and guards.widest_v6 at most 128",
        ));
    }
    let canaries = src.canaries(g)?;
    let feeds = src.thresholds(&raw.evidence.feeds)?;
    let categories = src.thresholds(&raw.evidence.categories)?;
    Ok(Profile {
        name,
        file: file.to_string(),
        ipv6: raw.ipv6,
        formats,
        firewall: (raw.firewall.iter())
            .map(|t| (t.get_ref().clone(), src.line(t)))
            .collect(),
        min_score: raw.evidence.min_score.map(milli),
        feeds,
        categories: categories.into_iter().map(|(c, m, _)| (c, m)).collect(),
        evidence_direction: raw.evidence.direction,
        geo,
        block,
        allow,
        own: src.entries(&g.own_networks)?,
        infrastructure: src.entries(&g.infrastructure)?,
        canaries,
        domain_categories: raw.domains.categories.clone(),
        domain_min_score: milli(raw.domains.min_score),
        domain_allow,
        capacity: (raw.capacity.max_entries).or(raw.capacity.target.default_capacity()),
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

/// A profile's text being checked: errors point into it, relative file
/// names are read from its directory.
struct Source<'a> {
    file: &'a str,
    text: &'a str,
    dir: &'a Path,
}

impl Source<'_> {
    /// The line of a value in the profile.
    fn line<T>(&self, s: &Spanned<T>) -> u64 {
        crate::files::line_of(self.text, s.span().start)
    }

    /// `FILE:LINE` of a value: where an entry came from.
    fn origin<T>(&self, s: &Spanned<T>) -> String {
        format!("{}:{}", self.file, self.line(s))
    }

    /// An error about a value.
    fn error<T>(&self, s: &Spanned<T>, reason: impl Into<String>) -> InputError {
        InputError::line(self.file, self.line(s), reason)
    }

    /// An error about a value, quoting it.
    fn refused(&self, s: &Spanned<String>, reason: impl Into<String>) -> InputError {
        InputError::text(self.file, self.line(s), reason, s.get_ref().as_bytes())
    }

    /// The profile's name: a DNS label, since tl-zone names zones after it.
    fn name(&self, raw: Option<&Spanned<String>>) -> Result<String, InputError> {
        let Some(n) = raw else {
            return Err(InputError::line(self.file, 1, "missing key 'name'"));
        };
        let v = n.get_ref();
        let ok = !v.is_empty()
            && v.len() <= 63
            && !v.starts_with(['-', '.'])
            && v.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(self.refused(
                n,
                "a profile name is 1-63 characters a-z, 0-9 and '-', not first",
            ));
        }
        Ok(v.clone())
    }

    /// The publication formats, in name order, each once.
    fn formats(&self, raw: &[Spanned<String>]) -> Result<Vec<Format>, InputError> {
        let mut formats = Vec::new();
        for f in raw {
            let format = Format::parse(f.get_ref()).ok_or_else(|| {
                self.error(
                    f,
                    format!(
                        "unknown format {} (one of {})",
                        quote(f.get_ref().as_bytes()),
                        Format::names(", ")
                    ),
                )
            })?;
            formats.push(format);
        }
        formats.sort_by_key(|f| f.name());
        formats.dedup();
        Ok(formats)
    }

    /// The country groups: the shipped ones, then the profile's own files.
    fn groups(
        &self,
        raw: &BTreeMap<String, Spanned<String>>,
    ) -> Result<BTreeMap<String, Vec<codes::Code>>, InputError> {
        let mut groups = BTreeMap::new();
        for (g, body) in SHIPPED_GROUPS {
            groups.insert(g.to_string(), parse_group(g, body)?);
        }
        for (g, f) in raw {
            let p = self.dir.join(f.get_ref());
            let body = std::fs::read_to_string(&p)
                .map_err(|e| self.error(f, format!("{}: {}", p.display(), describe_io(&e))))?;
            groups.insert(g.clone(), parse_group(&p.display().to_string(), &body)?);
        }
        Ok(groups)
    }

    /// A geo rule: countries and continents checked, groups expanded.
    fn geo(
        &self,
        r: &GeoRule,
        groups: &BTreeMap<String, Vec<codes::Code>>,
    ) -> Result<Geo, InputError> {
        let mut countries = Vec::new();
        for c in &r.countries {
            let k = codes::code(c.get_ref().as_bytes()).filter(|k| codes::country(*k).is_some());
            let k = k.ok_or_else(|| self.error(c, codes::unknown(c.get_ref(), false)))?;
            countries.push((k, "country".to_string()));
        }
        for g in &r.groups {
            let list = groups.get(g.get_ref()).ok_or_else(|| {
                self.error(
                    g,
                    format!(
                        "unknown country group {} (known: {})",
                        quote(g.get_ref().as_bytes()),
                        groups.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                )
            })?;
            countries.extend(list.iter().map(|k| (*k, format!("group:{}", g.get_ref()))));
        }
        let mut continents = Vec::new();
        for c in &r.continents {
            let k = codes::code(c.get_ref().as_bytes()).filter(|k| codes::is_continent(*k));
            continents.push(k.ok_or_else(|| self.error(c, codes::unknown(c.get_ref(), true)))?);
        }
        Ok(Geo {
            countries,
            continents,
            asns: r.asns.clone(),
            direction: r.direction,
        })
    }

    /// A custom block: its entries, then those of its files.
    fn block(&self, r: &BlockRule) -> Result<Block, InputError> {
        let mut entries = self.entries(&r.entries)?;
        entries.extend(self.files(&r.files)?);
        Ok(Block {
            entries,
            direction: r.direction,
            comment: r.comment.clone(),
        })
    }

    /// An allow rule: its entries, then those of its files, and the end of
    /// its last day.
    fn allow(&self, r: &AllowRule) -> Result<Allow, InputError> {
        let mut entries = self.entries(&r.entries)?;
        entries.extend(self.files(&r.files)?);
        let expires = match &r.expires {
            None => None,
            Some(d) => Some((self.end_of_day(d)?, d.get_ref().clone())),
        };
        Ok(Allow {
            entries,
            expires,
            comment: r.comment.clone(),
        })
    }

    /// Unix seconds of the last second of a `YYYY-MM-DD` day (UTC).
    fn end_of_day(&self, d: &Spanned<String>) -> Result<i64, InputError> {
        let date: jiff::civil::Date = (d.get_ref().parse())
            .map_err(|_| self.refused(d, "expires is not a date (YYYY-MM-DD)"))?;
        let start = date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|e| self.error(d, e.to_string()))?;
        Ok(start.timestamp().as_second() + 86_400 - 1)
    }

    /// Domains never listed: lower case, no trailing dot, sorted, each once.
    fn domain_allow(&self, raw: &[Spanned<String>]) -> Result<Vec<String>, InputError> {
        let mut out = Vec::new();
        for d in raw {
            let v = d
                .get_ref()
                .trim()
                .trim_end_matches('.')
                .to_ascii_lowercase();
            if !crate::net::domain::is_entry(&v) {
                return Err(self.refused(d, "not a domain name"));
            }
            out.push(v);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The canaries: the default ones (unless turned off), then the
    /// profile's.
    fn canaries(&self, g: &Guards) -> Result<Vec<Sourced>, InputError> {
        let mut canaries = Vec::new();
        if g.default_canaries {
            for c in DEFAULT_CANARIES {
                canaries.push(Sourced {
                    entry: parse_entry(c.as_bytes()).expect("default canaries parse"),
                    origin: "default canary".into(),
                });
            }
        }
        canaries.extend(self.entries(&g.canaries)?);
        Ok(canaries)
    }

    /// Score thresholds by name: (name, thousandths, line of the key).
    fn thresholds(
        &self,
        raw: &BTreeMap<Spanned<String>, f64>,
    ) -> Result<Vec<(String, u64, u64)>, InputError> {
        let mut out = Vec::new();
        for (k, v) in raw {
            if !(v.is_finite() && *v >= 0.0) {
                return Err(self.error(k, "a minimum score is a number >= 0"));
            }
            out.push((k.get_ref().clone(), milli(*v), self.line(k)));
        }
        Ok(out)
    }

    /// Address entries given in the profile.
    fn entries(&self, list: &[Spanned<String>]) -> Result<Vec<Sourced>, InputError> {
        let entry = |s: &Spanned<String>| {
            let v = s.get_ref().trim();
            let entry = parse_entry(v.as_bytes())
                .map_err(|e| InputError::text(self.file, self.line(s), e.to_string(), v))?;
            Ok(Sourced {
                entry,
                origin: self.origin(s),
            })
        };
        list.iter().map(entry).collect()
    }

    /// Address entries of the files the profile names: one a line, `#`
    /// comments.
    fn files(&self, list: &[Spanned<String>]) -> Result<Vec<Sourced>, InputError> {
        let mut out = Vec::new();
        for f in list {
            let p = self.dir.join(f.get_ref());
            let name = p.display().to_string();
            let body = std::fs::read(&p)
                .map_err(|e| self.error(f, format!("{name}: {}", describe_io(&e))))?;
            for (i, line) in body.split(|&b| b == b'\n').enumerate() {
                let t = line.split(|&b| b == b'#').next().unwrap_or(b"");
                let t = t.trim_ascii();
                if t.is_empty() {
                    continue;
                }
                let line = i as u64 + 1;
                let entry = parse_entry(t)
                    .map_err(|e| InputError::text(name.clone(), line, e.to_string(), t))?;
                out.push(Sourced {
                    entry,
                    origin: format!("{name}:{line}"),
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Profile, String> {
        parse("p.toml", text, Path::new(".")).map_err(|e| e.to_string())
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
    fn firewall_targets_are_kept_as_written_with_their_lines() {
        let prof =
            p("name = \"a\"\nformats = [\"apl\"]\nfirewall = [\n  \"nftables\",\n  \"pf\",\n]\n")
                .unwrap();
        assert_eq!(
            prof.firewall,
            vec![("nftables".to_string(), 4), ("pf".to_string(), 5)]
        );
        assert!(p("name = \"a\"\n").unwrap().firewall.is_empty());
        let e = p("name = \"a\"\nfirewall = \"pf\"\n").unwrap_err();
        assert!(e.starts_with("p.toml:2: invalid type"), "{e}");
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
