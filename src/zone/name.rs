//! Owner names: what may become a name in a zone file.
//!
//! Names from feeds were validated at ingestion; they are checked again here
//! because a zone file is a language (`$INCLUDE`, `;`, `(`, `@`, line breaks)
//! and one bad line either fails the whole zone or, worse, adds records.
//! Only canonical names pass: lower-case LDH labels of 1..63 octets (IDNA
//! A-labels; `_` too, but not in the top-level label), no trailing dot, and
//! `*.` only as the whole first label of a wildcard entry. A valid name too
//! long for a zone (the owner `*.NAME.ORIGIN` over 255 octets on the wire)
//! is left out of that zone and counted: one entry never stops a whole
//! publication.

use crate::net::domain::canonical_entry;
pub use crate::net::domain::check_label;

/// Why a name was refused.
pub type NameError = crate::net::domain::DomainError;

/// Octets of a name on the wire (labels with their length bytes, plus the
/// root), for a name in text form without a trailing dot; `""` is the root.
pub fn wire_len(name: &str) -> usize {
    if name.is_empty() {
        1
    } else {
        name.len() + 2
    }
}

/// A zone origin or another absolute name from the command line or the
/// configuration: case is folded, one trailing dot is allowed; returned
/// without the trailing dot. The root (`.`) is refused: nothing here is
/// published at the root.
pub fn check_absolute(text: &str) -> Result<String, NameError> {
    let name = text.strip_suffix('.').unwrap_or(text).to_ascii_lowercase();
    if name.is_empty() {
        return Err("empty name");
    }
    for label in name.split('.') {
        check_label(label)?;
    }
    if wire_len(&name) > 255 {
        return Err("name longer than 255 octets");
    }
    Ok(name)
}

/// A domain from a list: it must already be canonical, so that what is
/// published is exactly what the list says; `*.NAME` is a wildcard entry
/// (the subdomains of NAME, not NAME). Whether it fits under a zone's
/// origin is [`fits_under`]'s question (a name that does not is left out
/// and counted, not an error).
pub fn check_list_domain(text: &[u8]) -> Result<String, NameError> {
    let name = canonical_entry(text)?;
    if name.as_bytes() != text {
        return Err("not in canonical form (lower-case A-labels, no trailing dot)");
    }
    // In a policy zone these labels make a name an IP or nameserver trigger
    // (`32.1.0.0.127.rpz-client-ip`): a feed must not be able to write one.
    if name.split('.').any(|l| l.starts_with("rpz-")) {
        return Err("label starting with 'rpz-' (reserved in policy zones)");
    }
    Ok(name)
}

/// Why [`fits_under`] refused a name.
pub const TOO_LONG_FOR_ZONE: &str = "over 255 octets with the origin";

/// Whether the owner `NAME.ORIGIN` (with `wildcard`, also `*.NAME.ORIGIN`;
/// a wildcard entry `*.NAME` is its own only owner) stays within 255
/// octets on the wire.
pub fn fits_under(name: &str, origin: &str, wildcard: bool) -> bool {
    let entry_wildcard = name.starts_with(crate::net::domain::WILDCARD);
    let star = if wildcard && !entry_wildcard { 2 } else { 0 };
    // the root is counted once
    wire_len(name) + star + wire_len(origin) - 1 <= 255
}

/// A list's name in a zone: one label, with room for the chunk numbers
/// appended to it (`blk`, `blk1`, ...).
pub fn check_list_label(s: &str) -> Result<(), NameError> {
    check_label(s)?;
    if s.len() > 56 {
        return Err("longer than 56 octets (chunk numbers are appended)");
    }
    Ok(())
}

/// `rel.origin` when `rel` is not empty, else `origin`.
pub fn join(rel: &str, origin: &str) -> String {
    match (rel.is_empty(), origin.is_empty()) {
        (true, _) => origin.to_string(),
        (false, true) => rel.to_string(),
        (false, false) => format!("{rel}.{origin}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_names() {
        assert_eq!(check_absolute("Lists.Example.").unwrap(), "lists.example");
        assert!(check_absolute(".").is_err());
        assert!(check_absolute("a..b").is_err());
        assert!(check_absolute("a b").is_err());
        assert!(check_absolute("$include").is_err());
        assert_eq!(check_absolute("_xfr.example").unwrap(), "_xfr.example");
    }

    #[test]
    fn list_domains_are_canonical_and_fit() {
        assert_eq!(check_list_domain(b"bad.example").unwrap(), "bad.example");
        for bad in [
            &b"Bad.example"[..],
            b"bad.example.",
            b"\"bad.example\"",
            b"evil.com;x",
            b"ev il.com",
            b"evil(.com",
            b"a..b.com",
            b"@",
            b"*",
            b"*.*.evil.com",
            b"*.Evil.com",
            b"evil.*.com",
            b"$INCLUDE /etc/hostname",
            b"$GENERATE 1-3 host$ CNAME .",
            b"a\nb.com",
            "b\u{fc}cher.example".as_bytes(),
            b"32.3.0.0.127.rpz-client-ip",
            b"1.2.3.4",
        ] {
            assert!(check_list_domain(bad).is_err(), "{:?}", bad);
        }
        // wildcard entries and service labels
        assert_eq!(check_list_domain(b"*.evil.com").unwrap(), "*.evil.com");
        assert_eq!(
            check_list_domain(b"_sip._tcp.evil.com").unwrap(),
            "_sip._tcp.evil.com"
        );
        // 64-octet label
        let long = format!("{}.com", "a".repeat(64));
        assert!(check_list_domain(long.as_bytes()).is_err());
        // The limit depends on the origin: *.NAME.ORIGIN within 255 octets.
        let origin = "san.local";
        let name = |n: usize| {
            // three 60-octet labels, one of n - 187 octets, then "com"
            let l = "a".repeat(60);
            let s = format!("{l}.{l}.{l}.{}.com", "b".repeat(n - 187));
            assert_eq!(s.len(), n);
            check_list_domain(s.as_bytes()).unwrap()
        };
        // wire: n + 2 + 2 + 11 - 1 <= 255  <=>  n <= 241
        assert!(fits_under(&name(241), origin, true));
        assert!(!fits_under(&name(242), origin, true));
        // without the wildcard two octets more
        assert!(fits_under(&name(243), origin, false));
        assert!(!fits_under(&name(244), origin, false));
    }
}
