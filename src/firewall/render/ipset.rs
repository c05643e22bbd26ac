//! ipset + iptables/ip6tables: `NAME.ipset`, input for `ipset restore`,
//! and `NAME.rules.v4` / `NAME.rules.v6`, input for `iptables-restore
//! --noflush` / `ip6tables-restore --noflush`.
//!
//! Sets are `hash:net` (`NAME-allow4`, `NAME-in4`, `NAME-out4` and the
//! `…6` ones, family inet6), with `hashsize` the entries rounded up to a
//! power of two (at least 1,024) and `maxelem` twice that (at least
//! 65,536): a list never meets ipset's default 65,536 limit ("Hash is
//! full"). Each set is built under a temporary name (`…-new`), then
//! swapped with the live one and the temporary destroyed, so the rules
//! never see a half-loaded set. `swap` needs the live sets to exist:
//! `tl-fw apply` creates missing ones first (by hand, once: `ipset create
//! NAME-in4 hash:net family inet`, and so on).
//!
//! The rules live in chains of their own (`NAME-in`, `NAME-fwd`,
//! `NAME-out`) that every load flushes and refills, so loading again
//! never duplicates a rule; INPUT, FORWARD and OUTPUT jump to them once,
//! first (`tl-fw apply` inserts a missing jump and removes extra ones; by
//! hand: `iptables -C INPUT -j NAME-in || iptables -I INPUT -j NAME-in`).
//! A packet with an allow-listed endpoint returns from our chain (the
//! rest of the built-in chain still judges it); inbound packets from
//! block-in are dropped (logged first with the inbound prefix, when one is
//! given), outbound packets to block-out logged with the prefix and
//! dropped. Every rule counts its packets.

use super::nft::{write_entry, Family, List};
use super::{Options, Prepared, Rendered};
use crate::net::{Addr, Range};
use crate::set::IntervalSet;

/// The sets: suffix of the name, list, family.
pub const SETS: [(&str, List, Family); 6] = [
    ("allow4", List::Allow, Family::V4),
    ("in4", List::BlockIn, Family::V4),
    ("out4", List::BlockOut, Family::V4),
    ("allow6", List::Allow, Family::V6),
    ("in6", List::BlockIn, Family::V6),
    ("out6", List::BlockOut, Family::V6),
];

/// The suffix of the temporary sets.
pub const TEMP: &str = "-new";

/// A live set's name.
pub fn set_name(o: &Options, suffix: &str) -> String {
    format!("{}-{suffix}", o.name)
}

/// Our chains and the built-in chain that jumps to each.
pub fn chains(o: &Options) -> [(&'static str, String); 3] {
    [
        ("INPUT", format!("{}-in", o.name)),
        ("FORWARD", format!("{}-fwd", o.name)),
        ("OUTPUT", format!("{}-out", o.name)),
    ]
}

/// `hashsize` and `maxelem` for `n` entries.
pub fn sizes(n: usize) -> (usize, usize) {
    let hashsize = n.max(1024).next_power_of_two();
    (hashsize, (hashsize * 2).max(65_536))
}

/// The sets this render loads (IPv6 ones only with IPv6).
pub fn sets(o: &Options) -> impl Iterator<Item = (&'static str, List, Family)> {
    let v6 = o.ipv6;
    SETS.into_iter().filter(move |s| v6 || s.2 == Family::V4)
}

/// A set's entries as CIDRs (what `hash:net` holds), as text lines.
pub fn entries(p: &Prepared, list: List, family: Family) -> Vec<Vec<u8>> {
    fn cidrs<A: Addr>(s: &IntervalSet<A>) -> Vec<Vec<u8>> {
        s.cidrs()
            .map(|c| {
                let mut out = Vec::new();
                write_entry(&mut out, Range::from_prefix(c.addr, c.len));
                out
            })
            .collect()
    }
    match super::nft::data(p, list, family) {
        super::nft::Data::V4(s) => cidrs(s),
        super::nft::Data::V6(s) => cidrs(s),
    }
}

/// The `create` line of a set.
pub fn create_line(name: &str, family: Family, n: usize) -> String {
    let (hashsize, maxelem) = sizes(n);
    let fam = match family {
        Family::V4 => "inet",
        Family::V6 => "inet6",
    };
    format!("create {name} hash:net family {fam} hashsize {hashsize} maxelem {maxelem}")
}

/// `ipset restore` input: every set built under its temporary name, then
/// swapped in, then the temporaries (holding the old entries) destroyed.
pub fn restore_file(p: &Prepared, o: &Options) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(
        format!(
            "# tl-fw: ipset restore input (allow {}, block-in {}, block-out {} entries).\n\
             # The live sets must exist (tl-fw apply creates missing ones); each is\n\
             # built as {}-…{TEMP}, swapped in, and the temporary destroyed.\n",
            p.allow.entries, p.block_in.entries, p.block_out.entries, o.name
        )
        .as_bytes(),
    );
    for (suffix, list, family) in sets(o) {
        let temp = format!("{}{TEMP}", set_name(o, suffix));
        let lines = entries(p, list, family);
        out.extend_from_slice(create_line(&temp, family, lines.len()).as_bytes());
        out.push(b'\n');
        for l in lines {
            out.extend_from_slice(b"add ");
            out.extend_from_slice(temp.as_bytes());
            out.push(b' ');
            out.extend_from_slice(&l);
            out.push(b'\n');
        }
    }
    for (suffix, _, _) in sets(o) {
        let live = set_name(o, suffix);
        out.extend_from_slice(format!("swap {live}{TEMP} {live}\n").as_bytes());
    }
    for (suffix, _, _) in sets(o) {
        let live = set_name(o, suffix);
        out.extend_from_slice(format!("destroy {live}{TEMP}\n").as_bytes());
    }
    out
}

