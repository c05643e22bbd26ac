//! Text for the vendor targets: strings quoted by each configuration
//! language's own rules, and a list's entries as those languages write
//! them. Names and log prefixes are checked by `Options::check` before a
//! renderer runs; they are quoted here all the same, so that no text can
//! end a string, start a command or expand a variable in a script.

use crate::net::{write_cidr, write_range, write_v4, Addr, Prefix, Range};
use crate::set::IpSet;

/// A RouterOS string: double quotes, with `\`, `"`, `$` (variables) and
/// `?` (help in the console) escaped, and any byte outside printable ASCII
/// written as `\XX` (hex), so a newline cannot start another command.
pub fn routeros(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &b in s.as_bytes() {
        match b {
            b'\\' | b'"' | b'$' | b'?' => {
                out.push('\\');
                out.push(b as char);
            }
            b' '..=b'~' => out.push(b as char),
            _ => out.push_str(&format!("\\{b:02X}")),
        }
    }
    out.push('"');
    out
}

/// A PowerShell single-quoted string: nothing inside expands; a quote is
/// doubled. PowerShell also takes the typographic single quotes (U+2018,
/// U+2019, U+201A, U+201B) as quotes, so they are doubled too. A newline
/// inside single quotes is literal text, never a new command.
pub fn powershell(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// A Junos word: bare when it is letters, digits, `_`, `-` and `.`;
/// otherwise double-quoted with `"` and `\` escaped. A Junos string cannot
/// hold a control character (a newline would end the `set` command), so
/// those become `?`.
pub fn junos(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(is_word) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A POSIX shell word in single quotes (`'` written as `'\''`), for the
/// commands shown in comments.
pub fn shell(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(is_word) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A name for a language without quoting (Cisco ASA object and access-list
/// names, pf table names between `<` and `>`): only letters, digits, `_`,
/// `-` and `.`. `None` for anything else, which the caller refuses.
pub fn bare(s: &str) -> Option<&str> {
    (!s.is_empty() && s.bytes().all(is_word)).then_some(s)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// One entry of a list as a vendor writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    V4(Prefix<u32>),
    V6(Prefix<u128>),
}

impl Item {
    /// `a.b.c.d/len` (also for a single host).
    pub fn cidr(&self) -> String {
        let mut out = Vec::new();
        match self {
            Item::V4(p) => write_cidr(&mut out, *p, false),
            Item::V6(p) => write_cidr(&mut out, *p, false),
        }
        text(out)
    }

    /// The bare address for a single host, `addr/len` otherwise.
    pub fn host_or_cidr(&self) -> String {
        let mut out = Vec::new();
        match self {
            Item::V4(p) => write_cidr(&mut out, *p, true),
            Item::V6(p) => write_cidr(&mut out, *p, true),
        }
        text(out)
    }

    /// Whether the entry is a single address.
    pub fn is_host(&self) -> bool {
        match self {
            Item::V4(p) => p.len == 32,
            Item::V6(p) => p.len == 128,
        }
    }
}

/// The list as CIDR prefixes: IPv4 first, then IPv6, in address order.
pub fn prefixes(set: &IpSet) -> Vec<Item> {
    set.v4
        .cidrs()
        .map(Item::V4)
        .chain(set.v6.cidrs().map(Item::V6))
        .collect()
}

/// The list as ranges: each written as a CIDR when it is one, a bare
/// address when it is one address, `first-last` otherwise.
pub fn ranges(set: &IpSet) -> Vec<String> {
    set.v4
        .ranges()
        .iter()
        .map(|r| range(*r))
        .chain(set.v6.ranges().iter().map(|r| range(*r)))
        .collect()
}

/// One entry as [`ranges`] writes it.
pub fn entry(e: &crate::net::Entry) -> String {
    match e {
        crate::net::Entry::V4(r) => range(*r),
        crate::net::Entry::V6(r) => range(*r),
    }
}

/// One range as [`ranges`] writes it.
pub fn range<A: Addr>(r: Range<A>) -> String {
    let mut out = Vec::new();
    match r.as_prefix() {
        Some(len) => write_cidr(&mut out, Prefix { addr: r.start, len }, true),
        None => write_range(&mut out, r, true),
    }
    text(out)
}

/// An IPv4 prefix length as a dotted mask (`255.255.255.0`).
pub fn dotted_mask(len: u32) -> String {
    let mut out = Vec::new();
    write_v4(&mut out, u32::netmask(len));
    text(out)
}

fn text(bytes: Vec<u8>) -> String {
    // Addresses are ASCII.
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text an attacker might put in a name, a log prefix or a comment.
    const HOSTILE: &[&str] = &[
        "a\"; /system reset-configuration; #",
        "x' ; Remove-NetFirewallRule -All; '",
        "$(reboot)",
        "`whoami`",
        "line1\nline2",
        "back\\slash",
        "\u{2019}; Stop-Computer; \u{2018}",
        "a\r\n/ip firewall filter remove [find]",
    ];

    #[test]
    fn routeros_strings_cannot_be_left() {
        assert_eq!(routeros("threatlist out: "), "\"threatlist out: \"");
        assert_eq!(routeros("a\"b$c?d\\e"), r#""a\"b\$c\?d\\e""#);
        assert_eq!(routeros("a\nb"), r#""a\0Ab""#);
        for h in HOSTILE {
            let q = routeros(h);
            let inner = &q[1..q.len() - 1];
            // Every quote, dollar and backslash inside is escaped, nothing
            // is a control character.
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                assert!(!c.is_control(), "{q}");
                assert!(c != '"' && c != '$', "{q}");
                if c == '\\' {
                    let n = chars.next().unwrap();
                    assert!("\\\"$?".contains(n) || n.is_ascii_hexdigit(), "{q}");
                    if n.is_ascii_hexdigit() {
                        assert!(chars.next().unwrap().is_ascii_hexdigit());
                    }
                }
            }
        }
    }

    #[test]
    fn powershell_strings_cannot_be_left() {
        assert_eq!(powershell("threatlist"), "'threatlist'");
        assert_eq!(powershell("it's"), "'it''s'");
        for h in HOSTILE {
            let q = powershell(h);
            let inner: Vec<char> = q.chars().collect();
            let inner = &inner[1..inner.len() - 1];
            // Quotes come in pairs: the string never ends inside.
            let mut i = 0;
            while i < inner.len() {
                if matches!(
                    inner[i],
                    '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}'
                ) {
                    assert_eq!(inner.get(i + 1), Some(&inner[i]), "{q}");
                    i += 2;
                } else {
                    i += 1;
                }
            }
        }
    }

    #[test]
    fn junos_words_and_strings() {
        assert_eq!(junos("threatlist_block_in"), "threatlist_block_in");
        assert_eq!(junos("a b"), "\"a b\"");
        for h in HOSTILE {
            let q = junos(h);
            assert!(q.starts_with('"') && q.ends_with('"'), "{q}");
            assert!(!q.chars().any(char::is_control), "{q}");
            let inner = &q[1..q.len() - 1];
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                assert_ne!(c, '"', "{q}");
                if c == '\\' {
                    assert!(matches!(chars.next(), Some('"' | '\\')), "{q}");
                }
            }
        }
    }

    #[test]
    fn shell_words_and_bare_names() {
        assert_eq!(shell("threatlist"), "threatlist");
        assert_eq!(shell("a'b"), r"'a'\''b'");
        assert_eq!(bare("threatlist_block_in"), Some("threatlist_block_in"));
        for h in HOSTILE {
            assert_eq!(bare(h), None);
        }
    }

    #[test]
    fn entries_as_vendors_write_them() {
        let set = IpSet::from_entries(
            ["10.0.0.1-10.0.0.6", "192.0.2.0/24", "2001:db8::1"]
                .iter()
                .map(|l| crate::net::parse_entry(l.as_bytes()).unwrap()),
        );
        let p: Vec<String> = prefixes(&set).iter().map(Item::host_or_cidr).collect();
        assert_eq!(
            p,
            [
                "10.0.0.1",
                "10.0.0.2/31",
                "10.0.0.4/31",
                "10.0.0.6",
                "192.0.2.0/24",
                "2001:db8::1"
            ]
        );
        assert_eq!(
            ranges(&set),
            ["10.0.0.1-10.0.0.6", "192.0.2.0/24", "2001:db8::1"]
        );
        assert_eq!(dotted_mask(24), "255.255.255.0");
        assert_eq!(dotted_mask(0), "0.0.0.0");
    }
}
