//! Reading the scores CSV (`docs/formats.md`) for compilation.
//!
//! Columns are found by header name, so the optional `reason` column of
//! `tl-score --explain` (or any later addition) does not matter. This is a
//! reader of only what compilation needs; it should move onto the shared
//! record type in `src/record` once that is in the tree.

use crate::cli::quote;
use crate::net::{parse_entry, Entry};
use std::io::Read;

/// What compilation needs of one scores row.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub target: Target,
    /// The indicator as written (canonical).
    pub text: String,
    /// Thousandths.
    pub milli: u64,
    pub categories: Vec<String>,
    pub feeds: Vec<String>,
    pub last_seen: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Ip(Entry),
    Domain,
}

/// `2.500` → 2500; at most three decimals.
pub fn parse_milli(s: &str) -> Option<u64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty()
        || frac.len() > 3
        || !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let f: u64 = format!("{frac:0<3}").parse().ok()?;
    int.parse::<u64>().ok()?.checked_mul(1000)?.checked_add(f)
}

pub fn format_milli(m: u64) -> String {
    format!("{}.{:03}", m / 1000, m % 1000)
}

const NEEDED: [&str; 6] = [
    "indicator",
    "type",
    "score",
    "categories",
    "feeds",
    "last_seen",
];

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/".contains(&b))
}

fn is_domain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').count() >= 1
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        })
}

/// Reads every row; the first bad row is an error `FILE:LINE: reason: 'text'`.
pub fn read(file: &str, input: impl Read) -> Result<Vec<Scored>, String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(input);
    let headers = r.headers().map_err(|e| format!("{file}:1: {e}"))?.clone();
    let mut col = [0usize; 6];
    for (i, name) in NEEDED.iter().enumerate() {
        col[i] = headers.iter().position(|h| h == *name).ok_or_else(|| {
            format!("{file}:1: not a scores file: no '{name}' column in the header")
        })?;
    }
    let mut out = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        match r.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(format!("{file}:{line}: {e}"));
            }
        }
        let line = rec.position().map_or(0, |p| p.line());
        let f = |i: usize| rec.get(col[i]).unwrap_or("");
        let bad =
            |what: &str, text: &str| format!("{file}:{line}: {what}: {}", quote(text.as_bytes()));
        let text = f(0);
        let target = match f(1) {
            "ip" | "net" => {
                Target::Ip(parse_entry(text.as_bytes()).map_err(|e| bad(&e.to_string(), text))?)
            }
            "domain" if is_domain(text) => Target::Domain,
            "domain" => return Err(bad("not a canonical domain name", text)),
            t => return Err(bad("bad type", t)),
        };
        let milli = parse_milli(f(2)).ok_or_else(|| bad("bad score", f(2)))?;
        let list = |i: usize, what: &str| -> Result<Vec<String>, String> {
            let v = f(i);
            if v.is_empty() {
                return Ok(Vec::new());
            }
            v.split(';')
                .map(|s| {
                    if is_name(s) {
                        Ok(s.to_string())
                    } else {
                        Err(bad(what, v))
                    }
                })
                .collect()
        };
        let categories = list(3, "bad category")?;
        let feeds = list(4, "bad feed name")?;
        let last_seen = f(5)
            .parse::<jiff::Timestamp>()
            .map_err(|_| bad("bad time", f(5)))?
            .as_second();
        out.push(Scored {
            target,
            text: text.to_string(),
            milli,
            categories,
            feeds,
            last_seen,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const H: &str = "indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors\n";

    #[test]
    fn reads_rows_and_names_bad_ones() {
        let data = format!(
            "{H}198.51.100.7,ip,4.125,botnet-c2;scanner,feodo,2026-11-20T08:00:00Z,2026-11-27T13:58:00Z,17,3\n\
             bad.example,domain,1.5,phishing,openphish,2026-11-20T08:00:00Z,2026-11-27T13:58:00Z,1,0\n"
        );
        let rows = read("s.csv", data.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].milli, 4125);
        assert_eq!(rows[0].categories, vec!["botnet-c2", "scanner"]);
        assert_eq!(rows[1].target, Target::Domain);
        let data = format!("{H}1.2.3,ip,1,,f,2026-11-20T08:00:00Z,2026-11-20T08:00:00Z,1,0\n");
        assert_eq!(
            read("s.csv", data.as_bytes()).unwrap_err(),
            "s.csv:2: IPv4 address without four octets: '1.2.3'"
        );
        assert!(read("s.csv", &b"a,b\n"[..])
            .unwrap_err()
            .starts_with("s.csv:1: not a scores"));
    }

    proptest! {
        #[test]
        fn bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut data = H.as_bytes().to_vec();
            data.extend_from_slice(&b);
            let _ = read("s.csv", &data[..]);
        }
    }
}