/// Our chains' rules for one family, as `iptables -S CHAIN` prints them
/// (after the `-N CHAIN` line).
pub fn rules(o: &Options, family: Family) -> Vec<(String, Vec<String>)> {
    let n = match family {
        Family::V4 => "4",
        Family::V6 => "6",
    };
    let allow = set_name(o, &format!("allow{n}"));
    let block_in = set_name(o, &format!("in{n}"));
    let block_out = set_name(o, &format!("out{n}"));
    let [(_, c_in), (_, c_fwd), (_, c_out)] = chains(o);
    let ret = |c: &str, dir: &str| format!("-A {c} -m set --match-set {allow} {dir} -j RETURN");
    let drop_in = |c: &str| {
        let mut rules = Vec::new();
        if let Some(p) = &o.log_in_prefix {
            rules.push(format!(
                "-A {c} -m set --match-set {block_in} src -j LOG --log-prefix \"{p}\""
            ));
        }
        rules.push(format!("-A {c} -m set --match-set {block_in} src -j DROP"));
        rules
    };
    let drop_out = |c: &str| {
        [
            format!(
                "-A {c} -m set --match-set {block_out} dst -j LOG --log-prefix \"{}\"",
                o.log_prefix
            ),
            format!("-A {c} -m set --match-set {block_out} dst -j DROP"),
        ]
    };
    let mut fwd = vec![ret(&c_fwd, "src"), ret(&c_fwd, "dst")];
    fwd.extend(drop_in(&c_fwd));
    fwd.extend(drop_out(&c_fwd));
    let mut out = vec![ret(&c_out, "dst")];
    out.extend(drop_out(&c_out));
    let mut inp = vec![ret(&c_in, "src")];
    inp.extend(drop_in(&c_in));
    vec![(c_in.clone(), inp), (c_fwd, fwd), (c_out, out)]
}

/// `iptables-restore --noflush` input for one family: our chains declared
/// (which flushes them) and refilled, in one commit.
pub fn rules_file(p: &Prepared, o: &Options, family: Family) -> Vec<u8> {
    let tool = match family {
        Family::V4 => "iptables",
        Family::V6 => "ip6tables",
    };
    let mut s = format!(
        "# tl-fw: {tool}-restore --noflush input (allow {}, block-in {}, block-out {} entries).\n\
         # Load after the sets. Our chains are flushed and refilled; the built-in\n\
         # chains jump to them once, first:\n",
        p.allow.entries, p.block_in.entries, p.block_out.entries
    );
    for (builtin, chain) in chains(o) {
        s.push_str(&format!(
            "#   {tool} -C {builtin} -j {chain} || {tool} -I {builtin} -j {chain}\n"
        ));
    }
    s.push_str("*filter\n");
    let rules = rules(o, family);
    for (chain, _) in &rules {
        s.push_str(&format!(":{chain} - [0:0]\n"));
    }
    for (_, lines) in &rules {
        for l in lines {
            s.push_str(l);
            s.push('\n');
        }
    }
    s.push_str("COMMIT\n");
    s.into_bytes()
}

/// The rendered files: `NAME.ipset`, `NAME.rules.v4` and (with IPv6)
/// `NAME.rules.v6`.
pub fn render(p: &Prepared, o: &Options) -> Rendered {
    let mut files = vec![
        (format!("{}.ipset", o.name), restore_file(p, o)),
        (format!("{}.rules.v4", o.name), rules_file(p, o, Family::V4)),
    ];
    if o.ipv6 {
        files.push((format!("{}.rules.v6", o.name), rules_file(p, o, Family::V6)));
    }
    Rendered { files }
}
