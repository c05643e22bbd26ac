//! The reports of an [`Analysis`]: a text summary for the terminal, one CSV
//! table (a row per host and destination, and per listed source), JSON,
//! and the sensor-event records (`--events`) that feed `tl-score`. The
//! HTML page is in [`super::html`].

use super::tally::{Analysis, Count, DestHits, Host, SensorEvent, Source, Why};
use crate::record::{Address, Event, EVENT_HEADER, MAX_COUNT};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::IpAddr;

/// Rows shown per table in the text summary.
pub const TOP: usize = 10;

/// A time as RFC 3339, or `-`.
pub fn when(t: Option<i64>) -> String {
    t.map_or_else(|| "-".into(), crate::time::format)
}

/// `n` and its noun: `1 hit`, `2 hits`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

pub use crate::set::count::thousands;

/// Up to eight ports, `+N` for the rest.
pub fn ports(p: &[u16]) -> String {
    let mut s: Vec<String> = p.iter().take(8).map(u16::to_string).collect();
    if p.len() > 8 {
        s.push(format!("+{}", p.len() - 8));
    }
    s.join(" ")
}

/// What a `Why` says, in a few words.
pub fn why_text(w: &Why) -> String {
    let mut parts = Vec::new();
    if !w.feeds.is_empty() {
        parts.push(format!("feeds {}", w.feeds.join(" ")));
    }
    if !w.categories.is_empty() {
        parts.push(format!("categories {}", w.categories.join(" ")));
    }
    if let Some(s) = w.score {
        parts.push(format!("score {s:.3}"));
    }
    if !w.policy.is_empty() {
        parts.push(format!("policy {}", w.policy.join(" ")));
    }
    if let Some(c) = &w.country {
        if !w.policy.contains(&format!("country:{c}")) {
            parts.push(format!("country {c}"));
        }
    }
    parts.join(", ")
}

/// The terminal summary.
pub fn text(a: &Analysis) -> String {
    let mut o = String::new();
    let skipped: u64 = a.skipped().values().sum();
    let _ = writeln!(
        o,
        "read {} lines in {} file{}: {} events, {} skipped, {} lost; {} on the lists ({} version{} of the lists)",
        thousands(a.lines()),
        a.files.len(),
        if a.files.len() == 1 { "" } else { "s" },
        thousands(a.events()),
        thousands(skipped),
        thousands(a.lost()),
        thousands(a.matched()),
        a.versions,
        if a.versions == 1 { "" } else { "s" },
    );
    for f in &a.files {
        let _ = write!(
            o,
            "  {}: {}, {} lines, {} events",
            f.path,
            f.format.unwrap_or("-"),
            thousands(f.lines),
            thousands(f.events)
        );
        if f.lost > 0 {
            let _ = write!(o, ", {} lost", thousands(f.lost));
        }
        o.push('\n');
        if let Some(b) = &f.broken {
            let _ = writeln!(o, "    broken off: {b} (the lines before it are counted)");
        }
        for (reason, n) in &f.skipped {
            let at: Vec<String> = f
                .samples
                .iter()
                .filter(|(_, r)| r == reason)
                .map(|(l, _)| format!("{}:{l}", f.path))
                .collect();
            let _ = writeln!(
                o,
                "    skipped {}: {reason} ({})",
                thousands(*n),
                at.join(", ")
            );
        }
    }
    if !a.inside {
        o.push_str("inside networks unknown (give --inside or a profile with own_networks): directions are as the logs say\n");
    }

    o.push('\n');
    let _ = writeln!(
        o,
        "compromised-machine candidates: {} called out to listed destinations ({})",
        count(a.candidates.len() as u64, "inside host", "inside hosts"),
        count(a.outbound_hits(), "hit", "hits"),
    );
    for h in a.candidates.iter().take(TOP) {
        host_text(&mut o, h);
    }
    more(&mut o, a.candidates.len());
    if a.unrecovered > 0 {
        let srcs: Vec<String> = a
            .unrecovered_sources
            .iter()
            .take(5)
            .map(IpAddr::to_string)
            .collect();
        let _ = writeln!(
            o,
            "  {} outbound hits whose inside host could not be recovered (no translation or DNS answer explains them), from {}",
            thousands(a.unrecovered),
            srcs.join(" ")
        );
    }

    o.push('\n');
    let _ = writeln!(
        o,
        "inbound: {} from {}",
        count(a.inbound_hits(), "hit", "hits"),
        count(a.inbound.len() as u64, "listed source", "listed sources")
    );
    for s in a.inbound.iter().take(TOP) {
        source_text(&mut o, s);
    }
    more(&mut o, a.inbound.len());
    if a.untracked > 0 {
        let _ = writeln!(
            o,
            "  {} hits of further sources are counted but not itemized (too many sources to keep)",
            thousands(a.untracked)
        );
    }

    for (title, rows) in [
        ("hits per list", &a.by_list),
        ("hits per feed", &a.by_feed),
        ("hits per category", &a.by_category),
        ("hits per country", &a.by_country),
        ("inbound hits per port", &a.by_port),
    ] {
        if rows.is_empty() || rows.iter().all(|c| c.label == "unknown") {
            continue;
        }
        let _ = writeln!(o, "\n{title} (in / out):");
        for c in rows.iter().take(TOP) {
            count_text(&mut o, c);
        }
        more(&mut o, rows.len());
    }
    let (step, buckets) = a.timeline();
    if !buckets.is_empty() {
        let _ = writeln!(
            o,
            "\ntimeline per {} (in / out):",
            if step == 3600 { "hour" } else { "day" }
        );
        for b in &buckets {
            let _ = writeln!(
                o,
                "  {}  {} / {}",
                when(Some(b.start)),
                b.inbound,
                b.outbound
            );
        }
    }
    if a.internal > 0 || a.allowed > 0 {
        let _ = writeln!(
            o,
            "\nnot counted: {} events between inside hosts, {} with a listed but allowed outside address",
            thousands(a.internal),
            thousands(a.allowed)
        );
    }
    o
}

