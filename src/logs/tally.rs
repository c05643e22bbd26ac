//! Counting what the logs say: each worker folds the events of its blocks
//! into a [`Tally`] (counts, hits on the lists, and the few records the
//! correlation needs), the tallies are merged, and [`Tally::finish`]
//! correlates translations and DNS answers with the outbound hits and
//! ranks the result into an [`Analysis`].

use super::matcher::{Listed, Lookup, Matcher};
use super::{Action, Direction, Event, Skip};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

fn opt_time<S: serde::Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&crate::time::format(*t)),
        None => s.serialize_none(),
    }
}

fn time<S: serde::Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::time::format(*t))
}

/// Skipped lines sampled per file and reason.
pub const SAMPLES: usize = 5;

/// How long before a connection a translation or a DNS answer may be to
/// explain it.
pub const CORRELATION_WINDOW: i64 = 3600;

/// What one file gave.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FileTally {
    pub path: String,
    pub format: Option<&'static str>,
    pub bytes: u64,
    pub lines: u64,
    pub events: u64,
    /// Events on a list (either way).
    pub matched: u64,
    /// Lines the source said it dropped.
    pub lost: u64,
    /// Skipped lines by reason.
    pub skipped: BTreeMap<&'static str, u64>,
    /// The first skipped lines of each reason: (line, reason).
    pub samples: Vec<(u64, &'static str)>,
    #[serde(serialize_with = "opt_time")]
    pub first: Option<i64>,
    #[serde(serialize_with = "opt_time")]
    pub last: Option<i64>,
    /// Why the file ended early (a truncated gzip), when it did.
    pub broken: Option<String>,
}

impl FileTally {
    pub fn skip(&mut self, skip: Skip, line: u64) {
        let reason = skip.reason();
        let n = self.skipped.entry(reason).or_insert(0);
        *n += 1;
        if *n <= SAMPLES as u64 {
            self.samples.push((line, reason));
        }
    }

    fn merge(&mut self, o: FileTally) {
        if self.path.is_empty() {
            self.path = o.path;
        }
        self.bytes += o.bytes;
        self.lines += o.lines;
        self.events += o.events;
        self.matched += o.matched;
        self.lost += o.lost;
        for (k, v) in o.skipped {
            *self.skipped.entry(k).or_insert(0) += v;
        }
        self.samples.extend(o.samples);
        self.first = min_opt(self.first, o.first);
        self.last = self.last.max(o.last);
        if self.broken.is_none() {
            self.broken = o.broken;
        }
        if self.format.is_none() {
            self.format = o.format;
        }
    }

    /// Keeps the first samples of each reason, in line order.
    fn trim_samples(&mut self) {
        self.samples.sort();
        let mut per: HashMap<&str, usize> = HashMap::new();
        self.samples.retain(|(_, r)| {
            let n = per.entry(r).or_insert(0);
            *n += 1;
            *n <= SAMPLES
        });
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Hits of one listed outside address coming in.
#[derive(Clone, Debug, Default)]
struct InAcc {
    hits: u64,
    first: Option<i64>,
    last: Option<i64>,
    list: Option<Listed>,
    version: usize,
    /// Hits per port, for up to [`KEPT`] ports; the rest in `other_ports`.
    ports: Vec<(u16, u64)>,
    other_ports: u64,
    /// Inside addresses it reached for, up to [`KEPT`].
    targets: Vec<IpAddr>,
}

/// Ports and targets kept per source; sources kept per worker.
pub const KEPT: usize = 16;
pub const MAX_SOURCES: usize = 250_000;

impl InAcc {
    fn port(&mut self, p: u16, n: u64) {
        if let Some((_, c)) = self.ports.iter_mut().find(|(q, _)| *q == p) {
            *c += n;
        } else if self.ports.len() < KEPT {
            self.ports.push((p, n));
        } else {
            self.other_ports += n;
        }
    }

    fn target(&mut self, a: IpAddr) {
        if self.targets.len() < KEPT && !self.targets.contains(&a) {
            self.targets.push(a);
        }
    }

    fn merge(&mut self, acc: InAcc) {
        self.hits += acc.hits;
        self.first = min_opt(self.first, acc.first);
        if acc.last >= self.last || self.list.is_none() {
            self.last = acc.last.or(self.last);
            self.list = acc.list;
            self.version = acc.version;
        }
        for (p, n) in acc.ports {
            self.port(p, n);
        }
        self.other_ports += acc.other_ports;
        for t in acc.targets {
            self.target(t);
        }
    }
}

/// An outbound hit, kept until the correlation has run.
#[derive(Clone, Debug)]
struct OutHit {
    time: Option<i64>,
    src: Option<IpAddr>,
    src_name: Option<String>,
    src_port: Option<u16>,
    /// Whether `src` is an inside address.
    src_inside: bool,
    dest: Dest,
    dst_port: Option<u16>,
    list: Listed,
    version: usize,
    blocked: bool,
}

/// A listed destination: an address or a queried name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum Dest {
    Addr(IpAddr),
    Name(String),
}

impl std::fmt::Display for Dest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dest::Addr(a) => write!(f, "{a}"),
            Dest::Name(n) => f.write_str(n),
        }
    }
}

