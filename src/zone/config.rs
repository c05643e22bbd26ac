//! The zone configuration file (TOML). Unknown keys are errors; every error
//! names the file and line. Every key is optional: without a file, zones get
//! `localhost.` as their name server and the defaults below.
//!
//! ```toml
//! ttl = 300
//! ns = ["ns1.example.net.", "ns2.example.net."]
//! # A name server inside a zone needs its addresses in that zone (BIND
//! # refuses the zone otherwise):
//! ns_addresses = { "ns1.example.net." = ["192.0.2.53", "2001:db8::53"] }
//! serial_style = "date"                 # date | unix | increment
//! formats = ["a", "aaaa", "apl", "txt", "dnsbl", "rbldnsd", "rpz"]   # --out
//! lists = ["block-in", "block-out", "allow"]                        # --out
//! exact = false            # --exact: every list's entries as given, not merged
//!
//! [soa]
//! mname = "ns1.example.net."
//! rname = "hostmaster.example.net."
//! refresh = 3600
//! retry = 600
//! expire = 604800
//! minimum = 300
//!
//! [limits]
//! a_per_name = 4000        # A records per chunk name
//! aaaa_per_name = 2000
//! expand_max = 16          # a prefix of up to this many addresses is
//!                          # always published as hosts in A/AAAA lists
//! max_chunks = 100         # wider prefixes too, narrowest first, while a
//!                          # list stays within this many A/AAAA names
//! apl_items_per_rr = 64    # at most 64: NSD 4.6 refuses more
//! rrs_per_name = 100       # APL and TXT records per name (BIND's default cap)
//! answer_octets = 64000    # records per name must fit one TCP message
//! txt_rr_octets = 4096     # rdata of one TXT record
//! dnsbl_max_names = 10000000
//!
//! [dnsbl]
//! code = "127.0.0.2"
//! txt = "Listed by threatlist"
//! test_entry = true        # RFC 5782: 127.0.0.2 listed, 127.0.0.1 not
//! lists = ["block-in", "block-out"]                                 # --out
//! ip6_label = false        # true: IPv6 names under ip6.BASE, not BASE
//!
//! [txt]
//! plain = false            # --txt-plain: no chunks=K and seq=I/N markers
//!
//! [rpz]
//! action = "nxdomain"      # nxdomain nodata passthru drop tcp-only
//!                          # redirect:NAME local-data:SET
//! wildcard = true          # also *.NAME for every listed NAME
//! origin = "{profile}.rpz.{origin}"  # --out: each profile's policy zone
//! ip_lists = ["block-out"] # --out: lists published as rpz-ip triggers
//! client_ip_lists = []     # --out: lists published as rpz-client-ip triggers
//! client_ip_action = "nxdomain"
//! ns_lists = []            # --out: name servers (names: rpz-nsdname,
//!                          # addresses: rpz-nsip triggers)
//!
//! [rpz.list_actions]       # a client-ip or ns list's own action (a list
//! inside = "local-data:garden"  # of --client-ip / --ns-list: its file
//!                          # name up to the first dot)
//!
//! [rpz.local_data.garden]  # the records of the action local-data:garden
//! a = ["192.0.2.80"]
//! aaaa = ["2001:db8::80"]
//! txt = ["Blocked by policy: see https://help.example.net/"]
//!
//! [[category]]             # a row takes the first match; an address the
//!                          # category of its narrowest entry
//! match = "feed:botnet-c2" # reason, or reason:detail
//! code = "127.0.0.3"
//! txt = "Botnet command and control"
//! rpz = "drop"
//!
//! [server]
//! zone_dir = "/var/lib/threatlist/zones"   # file paths in the fragments
//! named_conf = "named-zones.conf"          # relative to the output directory
//! nsd_conf = "nsd-zones.conf"
//! allow_query = ["10.0.0.0/8"]             # BIND only (NSD 4.6 has no query ACL)
//! allow_transfer = ["192.0.2.53"]
//! notify = ["192.0.2.53", "192.0.2.54@5353"]
//! tsig_key = "xfr-key"
//! tsig_algorithm = "hmac-sha256"
//! named_key_file = "/etc/bind/xfr-key.conf"  # included by the named fragment
//! nsd_key_file = "/etc/nsd/xfr-key.conf"     # included by the nsd fragment
//! reload = ["rndc", "reload", "{zone}"]      # run per changed zone, no shell
//! # Fragments for secondaries that transfer the zones from the primary:
//! primaries = ["192.0.2.1", "192.0.2.1@5353"]  # the primary, as they reach it
//! secondary_named_conf = "named-secondary.conf"  # relative to the output directory
//! secondary_nsd_conf = "nsd-secondary.conf"
//! secondary_dir = "/var/cache/bind"          # their copies (default: the bare
//!                                            # file name, in their own directory)
//! ```

