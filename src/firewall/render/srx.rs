//! Juniper SRX: `set` commands for one commit. The lists are address-sets
//! of the global address book, kept in the configuration group `NAME` so
//! that one `delete groups NAME` takes every old address out and the new
//! ones go in within the same commit (no moment without the lists). Two
//! zone policies use them: deny from the untrust zone's `NAME_block_in`,
//! deny and log to `NAME_block_out`. They are set, never deleted, so a
//! policy keeps the place it was moved to.

use super::quote::{junos as j, prefixes};
use super::{Options, Prepared, Rendered};
use crate::set::IpSet;
use std::fmt::Write;

pub fn render(p: &Prepared, o: &Options) -> Rendered {
    let name = &o.name;
    let group = j(name);
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "# Juniper SRX configuration, written by tl-fw render --target srx."
    );
    let _ = writeln!(
        w,
        "# Load in configuration mode and commit (one commit replaces the lists):"
    );
    let _ = writeln!(w, "#   load set {name}-srx.txt");
    let _ = writeln!(w, "#   commit check");
    let _ = writeln!(w, "#   commit");
    let _ = writeln!(w, "#");
    let _ = writeln!(
        w,
        "# Zones are the factory names untrust (outside) and trust (inside). New"
    );
    let _ = writeln!(
        w,
        "# policies go to the end of their zone pair's list: once, move them first:"
    );
    let _ = writeln!(
        w,
        "#   insert security policies from-zone untrust to-zone trust policy {name}-block-in before policy FIRST"
    );
    let _ = writeln!(
        w,
        "#   insert security policies from-zone trust to-zone untrust policy {name}-block-out before policy FIRST"
    );
    let _ = writeln!(
        w,
        "# The allow-list is already taken out of both sets; no permit policy is"
    );
    let _ = writeln!(
        w,
        "# written for it, which would let allowed addresses past your other policies."
    );
    let _ = writeln!(w, "delete groups {group}");
    set(w, o, "in", &p.block_in.set);
    set(w, o, "out", &p.block_out.set);
    let _ = writeln!(w, "set apply-groups {group}");
    let policy = |w: &mut String, from: &str, to: &str, what: &str, m: String, then: &[&str]| {
        let head = format!(
            "set security policies from-zone {from} to-zone {to} policy {}",
            j(&format!("{name}-block-{what}"))
        );
        let _ = writeln!(w, "{head} match {m} application any");
        for t in then {
            let _ = writeln!(w, "{head} then {t}");
        }
    };
    policy(
        w,
        "untrust",
        "trust",
        "in",
        format!(
            "source-address {} destination-address any",
            j(&format!("{name}_block_in"))
        ),
        &["deny"],
    );
    policy(
        w,
        "trust",
        "untrust",
        "out",
        format!(
            "source-address any destination-address {}",
            j(&format!("{name}_block_out"))
        ),
        &["deny", "log session-init"],
    );
    Rendered {
        files: vec![(format!("{name}-srx.txt"), s.into_bytes())],
    }
}

/// One list: an address per entry and the address-set holding them. An
/// empty list holds one address nothing is sent from or to (0.0.0.0/32),
/// because a policy cannot name an empty or missing set.
fn set(w: &mut String, o: &Options, what: &str, list: &IpSet) {
    let name = &o.name;
    let set = j(&format!("{name}_block_{what}"));
    let book = format!("set groups {} security address-book global", j(name));
    let mut items: Vec<String> = prefixes(list).iter().map(|i| i.cidr()).collect();
    let _ = writeln!(w, "# {name}_block_{what}: {} entries", items.len());
    if items.is_empty() {
        items.push("0.0.0.0/32".into());
    }
    for (n, prefix) in items.iter().enumerate() {
        let addr = j(&format!("{name}_{what}_{}", n + 1));
        let _ = writeln!(w, "{book} address {addr} {prefix}");
        let _ = writeln!(w, "{book} address-set {set} address {addr}");
    }
}