/// A DNS answer that named a listed address, or a query of a listed name.
#[derive(Clone, Debug)]
struct DnsSeen {
    time: Option<i64>,
    client: Option<IpAddr>,
    qname: String,
    answers: Vec<IpAddr>,
}

/// A NAT translation: `real` went out as `mapped`.
#[derive(Clone, Copy, Debug)]
struct Translation {
    time: Option<i64>,
    real: IpAddr,
    mapped: IpAddr,
    port: Option<u16>,
}

/// What one worker (or the whole run, once merged) counted.
#[derive(Debug, Default)]
pub struct Tally {
    pub files: Vec<FileTally>,
    inbound: HashMap<IpAddr, InAcc>,
    /// Inbound hits of sources past [`MAX_SOURCES`], counted, not itemized.
    untracked: u64,
    /// Outbound hits by inside host.
    hosts: HashMap<String, HostAcc>,
    /// Outbound hits whose inside host is still to be found.
    pending: Vec<OutHit>,
    dns: Vec<DnsSeen>,
    nat: Vec<Translation>,
    /// Hits per hour: [in, out].
    hours: HashMap<i64, [u64; 2]>,
    /// Events between two inside addresses.
    internal: u64,
    /// Events whose outside address is listed but allowed.
    allowed: u64,
    /// Sensor events (`--events`): (source, port, protocol, hour) → count.
    sensor: Option<HashMap<(IpAddr, u16, String, i64), u64>>,
}

impl Tally {
    pub fn new(files: usize, sensor_events: bool) -> Self {
        Tally {
            files: vec![FileTally::default(); files],
            sensor: sensor_events.then(HashMap::new),
            ..Tally::default()
        }
    }

    /// Folds one event of file `file` in.
    pub fn event(&mut self, file: usize, ev: &Event, m: &Matcher) {
        let f = &mut self.files[file];
        f.events += 1;
        if let Some(t) = ev.time {
            f.first = min_opt(f.first, Some(t));
            f.last = f.last.max(Some(t));
        }
        let vi = m.at(ev.time);
        let v = &m.versions[vi];
        if let Some(q) = &ev.qname {
            self.dns_event(file, ev, q, m, vi);
            return;
        }
        if let (Some(real), Some(mapped)) = (ev.src, ev.src_mapped) {
            if real != mapped.addr {
                self.nat.push(Translation {
                    time: ev.time,
                    real,
                    mapped: mapped.addr,
                    port: mapped.port,
                });
            }
        }
        let src_in = ev.src.map(|a| m.is_inside(a));
        let dst_in = ev.dst.map(|a| m.is_inside(a));
        let inbound = match (src_in, dst_in) {
            (Some(true), Some(true)) => {
                self.internal += 1;
                return;
            }
            (Some(true), _) => false,
            (_, Some(true)) if !m.inside.is_empty() => true,
            _ => match ev.direction {
                Direction::In => true,
                Direction::Out => false,
                Direction::Unknown => {
                    // Neither side inside (or unknown): the listed side is
                    // the outside one.
                    let src_listed = ev.src.is_some_and(|a| v.listed(a, true).is_some());
                    let dst_listed = ev.dst.is_some_and(|a| v.listed(a, false).is_some());
                    src_listed || !dst_listed
                }
            },
        };
        if inbound {
            let Some(src) = ev.src else { return };
            if self.sensor.is_some() && !v.allowed(src) && is_drop(ev) {
                self.sensor_event(src, ev);
            }
            match v.lookup(src, true) {
                Lookup::Listed(list) => {
                    self.files[file].matched += 1;
                    self.hour(ev.time, 0);
                    if self.inbound.len() >= MAX_SOURCES && !self.inbound.contains_key(&src) {
                        self.untracked += 1;
                        return;
                    }
                    let acc = self.inbound.entry(src).or_default();
                    acc.hits += 1;
                    acc.first = min_opt(acc.first, ev.time);
                    if ev.time >= acc.last || acc.last.is_none() {
                        acc.last = ev.time.or(acc.last);
                        acc.list = Some(list);
                        acc.version = vi;
                    }
                    if let Some(p) = ev.dst_port {
                        acc.port(p, 1);
                    }
                    if let Some(d) = ev.dst {
                        acc.target(d);
                    }
                }
                Lookup::Allowed => self.allowed += 1,
                Lookup::No => {}
            }
        } else {
            let Some(dst) = ev.dst else { return };
            match v.lookup(dst, false) {
                Lookup::Listed(list) => {
                    self.files[file].matched += 1;
                    self.hour(ev.time, 1);
                    self.outbound(OutHit {
                        time: ev.time,
                        src: ev.src,
                        src_name: ev.src_name.clone(),
                        src_port: ev.src_port,
                        // Without inside networks the logged source is
                        // the best there is.
                        src_inside: src_in == Some(true) || m.inside.is_empty(),
                        dest: Dest::Addr(dst),
                        dst_port: ev.dst_port,
                        list,
                        version: vi,
                        blocked: ev.action == Some(Action::Drop),
                    });
                }
                Lookup::Allowed => self.allowed += 1,
                Lookup::No => {}
            }
        }
    }