use super::name::{check_absolute, check_label};
use super::serial::SerialStyle;
use super::Format;
use crate::error::InputError;
use crate::files::{line_of, parse_toml, read_text};
use crate::net::{parse_entry, Entry};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use toml::Spanned;

type S = Spanned<String>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    ttl: Option<Spanned<u32>>,
    ns: Option<Vec<S>>,
    #[serde(default)]
    ns_addresses: std::collections::BTreeMap<String, Vec<S>>,
    serial_style: Option<S>,
    formats: Option<Vec<S>>,
    lists: Option<Vec<S>>,
    exact: Option<bool>,
    #[serde(default)]
    soa: RawSoa,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    dnsbl: RawDnsbl,
    #[serde(default)]
    txt: RawTxt,
    #[serde(default)]
    rpz: RawRpz,
    #[serde(default, rename = "category")]
    categories: Vec<RawCategory>,
    #[serde(default)]
    server: RawServer,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSoa {
    mname: Option<S>,
    rname: Option<S>,
    refresh: Option<u32>,
    retry: Option<u32>,
    expire: Option<u32>,
    minimum: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    a_per_name: Option<Spanned<usize>>,
    aaaa_per_name: Option<Spanned<usize>>,
    expand_max: Option<u64>,
    max_chunks: Option<Spanned<usize>>,
    apl_items_per_rr: Option<Spanned<usize>>,
    rrs_per_name: Option<Spanned<usize>>,
    answer_octets: Option<Spanned<usize>>,
    txt_rr_octets: Option<Spanned<usize>>,
    dnsbl_max_names: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDnsbl {
    code: Option<S>,
    txt: Option<S>,
    test_entry: Option<bool>,
    lists: Option<Vec<S>>,
    ip6_label: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTxt {
    plain: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRpz {
    action: Option<S>,
    wildcard: Option<bool>,
    origin: Option<S>,
    ip_lists: Option<Vec<S>>,
    client_ip_lists: Option<Vec<S>>,
    client_ip_action: Option<S>,
    ns_lists: Option<Vec<S>>,
    #[serde(default)]
    list_actions: BTreeMap<String, S>,
    #[serde(default)]
    local_data: BTreeMap<String, RawLocalData>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocalData {
    #[serde(default)]
    a: Vec<S>,
    #[serde(default)]
    aaaa: Vec<S>,
    #[serde(default)]
    txt: Vec<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    #[serde(rename = "match")]
    pattern: S,
    code: Option<S>,
    txt: Option<S>,
    rpz: Option<S>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    zone_dir: Option<String>,
    named_conf: Option<S>,
    nsd_conf: Option<S>,
    allow_query: Option<Vec<S>>,
    allow_transfer: Option<Vec<S>>,
    notify: Option<Vec<S>>,
    tsig_key: Option<S>,
    tsig_algorithm: Option<S>,
    named_key_file: Option<S>,
    nsd_key_file: Option<S>,
    reload: Option<Vec<String>>,
    primaries: Option<Vec<S>>,
    secondary_named_conf: Option<S>,
    secondary_nsd_conf: Option<S>,
    secondary_dir: Option<S>,
}

/// SOA fields other than the serial.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Soa {
    /// Absolute names, without the trailing dot.
    pub mname: String,
    pub rname: String,
    pub refresh: u32,
    pub retry: u32,
    pub expire: u32,
    pub minimum: u32,
}

/// Sizes that keep every answer inside what servers and clients take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    pub a_per_name: usize,
    pub aaaa_per_name: usize,
    pub expand_max: u64,
    /// Names per A/AAAA list that wider prefixes may fill.
    pub max_chunks: usize,
    pub apl_items_per_rr: usize,
    pub rrs_per_name: usize,
    pub answer_octets: usize,
    pub txt_rr_octets: usize,
    pub dnsbl_max_names: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            a_per_name: 4000,
            aaaa_per_name: 2000,
            expand_max: 16,
            max_chunks: 100,
            apl_items_per_rr: APL_ITEMS_MAX,
            rrs_per_name: 100,
            answer_octets: 64000,
            txt_rr_octets: 4096,
            dnsbl_max_names: 10_000_000,
        }
    }
}

/// What an RPZ trigger does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Nxdomain,
    Nodata,
    Passthru,
    Drop,
    TcpOnly,
    /// CNAME to a walled-garden name (absolute, without the trailing dot).
    Redirect(String),
    /// Answer with these records instead (shared: one set serves many
    /// triggers).
    LocalData(Arc<LocalData>),
}

/// A named set of local-data records (`[rpz.local_data.NAME]`): what a
/// trigger with the action `local-data:NAME` answers. Each record is its
/// zone-file text after the owner (`\tA\t192.0.2.80`), TXT strings
/// already escaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalData {
    pub name: String,
    pub records: Vec<String>,
}

