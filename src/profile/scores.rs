//! The scores CSV (`docs/formats.md`, read by [`crate::record::ScoreReader`])
//! checked and reduced to what compilation needs: the indicator parsed, the
//! feed and category names checked, since they reach the outputs.

use crate::error::InputError;
use crate::net::{parse_entry, Entry};
use crate::record::{IndicatorType, ScoreReader};
use std::io::Read;

pub use crate::record::format_milli;

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

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/".contains(&b))
}

/// Reads every row, handing each to `f` (nothing is kept here); the first
/// bad row is an error `FILE:LINE: reason: 'text'`, `offset` added to the
/// line (for a part of a file read after its header). Returns the rows read.
pub fn read_each(
    file: &str,
    input: impl Read,
    offset: u64,
    mut f: impl FnMut(Scored),
) -> Result<usize, InputError> {
    let at = |e: crate::error::LineError| InputError::line(file, e.line + offset, e.reason);
    let reader = ScoreReader::new(input).map_err(at)?;
    let mut rows = 0;
    for row in reader {
        let s = row.map_err(at)?;
        // ScoreReader has no line for a good row; count them (one per line).
        let line = rows as u64 + 2 + offset;
        let bad = |what: &str, text: &str| InputError::text(file, line, what, text);
        let target = match s.kind {
            IndicatorType::Ip | IndicatorType::Net => Target::Ip(
                parse_entry(s.indicator.as_bytes())
                    .map_err(|e| bad(&e.to_string(), &s.indicator))?,
            ),
            IndicatorType::Domain if crate::net::domain::is_entry(&s.indicator) => Target::Domain,
            IndicatorType::Domain => return Err(bad("not a canonical domain name", &s.indicator)),
        };
        for n in s.categories.iter().chain(&s.feeds) {
            if !is_name(n) {
                return Err(bad("bad feed or category name", n));
            }
        }
        rows += 1;
        f(Scored {
            target,
            text: s.indicator,
            milli: s.milli,
            categories: s.categories,
            feeds: s.feeds,
            last_seen: s.last_seen,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read(file: &str, input: &[u8]) -> Result<Vec<Scored>, String> {
        let mut out = Vec::new();
        read_each(file, input, 0, |s| out.push(s)).map_err(|e| e.to_string())?;
        Ok(out)
    }

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
