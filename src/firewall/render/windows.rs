//! Windows Defender Firewall (PowerShell, `New-NetFirewallRule`): block
//! rules of at most 1,000 remote addresses each (a longer address list
//! makes rule creation fail), one address a line so no command line grows
//! long, all in the rule group `NAME`. The rules already in the group are
//! remembered, the new ones added, then the remembered ones removed: no
//! moment without rules, and running the script again duplicates nothing.
//! Strings are PowerShell single-quoted.

use super::quote::{powershell as q, ranges};
use super::{Options, Prepared, Rendered};
use std::fmt::Write;

/// Remote addresses one rule takes.
pub const PER_RULE: usize = 1_000;

pub fn render(p: &Prepared, o: &Options) -> Rendered {
    let name = &o.name;
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "# Windows Defender Firewall rules, written by tl-fw render --target windows."
    );
    let _ = writeln!(
        w,
        "# Run in an elevated PowerShell: powershell -ExecutionPolicy Bypass -File {name}.ps1"
    );
    let _ = writeln!(w, "#");
    let _ = writeln!(
        w,
        "# In Windows Firewall a block rule wins over allow rules (short of IPsec-"
    );
    let _ = writeln!(
        w,
        "# authenticated bypass), so no allow rule could exempt the allow-list: it is"
    );
    let _ = writeln!(
        w,
        "# taken out of the block lists. No allow rule is written either: it would\n# open every port to those addresses."
    );
    let _ = writeln!(
        w,
        "# Windows logs drops per profile, not per rule; to log them:"
    );
    let _ = writeln!(w, "#   Set-NetFirewallProfile -All -LogBlocked True");
    let _ = writeln!(
        w,
        "# A rule is never written without addresses: an empty -RemoteAddress means any."
    );
    let _ = writeln!(w);
    let _ = writeln!(w, "$ErrorActionPreference = 'Stop'");
    let _ = writeln!(w, "$group = {}", q(name));
    let _ = writeln!(
        w,
        "$old = @(Get-NetFirewallRule -Group $group -ErrorAction SilentlyContinue)"
    );
    for (what, direction, list) in [
        ("block-in", "Inbound", &p.block_in.set),
        ("block-out", "Outbound", &p.block_out.set),
    ] {
        let addrs = ranges(list);
        let chunks: Vec<&[String]> = addrs.chunks(PER_RULE).collect();
        let _ = writeln!(
            w,
            "# {what}: {} entries, {} rule(s) of at most {PER_RULE} addresses",
            addrs.len(),
            chunks.len()
        );
        for (i, chunk) in chunks.iter().enumerate() {
            let display = q(&format!("{name} {what} {}/{}", i + 1, chunks.len()));
            let _ = writeln!(
                w,
                "New-NetFirewallRule -DisplayName {display} -Group $group -Direction {direction} -Action Block -Profile Any -RemoteAddress @("
            );
            for (k, a) in chunk.iter().enumerate() {
                let comma = if k + 1 < chunk.len() { "," } else { "" };
                let _ = writeln!(w, "  {}{comma}", q(a));
            }
            let _ = writeln!(w, ") | Out-Null");
        }
    }
    let _ = writeln!(
        w,
        "if ($old.Count -gt 0) {{ $old | Remove-NetFirewallRule }}"
    );
    Rendered {
        files: vec![(format!("{name}.ps1"), s.into_bytes())],
    }
}
