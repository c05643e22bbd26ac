//! Tor's lists of exit relays: the bulk exit list is a plain list (read by
//! `list`); the `exit-addresses` records give each exit address the time
//! it was seen.

use super::{words, LineParser};
use crate::feed::collect::{Collector, Meta};
use crate::feed::Error;

impl LineParser {
    /// `ExitAddress ADDR YYYY-MM-DD HH:MM:SS`: the address, first and last
    /// seen then; the other keywords of a record (ExitNode, Published,
    /// LastStatus) and CollecTor's `@type`/`Downloaded` lines carry nothing
    /// to keep.
    pub(super) fn tor_exits(
        &mut self,
        c: &mut Collector,
        n: u64,
        line: &[u8],
    ) -> Result<(), Error> {
        let Some(t) = self.content(line, &[b"#"]) else {
            return Ok(());
        };
        let mut w = words(t);
        match w.next().unwrap_or(b"") {
            b"ExitAddress" => {
                self.seen_data = true;
                let addr = w.next().unwrap_or(b"");
                let time = match (w.next(), w.next()) {
                    (Some(day), Some(clock)) => std::str::from_utf8(day)
                        .ok()
                        .zip(std::str::from_utf8(clock).ok())
                        .and_then(|(d, h)| crate::time::feed::parse(&format!("{d} {h}"))),
                    _ => None,
                };
                let Some(time) = time else {
                    return c.reject(n, "expected ExitAddress ADDRESS YYYY-MM-DD HH:MM:SS", t);
                };
                let meta = Meta {
                    first: Some(time),
                    last: Some(time),
                    ..Meta::default()
                };
                c.address_text(n, addr, Some(meta))
            }
            b"ExitNode" | b"Published" | b"LastStatus" | b"@type" | b"Downloaded" => Ok(()),
            _ => {
                self.seen_data = true;
                c.reject(
                    n,
                    "expected ExitNode, Published, LastStatus or ExitAddress",
                    t,
                )
            }
        }
    }
}
