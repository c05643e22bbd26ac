//! MikroTik RouterOS script (`/import`): IPv4 lists in `/ip firewall
//! address-list`, IPv6 lists in `/ipv6 firewall address-list` (separate
//! lists of prefixes), and the filter rules that use them, added only when
//! absent (found by comment), so running the script again adds none.
//!
//! Replacement never leaves an entry unenforced: the new list is loaded as
//! `NAME_block_in_new`, which a rule of its own already drops; then the old
//! list is removed and the new one renamed entry by entry, each entry
//! always in one of the two dropped lists. Every string is quoted
//! RouterOS-style.

use super::quote::{prefixes, routeros as q};
use super::{Options, Prepared, Rendered};
use crate::set::IpSet;
use std::fmt::Write;

pub fn render(p: &Prepared, o: &Options) -> Rendered {
    let name = &o.name;
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "# RouterOS script, written by tl-fw render --target mikrotik."
    );
    let _ = writeln!(w, "# Upload it and run: /import file-name={name}.rsc");
    let _ = writeln!(w, "#");
    let _ = writeln!(
        w,
        "# Drops traffic from the {name}_block_in lists (chains input and forward) and"
    );
    let _ = writeln!(
        w,
        "# drops and logs traffic to the {name}_block_out lists (chains forward and"
    );
    let _ = writeln!(
        w,
        "# output), through the chains {name}-in and {name}-out, jumped to from the top."
    );
    let _ = writeln!(
        w,
        "# The allow-list is already taken out of the block lists; no accept rule is"
    );
    let _ = writeln!(
        w,
        "# written for it, which would let allowed addresses past your other rules."
    );
    let _ = writeln!(
        w,
        "# Each list is loaded as LIST_new, dropped by a rule of its own, then renamed."
    );
    let families: &[(&str, &IpSet, &IpSet)] = &[
        ("/ip", &v4(&p.block_in.set), &v4(&p.block_out.set)),
        ("/ipv6", &v6(&p.block_in.set), &v6(&p.block_out.set)),
    ];
    for (menu, block_in, block_out) in families {
        if *menu == "/ipv6" && !o.ipv6 {
            let _ = writeln!(w, "#\n# IPv6: left out (--no-ipv6).");
            continue;
        }
        family(w, menu, o, block_in, block_out);
    }
    Rendered {
        files: vec![(format!("{name}.rsc"), s.into_bytes())],
    }
}

fn v4(s: &IpSet) -> IpSet {
    IpSet {
        v4: s.v4.clone(),
        ..IpSet::default()
    }
}

fn v6(s: &IpSet) -> IpSet {
    IpSet {
        v6: s.v6.clone(),
        ..IpSet::default()
    }
}

fn family(w: &mut String, menu: &str, o: &Options, block_in: &IpSet, block_out: &IpSet) {
    let name = &o.name;
    let lists = [
        (format!("{name}_block_in"), block_in),
        (format!("{name}_block_out"), block_out),
    ];
    let _ = writeln!(w, "#");
    let _ = writeln!(
        w,
        "# {}: {} entries to drop inbound, {} outbound.",
        if menu == "/ip" { "IPv4" } else { "IPv6" },
        prefixes(block_in).len(),
        prefixes(block_out).len()
    );
    let _ = writeln!(w, "{menu} firewall address-list");
    for (list, set) in &lists {
        let new = q(&format!("{list}_new"));
        let _ = writeln!(w, "remove [find list={new}]");
        for item in prefixes(set) {
            let _ = writeln!(w, "add list={new} address={}", item.host_or_cidr());
        }
    }
    // The rules, each added when no rule has its comment.
    let filter = format!("{menu} firewall filter");
    let tag = |what: &str| q(&format!("threatlist:{name}:{what}"));
    let chain_in = q(&format!("{name}-in"));
    let chain_out = q(&format!("{name}-out"));
    let log = format!("log=yes log-prefix={}", q(&o.log_prefix));
    let mut rules: Vec<(String, String)> = Vec::new();
    for (suffix, what) in [("", "block-in"), ("_new", "block-in-new")] {
        rules.push((
            tag(what),
            format!(
                "chain={chain_in} action=drop src-address-list={}",
                q(&format!("{name}_block_in{suffix}"))
            ),
        ));
    }
    for (suffix, what) in [("", "block-out"), ("_new", "block-out-new")] {
        rules.push((
            tag(what),
            format!(
                "chain={chain_out} action=drop dst-address-list={} {log}",
                q(&format!("{name}_block_out{suffix}"))
            ),
        ));
    }
    for (tag, args) in &rules {
        let _ = writeln!(
            w,
            ":if ([:len [{filter} find comment={tag}]] = 0) do={{ {filter} add {args} comment={tag} }}"
        );
    }
    // The jumps go before every other static rule.
    for (chain, target, what) in [
        ("input", &chain_in, "input-in"),
        ("forward", &chain_in, "forward-in"),
        ("forward", &chain_out, "forward-out"),
        ("output", &chain_out, "output-out"),
    ] {
        let tag = tag(what);
        let args = format!("chain={chain} action=jump jump-target={target} comment={tag}");
        let _ = writeln!(
            w,
            ":if ([:len [{filter} find comment={tag}]] = 0) do={{ \
             :local first [{filter} find dynamic=no]; \
             :if ([:len $first] = 0) do={{ {filter} add {args} }} \
             else={{ {filter} add {args} place-before=[:pick $first 0] }} }}"
        );
    }
    // The swap: the old list goes, the new one takes its name.
    let _ = writeln!(w, "{menu} firewall address-list");
    for (list, _) in &lists {
        let _ = writeln!(w, "remove [find list={}]", q(list));
        let _ = writeln!(
            w,
            "set [find list={}] list={}",
            q(&format!("{list}_new")),
            q(list)
        );
    }
}
