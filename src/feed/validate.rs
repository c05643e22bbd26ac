//! What may leave a feed: address entries checked for the real-world
//! failure patterns, special-purpose space, and domain names validated label
//! by label so that nothing from a feed can be injected into a zone file.

use crate::net::{parse_entry, parse_v4_strict, parse_v6, Entry, ParseError};
use crate::set::IntervalSet;
use std::sync::OnceLock;

/// Special-purpose IPv4 space (RFC 6890 and the IANA registry): never a
/// threat source worth publishing, and blocking it breaks networks.
const SPECIAL_V4: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
];

/// The IPv6 equivalents (IPv4-mapped space is read as IPv4 already).
const SPECIAL_V6: &[&str] = &[
    "::/128",
    "::1/128",
    "64:ff9b:1::/48",
    "100::/64",
    "2001::/23",
    "2001:db8::/32",
    "3fff::/20",
    "5f00::/16",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
];

/// The special-purpose space as sets, built once.
pub fn special_v4() -> &'static IntervalSet<u32> {
    static S: OnceLock<IntervalSet<u32>> = OnceLock::new();
    S.get_or_init(|| {
        IntervalSet::from_ranges(
            SPECIAL_V4
                .iter()
                .filter_map(|s| match parse_entry(s.as_bytes()) {
                    Ok(Entry::V4(r)) => Some(r),
                    _ => None,
                })
                .collect(),
        )
    })
}

pub fn special_v6() -> &'static IntervalSet<u128> {
    static S: OnceLock<IntervalSet<u128>> = OnceLock::new();
    S.get_or_init(|| {
        IntervalSet::from_ranges(
            SPECIAL_V6
                .iter()
                .filter_map(|s| match parse_entry(s.as_bytes()) {
                    Ok(Entry::V6(r)) => Some(r),
                    _ => None,
                })
                .collect(),
        )
    })
}

/// Reasons an address line is refused beyond plain syntax errors.
pub const GLUED: &str = "two addresses glued together";
pub const SEVERAL: &str = "several addresses on one line";
pub const URL_PATH: &str = "host bits set under a short prefix (a URL path like '/1'?)";
pub const URL: &str = "a URL, not an address";
pub const HOSTNAME: &str = "a hostname in an IP list";

/// Parses an address, CIDR or range from a feed, refusing the forms that
/// are mistakes rather than data: two addresses run together by a lost
/// newline, a URL path that reads as a huge prefix (`1.2.3.4/1`).
pub fn parse_address(text: &[u8]) -> Result<Entry, &'static str> {
    // The common case first: one dotted quad.
    if let Ok(a) = parse_v4_strict(text) {
        return Ok(Entry::V4(crate::net::Range::new(a, a)));
    }
    if memchr::memmem::find(text, b"://").is_some() {
        return Err(URL);
    }
    match parse_entry(text) {
        Ok(e) => {
            check_host_bits(text, &e)?;
            Ok(e)
        }
        Err(err) => Err(explain(text, err)),
    }
}

/// `a.b.c.d/len` with host bits set and a short prefix is almost always a
/// URL path (`host/1`), not a network: refuse rather than block a /1.
fn check_host_bits(text: &[u8], e: &Entry) -> Result<(), &'static str> {
    let Some(slash) = memchr::memchr(b'/', text) else {
        return Ok(());
    };
    if memchr::memchr(b'-', text).is_some() {
        return Ok(()); // CIDR ranges are checked as ranges
    }
    let addr = text[..slash].trim_ascii();
    match e {
        Entry::V4(r) => {
            let len = crate::net::Range::as_prefix(r).unwrap_or(32);
            let a = parse_v4_strict(addr).or_else(|_| {
                parse_v6(addr).map(|v| v as u32) // ::ffff:a.b.c.d/len
            });
            if a.is_ok_and(|a| a != r.start) && len < 24 {
                return Err(URL_PATH);
            }
        }
        Entry::V6(r) => {
            let len = crate::net::Range::as_prefix(r).unwrap_or(128);
            if parse_v6(addr).is_ok_and(|a| a != r.start) && len < 64 {
                return Err(URL_PATH);
            }
        }
    }
    Ok(())
}

