//! The HTML report of an [`Analysis`]: one self-contained page (inline CSS,
//! charts as inline SVG drawn here, no script, no external asset, no web
//! font) that opens offline and prints cleanly. Every text that came from
//! outside (paths, host and queried names, feed and category names, policy
//! reasons) goes through [`escape`]. Charts and tables show the top rows
//! and say how many more there are; the same analysis gives the same bytes.

use super::report::{count, ports, thousands, when, why_text};
use super::tally::{Analysis, Count, DestHits, FileTally, Host, Source, Why};
use std::fmt::Write as _;

/// Rows a bar chart draws; the rest are counted under it.
pub const CHART_ROWS: usize = 15;
/// Rows a table shows; the rest are counted under it.
pub const TABLE_ROWS: usize = 100;
/// Destinations shown per candidate host.
pub const HOST_DESTS: usize = 20;
/// Bars a timeline draws at most: longer spans put several hours (days) in
/// one bar.
pub const TIMELINE_BARS: i64 = 120;

/// Characters of a chart label before it is cut (the whole label is in the
/// bar's tooltip).
const LABEL_CHARS: usize = 26;

/// Text made safe for HTML, in element content and in quoted attributes:
/// `& < > " '` as entities, control characters and bidirectional overrides
/// (which could make text read differently than it is) as U+FFFD.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            '\n' | '\t' => o.push(c),
            c if c.is_control()
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                o.push('\u{fffd}')
            }
            c => o.push(c),
        }
    }
    o
}

/// At most `n` characters of `s`, `…` marking a cut.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut o: String = s.chars().take(n.saturating_sub(1)).collect();
    o.push('…');
    o
}

/// A time for tables: `2026-12-07 13:17:46`, UTC (the page says so).
fn short(t: Option<i64>) -> String {
    let s = when(t);
    s.strip_suffix('Z').unwrap_or(&s).replacen('T', " ", 1)
}

/// First and last seen, in one cell.
fn seen(first: Option<i64>, last: Option<i64>) -> String {
    if first == last {
        short(first)
    } else {
        format!("{} to<br>{}", short(first), short(last))
    }
}