    fn dns_event(&mut self, file: usize, ev: &Event, q: &str, m: &Matcher, vi: usize) {
        let v = &m.versions[vi];
        let answers: Vec<IpAddr> = ev
            .answers
            .iter()
            .copied()
            .filter(|a| v.listed(*a, false).is_some())
            .collect();
        let name_listed = v.listed_name(q);
        if !name_listed && answers.is_empty() {
            return;
        }
        self.dns.push(DnsSeen {
            time: ev.time,
            client: ev.src,
            qname: q.to_string(),
            answers,
        });
        // An outside client asking our resolver is not one of our machines.
        let ours = m.inside.is_empty() || ev.src.is_some_and(|a| m.is_inside(a));
        if name_listed && ours {
            self.files[file].matched += 1;
            self.hour(ev.time, 1);
            self.outbound(OutHit {
                time: ev.time,
                src: ev.src,
                src_name: None,
                src_port: ev.src_port,
                src_inside: true,
                dest: Dest::Name(q.to_string()),
                dst_port: None,
                list: Listed::Domains,
                version: vi,
                blocked: ev.action == Some(Action::Drop),
            });
        }
    }

    /// Counts an outbound hit under its inside host, or keeps it for the
    /// correlation when the log does not name the host.
    fn outbound(&mut self, h: OutHit) {
        let host = match (&h.src_name, h.src) {
            (Some(name), _) => (name.clone(), Recovered::Named),
            (None, Some(a)) if h.src_inside => (a.to_string(), Recovered::Logged),
            _ => {
                self.pending.push(h);
                return;
            }
        };
        self.hosts.entry(host.0).or_default().add(&h, host.1);
    }

    fn hour(&mut self, time: Option<i64>, dir: usize) {
        if let Some(t) = time {
            self.hours
                .entry(t.div_euclid(3600) * 3600)
                .or_insert([0, 0])[dir] += 1;
        }
    }

    fn sensor_event(&mut self, src: IpAddr, ev: &Event) {
        let Some(t) = ev.time else { return };
        let proto = ev.protocol.clone().unwrap_or_default();
        let key = (
            src,
            ev.dst_port.unwrap_or(0),
            proto,
            t.div_euclid(3600) * 3600,
        );
        if let Some(map) = &mut self.sensor {
            *map.entry(key).or_insert(0) += 1;
        }
    }

    /// Adds another worker's tally.
    pub fn merge(&mut self, o: Tally) {
        for (mine, theirs) in self.files.iter_mut().zip(o.files) {
            mine.merge(theirs);
        }
        for (a, acc) in o.inbound {
            if self.inbound.len() >= MAX_SOURCES && !self.inbound.contains_key(&a) {
                self.untracked += acc.hits;
                continue;
            }
            self.inbound.entry(a).or_default().merge(acc);
        }
        self.untracked += o.untracked;
        for (h, acc) in o.hosts {
            self.hosts.entry(h).or_default().merge(acc);
        }
        self.pending.extend(o.pending);
        self.dns.extend(o.dns);
        self.nat.extend(o.nat);
        for (h, c) in o.hours {
            let e = self.hours.entry(h).or_insert([0, 0]);
            e[0] += c[0];
            e[1] += c[1];
        }
        self.internal += o.internal;
        self.allowed += o.allowed;
        if let (Some(mine), Some(theirs)) = (&mut self.sensor, o.sensor) {
            for (k, n) in theirs {
                *mine.entry(k).or_insert(0) += n;
            }
        }
    }

