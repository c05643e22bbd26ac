//! Addresses, prefixes, ranges, domain names, plain and iprange lists, and
//! the time forms feeds and command lines write. The first byte picks the
//! parser; the rest is its input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use threatlist::net::{self, domain, Entry};
use threatlist::set::iprange::{self, IprangeSyntax};
use threatlist::set::{Loader, SetBuilder};

/// An entry printed as a range and read back is the same entry.
fn round_trip(e: Entry) {
    let mut out = Vec::new();
    match e {
        Entry::V4(r) => net::write_range(&mut out, r, true),
        Entry::V6(r) => net::write_range(&mut out, r, true),
    }
    let back = net::parse_entry(&out).expect("a printed entry reads back");
    assert_eq!(back, e, "{}", String::from_utf8_lossy(&out));
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    match sel % 8 {
        0 => {
            if let Ok(e) = net::parse_entry(rest) {
                round_trip(e);
            }
        }
        1 => {
            let _ = net::parse_v4_strict(rest);
            if let Ok(a) = net::parse_v6(rest) {
                let mut out = Vec::new();
                net::write_v6(&mut out, a);
                assert_eq!(net::parse_v6(&out), Ok(a));
            }
        }
        2 => {
            if let Ok(name) = domain::canonical(rest) {
                assert!(domain::is_name(&name), "{name}");
                assert_eq!(domain::canonical(name.as_bytes()).as_deref(), Ok(&*name));
            }
            if let Ok(entry) = domain::canonical_entry(rest) {
                assert!(domain::is_entry(&entry), "{entry}");
                let again = domain::canonical_entry(entry.as_bytes());
                assert_eq!(again.as_deref(), Ok(&*entry));
            }
        }
        3 => {
            let mut b = SetBuilder::default();
            if let Ok(Ok(_)) = (Loader {
                lenient: true,
                csv_header: Some(threatlist::record::INDICATOR_HEADER),
            })
            .load(rest, &mut b) {
                let _ = b.build();
            }
        }
        4 => {
            let _ = iprange::load::<u32>(rest, "fuzz", &IprangeSyntax::default(), &mut |_| {});
        }
        5 => {
            let syn = IprangeSyntax {
                fix_network: false,
                default_prefix: 24, // tl-set takes -p 0..=32 only
                resolve: None,      // the library does no lookups
            };
            let _ = iprange::load::<u128>(rest, "fuzz", &syn, &mut |_| {});
        }
        _ => {
            let text = String::from_utf8_lossy(rest);
            let _ = threatlist::time::feed::parse(&text);
            let _ = threatlist::time::parse_arg(&text);
            let _ = threatlist::time::parse_duration(&text);
            let _ = threatlist::time::parse_zone(&text);
        }
    }
});
