//! nftables: one `table inet NAME` (IPv4 and IPv6 together) that one
//! `nft -f` transaction replaces whole. The file starts with `table inet
//! NAME {}` and `delete table inet NAME`, so loading it twice leaves one
//! table with the same rules (never duplicates), and a failed load leaves
//! the previous table in force.
//!
//! Six interval sets (`allow4`, `allow6`, `block_in4`, `block_in6`,
//! `block_out4`, `block_out6`) hold merged, disjoint intervals (written as
//! CIDRs or `a-b`), never overlapping or contained ones, so nft needs no
//! `auto-merge` (which makes replacing a large set many times slower).
//! Their `size` is twice the entries, rounded up to a power of two.
//!
//! Chains hook input, forward (a firewall that routes for an inside
//! network) and output, at `priority filter - 10`. A packet with an
//! allow-listed endpoint is accepted first: accept ends this table's
//! evaluation only, so other tables still judge it; it only skips our
//! drops. Then inbound packets from `block_in` are counted and dropped
//! (input and forward), and logged first when an inbound prefix is given
//! (`log_in_prefix`); outbound packets to `block_out` are counted, logged
//! with the prefix and dropped (output and forward). Neither log is rate
//! limited: a drop is logged once per packet, as LOG lines the kernel
//! writes (`tl-logs` reads them back).
//!
//! The table carries a comment with a digest of everything else in the
//! file and the entries per set; `tl-fw check` compares it (and the
//! chains and rules, listed without set elements) instead of listing
//! every element.

use super::{Options, Prepared, Rendered};
use crate::net::{Addr, Prefix, Range};
use crate::set::IntervalSet;

/// The sets of the table, in file order: name, nft type, list, family.
pub const SETS: [(&str, &str, List, Family); 6] = [
    ("allow4", "ipv4_addr", List::Allow, Family::V4),
    ("allow6", "ipv6_addr", List::Allow, Family::V6),
    ("block_in4", "ipv4_addr", List::BlockIn, Family::V4),
    ("block_in6", "ipv6_addr", List::BlockIn, Family::V6),
    ("block_out4", "ipv4_addr", List::BlockOut, Family::V4),
    ("block_out6", "ipv6_addr", List::BlockOut, Family::V6),
];

/// Which list a set holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    Allow,
    BlockIn,
    BlockOut,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

