//! The scores record: what `tl-score` writes and `tl-compile` reads.
//!
//! ```text
//! indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors
//! 198.51.100.7,ip,4.125,botnet-c2;scanner,feodo,2026-11-20T08:00:00Z,2026-11-27T13:58:00Z,17,3
//! ```
//!
//! `score` has three decimals; `categories` are `;`-separated, the largest
//! contribution first; `feeds` are `;`-separated in name order; `sensors` is
//! the number of distinct sensors. `tl-score --explain` appends a `reason`
//! column; readers accept both forms.

use super::IndicatorType;
use crate::error::LineError;
use crate::time::TimeCache;
use std::io::{self, Read, Write};

/// The header row of the scores CSV.
pub const SCORE_HEADER: &str =
    "indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors";

/// One row of the scores CSV. Times are Unix seconds (UTC).
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub indicator: String,
    pub kind: IndicatorType,
    /// In thousandths, as written (`2.500` is 2500).
    pub milli: u64,
    pub categories: Vec<String>,
    pub feeds: Vec<String>,
    pub first_seen: i64,
    pub last_seen: i64,
    pub hits: u64,
    pub sensors: u64,
    /// The compact explanation (`--explain`).
    pub reason: Option<String>,
}

/// A score in thousandths, rounded half away from zero; what the CSV shows
/// and what rows are sorted by. Negative and NaN scores are 0.
pub fn score_milli(score: f64) -> u64 {
    if score.is_nan() || score <= 0.0 {
        0
    } else {
        (score * 1000.0).round().min(u64::MAX as f64) as u64
    }
}

/// `2.500`.
pub fn format_milli(milli: u64) -> String {
    format!("{}.{:03}", milli / 1000, milli % 1000)
}

fn parse_milli(s: &str) -> Option<u64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty()
        || frac.len() > 3
        || !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let frac: u64 = format!("{frac:0<3}").parse().ok()?;
    int.parse::<u64>()
        .ok()?
        .checked_mul(1000)?
        .checked_add(frac)
}

impl Score {
    /// Appends the row (with a trailing newline) to `out`.
    pub fn write_row(&self, out: &mut Vec<u8>, with_reason: bool) {
        super::push_field(out, &self.indicator);
        out.push(b',');
        out.extend_from_slice(self.kind.as_str().as_bytes());
        out.push(b',');
        out.extend_from_slice(format_milli(self.milli).as_bytes());
        out.push(b',');
        super::push_field(out, &self.categories.join(";"));
        out.push(b',');
        super::push_field(out, &self.feeds.join(";"));
        out.push(b',');
        out.extend_from_slice(crate::time::format(self.first_seen).as_bytes());
        out.push(b',');
        out.extend_from_slice(crate::time::format(self.last_seen).as_bytes());
        out.push(b',');
        out.extend_from_slice(self.hits.to_string().as_bytes());
        out.push(b',');
        out.extend_from_slice(self.sensors.to_string().as_bytes());
        super::end_row(
            out,
            with_reason.then(|| self.reason.as_deref().unwrap_or("")),
        );
    }
}

/// Writes the header row.
pub fn write_score_header(out: &mut impl Write, with_reason: bool) -> io::Result<()> {
    super::write_header_row(out, SCORE_HEADER, with_reason.then_some("reason"))
}

/// Reads a scores CSV, checking the header and every field.
pub struct ScoreReader<R: Read> {
    inner: csv::Reader<R>,
    with_reason: bool,
    record: csv::StringRecord,
    /// One per time column: each remembers its own last date.
    times: [TimeCache; 2],
}

impl<R: Read> ScoreReader<R> {
    /// Reads and checks the header row.
    pub fn new(input: R) -> Result<Self, LineError> {
        let (inner, with_reason) = super::open_csv(input, SCORE_HEADER, "reason", "a scores")?;
        Ok(ScoreReader {
            inner,
            with_reason,
            record: csv::StringRecord::new(),
            times: Default::default(),
        })
    }
}

impl<R: Read> Iterator for ScoreReader<R> {
    type Item = Result<Score, LineError>;
    fn next(&mut self) -> Option<Self::Item> {
        let (with_reason, times) = (self.with_reason, &mut self.times);
        super::next_row(&mut self.inner, &mut self.record, |r| {
            parse_row(r, with_reason, times)
        })
    }
}

fn parse_row(
    r: &csv::StringRecord,
    with_reason: bool,
    times: &mut [TimeCache; 2],
) -> Result<Score, LineError> {
    let f = |i: usize| r.get(i).unwrap_or("");
    let bad = |what: &str, i: usize| super::bad_field(what, f(i));
    let list = |i: usize| -> Vec<String> {
        f(i).split(';')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    Ok(Score {
        indicator: f(0).to_string(),
        kind: IndicatorType::parse(f(1)).ok_or_else(|| bad("type", 1))?,
        milli: parse_milli(f(2)).ok_or_else(|| bad("score", 2))?,
        categories: list(3),
        feeds: list(4),
        first_seen: times[0]
            .parse(f(5).as_bytes())
            .ok_or_else(|| bad("time", 5))?,
        last_seen: times[1]
            .parse(f(6).as_bytes())
            .ok_or_else(|| bad("time", 6))?,
        hits: f(7).parse().map_err(|_| bad("hits", 7))?,
        sensors: f(8).parse().map_err(|_| bad("sensors", 8))?,
        reason: (with_reason && !f(9).is_empty()).then(|| f(9).to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let s = Score {
            indicator: "198.51.100.7".into(),
            kind: IndicatorType::Ip,
            milli: score_milli(4.1254),
            categories: vec!["botnet-c2".into(), "scanner".into()],
            feeds: vec!["feodo".into()],
            first_seen: 1_700_000_000,
            last_seen: 1_700_003_600,
            hits: 17,
            sensors: 3,
            reason: Some("botnet-c2 2.700 (feodo); scanner 1.425 (3 sensors)".into()),
        };
        let mut buf = Vec::new();
        write_score_header(&mut buf, true).unwrap();
        s.write_row(&mut buf, true);
        assert_eq!(
            String::from_utf8_lossy(&buf),
            "indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors,reason\n\
             198.51.100.7,ip,4.125,botnet-c2;scanner,feodo,2023-11-14T22:13:20Z,2023-11-14T23:13:20Z,17,3,\
             botnet-c2 2.700 (feodo); scanner 1.425 (3 sensors)\n"
        );
        let rows: Vec<_> = ScoreReader::new(&buf[..]).unwrap().collect();
        assert_eq!(rows, vec![Ok(s)]);
        assert_eq!(parse_milli("2.5"), Some(2500));
        assert_eq!(parse_milli("2.5555"), None);
        assert_eq!(format_milli(7), "0.007");
        assert_eq!(score_milli(f64::NAN), 0);
    }
}