fn explain(text: &[u8], err: ParseError) -> &'static str {
    let fields: Vec<&[u8]> = text
        .split(|&c| c == b' ' || c == b'\t' || c == b',')
        .filter(|f| !f.is_empty())
        .collect();
    if fields.len() >= 2 && fields.iter().all(|f| parse_entry(f).is_ok()) {
        return SEVERAL;
    }
    if is_glued_v4(text) {
        return GLUED;
    }
    match err {
        ParseError::Hostname => HOSTNAME,
        other => other.reason(),
    }
}

/// `1.2.3.45.6.7.8`: two dotted quads with the newline between them lost.
fn is_glued_v4(text: &[u8]) -> bool {
    if !text.iter().all(|&c| c.is_ascii_digit() || c == b'.') {
        return false;
    }
    let parts: Vec<&[u8]> = text.split(|&c| c == b'.').collect();
    if parts.len() != 7 {
        return false;
    }
    let mid = parts[3];
    (1..mid.len()).any(|k| {
        let left = [parts[0], parts[1], parts[2], &mid[..k]].join(&b'.');
        let right = [&mid[k..], parts[4], parts[5], parts[6]].join(&b'.');
        parse_v4_strict(&left).is_ok() && parse_v4_strict(&right).is_ok()
    })
}

/// Why a domain name was refused.
pub type DomainError = &'static str;

/// Validates and canonicalises a domain name: lower-case IDNA A-labels, no
/// trailing dot, LDH labels of 1..63 octets, at most 253 octets in all, at
/// least two labels and a non-numeric top-level label. Anything that could
/// carry a zone-file directive or record (spaces, `;`, `$`, quotes,
/// parentheses, control characters) is refused before any conversion.
pub fn canonical_domain(text: &[u8]) -> Result<String, DomainError> {
    if text.is_empty() {
        return Err("empty name");
    }
    for &c in text {
        match c {
            b' ' | b'\t' => return Err("space in a domain name"),
            b'\n' | b'\r' => return Err("line break in a domain name"),
            b';' => return Err("';' in a domain name"),
            b'$' => return Err("'$' in a domain name"),
            b'"' | b'\'' | b'(' | b')' | b'\\' | b'@' | b'/' | b':' | b'*' | b'_' | b'=' | b'&'
            | b'?' | b'#' | b'!' | b'|' | b'^' | b'<' | b'>' | b'`' | b'%' | b'+' | b',' | b'['
            | b']' | b'{' | b'}' | b'~' => {
                return Err("character not allowed in a host name (LDH)")
            }
            0..=0x1f | 0x7f => return Err("control character in a domain name"),
            _ => {}
        }
    }
    let text = text.strip_suffix(b".").unwrap_or(text);
    let ascii = if text.is_ascii() {
        let lower = text.to_ascii_lowercase();
        // SAFETY of the unwrap: checked ASCII above.
        String::from_utf8(lower).unwrap_or_default()
    } else {
        let s = std::str::from_utf8(text).map_err(|_| "not UTF-8")?;
        idna::domain_to_ascii_strict(s).map_err(|_| "not a valid internationalised name (IDNA)")?
    };
    check_labels(&ascii)?;
    if ascii.split('.').any(|l| l.starts_with("xn--")) {
        // A-labels must decode to a valid U-label and map back unchanged.
        let back = idna::domain_to_ascii_strict(&ascii)
            .map_err(|_| "not a valid internationalised name (IDNA)")?;
        if back != ascii {
            return Err("not a valid internationalised name (IDNA)");
        }
    }
    Ok(ascii)
}

fn check_labels(name: &str) -> Result<(), DomainError> {
    if name.len() > 253 {
        return Err("name longer than 253 octets");
    }
    let mut labels = 0;
    let mut last = "";
    for label in name.split('.') {
        if label.is_empty() {
            return Err("empty label in a domain name");
        }
        if label.len() > 63 {
            return Err("label longer than 63 octets");
        }
        if !label
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        {
            return Err("character not allowed in a host name (LDH)");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("label starts or ends with '-'");
        }
        labels += 1;
        last = label;
    }
    if labels < 2 {
        return Err("single-label name (a whole top-level domain?)");
    }
    if last.bytes().all(|c| c.is_ascii_digit()) {
        return Err("numeric top-level label (an address?)");
    }
    Ok(())
}

