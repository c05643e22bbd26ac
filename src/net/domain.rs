//! Domain names: the one check of what may become a name in a zone file or a
//! firewall script. Names from outside ([`canonical`]) are validated label by
//! label before any conversion, so nothing in a feed can carry a zone-file
//! directive; labels we build ourselves are checked by [`check_label`].

/// Why a domain name was refused.
pub type DomainError = &'static str;

/// Validates and canonicalises a domain name: lower-case IDNA A-labels, no
/// trailing dot, LDH labels of 1..63 octets, at most 253 octets in all, at
/// least two labels and a non-numeric top-level label. `_` may stand in any
/// label but the top-level one (`_sip._tcp.example.com`, `my_host.example`:
/// DNS and RPZ take them; they are plain octets in a zone file). Anything
/// that could carry a zone-file directive or record (spaces, `;`, `$`,
/// quotes, parentheses, control characters, `*`) is refused before any
/// conversion.
pub fn canonical(text: &[u8]) -> Result<String, DomainError> {
    if text.is_empty() {
        return Err("empty name");
    }
    for &c in text {
        match c {
            b' ' | b'\t' => return Err("space in a domain name"),
            b'\n' | b'\r' => return Err("line break in a domain name"),
            b';' => return Err("';' in a domain name"),
            b'$' => return Err("'$' in a domain name"),
            b'"' | b'\'' | b'(' | b')' | b'\\' | b'@' | b'/' | b':' | b'*' | b'=' | b'&' | b'?'
            | b'#' | b'!' | b'|' | b'^' | b'<' | b'>' | b'`' | b'%' | b'+' | b',' | b'[' | b']'
            | b'{' | b'}' | b'~' => return Err("character not allowed in a host name (LDH)"),
            0..=0x1f | 0x7f => return Err("control character in a domain name"),
            _ => {}
        }
    }
    let text = text.strip_suffix(b".").unwrap_or(text);
    let ascii = if text.is_ascii() {
        let lower = text.to_ascii_lowercase();
        // SAFETY of the unwrap: checked ASCII above.
        String::from_utf8(lower).unwrap_or_default()
    } else if text.contains(&b'_') {
        // IDNA's strict rules refuse `_`; such a mix is not worth guessing.
        return Err("'_' in an internationalised name");
    } else {
        let s = std::str::from_utf8(text).map_err(|_| "not UTF-8")?;
        idna::domain_to_ascii_strict(s).map_err(|_| "not a valid internationalised name (IDNA)")?
    };
    check_labels(&ascii)?;
    if ascii.split('.').any(|l| l.starts_with("xn--")) {
        // A-labels must decode to a valid U-label and map back unchanged
        // (underscore labels are plain ASCII, and IDNA refuses them).
        let idn: Vec<&str> = ascii.split('.').filter(|l| !l.contains('_')).collect();
        let idn = idn.join(".");
        let back = idna::domain_to_ascii_strict(&idn)
            .map_err(|_| "not a valid internationalised name (IDNA)")?;
        if back != idn {
            return Err("not a valid internationalised name (IDNA)");
        }
    }
    Ok(ascii)
}

/// The prefix of a wildcard entry: `*.example.com` lists the subdomains of
/// `example.com` and not the name itself (as a `*.` owner does in DNS).
pub const WILDCARD: &str = "*.";

/// Validates and canonicalises a name given as an entry of a list: a
/// [`canonical`] name, or `*.` and a canonical name (the subdomains only).
/// `*` anywhere else (`evil.*.com`, `*`, `**.a.example`) is refused.
pub fn canonical_entry(text: &[u8]) -> Result<String, DomainError> {
    match text.strip_prefix(WILDCARD.as_bytes()) {
        Some(rest) => Ok(format!("{WILDCARD}{}", canonical(rest)?)),
        None => canonical(text),
    }
}

/// The longest name any zone can hold as an owner: `NAME.ORIGIN` within
/// 255 octets on the wire (the name's octets + 2, and at least 2 for an
/// origin of one one-octet label, the root counted once) leaves 251.
pub const LISTABLE_MAX: usize = 251;

/// The longest name DNS carries, in octets without the final dot.
pub const NAME_MAX: usize = 253;
/// The longest label DNS carries, in octets.
pub const LABEL_MAX: usize = 63;

/// Whether `name` fits DNS's length limits and nothing more: at most
/// [`NAME_MAX`] octets without a final dot, in labels of 1 to
/// [`LABEL_MAX`] octets. For names handed to a resolver as they are
/// (iprange's host names, `localhost` included), not for list entries.
pub fn fits_dns(name: &[u8]) -> bool {
    let name = name.strip_suffix(b".").unwrap_or(name);
    name.len() <= NAME_MAX
        && name
            .split(|&c| c == b'.')
            .all(|l| (1..=LABEL_MAX).contains(&l.len()))
}

/// A domain name that enters the toolkit as an entry to be listed (a feed's
/// indicator): [`canonical_entry`] (so `*.example.com` stays a wildcard
/// entry), and no longer than any zone could publish ([`LISTABLE_MAX`]), so
/// a name that no later stage can take is refused and counted where it
/// enters.
pub fn listable(text: &[u8]) -> Result<String, DomainError> {
    let name = canonical_entry(text)?;
    if name.len() > LISTABLE_MAX {
        return Err("name longer than 251 octets, more than any zone can hold");
    }
    Ok(name)
}

