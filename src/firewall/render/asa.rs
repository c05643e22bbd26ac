//! Cisco ASA / FTD (FlexConfig): network object-groups and access-list
//! entries at the top of two access-lists, `NAME_in` (bound inbound on the
//! outside interface) and `NAME_out` (bound inbound on the inside
//! interface). ASA 9.0 or later: one access-list and one object-group hold
//! IPv4 and IPv6 together, and `any` matches both.
//!
//! Replacement never leaves a list unenforced: the new contents are built
//! under `NAME_block_in_new` and enforced beside the old group before the
//! old one is removed; the group is then rebuilt under its own name and the
//! temporary one removed, so every run ends with the same names. The ASA
//! CLI has no quoting, so names are refused unless they are plain words.

use super::quote::{bare, dotted_mask, prefixes, Item};
use super::{Options, Prepared, Rendered};
use crate::firewall::Error;
use crate::set::IpSet;
use std::fmt::Write;

pub fn render(p: &Prepared, o: &Options) -> Result<Rendered, Error> {
    let name = bare(&o.name).ok_or_else(|| Error::BadText {
        option: "--name",
        reason: "ASA names take letters, digits, '_', '-' and '.'",
        text: o.name.clone(),
    })?;
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "! Cisco ASA / FTD configuration, written by tl-fw render --target asa."
    );
    let _ = writeln!(
        w,
        "! ASA 9.0 or later (IPv4 and IPv6 in one access-list). Paste in configuration"
    );
    let _ = writeln!(
        w,
        "! mode or copy to running-config; 'does not exist' errors on a first run are"
    );
    let _ = writeln!(
        w,
        "! expected (leftovers of an earlier run are removed first)."
    );
    let _ = writeln!(w, "!");
    let _ = writeln!(
        w,
        "! These lines go at the top (line 1) of the access-lists {name}_in (inbound on"
    );
    let _ = writeln!(
        w,
        "! the outside interface) and {name}_out (inbound on the inside interface); the"
    );
    let _ = writeln!(
        w,
        "! rest of each list is your own policy, which these commands never touch."
    );
    let _ = writeln!(
        w,
        "! Once, with your policy's entries following these lines:"
    );
    let _ = writeln!(w, "!   access-group {name}_in in interface outside");
    let _ = writeln!(w, "!   access-group {name}_out in interface inside");
    let _ = writeln!(w, "!");
    let _ = writeln!(
        w,
        "! The allow-list is already taken out of both groups. No permit entry is"
    );
    let _ = writeln!(
        w,
        "! written for it: a permit at the top would let allowed addresses past the"
    );
    let _ = writeln!(w, "! rest of the access-list.");
    let _ = writeln!(
        w,
        "! Inbound drops: {} entries; outbound drops (logged, message 106100): {}.",
        count(&p.block_in.set),
        count(&p.block_out.set)
    );
    group(
        w,
        &format!("{name}_block_in"),
        &format!("{name}_in"),
        true,
        &p.block_in.set,
    );
    group(
        w,
        &format!("{name}_block_out"),
        &format!("{name}_out"),
        false,
        &p.block_out.set,
    );
    Ok(Rendered {
        files: vec![(format!("{name}-asa.txt"), s.into_bytes())],
    })
}

fn count(set: &IpSet) -> usize {
    set.v4.prefix_count() + set.v6.prefix_count()
}

/// The commands that replace one group and its access-list entry.
fn group(w: &mut String, g: &str, acl: &str, inbound: bool, set: &IpSet) {
    let new = format!("{g}_new");
    let ace = |group: &str| {
        if inbound {
            format!("extended deny ip object-group {group} any")
        } else {
            format!("extended deny ip any object-group {group} log")
        }
    };
    let items = prefixes(set);
    let build = |w: &mut String, group: &str| {
        let _ = writeln!(w, "object-group network {group}");
        for i in &items {
            let _ = match i {
                _ if i.is_host() => writeln!(w, " network-object host {}", i.host_or_cidr()),
                Item::V4(p) => {
                    let mut addr = Vec::new();
                    crate::net::write_v4(&mut addr, p.addr);
                    let addr = String::from_utf8_lossy(&addr);
                    writeln!(w, " network-object {addr} {}", dotted_mask(p.len))
                }
                Item::V6(_) => writeln!(w, " network-object {}", i.cidr()),
            };
        }
        let _ = writeln!(w, "access-list {acl} line 1 {}", ace(group));
    };
    let _ = writeln!(w, "!");
    let _ = writeln!(w, "! {g}: {} entries", items.len());
    let _ = writeln!(w, "no access-list {acl} {}", ace(&new));
    let _ = writeln!(w, "no object-group network {new}");
    if items.is_empty() {
        // Nothing to enforce: the old entry and group go.
        let _ = writeln!(w, "no access-list {acl} {}", ace(g));
        let _ = writeln!(w, "no object-group network {g}");
        return;
    }
    build(w, &new);
    let _ = writeln!(w, "no access-list {acl} {}", ace(g));
    let _ = writeln!(w, "no object-group network {g}");
    build(w, g);
    let _ = writeln!(w, "no access-list {acl} {}", ace(&new));
    let _ = writeln!(w, "no object-group network {new}");
}