    /// Correlates and ranks: the analysis the reports print.
    pub fn finish(mut self, m: &Matcher, why: &mut dyn FnMut(usize, &Dest) -> Why) -> Analysis {
        for f in &mut self.files {
            f.trim_samples();
        }
        let key = |t: Option<i64>| t.unwrap_or(i64::MIN);
        self.pending
            .sort_by(|a, b| (key(a.time), &a.src, &a.dest).cmp(&(key(b.time), &b.src, &b.dest)));
        self.nat
            .sort_by_key(|t| (key(t.time), t.mapped, t.port, t.real));
        self.dns.sort_by(|a, b| {
            (key(a.time), a.client, &a.qname).cmp(&(key(b.time), b.client, &b.qname))
        });

        let mut hosts: BTreeMap<String, HostAcc> =
            std::mem::take(&mut self.hosts).into_iter().collect();
        let mut unrecovered = 0u64;
        let mut unrecovered_sources: BTreeSet<IpAddr> = BTreeSet::new();
        for h in &self.pending {
            match self.recover(h, h.src) {
                Some((a, how)) => hosts.entry(a.to_string()).or_default().add(h, how),
                None => {
                    unrecovered += 1;
                    if let Some(s) = h.src {
                        unrecovered_sources.insert(s);
                    }
                }
            }
        }
        // The names each host asked for that led to its destinations.
        for s in &self.dns {
            let Some(client) = s.client else { continue };
            let Some(acc) = hosts.get_mut(&client.to_string()) else {
                continue;
            };
            for a in &s.answers {
                if let Some(d) = acc.dests.get_mut(&Dest::Addr(*a)) {
                    d.names.insert(s.qname.clone());
                }
            }
        }
        let mut candidates: Vec<Host> = hosts
            .into_iter()
            .map(|(host, acc)| {
                let dests: Vec<DestHits> = acc
                    .dests
                    .into_iter()
                    .map(|(dest, d)| DestHits {
                        why: why(d.version, &dest),
                        dest,
                        list: d.list.map_or("", Listed::name),
                        found_by: d.how.unwrap_or_default().name(),
                        hits: d.hits,
                        blocked: d.blocked,
                        first: d.first,
                        last: d.last,
                        ports: d.ports.into_iter().collect(),
                        names: d.names.into_iter().collect(),
                    })
                    .collect();
                Host {
                    host,
                    recovered: acc.how.unwrap_or_default().name(),
                    hits: acc.hits,
                    first: acc.first,
                    last: acc.last,
                    ports: acc.ports.into_iter().collect(),
                    dests,
                }
            })
            .collect();
        candidates.sort_by(|a, b| {
            (b.hits, b.dests.len(), &a.host).cmp(&(a.hits, a.dests.len(), &b.host))
        });

        let mut inbound: Vec<Source> = self
            .inbound
            .into_iter()
            .map(|(addr, acc)| {
                let mut ports = acc.ports;
                ports.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                Source {
                    why: why(acc.version, &Dest::Addr(addr)),
                    addr,
                    list: acc.list.map_or("", Listed::name),
                    hits: acc.hits,
                    first: acc.first,
                    last: acc.last,
                    targets: acc.targets.len() as u64,
                    other_ports: acc.other_ports,
                    ports,
                }
            })
            .collect();
        inbound.sort_by(|a, b| (b.hits, a.addr).cmp(&(a.hits, b.addr)));

        let mut hours: Vec<Bucket> = self
            .hours
            .into_iter()
            .map(|(start, [inbound, outbound])| Bucket {
                start,
                inbound,
                outbound,
            })
            .collect();
        hours.sort_by_key(|b| b.start);
        let sensor = self.sensor.map(|map| {
            let mut rows: Vec<SensorEvent> = map
                .into_iter()
                .map(|((source, port, proto, time), count)| SensorEvent {
                    time,
                    source,
                    port,
                    proto,
                    count,
                })
                .collect();
            rows.sort_by(|a, b| {
                (a.time, a.source, a.port, &a.proto).cmp(&(b.time, b.source, b.port, &b.proto))
            });
            rows
        });
        let mut a = Analysis {
            files: self.files,
            inside: !m.inside.is_empty(),
            versions: m.versions.len(),
            candidates,
            unrecovered,
            unrecovered_sources: unrecovered_sources.into_iter().collect(),
            inbound,
            untracked: self.untracked,
            hours,
            internal: self.internal,
            allowed: self.allowed,
            sensor_events: sensor,
            ..Analysis::default()
        };
        a.count_by();
        a
    }