fn check_labels(name: &str) -> Result<(), DomainError> {
    if name.len() > NAME_MAX {
        return Err("name longer than 253 octets");
    }
    let mut labels = 0;
    let mut last = "";
    let mut last_underscore = false;
    for label in name.split('.') {
        if label.is_empty() {
            return Err("empty label in a domain name");
        }
        if label.len() > LABEL_MAX {
            return Err("label longer than 63 octets");
        }
        let mut underscore = false;
        for c in label.bytes() {
            match c {
                b'a'..=b'z' | b'0'..=b'9' | b'-' => {}
                b'_' => underscore = true,
                _ => return Err("character not allowed in a host name (LDH)"),
            }
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("label starts or ends with '-'");
        }
        if underscore && label.starts_with("xn--") {
            return Err("'_' in an A-label (xn--)");
        }
        labels += 1;
        last = label;
        last_underscore = underscore;
    }
    if labels < 2 {
        return Err("single-label name (a whole top-level domain?)");
    }
    if last.bytes().all(|c| c.is_ascii_digit()) {
        return Err("numeric top-level label (an address?)");
    }
    if last_underscore {
        return Err("'_' in the top-level label");
    }
    Ok(())
}

/// One label as used in names we build ourselves (origins, list names,
/// profile names): 1..63 octets of lower-case letters, digits, `-` and `_`,
/// not starting or ending with `-`.
pub fn check_label(label: &str) -> Result<(), DomainError> {
    if label.is_empty() {
        return Err("empty label");
    }
    if label.len() > 63 {
        return Err("label longer than 63 octets");
    }
    if !label
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
    {
        return Err("label may hold only a-z, 0-9, '-' and '_'");
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err("label starts or ends with '-'");
    }
    Ok(())
}

/// Whether `name` is `listed` or a subdomain of it (both canonical); a
/// wildcard entry `*.listed` holds only the subdomains.
pub fn is_under(name: &str, listed: &str) -> bool {
    let strictly = |base: &str| name.strip_suffix(base).is_some_and(|h| h.ends_with('.'));
    match listed.strip_prefix(WILDCARD) {
        Some(base) => strictly(base),
        None => name == listed || strictly(listed),
    }
}

/// Whether every name the entry `entry` lists is under `listed` (both may
/// be wildcard entries): `example.com` covers `a.example.com` and
/// `*.example.com`; `*.example.com` covers `*.example.com` and
/// `*.a.example.com` but not `example.com`.
pub fn covers(listed: &str, entry: &str) -> bool {
    match entry.strip_prefix(WILDCARD) {
        Some(base) => is_under(base, listed.strip_prefix(WILDCARD).unwrap_or(listed)),
        None => is_under(entry, listed),
    }
}

/// A name already in our canonical form (lower case, no trailing dot), as
/// stored in scores, profiles and queries: 1..253 octets of labels that
/// pass [`check_label`]. `_` is allowed (service labels are listed too).
pub fn is_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 253 && name.split('.').all(|l| check_label(l).is_ok())
}

/// [`is_name`], or a wildcard entry `*.NAME` of one (as [`listable`]
/// gives them).
pub fn is_entry(name: &str) -> bool {
    is_name(name.strip_prefix(WILDCARD).unwrap_or(name))
}

#[cfg(test)]
mod tests {
    use super::canonical as canonical_domain;
    use super::*;

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
        // 251 octets may be listed, 252 and 253 are names but no zone's
        let a = "a".repeat(63);
        let name = |n: usize| format!("{a}.{a}.{a}.{}.com", "b".repeat(n - 196));
        assert!(listable(name(251).as_bytes()).is_ok());
        assert!(canonical_domain(name(253).as_bytes()).is_ok());
        assert!(listable(name(252).as_bytes()).is_err());
    }

    #[test]
    fn service_labels_and_wildcard_entries() {
        assert_eq!(
            canonical_domain(b"_SIP._tcp.Example.com").unwrap(),
            "_sip._tcp.example.com"
        );
        assert_eq!(
            canonical_domain(b"my_host.example").unwrap(),
            "my_host.example"
        );
        assert!(canonical_domain(b"example._com").is_err());
        assert!(canonical_domain(b"xn--_a.example").is_err());
        assert!(canonical_domain("_x.b\u{fc}cher.example".as_bytes()).is_err());
        assert_eq!(
            canonical_domain(b"_dmarc.xn--bcher-kva.example").unwrap(),
            "_dmarc.xn--bcher-kva.example"
        );
        // `*` only as a whole first label, and only in entries
        assert!(canonical_domain(b"*.example.com").is_err());
        assert_eq!(listable(b"*.Example.com").unwrap(), "*.example.com");
        for bad in [
            &b"*"[..],
            b"*.",
            b"*.com",
            b"**.example.com",
            b"*.*.example.com",
            b"evil.*.com",
            b"a*.example.com",
            b"*example.com",
            b"*.example.com\n$INCLUDE /etc/passwd",
        ] {
            assert!(listable(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        assert!(is_under("a.example.com", "*.example.com"));
        assert!(!is_under("example.com", "*.example.com"));
        assert!(is_under("example.com", "example.com"));
        assert!(is_entry("*._tcp.example.com") && !is_entry("a.*.example.com"));
        assert!(covers("example.com", "*.example.com"));
        assert!(covers("example.com", "a.example.com"));
        assert!(covers("*.example.com", "*.example.com"));
        assert!(covers("*.example.com", "*.a.example.com"));
        assert!(covers("*.example.com", "a.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(!covers("a.example.com", "*.example.com"));
        assert!(!covers("xample.com", "example.com"));
    }

    #[test]
    fn own_labels() {
        assert!(check_label("acme_1").is_ok());
        assert!(check_label("-a").is_err());
        assert!(check_label("A").is_err());
        assert!(check_label(&"a".repeat(64)).is_err());
        assert!(is_name("_dmarc.example") && is_name("localhost"));
        assert!(!is_name("a..example") && !is_name("A.example") && !is_name(""));
    }
}