/// What a free-form value (a CSV or JSON field) names.
pub enum Value {
    Address(Entry),
    Domain(String),
    Unsupported(&'static str),
}

/// Reads a field that may hold an address, `ip:port`, a URL (its host is
/// taken), a domain, or something else (a hash), as abuse.ch exports do.
pub fn parse_value(text: &[u8]) -> Result<Value, &'static str> {
    let text = text.trim_ascii();
    if text.is_empty() {
        return Err("empty value");
    }
    if let Some(i) = memchr::memmem::find(text, b"://") {
        return parse_host(url_host(&text[i + 3..]));
    }
    if is_hash(text) {
        return Ok(Value::Unsupported("file hash"));
    }
    parse_host(text)
}

/// An address, `ip:port`, `[v6]:port` or a name.
fn parse_host(text: &[u8]) -> Result<Value, &'static str> {
    if text.is_empty() {
        return Err("empty host");
    }
    let text = if text.first() == Some(&b'[') {
        match memchr::memchr(b']', text) {
            Some(i) => &text[1..i],
            None => return Err("unterminated '[' in an address"),
        }
    } else if memchr::memchr_iter(b':', text).count() == 1 {
        &text[..memchr::memchr(b':', text).unwrap_or(text.len())]
    } else {
        text
    };
    let looks_numeric = text
        .iter()
        .all(|&c| c.is_ascii_hexdigit() || b".:/- ".contains(&c))
        && (text.contains(&b':') || text.iter().all(|&c| !c.is_ascii_alphabetic()));
    if looks_numeric {
        return parse_address(text).map(Value::Address);
    }
    canonical_domain(text).map(Value::Domain)
}

/// The host part of the rest of a URL after `scheme://`.
fn url_host(rest: &[u8]) -> &[u8] {
    let end = rest
        .iter()
        .position(|&c| c == b'/' || c == b'?' || c == b'#')
        .unwrap_or(rest.len());
    let auth = &rest[..end];
    match memchr::memrchr(b'@', auth) {
        Some(i) => &auth[i + 1..],
        None => auth,
    }
}

fn is_hash(text: &[u8]) -> bool {
    matches!(text.len(), 32 | 40 | 64 | 128) && text.iter().all(u8::is_ascii_hexdigit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_patterns() {
        assert_eq!(parse_address(b"1.2.3.45.6.7.8").unwrap_err(), GLUED);
        assert_eq!(parse_address(b"1.2.3.4 5.6.7.8").unwrap_err(), SEVERAL);
        assert_eq!(parse_address(b"1.2.3.4/1").unwrap_err(), URL_PATH);
        assert_eq!(parse_address(b"2001:db8::1/3").unwrap_err(), URL_PATH);
        assert_eq!(parse_address(b"http://1.2.3.4/1").unwrap_err(), URL);
        assert!(parse_address(b"1.2.3.9/24").is_ok());
        assert!(parse_address(b"1.2.3.4").is_ok());
        assert_eq!(parse_address(b"evil.example").unwrap_err(), HOSTNAME);
    }

    #[test]
    fn domains() {
        assert_eq!(canonical_domain(b"Example.COM.").unwrap(), "example.com");
        assert_eq!(
            canonical_domain("bücher.example".as_bytes()).unwrap(),
            "xn--bcher-kva.example"
        );
        assert!(canonical_domain(b"a.example\n$ORIGIN evil.").is_err());
        assert!(canonical_domain(b"a;b.example").is_err());
        assert!(canonical_domain(b"com").is_err());
        assert!(canonical_domain(b"-a.example").is_err());
        assert!(canonical_domain(b"1.2.3.4").is_err());
        assert!(canonical_domain(&[b'a'; 64]).is_err());
        assert!(canonical_domain(b"xn--zz.example").is_err());
    }

    #[test]
    fn values() {
        let host = |s: &str| match parse_value(s.as_bytes()) {
            Ok(Value::Domain(d)) => d,
            Ok(Value::Address(Entry::V4(r))) => format!("{:x}", r.start),
            Ok(Value::Address(Entry::V6(r))) => format!("{:x}", r.start),
            Ok(Value::Unsupported(u)) => u.to_string(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(host("http://user@Evil.example:8080/x?y"), "evil.example");
        assert_eq!(host("1.2.3.4:443"), "1020304");
        assert_eq!(
            host("https://[2001:db8::1]:443/"),
            "20010db8000000000000000000000001"
        );
        assert_eq!(host("d41d8cd98f00b204e9800998ecf8427e"), "file hash");
    }
}