    /// The inside host behind an outbound hit whose source is not an
    /// inside address: a translation to that address (and port) shortly
    /// before, else the one inside client whose DNS answer named the
    /// destination shortly before.
    fn recover(&self, h: &OutHit, src: Option<IpAddr>) -> Option<(IpAddr, Recovered)> {
        let t = h.time.unwrap_or(i64::MAX);
        let recent = |u: Option<i64>| match (u, h.time) {
            (Some(u), Some(t)) => u <= t + 5 && t - u <= CORRELATION_WINDOW,
            _ => true,
        };
        if let Some(src) = src {
            let found = self
                .nat
                .iter()
                .rev()
                .filter(|n| n.time.unwrap_or(i64::MIN) <= t + 5)
                .find(|n| {
                    n.mapped == src
                        && recent(n.time)
                        && (n.port.is_none() || h.src_port.is_none() || n.port == h.src_port)
                });
            if let Some(n) = found {
                return Some((n.real, Recovered::Nat));
            }
        }
        if let Dest::Addr(d) = h.dest {
            let clients: BTreeSet<IpAddr> = self
                .dns
                .iter()
                .filter(|s| recent(s.time) && s.answers.contains(&d))
                .filter_map(|s| s.client)
                .filter(|c| Some(*c) != src)
                .collect();
            if clients.len() == 1 {
                return clients.into_iter().next().map(|c| (c, Recovered::Dns));
            }
        }
        None
    }
}

fn is_drop(ev: &Event) -> bool {
    ev.action == Some(Action::Drop) || ev.signature.is_some()
}

/// How the inside host of an outbound hit is known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Recovered {
    /// The log names the inside address.
    #[default]
    Logged,
    /// The log names the host.
    Named,
    /// From a NAT translation.
    Nat,
    /// From the DNS query that resolved the destination.
    Dns,
}

impl Recovered {
    fn name(self) -> &'static str {
        match self {
            Recovered::Logged => "logged",
            Recovered::Named => "host name",
            Recovered::Nat => "nat",
            Recovered::Dns => "dns",
        }
    }
}

#[derive(Debug, Default)]
struct HostAcc {
    /// The most direct way the host was known.
    how: Option<Recovered>,
    hits: u64,
    first: Option<i64>,
    last: Option<i64>,
    ports: BTreeSet<u16>,
    dests: BTreeMap<Dest, DestAcc>,
}

#[derive(Debug, Default)]
struct DestAcc {
    how: Option<Recovered>,
    hits: u64,
    blocked: u64,
    first: Option<i64>,
    last: Option<i64>,
    list: Option<Listed>,
    version: usize,
    ports: BTreeSet<u16>,
    names: BTreeSet<String>,
}

impl HostAcc {
    fn add(&mut self, h: &OutHit, how: Recovered) {
        self.how = Some(self.how.map_or(how, |m| m.min(how)));
        self.hits += 1;
        self.first = min_opt(self.first, h.time);
        self.last = self.last.max(h.time);
        if let Some(p) = h.dst_port {
            self.ports.insert(p);
        }
        let d = self.dests.entry(h.dest.clone()).or_default();
        d.how = Some(d.how.map_or(how, |m| m.min(how)));
        d.hits += 1;
        d.blocked += u64::from(h.blocked);
        d.first = min_opt(d.first, h.time);
        if h.time >= d.last || d.list.is_none() {
            d.last = h.time.or(d.last);
            d.list = Some(h.list);
            d.version = h.version;
        }
        if let Some(p) = h.dst_port {
            d.ports.insert(p);
        }
    }

    fn merge(&mut self, o: HostAcc) {
        self.how = match (self.how, o.how) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.hits += o.hits;
        self.first = min_opt(self.first, o.first);
        self.last = self.last.max(o.last);
        self.ports.extend(o.ports);
        for (k, v) in o.dests {
            let d = self.dests.entry(k).or_default();
            d.how = match (d.how, v.how) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            d.hits += v.hits;
            d.blocked += v.blocked;
            d.first = min_opt(d.first, v.first);
            if v.last >= d.last || d.list.is_none() {
                d.last = v.last.or(d.last);
                d.list = v.list;
                d.version = v.version;
            }
            d.ports.extend(v.ports);
            d.names.extend(v.names);
        }
    }
}

/// Why an address is listed: what the version's provenance says.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Why {
    pub feeds: Vec<String>,
    pub categories: Vec<String>,
    pub score: Option<f64>,
    /// Policy reasons (`country:BR`, `custom`…).
    pub policy: Vec<String>,
    pub country: Option<String>,
}

