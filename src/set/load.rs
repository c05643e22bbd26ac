//! Reading plain lists (one address, CIDR or range per line) into sets.

use super::SetBuilder;
use crate::error::LineError;
use crate::files::input::Lines;
use crate::net::{parse_entry, Entry, ParseError};
use std::io::{self, Read};

/// What a load saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadStats {
    pub lines: u64,
    pub entries: u64,
    pub skipped: u64,
    /// CSV rows that name no address (a domain indicator), left out.
    pub not_addresses: u64,
    /// The first refused line, kept for the summary when lines are skipped.
    pub first_error: Option<LineError>,
}

/// Where a [`Loader`] puts the entries it reads.
pub trait EntrySink {
    fn push_entry(&mut self, e: Entry);
}

impl EntrySink for SetBuilder {
    #[inline]
    fn push_entry(&mut self, e: Entry) {
        self.push(e);
    }
}

impl EntrySink for Vec<Entry> {
    #[inline]
    fn push_entry(&mut self, e: Entry) {
        self.push(e);
    }
}

/// Reads lists into a [`SetBuilder`] (or any [`EntrySink`]), in threatlist's strict syntax (see
/// `net::parse_entry`; iprange's dialect is `set::iprange`).
#[derive(Clone, Copy, Debug)]
pub struct Loader {
    /// Skip and count bad lines instead of stopping at the first.
    pub lenient: bool,
    /// A CSV header (`indicator,type,...`): an input whose first line is it
    /// is read as that CSV, the first column being the entry and rows whose
    /// second column is `domain` left out (counted). The caller names the
    /// header; this layer knows no record format.
    pub csv_header: Option<&'static str>,
}

/// Cuts a trailing `#` or `;` comment.
#[inline]
fn strip_comment(line: &[u8]) -> &[u8] {
    match memchr::memchr2(b'#', b';', line) {
        Some(i) => &line[..i],
        None => line,
    }
}

impl Loader {
    /// Parses one line; `Ok(None)` for blank and comment lines.
    #[inline]
    pub fn parse_line(&self, line: &[u8]) -> Result<Option<Entry>, ParseError> {
        let text = strip_comment(line).trim_ascii();
        if text.is_empty() {
            return Ok(None);
        }
        parse_entry(text).map(Some)
    }

    /// Reads every line of `input` into `into` (a [`SetBuilder`], or a
    /// `Vec<Entry>` to keep the entries as given). A bad line stops the
    /// load with its error unless the loader is lenient.
    pub fn load<R: Read>(
        &self,
        input: R,
        into: &mut impl EntrySink,
    ) -> io::Result<Result<LoadStats, LineError>> {
        let mut lines = Lines::new(input);
        let mut stats = LoadStats::default();
        let mut csv = false;
        while let Some((number, line)) = lines.next_line()? {
            stats.lines += 1;
            if number == 1 {
                if let (Ok(text), Some(header)) = (&line, self.csv_header) {
                    let text = text.trim_ascii_end();
                    csv = text.starts_with(header.as_bytes())
                        && matches!(text.get(header.len()), None | Some(b','));
                    if csv {
                        continue;
                    }
                }
            }
            let line = match line {
                Ok(text) if csv => {
                    let mut fields = text.split(|&c| c == b',');
                    let first = fields.next().unwrap_or_default();
                    if fields.next() == Some(b"domain") {
                        stats.not_addresses += 1;
                        continue;
                    }
                    Ok(first)
                }
                other => other,
            };
            let result = match line {
                Ok(text) => self.parse_line(text).map_err(|e| (e.to_string(), text)),
                Err(too_long) => Err((
                    format!("line longer than {} bytes", Lines::<R>::MAX_LINE),
                    too_long,
                )),
            };
            match result {
                Ok(Some(e)) => {
                    stats.entries += 1;
                    into.push_entry(e);
                }
                Ok(None) => {}
                Err((reason, text)) => {
                    let err = LineError {
                        line: number,
                        reason,
                        text: text.to_vec(),
                    };
                    if !self.lenient {
                        return Ok(Err(err));
                    }
                    stats.skipped += 1;
                    stats.first_error.get_or_insert(err);
                }
            }
        }
        Ok(Ok(stats))
    }
}