/// Named local-data sets, by name.
pub type LocalSets = BTreeMap<String, Arc<LocalData>>;

const NOT_AN_ACTION: &str =
    "not an action (nxdomain, nodata, passthru, drop, tcp-only, redirect:NAME, local-data:SET)";

impl Action {
    /// The reason is for a message that quotes `s`. `local-data:SET`
    /// names a set of `sets`.
    pub fn parse_with(s: &str, sets: &LocalSets) -> Result<Action, &'static str> {
        if let Some(set) = s.strip_prefix("local-data:") {
            return match sets.get(set) {
                Some(d) => Ok(Action::LocalData(d.clone())),
                None => Err("no such [rpz.local_data.SET] in the configuration"),
            };
        }
        Action::parse(s)
    }

    /// An action that names no local-data set.
    pub fn parse(s: &str) -> Result<Action, &'static str> {
        Ok(match s {
            "nxdomain" => Action::Nxdomain,
            "nodata" => Action::Nodata,
            "passthru" => Action::Passthru,
            "drop" => Action::Drop,
            "tcp-only" => Action::TcpOnly,
            _ => match s.strip_prefix("redirect:") {
                Some(n) => Action::Redirect(check_absolute(n)?),
                None if s.starts_with("local-data:") => {
                    return Err("no such [rpz.local_data.SET] in the configuration")
                }
                None => return Err(NOT_AN_ACTION),
            },
        })
    }

    /// The CNAME target that says this in a policy zone; `None` for local
    /// data (its records are [`LocalData::records`]).
    pub fn target(&self) -> Option<std::borrow::Cow<'static, str>> {
        Some(match self {
            Action::Nxdomain => ".".into(),
            Action::Nodata => "*.".into(),
            Action::Passthru => "rpz-passthru.".into(),
            Action::Drop => "rpz-drop.".into(),
            Action::TcpOnly => "rpz-tcp-only.".into(),
            Action::Redirect(n) => format!("{n}.").into(),
            Action::LocalData(_) => return None,
        })
    }
}

/// What one category of entries gets: a DNSBL code and text, an RPZ action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Class {
    /// An address in 127.0.0.0/8.
    pub code: u32,
    pub txt: String,
    pub rpz: Action,
}

/// A `[[category]]`: entries whose provenance matches get its class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub reason: String,
    pub detail: Option<String>,
    pub class: Class,
}