fn more(o: &mut String, n: usize) {
    if n > TOP {
        let _ = writeln!(
            o,
            "  … and {} more (the CSV and JSON have them all)",
            n - TOP
        );
    }
}

fn host_text(o: &mut String, h: &Host) {
    let how = if h.recovered == "logged" {
        String::new()
    } else {
        format!(" (found by {})", h.recovered)
    };
    let _ = writeln!(
        o,
        "  {}{how}: {}, {}, ports {}, {} .. {}",
        h.host,
        count(h.hits, "hit", "hits"),
        count(h.dests.len() as u64, "destination", "destinations"),
        ports(&h.ports),
        when(h.first),
        when(h.last),
    );
    for d in h.dests.iter().take(TOP) {
        dest_text(o, d);
    }
}

fn dest_text(o: &mut String, d: &DestHits) {
    let mut line = format!(
        "    -> {} ({}): {}, {} dropped",
        d.dest,
        d.list,
        count(d.hits, "hit", "hits"),
        thousands(d.blocked)
    );
    if !d.ports.is_empty() {
        let _ = write!(line, ", ports {}", ports(&d.ports));
    }
    if !d.names.is_empty() {
        let _ = write!(line, ", asked as {}", d.names.join(" "));
    }
    if d.found_by != "logged" {
        let _ = write!(line, ", host found by {}", d.found_by);
    }
    let w = why_text(&d.why);
    if !w.is_empty() {
        let _ = write!(line, "; {w}");
    }
    o.push_str(&line);
    o.push('\n');
}

fn source_text(o: &mut String, s: &Source) {
    let ports: Vec<String> = s
        .ports
        .iter()
        .take(5)
        .map(|(p, n)| format!("{p}({n})"))
        .collect();
    let mut line = format!(
        "  {} ({}): {} on {}{}",
        s.addr,
        s.list,
        count(s.hits, "hit", "hits"),
        count(s.targets, "inside address", "inside addresses"),
        if s.targets >= super::tally::KEPT as u64 {
            " or more"
        } else {
            ""
        }
    );
    if !ports.is_empty() {
        let _ = write!(line, ", ports {}", ports.join(" "));
    }
    let w = why_text(&s.why);
    if !w.is_empty() {
        let _ = write!(line, "; {w}");
    }
    o.push_str(&line);
    o.push('\n');
}

