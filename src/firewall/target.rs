//! The firewalls `tl-fw` writes for: their names, what one entry of theirs
//! is (an address range or a CIDR), and how many entries the device takes.

use crate::error::{quote, InputError};
use crate::profile::config::Profile;
use std::fmt;

/// A firewall configuration format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// nftables: one `inet` table, interval sets, one `nft -f` transaction.
    Nftables,
    /// `ipset restore` input (`hash:net`, swapped in) and iptables rules.
    Ipset,
    /// pf table files and anchor rules.
    Pf,
    /// Cisco ASA / FTD object-groups and access-list entries.
    Asa,
    /// MikroTik RouterOS script (address-lists swapped by name).
    Mikrotik,
    /// Palo Alto external dynamic list (a plain text page per list).
    Paloalto,
    /// FortiGate external threat feed (a plain text page per list).
    Fortinet,
    /// Juniper SRX address-book and policies (set commands).
    Srx,
    /// Windows Firewall (PowerShell `New-NetFirewallRule`).
    Windows,
}

/// What one entry of a target's list is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Any address range (`a-b`) counts as one entry.
    Range,
    /// Entries are CIDR prefixes; a range costs one entry per prefix.
    Cidr,
}

impl Target {
    pub const ALL: [Target; 9] = [
        Target::Nftables,
        Target::Ipset,
        Target::Pf,
        Target::Asa,
        Target::Mikrotik,
        Target::Paloalto,
        Target::Fortinet,
        Target::Srx,
        Target::Windows,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::Nftables => "nftables",
            Target::Ipset => "ipset",
            Target::Pf => "pf",
            Target::Asa => "asa",
            Target::Mikrotik => "mikrotik",
            Target::Paloalto => "paloalto",
            Target::Fortinet => "fortinet",
            Target::Srx => "srx",
            Target::Windows => "windows",
        }
    }

    /// Whether its rules can log inbound drops (`--log-in-prefix`).
    pub fn logs_inbound(self) -> bool {
        matches!(self, Target::Nftables | Target::Ipset)
    }

    pub fn parse(s: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == s)
    }

    /// The names of all targets, joined by `sep`.
    pub fn names(sep: &str) -> String {
        let names: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
        names.join(sep)
    }

    /// What the target counts as one entry.
    pub fn unit(self) -> Unit {
        match self {
            Target::Nftables | Target::Paloalto | Target::Fortinet | Target::Windows => Unit::Range,
            // RouterOS IPv6 address-lists take prefixes, and one count
            // serves both families.
            Target::Ipset | Target::Pf | Target::Asa | Target::Srx | Target::Mikrotik => Unit::Cidr,
        }
    }

    /// Entries one list may hold on the device, when the device has a
    /// documented limit: Palo Alto 50,000 per external dynamic list
    /// (150,000 on the large models: `--max-entries`), FortiGate 131,072
    /// per feed (before FortiOS 7.4.4), MikroTik 50,000 (small routers
    /// struggle from a few tens of thousands). The kernel targets take
    /// what memory allows; pf's `table-entries` is stated in the anchor.
    pub fn default_capacity(self) -> Option<usize> {
        match self {
            Target::Paloalto => Some(50_000),
            Target::Fortinet => Some(131_072),
            Target::Mikrotik => Some(50_000),
            _ => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The targets a profile asks to be rendered for (its `firewall` key), in
/// [`Target::ALL`] order, each once. An unknown name is refused with the
/// profile's file and the line of the name.
pub fn of_profile(p: &Profile) -> Result<Vec<Target>, InputError> {
    let mut out = Vec::new();
    for (name, line) in &p.firewall {
        let t = Target::parse(name).ok_or_else(|| {
            InputError::line(
                &p.file,
                *line,
                format!(
                    "unknown firewall target {} (one of {})",
                    quote(name.as_bytes()),
                    Target::names(", ")
                ),
            )
        })?;
        out.push(t);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn profile(text: &str) -> Profile {
        crate::profile::config::parse("acme.toml", text, Path::new(".")).unwrap()
    }

    #[test]
    fn a_profile_names_its_targets() {
        let p = profile("name = \"acme\"\nfirewall = [\"pf\", \"nftables\", \"pf\"]\n");
        assert_eq!(of_profile(&p).unwrap(), vec![Target::Nftables, Target::Pf]);
        assert!(of_profile(&profile("name = \"acme\"\n"))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn an_unknown_target_names_file_and_line() {
        let p = profile(
            "name = \"acme\"\nfirewall = [\n  \"nftables\",\n  \"iptable\\u001b[2J\",\n]\n",
        );
        let e = of_profile(&p).unwrap_err().to_string();
        assert_eq!(
            e,
            "acme.toml:4: unknown firewall target 'iptable\\u{1b}[2J' (one of nftables, ipset, pf, \
             asa, mikrotik, paloalto, fortinet, srx, windows)"
        );
    }
}