const STYLE: &str = "
:root{color-scheme:light;--in:#2f6db5;--out:#d0621b;--ink:#1d232b;--muted:#5f6b7a;--rule:#d5dbe3;--soft:#f3f5f8}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1100px;padding:24px 28px 48px;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;color:var(--ink);background:#fff}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:32px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--rule)}
h3{font-size:15px;margin:18px 0 6px}
p{margin:6px 0}
.muted{color:var(--muted)}
.note{background:#fff6e0;border-left:4px solid #e0a100;padding:6px 10px;margin:10px 0}
nav{margin:10px 0 0;font-size:13px}
nav a{color:var(--in);margin-right:14px;text-decoration:none}
dl.kpi{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;margin:16px 0}
dl.kpi div{background:var(--soft);border-radius:6px;padding:8px 12px}
dl.kpi dt{font-size:12px;color:var(--muted)}
dl.kpi dd{margin:0;font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:8px 24px}
figure{margin:8px 0 16px;break-inside:avoid}
figcaption{font-size:13px;font-weight:600;color:var(--ink);margin:0 0 4px}
svg{display:block;max-width:100%;height:auto}
svg text{font:12px system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;fill:var(--ink)}
svg .head{font-weight:600}
svg .small{font-size:11px;fill:var(--muted)}
svg .in{fill:var(--in)}
svg .out{fill:var(--out)}
svg .track{fill:var(--soft)}
svg .axis{stroke:#9aa5b1;stroke-width:1}
svg .empty{font-size:14px;fill:var(--muted)}
table{border-collapse:collapse;width:100%;font-size:12.5px;margin:6px 0 4px}
th,td{text-align:left;vertical-align:top;padding:4px 6px;border-bottom:1px solid var(--rule);overflow-wrap:break-word}
td.w,th.w{white-space:nowrap}
tbody.host th{background:#fbfcfd;font-weight:400;padding-top:8px}
tbody.host th b{font-size:13.5px;margin-right:8px}
thead th{background:var(--soft);font-weight:600;border-bottom:2px solid var(--rule)}
tbody th{font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.t{font-variant-numeric:tabular-nums;min-width:7.5em}
.wide{overflow-x:auto}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.key{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px;vertical-align:baseline}
.key.in{background:var(--in)}.key.out{background:var(--out)}
footer{margin-top:36px;font-size:12px;color:var(--muted)}
@media print{
  @page{margin:14mm}
  body{max-width:none;padding:0;font-size:11px}
  table{font-size:10px}
  th,td{padding:3px 4px}
  nav{display:none}
  h2{break-after:avoid}
  thead{display:table-header-group}
  tr{break-inside:avoid}
  .wide{overflow:visible}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
";

/// A self-contained page for the analysis; `title` names what the logs
/// were matched against (the profile).
pub fn page(a: &Analysis, title: &str) -> String {
    let mut o = String::with_capacity(64 * 1024);
    let t = escape(title);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Log report: {t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header>\n<h1>Log report: {t}</h1>\n"
    );
    summary(&mut o, a);
    o.push_str(
        "<nav><a href=\"#timeline\">Timeline</a><a href=\"#candidates\">Inside machines</a>\
         <a href=\"#inbound\">Inbound</a><a href=\"#breakdown\">Feeds and categories</a>\
         <a href=\"#files\">Files</a></nav>\n</header>\n<main>\n",
    );

    o.push_str("<section id=\"timeline\">\n<h2>Timeline</h2>\n");
    timeline(&mut o, a);
    o.push_str("</section>\n");

    candidates(&mut o, a);
    inbound(&mut o, a);
    breakdown(&mut o, a);
    files(&mut o, a);

    let _ = write!(
        o,
        "</main>\n<footer>Written by tl-logs {} from the analysis of {} against {} \
         ({}). The CSV and JSON outputs (<code>--csv</code>, <code>--json</code>) \
         have every row.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        count(a.files.len() as u64, "file", "files"),
        t,
        count(
            a.versions as u64,
            "version of the lists",
            "versions of the lists"
        ),
    );
    o
}

fn summary(o: &mut String, a: &Analysis) {
    let first = a.files.iter().filter_map(|f| f.first).min();
    let last = a.files.iter().filter_map(|f| f.last).max();
    let skipped: u64 = a.skipped().values().sum();
    let span = match (first, last) {
        (Some(_), Some(_)) => format!(", from {} to {}", short(first), short(last)),
        _ => String::new(),
    };
    let _ = writeln!(
        o,
        "<p class=\"muted\">{} read, {} events{span}; all times UTC.</p>",
        count(a.lines(), "line", "lines"),
        thousands(a.events()),
    );
    o.push_str("<dl class=\"kpi\">\n");
    for (label, value) in [
        ("Inside hosts calling out", a.candidates.len() as u64),
        ("Outbound hits", a.outbound_hits()),
        ("Not recovered (NAT)", a.unrecovered),
        ("Listed sources in", a.inbound.len() as u64),
        ("Inbound hits", a.inbound_hits()),
        ("Events on the lists", a.matched()),
        ("Lines skipped", skipped),
        ("Lines lost", a.lost()),
    ] {
        let _ = writeln!(
            o,
            "<div><dt>{label}</dt><dd>{}</dd></div>",
            thousands(value)
        );
    }
    o.push_str("</dl>\n");
    if !a.inside {
        o.push_str(
            "<p class=\"note\">Inside networks unknown (give <code>--inside</code> or a \
             profile with <code>own_networks</code>): directions are as the logs say.</p>\n",
        );
    }
    if a.files.iter().any(|f| f.broken.is_some()) {
        o.push_str(
            "<p class=\"note\">A file broke off before its end (see <a href=\"#files\">Files</a>); \
             the lines before the break are counted.</p>\n",
        );
    }
    if a.internal > 0 || a.allowed > 0 {
        let _ = writeln!(
            o,
            "<p class=\"muted\">Not counted: {} between inside hosts, {} with a listed but \
             allowed outside address.</p>",
            count(a.internal, "event", "events"),
            count(a.allowed, "event", "events")
        );
    }
}

// ---------------------------------------------------------------- charts

/// Opens an SVG chart of `w`×`h` with its accessible title and description.
fn svg_open(o: &mut String, id: &str, w: u32, h: u32, title: &str, desc: &str) {
    let _ = write!(
        o,
        "<svg id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" width=\"{w}\" \
         height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n<title id=\"{id}-t\">{}</title>\n\
         <desc id=\"{id}-d\">{}</desc>\n",
        escape(title),
        escape(desc)
    );
}

/// What a bar chart shows: the series and how a row's value is read.
#[derive(Clone, Copy, PartialEq)]
enum Series {
    In,
    Out,
    Both,
}

/// One row of a bar chart: its label, a tooltip and the inbound and
/// outbound values.
struct Bar {
    label: String,
    tip: String,
    v: [u64; 2],
}

impl Series {
    fn value(self, v: [u64; 2]) -> String {
        match self {
            Series::In => thousands(v[0]),
            Series::Out => thousands(v[1]),
            Series::Both => format!("{} / {}", thousands(v[0]), thousands(v[1])),
        }
    }
}

/// A horizontal bar chart of the first [`CHART_ROWS`] of `rows` (of
/// `total`), stacked inbound then outbound.
fn hbars(o: &mut String, id: &str, title: &str, rows: &[Bar], total: usize, s: Series) {
    const W: u32 = 520;
    const VALUE: f64 = 96.0;
    const ROW: u32 = 22;
    let shown = &rows[..rows.len().min(CHART_ROWS)];
    // The label column fits the longest label shown (about 7 px a
    // character), cut labels included.
    let widest = shown
        .iter()
        .map(|b| b.label.chars().count().min(LABEL_CHARS))
        .max()
        .unwrap_or(0);
    let label_w = (7 * widest as u32 + 14).clamp(60, 7 * LABEL_CHARS as u32 + 14);
    let label = f64::from(label_w);
    let more = total.saturating_sub(shown.len());
    let legend = s == Series::Both && !shown.is_empty();
    let top: u32 = if legend { 24 } else { 6 };
    let mut desc = String::new();
    if shown.is_empty() {
        desc.push_str("No hits.");
    } else {
        let _ = write!(
            desc,
            "{}{}: ",
            if more > 0 { "Top rows" } else { "Rows" },
            if s == Series::Both {
                " (inbound / outbound)"
            } else {
                ""
            }
        );
        let items: Vec<String> = shown
            .iter()
            .map(|b| format!("{} {}", b.label, s.value(b.v)))
            .collect();
        desc.push_str(&items.join("; "));
        if more > 0 {
            let _ = write!(desc, "; and {} more.", thousands(more as u64));
        }
    }
    let h = if shown.is_empty() {
        56
    } else {
        top + ROW * shown.len() as u32 + if more > 0 { 22 } else { 6 }
    };
    let _ = writeln!(o, "<figure>\n<figcaption>{}</figcaption>", escape(title));
    svg_open(o, id, W, h, title, &desc);
    if shown.is_empty() {
        let _ = writeln!(
            o,
            "<rect class=\"track\" x=\"0\" y=\"0\" width=\"{W}\" height=\"{h}\" rx=\"4\"/>\
             <text class=\"empty\" x=\"{}\" y=\"33\" text-anchor=\"middle\">no hits</text>",
            W / 2
        );
    } else {
        if legend {
            let _ = writeln!(
                o,
                "<rect class=\"in\" x=\"{label}\" y=\"6\" width=\"10\" height=\"10\"/>\
                 <text x=\"{}\" y=\"15\">inbound</text>\
                 <rect class=\"out\" x=\"{}\" y=\"6\" width=\"10\" height=\"10\"/>\
                 <text x=\"{}\" y=\"15\">outbound</text>",
                label + 14.0,
                label + 80.0,
                label + 94.0
            );
        }
        let max = shown
            .iter()
            .map(|b| b.v[0] + b.v[1])
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let span = f64::from(W) - label - VALUE;
        for (i, b) in shown.iter().enumerate() {
            let y = f64::from(top + ROW * i as u32);
            let _ = write!(
                o,
                "<g><title>{}</title><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                escape(&b.tip),
                label - 8.0,
                y + 15.0,
                escape(&cut(&b.label, LABEL_CHARS))
            );
            let mut x = label;
            for (k, class) in [(0, "in"), (1, "out")] {
                let n = match s {
                    Series::In if k == 1 => 0,
                    Series::Out if k == 0 => 0,
                    _ => b.v[k],
                };
                if n == 0 {
                    continue;
                }
                let w = (n as f64 / max * span).max(1.0);
                let _ = write!(
                    o,
                    "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"14\"/>",
                    y + 4.0
                );
                x += w;
            }
            let _ = writeln!(
                o,
                "<text class=\"small\" x=\"{:.1}\" y=\"{}\">{}</text></g>",
                x + 6.0,
                y + 15.0,
                s.value(b.v)
            );
        }
        if more > 0 {
            let _ = writeln!(
                o,
                "<text class=\"small\" x=\"{label}\" y=\"{}\">… and {} more</text>",
                top + ROW * shown.len() as u32 + 14,
                thousands(more as u64)
            );
        }
    }
    o.push_str("</svg>\n</figure>\n");
}

/// Hits per hour (or day) per direction: two panels of bars on one time
/// axis, gaps drawn as gaps.
fn timeline(o: &mut String, a: &Analysis) {
    const W: u32 = 1040;
    const LEFT: f64 = 64.0;
    const RIGHT: f64 = 12.0;
    const PANEL: f64 = 96.0;
    let (step, buckets) = a.timeline();
    let unit = if step == 3600 { "hour" } else { "day" };
    let label = |t: i64| {
        let s = when(Some(t));
        if step == 3600 {
            let s = s.replacen('T', " ", 1);
            s.strip_suffix(":00Z").map_or(s.clone(), str::to_string)
        } else {
            s.split('T').next().unwrap_or("").to_string()
        }
    };
    let (Some(first), Some(last)) = (buckets.first(), buckets.last()) else {
        svg_open(
            o,
            "timeline-chart",
            W,
            56,
            "Hits per hour",
            "No hits with a time.",
        );
        let _ = writeln!(
            o,
            "<rect class=\"track\" x=\"0\" y=\"0\" width=\"{W}\" height=\"56\" rx=\"4\"/>\
             <text class=\"empty\" x=\"{}\" y=\"33\" text-anchor=\"middle\">no hits</text>\n</svg>",
            W / 2
        );
        return;
    };
    let t0 = first.start;
    let slots = last.start.saturating_sub(t0) / step + 1;
    let per = (slots + TIMELINE_BARS - 1) / TIMELINE_BARS;
    let nbars = ((slots + per - 1) / per) as usize;
    let mut bars = vec![[0u64; 2]; nbars];
    for b in &buckets {
        let i = ((b.start.saturating_sub(t0) / step) / per) as usize;
        bars[i][0] += b.inbound;
        bars[i][1] += b.outbound;
    }
    let bar_len = per * step;
    // The start of bar `i`.
    let at = |i: usize| t0.saturating_add(bar_len.saturating_mul(i as i64));
    let totals = [
        bars.iter().map(|b| b[0]).sum::<u64>(),
        bars.iter().map(|b| b[1]).sum::<u64>(),
    ];
    let peaks: Vec<(u64, usize)> = (0..2)
        .map(|k| {
            bars.iter()
                .enumerate()
                .map(|(i, b)| (b[k], i))
                .max_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(&x.1)))
                .unwrap_or((0, 0))
        })
        .collect();
    let bar_what = if per == 1 {
        format!("per {unit}")
    } else {
        format!("per {per} {unit}s")
    };
    let title = format!("Hits {bar_what}, inbound and outbound");
    let end = at(nbars - 1);
    let mut desc = format!("From {} to {}.", label(t0), label(end));
    for (k, name) in [(0, "Inbound"), (1, "outbound")] {
        let _ = write!(desc, " {name}: {} hits", thousands(totals[k]));
        if totals[k] > 0 {
            let _ = write!(
                desc,
                ", most ({}) at {}",
                thousands(peaks[k].0),
                label(at(peaks[k].1))
            );
        }
        desc.push('.');
    }
    let h = 2.0 * PANEL + 58.0;
    svg_open(o, "timeline-chart", W, h as u32, &title, &desc);
    let span = f64::from(W) - LEFT - RIGHT;
    let slot = span / nbars as f64;
    let bw = (slot * 0.8).clamp(1.0, 28.0);
    for (k, name, class) in [(0usize, "inbound", "in"), (1, "outbound", "out")] {
        let y0 = 8.0 + k as f64 * (PANEL + 22.0);
        let base = y0 + PANEL;
        let max = bars.iter().map(|b| b[k]).max().unwrap_or(0);
        let _ = writeln!(
            o,
            "<text class=\"head\" x=\"{LEFT}\" y=\"{:.1}\">{name}</text>\
             <line class=\"axis\" x1=\"{LEFT}\" y1=\"{base:.1}\" x2=\"{:.1}\" y2=\"{base:.1}\"/>\
             <text class=\"small\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <text class=\"small\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">0</text>",
            y0 + 4.0,
            f64::from(W) - RIGHT,
            LEFT - 6.0,
            y0 + 22.0,
            thousands(max),
            LEFT - 6.0,
            base
        );
        if max == 0 {
            let _ = writeln!(
                o,
                "<text class=\"empty\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">no {name} hits</text>",
                LEFT + span / 2.0,
                y0 + PANEL / 2.0 + 8.0
            );
            continue;
        }
        let scale = (PANEL - 16.0) / max as f64;
        for (i, b) in bars.iter().enumerate() {
            if b[k] == 0 {
                continue;
            }
            let bh = (b[k] as f64 * scale).max(1.0);
            let x = LEFT + slot * i as f64 + (slot - bw) / 2.0;
            let _ = writeln!(
                o,
                "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\">\
                 <title>{}: {} {name}</title></rect>",
                base - bh,
                label(at(i)),
                thousands(b[k])
            );
        }
    }
    // Time labels under the lower panel: first, middle and last bar.
    let ylab = 2.0 * PANEL + 22.0 + 8.0 + 16.0;
    let picks: Vec<usize> = if nbars > 8 {
        vec![0, nbars / 4, nbars / 2, nbars * 3 / 4, nbars - 1]
    } else if nbars > 2 {
        vec![0, nbars / 2, nbars - 1]
    } else {
        (0..nbars).collect()
    };
    let marks = picks.into_iter().map(|i| {
        let anchor = match i {
            0 => "start",
            i if i + 1 == nbars => "end",
            _ => "middle",
        };
        (i, anchor)
    });
    for (i, anchor) in marks {
        let x = LEFT + slot * i as f64 + slot / 2.0;
        let _ = writeln!(
            o,
            "<text class=\"small\" x=\"{x:.1}\" y=\"{ylab:.1}\" text-anchor=\"{anchor}\">{}</text>",
            label(at(i))
        );
    }
    o.push_str("</svg>\n");
    let _ = writeln!(
        o,
        "<p class=\"muted\"><span class=\"key in\"></span>inbound: {} \
         <span class=\"key out\"></span>outbound: {}; each bar is {} {}, times in UTC.</p>",
        count(totals[0], "hit", "hits"),
        count(totals[1], "hit", "hits"),
        if per == 1 {
            "one".to_string()
        } else {
            thousands(per as u64)
        },
        if per == 1 {
            unit.to_string()
        } else {
            format!("{unit}s")
        }
    );
}

fn counts(rows: &[Count]) -> Vec<Bar> {
    rows.iter()
        .take(CHART_ROWS)
        .map(|c| {
            let label = if c.label.is_empty() {
                "(none)".to_string()
            } else {
                c.label.clone()
            };
            Bar {
                tip: format!(
                    "{label}: {} inbound, {} outbound",
                    thousands(c.inbound),
                    thousands(c.outbound)
                ),
                label,
                v: [c.inbound, c.outbound],
            }
        })
        .collect()
}

// ---------------------------------------------------------------- tables

fn more_row(o: &mut String, cols: usize, more: usize, what: &str) {
    if more > 0 {
        let _ = writeln!(
            o,
            "<tbody><tr><td colspan=\"{cols}\" class=\"muted\">… and {} more {what} \
             (the CSV and JSON have them all)</td></tr></tbody>",
            thousands(more as u64)
        );
    }
}

fn list_cell(v: &[String]) -> String {
    escape(&v.join(" "))
}

fn score(w: &Why) -> String {
    w.score.map(|s| format!("{s:.3}")).unwrap_or_default()
}

fn country(w: &Why) -> String {
    escape(w.country.as_deref().unwrap_or(""))
}

fn candidates(o: &mut String, a: &Analysis) {
    o.push_str("<section id=\"candidates\">\n<h2>Inside machines calling out</h2>\n");
    let _ = writeln!(
        o,
        "<p>Compromised-machine candidates: {} of the inside networks called out to listed \
         destinations ({}), most hits first. Clean these first.</p>",
        count(a.candidates.len() as u64, "host", "hosts"),
        count(a.outbound_hits(), "hit", "hits"),
    );
    let bars: Vec<Bar> = a
        .candidates
        .iter()
        .take(CHART_ROWS)
        .map(|h| Bar {
            label: if h.recovered == "logged" {
                h.host.clone()
            } else {
                format!("{} ({})", h.host, h.recovered)
            },
            tip: format!(
                "{} (found by {}): {}, {}",
                h.host,
                h.recovered,
                count(h.hits, "hit", "hits"),
                count(h.dests.len() as u64, "destination", "destinations")
            ),
            v: [0, h.hits],
        })
        .collect();
    hbars(
        o,
        "hosts-chart",
        "Top inside hosts by outbound hits",
        &bars,
        a.candidates.len(),
        Series::Out,
    );
    if a.unrecovered > 0 {
        let _ = writeln!(
            o,
            "<h3 id=\"unrecovered\">Outbound hits not recovered</h3>\n<p>{} whose inside host \
             could not be recovered: the log shows only a translated source, and no NAT \
             translation or DNS answer explains them. Translated sources:</p>\n<p>",
            count(a.unrecovered, "outbound hit", "outbound hits")
        );
        let srcs: Vec<String> = a
            .unrecovered_sources
            .iter()
            .take(TABLE_ROWS)
            .map(|s| format!("<code>{s}</code>"))
            .collect();
        o.push_str(&srcs.join(" "));
        if a.unrecovered_sources.len() > TABLE_ROWS {
            let _ = write!(
                o,
                " … and {} more",
                thousands((a.unrecovered_sources.len() - TABLE_ROWS) as u64)
            );
        }
        o.push_str("</p>\n");
    }
    if a.candidates.is_empty() {
        o.push_str("<p class=\"muted\">No inside host called out to a listed destination.</p>\n</section>\n");
        return;
    }
    o.push_str(
        "<div class=\"wide\"><table>\n<thead><tr><th scope=\"col\">Destination</th><th scope=\"col\">List</th>\
         <th scope=\"col\" class=\"n\">Hits</th><th scope=\"col\" class=\"n\">Dropped</th>\
         <th scope=\"col\">Ports</th><th scope=\"col\">Asked as</th><th scope=\"col\">Feeds</th>\
         <th scope=\"col\">Categories</th><th scope=\"col\" class=\"n\">Score</th>\
         <th scope=\"col\">Country</th><th scope=\"col\">Seen</th></tr></thead>\n",
    );
    for h in a.candidates.iter().take(TABLE_ROWS) {
        host_rows(o, h);
    }
    more_row(
        o,
        11,
        a.candidates.len().saturating_sub(TABLE_ROWS),
        "hosts",
    );
    o.push_str("</table></div>\n</section>\n");
}

/// How a candidate host is known, in words.
fn found_by(recovered: &str) -> &str {
    match recovered {
        "logged" => "address in the log",
        "host name" => "host name in the log",
        "nat" => "recovered from a NAT translation",
        "dns" => "recovered from a DNS answer",
        other => other,
    }
}

/// A host's heading row, then a row per destination.
fn host_rows(o: &mut String, h: &Host) {
    let shown = &h.dests[..h.dests.len().min(HOST_DESTS)];
    let more = h.dests.len() - shown.len();
    let _ = writeln!(
        o,
        "<tbody class=\"host\"><tr><th scope=\"rowgroup\" colspan=\"11\"><b>{}</b>\
         {} to {}, ports {}, {} to {} <span class=\"muted\">({})</span></th></tr>",
        escape(&h.host),
        count(h.hits, "hit", "hits"),
        count(h.dests.len() as u64, "destination", "destinations"),
        escape(&ports(&h.ports)),
        short(h.first),
        short(h.last),
        escape(found_by(h.recovered)),
    );
    for d in shown {
        o.push_str("<tr>");
        dest_cells(o, d);
        o.push_str("</tr>\n");
    }
    if more > 0 {
        let _ = writeln!(
            o,
            "<tr><td colspan=\"11\" class=\"muted\">… and {} more destinations</td></tr>",
            thousands(more as u64)
        );
    }
    o.push_str("</tbody>\n");
}

fn dest_cells(o: &mut String, d: &DestHits) {
    let _ = write!(
        o,
        "<td>{}</td><td class=\"w\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td>\
         <td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td>\
         <td class=\"t\">{}</td>",
        escape(&d.dest.to_string()),
        escape(d.list),
        thousands(d.hits),
        thousands(d.blocked),
        escape(&ports(&d.ports)),
        list_cell(&d.names),
        list_cell(&d.why.origins()),
        list_cell(&d.why.categories),
        score(&d.why),
        country(&d.why),
        seen(d.first, d.last),
    );
}

fn inbound(o: &mut String, a: &Analysis) {
    o.push_str("<section id=\"inbound\">\n<h2>Inbound: listed sources that came in</h2>\n");
    let _ = writeln!(
        o,
        "<p>{} from {}, most hits first.</p>",
        count(a.inbound_hits(), "hit", "hits"),
        count(a.inbound.len() as u64, "listed source", "listed sources"),
    );
    let bars: Vec<Bar> = a
        .inbound
        .iter()
        .take(CHART_ROWS)
        .map(|s| {
            let w = why_text(&s.why);
            Bar {
                label: s.addr.to_string(),
                tip: format!(
                    "{} ({}): {}{}{}",
                    s.addr,
                    s.list,
                    count(s.hits, "hit", "hits"),
                    if w.is_empty() { "" } else { "; " },
                    w
                ),
                v: [s.hits, 0],
            }
        })
        .collect();
    hbars(
        o,
        "sources-chart",
        "Top listed sources by inbound hits",
        &bars,
        a.inbound.len(),
        Series::In,
    );
    if a.inbound.is_empty() {
        o.push_str("<p class=\"muted\">No listed source came in.</p>\n</section>\n");
        return;
    }
    o.push_str(
        "<div class=\"wide\"><table>\n<thead><tr><th scope=\"col\">Source</th><th scope=\"col\">List</th>\
         <th scope=\"col\" class=\"n\">Hits</th><th scope=\"col\" class=\"n\">Targets</th>\
         <th scope=\"col\">Ports (hits)</th><th scope=\"col\">Feeds</th><th scope=\"col\">Categories</th>\
         <th scope=\"col\" class=\"n\">Score</th><th scope=\"col\">Country</th>\
         <th scope=\"col\">Seen</th></tr></thead>\n<tbody>\n",
    );
    for s in a.inbound.iter().take(TABLE_ROWS) {
        source_row(o, s);
    }
    o.push_str("</tbody>\n");
    more_row(o, 10, a.inbound.len().saturating_sub(TABLE_ROWS), "sources");
    o.push_str("</table></div>\n</section>\n");
}

fn source_row(o: &mut String, s: &Source) {
    let mut p: Vec<String> = s
        .ports
        .iter()
        .take(5)
        .map(|(p, n)| format!("{p}&nbsp;({})", thousands(*n)))
        .collect();
    if s.ports.len() > 5 {
        p.push(format!("+{}", s.ports.len() - 5));
    }
    let _ = writeln!(
        o,
        "<tr><th scope=\"row\" class=\"w\">{}</th><td class=\"w\">{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td>\
         <td class=\"t\">{}</td></tr>",
        s.addr,
        escape(s.list),
        thousands(s.hits),
        thousands(s.targets),
        p.join(", "),
        list_cell(&s.why.origins()),
        list_cell(&s.why.categories),
        score(&s.why),
        country(&s.why),
        seen(s.first, s.last),
    );
}

fn breakdown(o: &mut String, a: &Analysis) {
    o.push_str(
        "<section id=\"breakdown\">\n<h2>Where the hits come from</h2>\n\
         <p>Hits per feed show which feed does the work and which only adds noise. \
         Values are inbound / outbound hits.</p>\n<div class=\"grid\">\n",
    );
    for (id, title, rows) in [
        ("feeds-chart", "Hits per feed", &a.by_feed),
        ("categories-chart", "Hits per category", &a.by_category),
        ("countries-chart", "Hits per country", &a.by_country),
        ("lists-chart", "Hits per list", &a.by_list),
    ] {
        o.push_str("<div>\n");
        hbars(o, id, title, &counts(rows), rows.len(), Series::Both);
        o.push_str("</div>\n");
    }
    o.push_str("<div>\n");
    hbars(
        o,
        "ports-chart",
        "Inbound hits per destination port",
        &counts(&a.by_port),
        a.by_port.len(),
        Series::In,
    );
    o.push_str("</div>\n</div>\n</section>\n");
}

fn files(o: &mut String, a: &Analysis) {
    o.push_str("<section id=\"files\">\n<h2>Files read</h2>\n");
    if a.files.is_empty() {
        o.push_str("<p class=\"muted\">No file was read.</p>\n</section>\n");
        return;
    }
    o.push_str(
        "<div class=\"wide\"><table>\n<thead><tr><th scope=\"col\">File</th><th scope=\"col\">Format</th>\
         <th scope=\"col\" class=\"n\">Bytes</th><th scope=\"col\" class=\"n\">Lines</th>\
         <th scope=\"col\" class=\"n\">Events</th><th scope=\"col\" class=\"n\">On the lists</th>\
         <th scope=\"col\" class=\"n\">Skipped</th><th scope=\"col\" class=\"n\">Lost</th>\
         <th scope=\"col\">Events seen</th>\
         <th scope=\"col\">Broke off</th></tr></thead>\n<tbody>\n",
    );
    for f in a.files.iter().take(TABLE_ROWS) {
        file_row(o, f);
    }
    o.push_str("</tbody>\n");
    more_row(o, 10, a.files.len().saturating_sub(TABLE_ROWS), "files");
    o.push_str("</table></div>\n");

    let skips: Vec<(&FileTally, &str, u64)> = a
        .files
        .iter()
        .flat_map(|f| f.skipped.iter().map(move |(r, n)| (f, *r, *n)))
        .collect();
    if skips.is_empty() {
        o.push_str("<p class=\"muted\">No line was skipped.</p>\n");
    } else {
        o.push_str(
            "<h3>Skipped lines by reason</h3>\n<div class=\"wide\"><table>\n<thead><tr><th scope=\"col\">File</th>\
             <th scope=\"col\">Reason</th><th scope=\"col\" class=\"n\">Lines</th>\
             <th scope=\"col\">First lines</th></tr></thead>\n<tbody>\n",
        );
        for (f, reason, n) in skips.iter().take(TABLE_ROWS) {
            let at: Vec<String> = f
                .samples
                .iter()
                .filter(|(_, r)| r == reason)
                .map(|(l, _)| l.to_string())
                .collect();
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                escape(&f.path),
                escape(reason),
                thousands(*n),
                at.join(", ")
            );
        }
        o.push_str("</tbody>\n");
        more_row(o, 4, skips.len().saturating_sub(TABLE_ROWS), "rows");
        o.push_str("</table></div>\n");
    }
    o.push_str("</section>\n");
}

fn file_row(o: &mut String, f: &FileTally) {
    let skipped: u64 = f.skipped.values().sum();
    let _ = writeln!(
        o,
        "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td class=\"t\">{}</td><td>{}</td></tr>",
        escape(&f.path),
        escape(f.format.unwrap_or("-")),
        thousands(f.bytes),
        thousands(f.lines),
        thousands(f.events),
        thousands(f.matched),
        thousands(skipped),
        thousands(f.lost),
        seen(f.first, f.last),
        escape(f.broken.as_deref().unwrap_or("")),
    );
}

#[cfg(test)]
mod tests {
    use super::super::tally::{Bucket, Dest};
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    const HOSTILE: &str = "<script>alert('x')</script>\"&amp;\u{202e}\u{0}";

    #[test]
    fn escape_neutralizes_markup() {
        assert_eq!(
            escape(HOSTILE),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;amp;\u{fffd}\u{fffd}"
        );
        assert_eq!(escape("plain host-1.example"), "plain host-1.example");
        assert_eq!(escape(""), "");
        assert_eq!(escape("a\tb\nc"), "a\tb\nc");
    }

    #[test]
    fn cut_marks_long_labels() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("ééééééé", 4), "ééé…");
    }

    fn why(s: &str) -> Why {
        Why {
            feeds: vec![format!("feed{s}")],
            categories: vec![format!("cat{s}")],
            score: Some(4.25),
            policy: vec![format!("custom{s}")],
            country: Some(format!("C{s}")),
        }
    }

    /// Every untrusted field carries `HOSTILE`.
    fn hostile() -> Analysis {
        let mut files = vec![FileTally {
            path: format!("/var/log/{HOSTILE}.log"),
            format: Some("netfilter"),
            lines: 3,
            events: 2,
            broken: Some(format!("gzip: {HOSTILE}")),
            ..FileTally::default()
        }];
        files[0].skipped.insert("not an event", 1);
        files[0].samples.push((3, "not an event"));
        let addr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));
        Analysis {
            files,
            inside: true,
            versions: 1,
            candidates: vec![Host {
                host: HOSTILE.to_string(),
                recovered: "host name",
                hits: 2,
                first: Some(0),
                last: Some(3600),
                ports: vec![443],
                dests: vec![DestHits {
                    dest: Dest::Name(HOSTILE.to_string()),
                    list: "domains",
                    found_by: "host name",
                    hits: 2,
                    blocked: 1,
                    first: Some(0),
                    last: Some(3600),
                    ports: vec![],
                    names: vec![HOSTILE.to_string()],
                    why: why(HOSTILE),
                }],
            }],
            inbound: vec![Source {
                addr,
                list: "block-in",
                hits: 1,
                first: Some(0),
                last: Some(0),
                targets: 1,
                ports: vec![(22, 1)],
                other_ports: 0,
                why: why(HOSTILE),
            }],
            hours: vec![Bucket {
                start: 0,
                inbound: 1,
                outbound: 2,
            }],
            by_feed: vec![Count {
                label: HOSTILE.to_string(),
                inbound: 1,
                outbound: 2,
            }],
            ..Analysis::default()
        }
    }

    #[test]
    fn hostile_text_never_reaches_the_page_raw() {
        let p = page(&hostile(), HOSTILE);
        assert!(!p.contains("<script"), "{p}");
        assert!(!p.contains("alert('x')"));
        assert!(!p.contains('\u{202e}') && !p.contains('\u{0}'));
        assert!(p.contains("&lt;script&gt;alert(&#39;x&#39;)"));
        // Every tag the page opens is one of ours.
        let tags: std::collections::BTreeSet<&str> = p
            .split('<')
            .skip(1)
            .map(|t| {
                t.trim_start_matches('/')
                    .split(|c: char| !c.is_ascii_alphanumeric() && c != '!')
                    .next()
                    .unwrap_or("")
            })
            .collect();
        let ours = [
            "!DOCTYPE",
            "b",
            "a",
            "body",
            "br",
            "code",
            "desc",
            "div",
            "dd",
            "dl",
            "dt",
            "figcaption",
            "figure",
            "footer",
            "g",
            "h1",
            "h2",
            "h3",
            "head",
            "header",
            "html",
            "line",
            "main",
            "meta",
            "nav",
            "p",
            "rect",
            "section",
            "span",
            "style",
            "svg",
            "table",
            "tbody",
            "td",
            "text",
            "th",
            "thead",
            "title",
            "tr",
        ];
        for t in &tags {
            assert!(ours.contains(t), "unexpected tag <{t}>");
        }
    }

    #[test]
    fn an_empty_analysis_says_no_hits() {
        let p = page(&Analysis::default(), "acme");
        assert!(p.starts_with("<!DOCTYPE html>"));
        assert!(p.ends_with("</html>\n"));
        // The timeline, two top-N charts and five breakdowns, each drawn.
        assert_eq!(p.matches("<svg ").count(), 8);
        assert_eq!(p.matches(">no hits</text>").count(), 8);
        assert!(p.contains("No file was read."));
        assert_eq!(p, page(&Analysis::default(), "acme"));
    }

    #[test]
    fn one_row_draws_one_bar() {
        let p = page(&hostile(), "acme");
        assert_eq!(p.matches("<svg ").count(), 8);
        // One hour: one bar per direction.
        let tl = &p[p.find("id=\"timeline-chart\"").unwrap()..];
        let tl = &tl[..tl.find("</svg>").unwrap()];
        assert_eq!(tl.matches("<rect class=\"in\"").count(), 1);
        assert_eq!(tl.matches("<rect class=\"out\"").count(), 1);
    }

    #[test]
    fn large_analyses_are_capped() {
        let n = 10_000u32;
        let mut a = hostile();
        let host = a.candidates[0].clone();
        let source = a.inbound[0].clone();
        a.candidates = (0..n)
            .map(|i| Host {
                host: format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255),
                hits: u64::from(n - i),
                dests: (0..30).map(|_| host.dests[0].clone()).collect(),
                ..host.clone()
            })
            .collect();
        a.inbound = (0..n)
            .map(|i| Source {
                addr: IpAddr::V4(Ipv4Addr::from(0xc633_0000 + i)),
                ..source.clone()
            })
            .collect();
        a.by_feed = (0..n)
            .map(|i| Count {
                label: format!("feed-{i}"),
                inbound: u64::from(i),
                outbound: 1,
            })
            .collect();
        a.unrecovered = 5;
        a.unrecovered_sources = a.inbound.iter().map(|s| s.addr).collect();
        // Hours over years, sparse: days, grouped into at most 120 bars.
        a.hours = (0..i64::from(n))
            .map(|i| Bucket {
                start: i * 7 * 3600,
                inbound: 1,
                outbound: 2,
            })
            .collect();
        let p = page(&a, "acme");
        assert!(p.len() < 2_000_000, "{} bytes", p.len());
        assert!(p.contains("… and 9,985 more</text>"));
        assert!(p.contains("… and 9,900 more hosts"));
        assert!(p.contains("… and 9,900 more sources"));
        assert!(p.contains("… and 10 more destinations"));
        let tl = &p[p.find("id=\"timeline-chart\"").unwrap()..];
        let tl = &tl[..tl.find("</svg>").unwrap()];
        let bars = tl.matches("<rect class=\"in\"").count();
        assert!((100..=120).contains(&bars), "{bars} bars");
        assert_eq!(p, page(&a, "acme"));
    }

    #[test]
    fn a_time_far_away_does_not_blow_up_the_timeline() {
        let mut a = hostile();
        a.hours = vec![
            Bucket {
                start: -62_000_000_000,
                inbound: 1,
                outbound: 0,
            },
            Bucket {
                start: 250_000_000_000,
                inbound: 0,
                outbound: 1,
            },
        ];
        let p = page(&a, "acme");
        let tl = &p[p.find("id=\"timeline-chart\"").unwrap()..];
        let tl = &tl[..tl.find("</svg>").unwrap()];
        assert_eq!(tl.matches("<rect ").count(), 2);
    }
}