fn count_text(o: &mut String, c: &Count) {
    let _ = writeln!(
        o,
        "  {:<24} {} / {}",
        c.label,
        thousands(c.inbound),
        thousands(c.outbound)
    );
}

/// The header of the CSV table.
pub const CSV_HEADER: [&str; 15] = [
    "direction",
    "inside",
    "outside",
    "list",
    "hits",
    "dropped",
    "first_seen",
    "last_seen",
    "ports",
    "names",
    "feeds",
    "categories",
    "score",
    "country",
    "found_by",
];

/// One CSV table: a row per inside host and listed destination
/// (`outbound`), then a row per listed source (`inbound`; `inside` is the
/// number of inside addresses it reached for, `dropped` empty).
pub fn csv(a: &Analysis, out: impl Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER)?;
    let join = |v: &[String]| v.join(" ");
    let score = |w: &Why| w.score.map(|s| format!("{s:.3}")).unwrap_or_default();
    for h in &a.candidates {
        for d in &h.dests {
            let ports: Vec<String> = d.ports.iter().map(u16::to_string).collect();
            w.write_record([
                "outbound",
                &h.host,
                &d.dest.to_string(),
                d.list,
                &d.hits.to_string(),
                &d.blocked.to_string(),
                &when(d.first),
                &when(d.last),
                &ports.join(" "),
                &join(&d.names),
                &join(&d.why.origins()),
                &join(&d.why.categories),
                &score(&d.why),
                d.why.country.as_deref().unwrap_or(""),
                d.found_by,
            ])?;
        }
    }
    for s in &a.inbound {
        let ports: Vec<String> = s.ports.iter().map(|(p, _)| p.to_string()).collect();
        w.write_record([
            "inbound",
            &s.targets.to_string(),
            &s.addr.to_string(),
            s.list,
            &s.hits.to_string(),
            "",
            &when(s.first),
            &when(s.last),
            &ports.join(" "),
            "",
            &join(&s.why.origins()),
            &join(&s.why.categories),
            &score(&s.why),
            s.why.country.as_deref().unwrap_or(""),
            "",
        ])?;
    }
    w.flush()
}

/// The whole analysis as one JSON document (times in RFC 3339).
pub fn json(a: &Analysis, out: impl Write) -> io::Result<()> {
    let mut out = out;
    serde_json::to_writer_pretty(&mut out, a)?;
    out.write_all(b"\n")
}

/// The protocol number of a name as logs write it (0 when unknown).
fn proto_number(name: &str) -> u8 {
    match name {
        "tcp" => 6,
        "udp" => 17,
        "icmp" => 1,
        "ipv6-icmp" | "icmpv6" | "icmp6" => 58,
        "gre" => 47,
        "esp" => 50,
        "ah" => 51,
        "sctp" => 132,
        n => n.parse().unwrap_or(0),
    }
}

/// The sensor events (`--events`): inbound dropped traffic and IDS alerts
/// from outside sources, one row per source, port, protocol and hour
/// (`time` is the hour's start), in the record `tl-score` reads.
pub fn events(a: &Analysis, sensor: &str, out: &mut impl Write) -> io::Result<()> {
    event_rows(a.sensor_events.iter().flatten(), sensor, out)
}

/// Sensor events as [`events`] writes them, from any selection of them.
pub fn event_rows<'a>(
    events: impl IntoIterator<Item = &'a SensorEvent>,
    sensor: &str,
    out: &mut impl Write,
) -> io::Result<()> {
    out.write_all(EVENT_HEADER.as_bytes())?;
    out.write_all(b"\n")?;
    let mut buf = Vec::new();
    for e in events {
        let proto = proto_number(&e.proto);
        let source = match e.source {
            IpAddr::V4(v) => Address::V4(v.into()),
            IpAddr::V6(v) => Address::V6(v.into()),
        };
        let mut left = e.count;
        while left > 0 {
            let count = left.min(MAX_COUNT);
            left -= count;
            Event {
                time: e.time,
                source,
                sensor: sensor.to_string(),
                port: e.port,
                proto,
                count,
            }
            .write_row(&mut buf);
        }
        if buf.len() > 1 << 16 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}