impl Category {
    pub fn matches(&self, reason: &str, detail: &str) -> bool {
        self.reason == reason && self.detail.as_deref().is_none_or(|d| d == detail)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dnsbl {
    pub test_entry: bool,
    pub lists: Vec<String>,
    /// IPv6 names under `ip6.BASE` (the old form) instead of BASE.
    pub ip6_label: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Txt {
    /// No `chunks=K` count record and no `seq=I/N` markers.
    pub plain: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rpz {
    pub wildcard: bool,
    /// The origin of a profile's policy zone, `{profile}` and `{origin}`
    /// to be replaced (checked: it holds `{profile}`, and names a zone
    /// other than the profile's list zone).
    pub origin: String,
    pub ip_lists: Vec<String>,
    pub client_ip_lists: Vec<String>,
    /// The action of a client-ip list without its own.
    pub client_ip_action: Action,
    /// Lists of name servers: names become rpz-nsdname, addresses rpz-nsip
    /// triggers.
    pub ns_lists: Vec<String>,
    /// A client-ip or ns list's own action, by list name.
    pub list_actions: BTreeMap<String, Action>,
}

/// The default [`Rpz::origin`].
pub const RPZ_ORIGIN: &str = "{profile}.rpz.{origin}";

impl Rpz {
    /// The policy zone's origin for `profile` under `origin`.
    pub fn origin_of(&self, profile: &str, origin: &str) -> String {
        let o = self.origin.replace("{profile}", profile);
        o.replace("{origin}", origin)
    }

    /// The action of client-ip list `list`.
    pub fn client_action(&self, list: &str) -> Action {
        self.list_actions
            .get(list)
            .unwrap_or(&self.client_ip_action)
            .clone()
    }

    /// The action of name-server list `list`: its own, else the default
    /// action (`rpz.action`).
    pub fn ns_action(&self, list: &str, cfg: &ZoneConfig) -> Action {
        self.list_actions
            .get(list)
            .unwrap_or(&cfg.default.rpz)
            .clone()
    }
}

/// A notify target or a primary: address and optional port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    pub addr: String,
    pub port: Option<u16>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Server {
    pub zone_dir: Option<PathBuf>,
    pub named_conf: Option<String>,
    pub nsd_conf: Option<String>,
    /// Canonical addresses or CIDRs.
    pub allow_query: Vec<String>,
    pub allow_transfer: Vec<String>,
    pub notify: Vec<Peer>,
    pub tsig_key: Option<String>,
    pub tsig_algorithm: String,
    pub named_key_file: Option<String>,
    pub nsd_key_file: Option<String>,
    pub reload: Vec<String>,
    /// The primary's addresses as the secondaries reach it.
    pub primaries: Vec<Peer>,
    /// Fragments for secondaries (relative to the output directory).
    pub secondary_named_conf: Option<String>,
    pub secondary_nsd_conf: Option<String>,
    /// Where secondaries keep their copies (`None`: the bare file name,
    /// relative to their own working directory).
    pub secondary_dir: Option<String>,
}

/// A parsed configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneConfig {
    pub ttl: u32,
    pub ns: Vec<String>,
    /// Addresses of name servers (absolute names without the dot), written
    /// as A/AAAA records in a zone that holds the name server's name.
    pub ns_addresses: std::collections::BTreeMap<String, Vec<std::net::IpAddr>>,
    pub soa: Soa,
    pub serial_style: SerialStyle,
    pub formats: Vec<Format>,
    pub lists: Vec<String>,
    /// Publish every list's entries as given (`docs/zone.md`, "Exact
    /// lists"), not their merged set.
    pub exact: bool,
    pub limits: Limits,
    /// The class of entries no category matches.
    pub default: Class,
    pub categories: Vec<Category>,
    pub dnsbl: Dnsbl,
    pub txt: Txt,
    pub rpz: Rpz,
    pub server: Server,
}

impl Default for ZoneConfig {
    fn default() -> Self {
        match parse("", "") {
            Ok(c) => c,
            Err(e) => unreachable!("defaults parse: {e}"),
        }
    }
}

impl ZoneConfig {
    /// The class for an entry with this provenance (the default without).
    pub fn class_of(&self, reason: &str, detail: &str) -> usize {
        self.categories
            .iter()
            .position(|c| c.matches(reason, detail))
            .map_or(0, |i| i + 1)
    }

    /// Class 0 is the default, class i + 1 the i-th category.
    pub fn class(&self, i: usize) -> &Class {
        match i {
            0 => &self.default,
            i => &self.categories[i - 1].class,
        }
    }

    pub fn class_count(&self) -> usize {
        self.categories.len() + 1
    }
}

/// Reads the configuration at `path`; errors read `FILE:LINE: reason`.
pub fn load(path: &str) -> Result<ZoneConfig, InputError> {
    parse(&read_text(path)?, path)
}

/// Text for a TXT string we write: printable ASCII without `"` and `\`,
/// at most 255 octets, so it needs no escaping.
pub fn check_txt(s: &str) -> Result<(), &'static str> {
    if s.len() > 255 {
        return Err("longer than 255 octets");
    }
    if !s
        .bytes()
        .all(|c| (b' '..=b'~').contains(&c) && c != b'"' && c != b'\\')
    {
        return Err("only printable ASCII without '\"' and '\\'");
    }
    Ok(())
}

/// A DNSBL return code: an address in 127.0.0.0/8 other than 127.0.0.0 and
/// 127.0.0.1 (RFC 5782: 127.0.0.1 must not mean "listed").
pub fn parse_code(s: &str) -> Result<u32, &'static str> {
    let a = crate::net::parse_v4_strict(s.as_bytes()).map_err(|_| "not an IPv4 address")?;
    if a >> 24 != 127 || a <= 0x7f00_0001 {
        return Err("a return code is an address in 127.0.0.0/8 above 127.0.0.1");
    }
    Ok(a)
}

/// Parses configuration text; `path` names it in errors.
pub fn parse(text: &str, path: &str) -> Result<ZoneConfig, InputError> {
    let raw: Raw = parse_toml(text, path)?;
    let src = Source { path, text };
    let ns = match &raw.ns {
        None => vec!["localhost".to_string()],
        Some(v) if v.is_empty() => {
            return Err(InputError::file(path, "ns: at least one name server"))
        }
        Some(v) => v
            .iter()
            .map(|s| src.check(s, "ns", check_absolute))
            .collect::<Result<_, _>>()?,
    };
    let soa = soa(&raw.soa, &ns, &src)?;
    let ns_addresses = ns_addresses(&raw.ns_addresses, &src)?;
    let serial_style = src.or(&raw.serial_style, "serial_style", SerialStyle::Date, |s| {
        SerialStyle::parse(s).ok_or("one of date, unix, increment")
    })?;
    let formats = match &raw.formats {
        None => Format::ALL.to_vec(),
        Some(v) => v
            .iter()
            .map(|s| {
                src.check(s, "formats", |t| {
                    Format::parse(t).ok_or("not a format (a aaaa apl txt dnsbl rbldnsd rpz)")
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let limits = limits(&raw.limits, &src)?;
    let sets = local_sets(&raw.rpz.local_data, &src)?;
    let (default, categories) = classes(&raw, &src, &sets)?;
    let dnsbl = Dnsbl {
        test_entry: raw.dnsbl.test_entry.unwrap_or(true),
        lists: src.labels(&raw.dnsbl.lists, "dnsbl.lists", &["block-in", "block-out"])?,
        ip6_label: raw.dnsbl.ip6_label.unwrap_or(false),
    };
    let txt = Txt {
        plain: raw.txt.plain.unwrap_or(false),
    };
    let action = |s: &str| Action::parse_with(s, &sets);
    let mut list_actions = BTreeMap::new();
    for (list, a) in &raw.rpz.list_actions {
        check_label(list).map_err(|m| src.at(a, &format!("rpz.list_actions.{list}"), m))?;
        list_actions.insert(list.clone(), src.check(a, "rpz.list_actions", action)?);
    }
    let rpz = Rpz {
        wildcard: raw.rpz.wildcard.unwrap_or(true),
        origin: src.or(
            &raw.rpz.origin,
            "rpz.origin",
            RPZ_ORIGIN.to_string(),
            rpz_origin,
        )?,
        ip_lists: src.labels(&raw.rpz.ip_lists, "rpz.ip_lists", &["block-out"])?,
        client_ip_lists: src.labels(&raw.rpz.client_ip_lists, "rpz.client_ip_lists", &[])?,
        client_ip_action: src.or(
            &raw.rpz.client_ip_action,
            "rpz.client_ip_action",
            Action::Nxdomain,
            action,
        )?,
        ns_lists: src.labels(&raw.rpz.ns_lists, "rpz.ns_lists", &[])?,
        list_actions,
    };
    let server = server(&raw.server, &src)?;
    Ok(ZoneConfig {
        ttl: raw.ttl.map_or(300, |t| *t.get_ref()),
        ns,
        ns_addresses,
        soa,
        serial_style,
        formats,
        lists: src.labels(&raw.lists, "lists", &["block-in", "block-out", "allow"])?,
        exact: raw.exact.unwrap_or(false),
        limits,
        default,
        categories,
        dnsbl,
        txt,
        rpz,
        server,
    })
}

/// The configuration text being parsed: errors point into it.
struct Source<'a> {
    path: &'a str,
    text: &'a str,
}

impl Source<'_> {
    /// `FILE:LINE: key: reason: 'value'`, at the value.
    fn at(&self, s: &S, what: &str, reason: &str) -> InputError {
        InputError::text(
            self.path,
            line_of(self.text, s.span().start),
            format!("{what}: {reason}"),
            s.get_ref().as_bytes(),
        )
    }

    /// The value of key `what`, checked and converted by `check`.
    fn check<T>(
        &self,
        s: &S,
        what: &str,
        check: impl FnOnce(&str) -> Result<T, &'static str>,
    ) -> Result<T, InputError> {
        check(s.get_ref()).map_err(|m| self.at(s, what, m))
    }

    /// [`Source::check`] for a key that may be missing.
    fn or<T>(
        &self,
        s: &Option<S>,
        what: &str,
        default: T,
        check: impl FnOnce(&str) -> Result<T, &'static str>,
    ) -> Result<T, InputError> {
        match s {
            Some(s) => self.check(s, what, check),
            None => Ok(default),
        }
    }

    /// A list of list names (DNS labels).
    fn labels(
        &self,
        v: &Option<Vec<S>>,
        what: &str,
        default: &[&str],
    ) -> Result<Vec<String>, InputError> {
        match v {
            None => Ok(default.iter().map(|s| s.to_string()).collect()),
            Some(v) => v
                .iter()
                .map(|s| self.check(s, what, |t| check_label(t).map(|_| t.to_string())))
                .collect(),
        }
    }

    /// A number in `1..=max` (a maximum set by a server says which).
    fn positive(
        &self,
        v: &Option<Spanned<usize>>,
        what: &str,
        default: usize,
        max: usize,
    ) -> Result<usize, InputError> {
        match v {
            None => Ok(default),
            Some(s) if (1..=max).contains(s.get_ref()) => Ok(*s.get_ref()),
            Some(s) => Err(InputError::line(
                self.path,
                line_of(self.text, s.span().start),
                match why_max(what) {
                    Some(why) => format!("{what}: must be 1..{max} ({why})"),
                    None => format!("{what}: must be 1..{max}"),
                },
            )),
        }
    }

    /// A path written into a server fragment in quotes.
    fn path(&self, v: &Option<S>, what: &str) -> Result<Option<String>, InputError> {
        let usable = |t: &str| {
            if t.is_empty() || t.contains(['"', '\\', '\n', '\r', '\0']) {
                Err("not a usable path")
            } else {
                Ok(Some(t.to_string()))
            }
        };
        self.or(v, what, None, usable)
    }

    /// [`Source::check`] for each item of a list that may be missing.
    fn each<T>(
        &self,
        v: &Option<Vec<S>>,
        what: &str,
        check: impl Fn(&str) -> Result<T, &'static str>,
    ) -> Result<Vec<T>, InputError> {
        v.iter()
            .flatten()
            .map(|a| self.check(a, what, &check))
            .collect()
    }

    /// Addresses or CIDRs for an ACL.
    fn acl(&self, v: &Option<Vec<S>>, what: &str) -> Result<Vec<String>, InputError> {
        self.each(v, what, acl_entry)
    }
}

/// Items per APL record: NSD 4.6 refuses a zone with more (`too many
/// rdata elements`), so no zone we write has more.
pub const APL_ITEMS_MAX: usize = 64;

/// Why a limit's maximum is what it is, when a server sets it.
fn why_max(what: &str) -> Option<&'static str> {
    match what {
        "limits.apl_items_per_rr" => {
            Some("NSD refuses a zone with an APL record of more than 64 items")
        }
        "limits.a_per_name" | "limits.aaaa_per_name" | "limits.answer_octets" => {
            Some("the records of one name must fit one DNS message over TCP")
        }
        _ => None,
    }
}

/// `ns_addresses`: each name server's addresses (single addresses of
/// either family).
fn ns_addresses(
    raw: &std::collections::BTreeMap<String, Vec<S>>,
    src: &Source,
) -> Result<std::collections::BTreeMap<String, Vec<std::net::IpAddr>>, InputError> {
    let mut out = std::collections::BTreeMap::new();
    for (name, addrs) in raw {
        let name = check_absolute(name).map_err(|m| {
            InputError::file(
                src.path,
                format!(
                    "ns_addresses: {m}: {}",
                    crate::error::quote(name.as_bytes())
                ),
            )
        })?;
        let mut list = Vec::new();
        for a in addrs {
            list.push(src.check(a, "ns_addresses", |t| {
                t.parse::<std::net::IpAddr>()
                    .map_err(|_| "not an address (one IPv4 or IPv6 address)")
            })?);
        }
        list.sort();
        list.dedup();
        out.insert(name, list);
    }
    Ok(out)
}

fn soa(raw: &RawSoa, ns: &[String], src: &Source) -> Result<Soa, InputError> {
    Ok(Soa {
        mname: src.or(&raw.mname, "soa.mname", ns[0].clone(), check_absolute)?,
        rname: src.or(
            &raw.rname,
            "soa.rname",
            "hostmaster.localhost".into(),
            check_absolute,
        )?,
        refresh: raw.refresh.unwrap_or(3600),
        retry: raw.retry.unwrap_or(600),
        expire: raw.expire.unwrap_or(604800),
        minimum: raw.minimum.unwrap_or(300),
    })
}

fn limits(l: &RawLimits, src: &Source) -> Result<Limits, InputError> {
    let d = Limits::default();
    let limits = Limits {
        a_per_name: src.positive(&l.a_per_name, "limits.a_per_name", d.a_per_name, 4000)?,
        aaaa_per_name: src.positive(
            &l.aaaa_per_name,
            "limits.aaaa_per_name",
            d.aaaa_per_name,
            2000,
        )?,
        expand_max: l.expand_max.unwrap_or(d.expand_max).max(1),
        max_chunks: src.positive(&l.max_chunks, "limits.max_chunks", d.max_chunks, 100_000)?,
        apl_items_per_rr: src.positive(
            &l.apl_items_per_rr,
            "limits.apl_items_per_rr",
            APL_ITEMS_MAX,
            APL_ITEMS_MAX,
        )?,
        rrs_per_name: src.positive(&l.rrs_per_name, "limits.rrs_per_name", 100, 65535)?,
        answer_octets: src.positive(&l.answer_octets, "limits.answer_octets", 64000, 64000)?,
        txt_rr_octets: src.positive(&l.txt_rr_octets, "limits.txt_rr_octets", 4096, 65535)?,
        dnsbl_max_names: l.dnsbl_max_names.unwrap_or(d.dnsbl_max_names),
    };
    if limits.txt_rr_octets < 512 {
        return Err(InputError::file(
            src.path,
            "limits.txt_rr_octets: at least 512",
        ));
    }
    Ok(limits)
}

/// `rpz.origin`: a name once `{profile}` (required) and `{origin}` are
/// replaced, and not the profile's list zone.
fn rpz_origin(t: &str) -> Result<String, &'static str> {
    if !t.contains("{profile}") {
        return Err("must hold {profile} (one policy zone per profile)");
    }
    let sample = t
        .replace("{profile}", "p")
        .replace("{origin}", "origin.example");
    let name = check_absolute(&sample)?;
    if name == "p.origin.example" {
        return Err("that is the profile's list zone ({profile}.{origin})");
    }
    Ok(t.to_ascii_lowercase())
}

/// `[rpz.local_data.SET]`: each set's records, checked and in zone-file
/// text (TXT strings escaped), sorted, each once.
fn local_sets(raw: &BTreeMap<String, RawLocalData>, src: &Source) -> Result<LocalSets, InputError> {
    let mut sets = LocalSets::new();
    for (name, d) in raw {
        let what = format!("rpz.local_data.{name}");
        if let Err(m) = check_label(name) {
            return Err(InputError::file(
                src.path,
                format!("{what}: {m}: {}", crate::error::quote(name.as_bytes())),
            ));
        }
        let mut records = Vec::new();
        for a in &d.a {
            let v4 = src.check(a, &format!("{what}.a"), |t| {
                t.parse::<std::net::Ipv4Addr>()
                    .map_err(|_| "not an IPv4 address")
            })?;
            records.push(format!("\tA\t{v4}"));
        }
        for a in &d.aaaa {
            let v6 = src.check(a, &format!("{what}.aaaa"), |t| {
                t.parse::<std::net::Ipv6Addr>()
                    .map_err(|_| "not an IPv6 address")
            })?;
            records.push(format!("\tAAAA\t{v6}"));
        }
        for t in &d.txt {
            let text = src.check(t, &format!("{what}.txt"), |t| {
                super::zonefile::txt_string(t.as_bytes())
            })?;
            records.push(format!("\tTXT\t{text}"));
        }
        if records.is_empty() {
            return Err(InputError::file(
                src.path,
                format!("{what}: no records (give a, aaaa or txt)"),
            ));
        }
        records.sort();
        records.dedup();
        let name = name.clone();
        sets.insert(name.clone(), Arc::new(LocalData { name, records }));
    }
    Ok(sets)
}

/// The default class and the categories, in order.
fn classes(
    raw: &Raw,
    src: &Source,
    sets: &LocalSets,
) -> Result<(Class, Vec<Category>), InputError> {
    let txt = |t: &str| check_txt(t).map(|_| t.to_string());
    let action = |s: &str| Action::parse_with(s, sets);
    let default = Class {
        code: src.or(&raw.dnsbl.code, "dnsbl.code", 0x7f00_0002, parse_code)?,
        txt: src.or(
            &raw.dnsbl.txt,
            "dnsbl.txt",
            "Listed by threatlist".into(),
            txt,
        )?,
        rpz: src.or(&raw.rpz.action, "rpz.action", Action::Nxdomain, action)?,
    };
    let mut categories = Vec::new();
    for c in &raw.categories {
        let p = c.pattern.get_ref();
        let (reason, detail) = match p.split_once(':') {
            Some((r, d)) => (r.to_string(), Some(d.to_string())),
            None => (p.clone(), None),
        };
        if reason.is_empty() {
            return Err(src.at(&c.pattern, "category.match", "empty reason"));
        }
        let class = Class {
            code: src.or(&c.code, "category.code", default.code, parse_code)?,
            txt: src.or(&c.txt, "category.txt", default.txt.clone(), txt)?,
            rpz: src.or(&c.rpz, "category.rpz", default.rpz.clone(), action)?,
        };
        categories.push(Category {
            reason,
            detail,
            class,
        });
    }
    Ok((default, categories))
}

const TSIG_ALGORITHMS: [&str; 5] = [
    "hmac-sha256",
    "hmac-sha384",
    "hmac-sha512",
    "hmac-sha1",
    "hmac-sha224",
];

fn server(s: &RawServer, src: &Source) -> Result<Server, InputError> {
    let algorithm = |a: &str| {
        if TSIG_ALGORITHMS.contains(&a) {
            Ok(a.to_string())
        } else {
            Err("not a TSIG algorithm")
        }
    };
    Ok(Server {
        zone_dir: s.zone_dir.as_ref().map(PathBuf::from),
        named_conf: src.path(&s.named_conf, "server.named_conf")?,
        nsd_conf: src.path(&s.nsd_conf, "server.nsd_conf")?,
        allow_query: src.acl(&s.allow_query, "server.allow_query")?,
        allow_transfer: src.acl(&s.allow_transfer, "server.allow_transfer")?,
        notify: src.each(&s.notify, "server.notify", parse_peer)?,
        tsig_key: s
            .tsig_key
            .as_ref()
            .map(|k| src.check(k, "server.tsig_key", check_absolute))
            .transpose()?,
        tsig_algorithm: src.or(
            &s.tsig_algorithm,
            "server.tsig_algorithm",
            "hmac-sha256".into(),
            algorithm,
        )?,
        named_key_file: src.path(&s.named_key_file, "server.named_key_file")?,
        nsd_key_file: src.path(&s.nsd_key_file, "server.nsd_key_file")?,
        reload: s.reload.clone().unwrap_or_default(),
        primaries: src.each(&s.primaries, "server.primaries", parse_peer)?,
        secondary_named_conf: src.path(&s.secondary_named_conf, "server.secondary_named_conf")?,
        secondary_nsd_conf: src.path(&s.secondary_nsd_conf, "server.secondary_nsd_conf")?,
        secondary_dir: src.path(&s.secondary_dir, "server.secondary_dir")?,
    })
}

/// An address or CIDR for an ACL, in canonical text.
fn acl_entry(s: &str) -> Result<String, &'static str> {
    let mut out = Vec::new();
    match parse_entry(s.as_bytes()).map_err(|_| "not an address or CIDR")? {
        Entry::V4(r) => match r.as_prefix() {
            Some(len) => {
                crate::net::write_cidr(&mut out, crate::net::Prefix { addr: r.start, len }, true)
            }
            None => return Err("a range is not a CIDR"),
        },
        Entry::V6(r) => match r.as_prefix() {
            Some(len) => {
                crate::net::write_cidr(&mut out, crate::net::Prefix { addr: r.start, len }, true)
            }
            None => return Err("a range is not a CIDR"),
        },
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// `ADDR` or `ADDR@PORT` (a notify target or a primary).
pub fn parse_peer(s: &str) -> Result<Peer, &'static str> {
    let (a, port) = match s.rsplit_once('@') {
        Some((a, p)) => (a, Some(p.parse::<u16>().map_err(|_| "not a port number")?)),
        None => (s, None),
    };
    let addr = acl_entry(a)?;
    if addr.contains('/') {
        return Err("one address, not a network");
    }
    Ok(Peer { addr, port })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let c = ZoneConfig::default();
        assert_eq!(c.ns, vec!["localhost"]);
        assert_eq!(c.limits.a_per_name, 4000);
        assert_eq!(c.default.code, 0x7f00_0002);
        assert_eq!(c.formats.len(), 7);
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = parse("ttl = 1\ncolour = 2\n", "z.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("z.toml:2:"), "{e}");
        let e = parse("ns = [\"a b.example\"]\n", "z.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("z.toml:1: ns:"), "{e}");
        let e = parse("\n[dnsbl]\ncode = \"127.0.0.1\"\n", "z.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("z.toml:3: dnsbl.code:"), "{e}");
        let e = parse("[dnsbl]\ntxt = \"a\\\"b\"\n", "z.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("dnsbl.txt"), "{e}");
        let e = parse(
            "[[category]]\nmatch = \"feed\"\nrpz = \"explode\"\n",
            "z.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("z.toml:3: category.rpz:"), "{e}");
    }

    #[test]
    fn the_documented_example_parses() {
        let doc: String = include_str!("config.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("//!"))
            .skip_while(|l| !l.contains("```toml"))
            .skip(1)
            .take_while(|l| !l.contains("```"))
            .map(|l| format!("{}\n", l.strip_prefix(' ').unwrap_or(l)))
            .collect();
        let c = parse(&doc, "doc.toml").unwrap();
        assert_eq!(c.ns, ["ns1.example.net", "ns2.example.net"]);
        assert_eq!(c.categories[0].class.rpz, Action::Drop);
        assert_eq!(c.server.notify[1].port, Some(5353));
        assert_eq!(c.server.tsig_algorithm, "hmac-sha256");
        assert_eq!(c.server.reload, ["rndc", "reload", "{zone}"]);
        assert_eq!(
            c.server.primaries[1],
            Peer {
                addr: "192.0.2.1".into(),
                port: Some(5353)
            }
        );
        assert_eq!(c.server.secondary_dir.as_deref(), Some("/var/cache/bind"));
    }

    #[test]
    fn apl_items_stay_within_what_nsd_takes() {
        assert_eq!(ZoneConfig::default().limits.apl_items_per_rr, 64);
        let ok = parse("[limits]\napl_items_per_rr = 64\n", "z.toml").unwrap();
        assert_eq!(ok.limits.apl_items_per_rr, 64);
        let e = parse("[limits]\napl_items_per_rr = 65\n", "z.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("z.toml:2: limits.apl_items_per_rr: must be 1..64 (NSD refuses"),
            "{e}"
        );
    }

    #[test]
    fn categories_match_in_order() {
        let c = parse(
            "[[category]]\nmatch = \"feed:c2\"\ncode = \"127.0.0.3\"\nrpz = \"drop\"\n\
             [[category]]\nmatch = \"feed\"\ncode = \"127.0.0.4\"\n",
            "z.toml",
        )
        .unwrap();
        assert_eq!(c.class_of("feed", "c2"), 1);
        assert_eq!(c.class_of("feed", "other"), 2);
        assert_eq!(c.class_of("country", "RU"), 0);
        assert_eq!(c.class(1).rpz, Action::Drop);
        assert_eq!(c.class(2).rpz, Action::Nxdomain);
    }
}