/// One set's data in a prepared render.
pub enum Data<'a> {
    V4(&'a IntervalSet<u32>),
    V6(&'a IntervalSet<u128>),
}

impl Data<'_> {
    pub fn len(&self) -> usize {
        match self {
            Data::V4(s) => s.ranges().len(),
            Data::V6(s) => s.ranges().len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The data of a set of [`SETS`].
pub fn data(p: &Prepared, list: List, family: Family) -> Data<'_> {
    let set = match list {
        List::Allow => &p.allow.set,
        List::BlockIn => &p.block_in.set,
        List::BlockOut => &p.block_out.set,
    };
    match family {
        Family::V4 => Data::V4(&set.v4),
        Family::V6 => Data::V6(&set.v6),
    }
}

/// The `size` of a set of `n` intervals: room for twice as many, a power
/// of two, at least 64.
pub fn size(n: usize) -> usize {
    n.saturating_mul(2).max(64).next_power_of_two()
}

/// The prefix of the table comment; what follows is `digest=HEX16
/// entries=N,N,N,N,N,N` (in [`SETS`] order).
pub const COMMENT_TAG: &str = "tl-fw";

/// The table's structure without set elements, as `nft -t list ruleset`
/// prints it (one trimmed line each, counters left out): what `check`
/// expects to find.
pub fn skeleton(p: &Prepared, o: &Options) -> Vec<String> {
    let mut lines = Vec::new();
    for (name, ty, list, family) in SETS {
        let n = data(p, list, family).len();
        lines.push(format!("set {name} {{"));
        lines.push(format!("type {ty}"));
        lines.push(format!("size {}", size(n)));
        lines.push("flags interval".into());
        lines.push("}".into());
    }
    for (chain, rules) in chains(o) {
        lines.push(format!("chain {chain} {{"));
        lines.push(format!(
            "type filter hook {chain} priority filter - 10; policy accept;"
        ));
        lines.extend(rules);
        lines.push("}".into());
    }
    lines
}

/// The base chains and their rules, in nft's own printed form.
fn chains(o: &Options) -> Vec<(&'static str, Vec<String>)> {
    let log = format!("log prefix \"{}\"", o.log_prefix);
    let log_in = match &o.log_in_prefix {
        Some(p) => format!("log prefix \"{p}\" "),
        None => String::new(),
    };
    let accept = |dir: &str| {
        vec![
            format!("ip {dir} @allow4 accept"),
            format!("ip6 {dir} @allow6 accept"),
        ]
    };
    let block_in = vec![
        format!("ip saddr @block_in4 counter {log_in}drop"),
        format!("ip6 saddr @block_in6 counter {log_in}drop"),
    ];
    let block_out = vec![
        format!("ip daddr @block_out4 counter {log} drop"),
        format!("ip6 daddr @block_out6 counter {log} drop"),
    ];
    let input = [accept("saddr"), block_in.clone()].concat();
    let forward = [
        accept("saddr"),
        accept("daddr"),
        block_in,
        block_out.clone(),
    ]
    .concat();
    let output = [accept("daddr"), block_out].concat();
    vec![("input", input), ("forward", forward), ("output", output)]
}

/// FNV-1a, 64 bits: a stable digest of the rendered table (not a defence
/// against someone who can change the rules anyway; it tells `check`
/// whether the table in force was loaded from this render).
pub fn digest(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The table comment for a rendered body.
pub fn comment(p: &Prepared, body_digest: u64) -> String {
    let counts: Vec<String> = SETS
        .iter()
        .map(|&(_, _, list, family)| data(p, list, family).len().to_string())
        .collect();
    format!(
        "{COMMENT_TAG} digest={body_digest:016x} entries={}",
        counts.join(",")
    )
}

/// The whole file and the table comment it carries.
pub fn render_with_comment(p: &Prepared, o: &Options) -> (Vec<u8>, String) {
    let name = &o.name;
    let mut head = Vec::new();
    head.extend_from_slice(
        format!(
            "#!/usr/sbin/nft -f\n\
             # tl-fw: nftables rules for the lists (allow {}, block-in {}, block-out {} entries).\n\
             # One transaction replaces the table: check with `nft -c -f FILE`, load\n\
             # with `nft -f FILE`; loading it again changes nothing.\n\
             table inet {name} {{}}\n\
             delete table inet {name}\n\
             table inet {name} {{\n",
            p.allow.entries, p.block_in.entries, p.block_out.entries
        )
        .as_bytes(),
    );
    let mut body = Vec::new();
    for (set, ty, list, family) in SETS {
        let d = data(p, list, family);
        body.extend_from_slice(
            format!(
                "\tset {set} {{\n\t\ttype {ty}\n\t\tsize {}\n\t\tflags interval\n",
                size(d.len())
            )
            .as_bytes(),
        );
        if !d.is_empty() {
            body.extend_from_slice(b"\t\telements = {\n");
            match d {
                Data::V4(s) => elements(&mut body, s),
                Data::V6(s) => elements(&mut body, s),
            }
            body.extend_from_slice(b"\t\t}\n");
        }
        body.extend_from_slice(b"\t}\n\n");
    }
    for (chain, rules) in chains(o) {
        body.extend_from_slice(
            format!(
                "\tchain {chain} {{\n\t\ttype filter hook {chain} priority filter - 10; policy accept;\n"
            )
            .as_bytes(),
        );
        for r in rules {
            body.extend_from_slice(format!("\t\t{r}\n").as_bytes());
        }
        body.extend_from_slice(b"\t}\n");
        if chain != "output" {
            body.push(b'\n');
        }
    }
    body.extend_from_slice(b"}\n");
    let mut hashed = head.clone();
    hashed.extend_from_slice(&body);
    let comment = comment(p, digest(&hashed));
    let mut out = head;
    out.extend_from_slice(format!("\tcomment \"{comment}\"\n\n").as_bytes());
    out.extend_from_slice(&body);
    (out, comment)
}

/// One element a line: a CIDR when the interval is one, else `a-b`.
fn elements<A: Addr>(out: &mut Vec<u8>, s: &IntervalSet<A>) {
    let n = s.ranges().len();
    for (i, r) in s.ranges().iter().enumerate() {
        out.extend_from_slice(b"\t\t\t");
        write_entry(out, *r);
        out.extend_from_slice(if i + 1 < n { b",\n" } else { b"\n" });
    }
}

/// An interval as nft and ipset take it: a bare address, a CIDR or `a-b`.
pub fn write_entry<A: Addr>(out: &mut Vec<u8>, r: Range<A>) {
    match r.as_prefix() {
        Some(len) => crate::net::write_cidr(out, Prefix { addr: r.start, len }, true),
        None => crate::net::write_range(out, r, true),
    }
}

/// The rendered file: `NAME.nft`.
pub fn render(p: &Prepared, o: &Options) -> Rendered {
    let (file, _) = render_with_comment(p, o);
    Rendered {
        files: vec![(format!("{}.nft", o.name), file)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::firewall::fit::Fitted;
    use crate::set::IpSet;

    fn fitted(lines: &[&str]) -> Fitted {
        let set = IpSet::from_entries(
            lines
                .iter()
                .map(|l| crate::net::parse_entry(l.as_bytes()).unwrap()),
        );
        let entries = set.v4.ranges().len() + set.v6.ranges().len();
        Fitted { set, entries }
    }

    #[test]
    fn the_skeleton_check_expects_is_the_file_without_elements() {
        let p = Prepared {
            block_in: fitted(&["198.51.100.0/24", "2001:db8::/32"]),
            block_out: fitted(&["192.0.2.1-192.0.2.9"]),
            allow: fitted(&["198.51.100.7"]),
            cuts: Vec::new(),
        };
        let logged_in = Options {
            log_in_prefix: Some("tl drop in: ".into()),
            ..Options::default()
        };
        for o in [Options::default(), logged_in] {
            let (file, comment) = render_with_comment(&p, &o);
            let text = String::from_utf8(file).unwrap();
            let table = text.split("table inet threatlist {\n").nth(1).unwrap();
            let mut lines = Vec::new();
            let mut in_elements = false;
            for l in table.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if l == "elements = {" {
                    in_elements = true;
                } else if in_elements {
                    in_elements = l != "}";
                } else if !l.starts_with("comment ") {
                    lines.push(l.to_string());
                }
            }
            assert_eq!(lines.pop().as_deref(), Some("}"));
            assert_eq!(lines, skeleton(&p, &o));
            let logged = lines.iter().filter(|l| l.contains("log prefix")).count();
            assert_eq!(logged, if o.log_in_prefix.is_some() { 8 } else { 4 });
            assert!(comment.ends_with(" entries=1,0,1,1,1,0"), "{comment}");
            assert!(comment.len() <= 128);
        }
        assert_eq!(size(0), 64);
        assert_eq!(size(1_000_000), 2_097_152);
    }
}
