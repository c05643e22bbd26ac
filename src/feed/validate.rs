//! What may leave a feed: address entries checked for the real-world
//! failure patterns, and free-form values (URLs, `ip:port`) read for the host
//! they name. Domain names are checked by `net::domain`, special-purpose
//! space is `set::special`.

use crate::net::{parse_entry, parse_v4_strict, parse_v6, Entry, ParseError};

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
    crate::net::domain::listable(text).map(Value::Domain)
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