impl Why {
    /// The labels hits are counted under per feed: the feeds, else the
    /// policy reasons.
    pub fn origins(&self) -> Vec<String> {
        if self.feeds.is_empty() {
            self.policy.clone()
        } else {
            self.feeds.clone()
        }
    }
}

/// An inside host that called out to listed destinations.
#[derive(Clone, Debug, Serialize)]
pub struct Host {
    /// The inside address (or the host name the log gives).
    pub host: String,
    /// How it is known: `logged`, `host name`, `nat`, `dns`.
    pub recovered: &'static str,
    pub hits: u64,
    #[serde(serialize_with = "opt_time")]
    pub first: Option<i64>,
    #[serde(serialize_with = "opt_time")]
    pub last: Option<i64>,
    pub ports: Vec<u16>,
    pub dests: Vec<DestHits>,
}

/// One listed destination of a host.
#[derive(Clone, Debug, Serialize)]
pub struct DestHits {
    pub dest: Dest,
    pub list: &'static str,
    /// How the host was found for these hits (as [`Host::recovered`]).
    pub found_by: &'static str,
    pub hits: u64,
    /// Of the hits, how many the firewall dropped.
    pub blocked: u64,
    #[serde(serialize_with = "opt_time")]
    pub first: Option<i64>,
    #[serde(serialize_with = "opt_time")]
    pub last: Option<i64>,
    pub ports: Vec<u16>,
    /// The queried names whose answers led there.
    pub names: Vec<String>,
    pub why: Why,
}

/// A listed outside source that came in.
#[derive(Clone, Debug, Serialize)]
pub struct Source {
    pub addr: IpAddr,
    pub list: &'static str,
    pub hits: u64,
    #[serde(serialize_with = "opt_time")]
    pub first: Option<i64>,
    #[serde(serialize_with = "opt_time")]
    pub last: Option<i64>,
    /// Distinct inside addresses it reached for (counted up to 16).
    pub targets: u64,
    /// Ports by hits, most first (up to 16 ports)…
    pub ports: Vec<(u16, u64)>,
    /// …and the hits on other ports.
    pub other_ports: u64,
    pub why: Why,
}

/// A row of `--events`: the sensor-event record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SensorEvent {
    pub time: i64,
    pub source: IpAddr,
    pub port: u16,
    pub proto: String,
    pub count: u64,
}

/// Hits in a time bucket, per direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Bucket {
    #[serde(serialize_with = "time")]
    pub start: i64,
    pub inbound: u64,
    pub outbound: u64,
}

/// Hits counted under a label, per direction.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Count {
    pub label: String,
    pub inbound: u64,
    pub outbound: u64,
}

/// Everything the reports show.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Analysis {
    pub files: Vec<FileTally>,
    /// Whether inside networks were known.
    pub inside: bool,
    /// Versions of the lists the events were matched against.
    pub versions: usize,
    /// Compromised-machine candidates, most outbound hits first.
    pub candidates: Vec<Host>,
    /// Outbound hits whose inside host could not be recovered, and their
    /// (translated) sources.
    pub unrecovered: u64,
    pub unrecovered_sources: Vec<IpAddr>,
    /// Listed sources that came in, most hits first.
    pub inbound: Vec<Source>,
    /// Inbound hits of sources past the 250,000 a worker itemizes: in the
    /// totals, not in `inbound`.
    pub untracked: u64,
    /// Hits per hour.
    pub hours: Vec<Bucket>,
    pub internal: u64,
    pub allowed: u64,
    pub by_list: Vec<Count>,
    pub by_feed: Vec<Count>,
    pub by_category: Vec<Count>,
    pub by_country: Vec<Count>,
    /// Inbound hits by destination port.
    pub by_port: Vec<Count>,
    #[serde(skip)]
    pub sensor_events: Option<Vec<SensorEvent>>,
}

impl Analysis {
    pub fn lines(&self) -> u64 {
        self.files.iter().map(|f| f.lines).sum()
    }

    pub fn events(&self) -> u64 {
        self.files.iter().map(|f| f.events).sum()
    }

    pub fn matched(&self) -> u64 {
        self.files.iter().map(|f| f.matched).sum()
    }

