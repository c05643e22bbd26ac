//! pf (OpenBSD, FreeBSD): three table files (one CIDR a line, IPv4 and
//! IPv6 together) and an anchor that declares the tables from those files
//! and blocks with them. Loading the anchor (`pfctl -a NAME -f`) replaces
//! rules and tables in one transaction; `pfctl -T replace -f` replaces one
//! table's contents at once. The anchor states the `table-entries` limit
//! the lists need (pf's default is 200,000 entries in all tables
//! together).

use super::quote::{bare, prefixes, shell};
use super::{Options, Prepared, Rendered};
use crate::firewall::fit::Fitted;
use crate::firewall::Error;
use std::fmt::Write;

/// pf's default `table-entries` limit (all tables together).
const DEFAULT_TABLE_ENTRIES: usize = 200_000;
/// What FreeBSD lets one table ioctl carry by default
/// (`net.pf.request_maxcount`).
const FREEBSD_REQUEST_MAXCOUNT: usize = 65_535;

pub fn render(p: &Prepared, o: &Options) -> Result<Rendered, Error> {
    let name = bare(&o.name).ok_or_else(|| Error::BadText {
        option: "--name",
        reason: "pf names take letters, digits, '_', '-' and '.'",
        text: o.name.clone(),
    })?;
    let tables = [
        (format!("{name}_allow"), &p.allow),
        (format!("{name}_block_in"), &p.block_in),
        (format!("{name}_block_out"), &p.block_out),
    ];
    let mut files = Vec::new();
    for (table, list) in &tables {
        let mut body = String::new();
        for item in prefixes(&list.set) {
            body.push_str(&item.host_or_cidr());
            body.push('\n');
        }
        files.push((table.clone(), body.into_bytes()));
    }
    let mut s = String::new();
    usage(&mut s, name, &tables);
    limits(&mut s, p, &tables);
    let w = &mut s;
    let _ = writeln!(w);
    for (table, _) in &tables {
        let _ = writeln!(w, "table <{table}> persist file \"{table}\"");
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "block drop in quick from <{name}_block_in> to any");
    let _ = writeln!(w, "block drop out log quick from any to <{name}_block_out>");
    files.push((format!("{name}.anchor"), s.into_bytes()));
    Ok(Rendered { files })
}

/// The anchor's opening comment: what it does and how to load it.
fn usage(w: &mut String, name: &str, tables: &[(String, &Fitted)]) {
    let a = shell(name);
    let _ = writeln!(
        w,
        "# pf anchor {name}, written by tl-fw render --target pf."
    );
    let _ = writeln!(w, "#");
    let _ = writeln!(
        w,
        "# Drops inbound traffic from <{name}_block_in> and drops and logs (pflog0)"
    );
    let _ = writeln!(
        w,
        "# outbound traffic to <{name}_block_out>. The allow-list is already taken out"
    );
    let _ = writeln!(
        w,
        "# of both tables; <{name}_allow> is loaded for your own rules. It is not used"
    );
    let _ = writeln!(
        w,
        "# as 'pass quick from <{name}_allow>': a quick pass in an anchor ends the whole"
    );
    let _ = writeln!(
        w,
        "# ruleset's evaluation, so it would let those addresses past every later rule."
    );
    let _ = writeln!(w, "#");
    let _ = writeln!(
        w,
        "# Once, in pf.conf, before your pass rules: anchor \"{name}\""
    );
    let _ = writeln!(
        w,
        "# Load or replace it all (rules and tables, one transaction), from the"
    );
    let _ = writeln!(w, "# directory holding this file and the table files:");
    let _ = writeln!(
        w,
        "#   pfctl -a {a} -f {}",
        shell(&format!("{name}.anchor"))
    );
    let _ = writeln!(w, "# or replace one table's contents:");
    for (table, _) in tables {
        let _ = writeln!(
            w,
            "#   pfctl -a {a} -t {t} -T replace -f {t}",
            t = shell(table)
        );
    }
}

/// The comment on pf's limits these tables need.
fn limits(w: &mut String, p: &Prepared, tables: &[(String, &Fitted)]) {
    let entries: usize = tables.iter().map(|(_, l)| l.set_cidrs()).sum();
    let largest = tables.iter().map(|(_, l)| l.set_cidrs()).max().unwrap_or(0);
    let limit = table_entries(entries);
    let _ = writeln!(w, "#");
    let _ = writeln!(
        w,
        "# Table entries: {entries} in these tables ({} allow, {} block-in, {} block-out).",
        p.allow.set_cidrs(),
        p.block_in.set_cidrs(),
        p.block_out.set_cidrs()
    );
    let _ = writeln!(
        w,
        "# pf's default limit is {DEFAULT_TABLE_ENTRIES} entries in all tables together. With half again"
    );
    let _ = writeln!(
        w,
        "# for growth and 100000 for the ruleset's other tables, they need {limit}{}",
        if limit == DEFAULT_TABLE_ENTRIES {
            " (the default);"
        } else {
            "; in pf.conf:"
        }
    );
    let _ = writeln!(w, "#   set limit table-entries {limit}");
    if largest > FREEBSD_REQUEST_MAXCOUNT {
        let _ = writeln!(
            w,
            "# FreeBSD lets one table request carry net.pf.request_maxcount addresses"
        );
        let _ = writeln!(
            w,
            "# ({FREEBSD_REQUEST_MAXCOUNT} by default); the largest table here has {largest}, so first:"
        );
        let _ = writeln!(
            w,
            "#   sysctl net.pf.request_maxcount={}",
            limit.max(largest)
        );
    } else {
        let _ = writeln!(
            w,
            "# Every table is within FreeBSD's {FREEBSD_REQUEST_MAXCOUNT} addresses per request"
        );
        let _ = writeln!(w, "# (net.pf.request_maxcount).");
    }
}

/// The `table-entries` limit for `entries` in these tables: half again for
/// growth and 100,000 for other tables, rounded up to a multiple of
/// 100,000, never below pf's default.
fn table_entries(entries: usize) -> usize {
    let want = entries + entries / 2 + 100_000;
    want.div_ceil(100_000)
        .saturating_mul(100_000)
        .max(DEFAULT_TABLE_ENTRIES)
}

trait Cidrs {
    fn set_cidrs(&self) -> usize;
}

impl Cidrs for crate::firewall::fit::Fitted {
    fn set_cidrs(&self) -> usize {
        self.set.v4.prefix_count() + self.set.v6.prefix_count()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_entries_has_headroom() {
        assert_eq!(super::table_entries(0), 200_000);
        assert_eq!(super::table_entries(100_000), 300_000);
        assert_eq!(super::table_entries(863_368), 1_400_000);
    }
}
