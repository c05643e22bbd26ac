//! Metadata from a feed's comment header: its name (FireHOL), category and
//! the time it was made.

/// What a feed says about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderMeta {
    /// The feed's own name (FireHOL's second header line).
    pub name: Option<String>,
    /// A category (FireHOL's `Category :`), lower-case.
    pub category: Option<String>,
    /// When the feed was made, Unix seconds.
    pub time: Option<i64>,
    /// Rank of the key `time` came from (lower wins).
    time_rank: u8,
}

/// Header keys that carry the feed's time, best first. FireHOL's "Source
/// File Date" is when the maintainer's list changed, "This File Date" only
/// when FireHOL re-processed it.
const TIME_KEYS: &[&str] = &[
    "source file date",
    "last-modified",
    "last modified",
    "last updated",
    "last update",
    "updated",
    "generated",
    "this file date",
    "date",
];

impl HeaderMeta {
    /// Reads one comment line (without its comment marker).
    pub fn comment(&mut self, text: &[u8], firehol: bool) {
        let Ok(text) = std::str::from_utf8(text) else {
            return;
        };
        let text = text.trim();
        if firehol && self.name.is_none() && !text.is_empty() {
            if is_name(text) {
                self.name = Some(text.to_string());
            } else {
                // Only the first non-blank line of the header is the name.
                self.name = Some(String::new());
            }
        }
        let Some((key, value)) = text.split_once(':') else {
            return;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        if key == "category" {
            if self.category.is_none() && is_name(value) {
                self.category = Some(value.to_ascii_lowercase());
            }
            return;
        }
        if let Some(rank) = TIME_KEYS.iter().position(|k| *k == key) {
            let rank = rank as u8 + 1;
            if self.time.is_none() || rank < self.time_rank {
                if let Some(t) = crate::time::feed::parse(value) {
                    self.time = Some(t);
                    self.time_rank = rank;
                }
            }
        }
    }

    /// The name, if the header had a usable one.
    pub fn feed_name(&self) -> Option<&str> {
        self.name.as_deref().filter(|n| !n.is_empty())
    }
}

/// A name safe as a feed name, category or file name.
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
        && !s.starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firehol_header() {
        let mut h = HeaderMeta::default();
        for l in [
            "",
            " blocklist_de",
            "",
            " ipv4 hash:ip ipset",
            " Category        : attacks",
            " Source File Date: Wed Jan 24 10:33:01 UTC 2024",
            " This File Date  : Wed Jan 24 10:40:08 UTC 2024",
        ] {
            h.comment(l.as_bytes(), true);
        }
        assert_eq!(h.feed_name(), Some("blocklist_de"));
        assert_eq!(h.category.as_deref(), Some("attacks"));
        assert_eq!(h.time, Some(1706092381));
    }
}