    pub fn lost(&self) -> u64 {
        self.files.iter().map(|f| f.lost).sum()
    }

    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }

    /// Skipped lines by reason over every file.
    pub fn skipped(&self) -> BTreeMap<&'static str, u64> {
        let mut all = BTreeMap::new();
        for f in &self.files {
            for (k, v) in &f.skipped {
                *all.entry(*k).or_insert(0) += v;
            }
        }
        all
    }

    pub fn outbound_hits(&self) -> u64 {
        self.candidates.iter().map(|h| h.hits).sum::<u64>() + self.unrecovered
    }

    pub fn inbound_hits(&self) -> u64 {
        self.inbound.iter().map(|s| s.hits).sum::<u64>() + self.untracked
    }

    fn count_by(&mut self) {
        type Table = BTreeMap<String, (u64, u64)>;
        let mut list = Table::new();
        let mut feed = Table::new();
        let mut cat = Table::new();
        let mut country = Table::new();
        let mut port = Table::new();
        let add = |t: &mut Table, k: &str, inb: bool, n: u64| {
            let e = t.entry(k.to_string()).or_insert((0, 0));
            if inb {
                e.0 += n;
            } else {
                e.1 += n;
            }
        };
        for s in &self.inbound {
            add(&mut list, s.list, true, s.hits);
            for f in s.why.origins() {
                add(&mut feed, &f, true, s.hits);
            }
            for c in &s.why.categories {
                add(&mut cat, c, true, s.hits);
            }
            add(
                &mut country,
                s.why.country.as_deref().unwrap_or("unknown"),
                true,
                s.hits,
            );
            for (p, n) in &s.ports {
                add(&mut port, &p.to_string(), true, *n);
            }
        }
        for h in &self.candidates {
            for d in &h.dests {
                add(&mut list, d.list, false, d.hits);
                for f in d.why.origins() {
                    add(&mut feed, &f, false, d.hits);
                }
                for c in &d.why.categories {
                    add(&mut cat, c, false, d.hits);
                }
                let c = d.why.country.as_deref().unwrap_or("unknown");
                add(&mut country, c, false, d.hits);
            }
        }
        let rank = |t: Table| {
            let mut v: Vec<Count> = t
                .into_iter()
                .map(|(label, (i, o))| Count {
                    label,
                    inbound: i,
                    outbound: o,
                })
                .collect();
            v.sort_by(|a, b| {
                (b.inbound + b.outbound, &a.label).cmp(&(a.inbound + a.outbound, &b.label))
            });
            v
        };
        self.by_list = rank(list);
        self.by_feed = rank(feed);
        self.by_category = rank(cat);
        self.by_country = rank(country);
        self.by_port = rank(port);
    }

    /// Hits per day when the hours span more than three days, else per
    /// hour; and the bucket's length in seconds.
    pub fn timeline(&self) -> (i64, Vec<Bucket>) {
        let span = match (self.hours.first(), self.hours.last()) {
            (Some(a), Some(b)) => b.start - a.start,
            _ => 0,
        };
        if span <= 3 * 86_400 {
            return (3600, self.hours.clone());
        }
        let mut days: Vec<Bucket> = Vec::new();
        for h in &self.hours {
            let start = h.start.div_euclid(86_400) * 86_400;
            match days.last_mut() {
                Some(d) if d.start == start => {
                    d.inbound += h.inbound;
                    d.outbound += h.outbound;
                }
                _ => days.push(Bucket { start, ..*h }),
            }
        }
        (86_400, days)
    }
}

#[cfg(test)]
mod tests {
    use super::super::matcher::Version;
    use super::super::Mapped;
    use super::*;
    use crate::set::IpSet;

    fn set(entries: &[&str]) -> IpSet {
        let mut b = crate::set::SetBuilder::default();
        for e in entries {
            match crate::net::parse_entry(e.as_bytes()).unwrap() {
                crate::net::Entry::V4(r) => b.v4.push(r),
                crate::net::Entry::V6(r) => b.v6.push(r),
            }
        }
        b.build()
    }

    fn matcher() -> Matcher {
        Matcher {
            versions: vec![Version::plain(
                set(&["198.51.100.0/24"]),
                set(&["198.51.100.53"]),
                ["bad.example".to_string()],
            )],
            inside: crate::set::IndexedSet::new(&set(&["10.0.0.0/8"])),
        }
    }

    fn ev(t: i64, src: &str, sport: Option<u16>, dst: &str) -> Event {
        let mut e = Event::empty();
        e.time = Some(t);
        e.src = src.parse().ok();
        e.src_port = sport;
        e.dst = dst.parse().ok();
        e.dst_port = Some(443);
        e.action = Some(Action::Drop);
        e
    }

    fn dns(t: i64, client: &str, q: &str, answers: &[&str]) -> Event {
        let mut e = Event::empty();
        e.time = Some(t);
        e.src = client.parse().ok();
        e.qname = Some(q.into());
        e.answers = answers.iter().map(|a| a.parse().unwrap()).collect();
        e
    }

    fn analysis(events: &[Event]) -> Analysis {
        let m = matcher();
        let mut t = Tally::new(1, false);
        for e in events {
            t.event(0, e, &m);
        }
        t.finish(&m, &mut |_, _| Why::default())
    }

    fn hosts(a: &Analysis) -> Vec<(String, &'static str, u64, Vec<String>)> {
        a.candidates
            .iter()
            .map(|h| {
                let d = h
                    .dests
                    .iter()
                    .map(|d| format!("{} {:?}", d.dest, d.names))
                    .collect();
                (h.host.clone(), h.recovered, h.hits, d)
            })
            .collect()
    }

    #[test]
    fn a_translation_recovers_the_inside_host() {
        let mut nat = ev(1000, "10.0.0.9", Some(5555), "198.51.100.7");
        nat.action = Some(Action::Other);
        nat.dst = None;
        nat.src_mapped = Some(Mapped {
            addr: "192.0.2.1".parse().unwrap(),
            port: Some(40000),
        });
        // Seen upstream with the translated source only.
        let upstream = ev(1002, "192.0.2.1", Some(40000), "198.51.100.7");
        let other_port = ev(1003, "192.0.2.1", Some(40001), "198.51.100.8");
        let a = analysis(&[nat, upstream, other_port]);
        assert_eq!(
            hosts(&a),
            vec![("10.0.0.9".into(), "nat", 1, vec!["198.51.100.7 []".into()])]
        );
        assert_eq!((a.unrecovered, a.unrecovered_sources.len()), (1, 1));
    }

    #[test]
    fn a_dns_answer_recovers_the_host_and_names_the_destination() {
        let a = analysis(&[
            dns(990, "10.0.0.7", "cdn.bad.example", &["198.51.100.9"]),
            dns(991, "10.0.0.8", "ok.example", &["192.0.2.80"]),
            ev(1000, "192.0.2.1", Some(40000), "198.51.100.9"),
            ev(1001, "10.0.0.7", Some(1234), "198.51.100.9"),
            // Too late for the answer to explain it.
            ev(
                990 + CORRELATION_WINDOW + 10,
                "192.0.2.1",
                Some(40000),
                "198.51.100.9",
            ),
        ]);
        assert_eq!(
            hosts(&a),
            vec![(
                "10.0.0.7".into(),
                "logged",
                3,
                vec![
                    "198.51.100.9 [\"cdn.bad.example\"]".into(),
                    "cdn.bad.example []".into()
                ]
            )]
        );
        assert_eq!(a.unrecovered, 1);
    }

    #[test]
    fn directions_allow_and_internal_traffic() {
        let a = analysis(&[
            ev(1, "198.51.100.7", Some(1), "10.0.0.1"),
            ev(2, "198.51.100.7", Some(1), "10.0.0.2"),
            ev(3, "198.51.100.53", Some(1), "10.0.0.1"),
            ev(4, "10.0.0.1", Some(1), "10.0.0.2"),
            ev(5, "10.0.0.1", Some(1), "198.51.100.53"),
            ev(6, "203.0.113.1", Some(1), "10.0.0.1"),
        ]);
        assert_eq!(a.inbound.len(), 1);
        assert_eq!((a.inbound[0].hits, a.inbound[0].targets), (2, 2));
        assert_eq!(a.inbound[0].list, "block-in");
        assert_eq!((a.allowed, a.internal), (2, 1));
        assert!(a.candidates.is_empty());
        assert_eq!(a.hours.len(), 1);
        assert_eq!((a.hours[0].inbound, a.hours[0].outbound), (2, 0));
    }

    #[test]
    fn merged_tallies_equal_one_tally() {
        let events = [
            ev(1, "198.51.100.7", Some(1), "10.0.0.1"),
            ev(7200, "10.0.0.1", Some(9), "198.51.100.8"),
            ev(3, "198.51.100.7", Some(1), "10.0.0.3"),
            dns(4, "10.0.0.4", "bad.example", &[]),
        ];
        let m = matcher();
        let mut one = Tally::new(1, true);
        let (mut a, mut b) = (Tally::new(1, true), Tally::new(1, true));
        for (i, e) in events.iter().enumerate() {
            one.event(0, e, &m);
            if i % 2 == 0 { &mut a } else { &mut b }.event(0, e, &m);
        }
        a.merge(b);
        let no_why = &mut |_: usize, _: &Dest| Why::default();
        let x = serde_json::to_string(&one.finish(&m, no_why)).unwrap();
        let y = serde_json::to_string(&a.finish(&m, no_why)).unwrap();
        assert_eq!(x, y);
    }
}
