//! The configuration files an operator (or whoever can write them) hands
//! the tools: a profile, the tl-update configuration, the zone
//! configuration, the feed configuration, a TSIG key (file and inline), and
//! the tl-logs column mapping. The first byte picks the reader.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use threatlist::firewall::pull::key;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let dir = Path::new("/nonexistent/fuzz");
    match sel % 7 {
        0 => {
            let _ = threatlist::profile::config::parse("fuzz.toml", text, dir);
        }
        1 => {
            let _ = threatlist::update::config::parse(text, &dir.join("threatlist.toml"));
        }
        2 => {
            let _ = threatlist::zone::config::parse(text, "zone.toml");
        }
        3 => {
            let _ = threatlist::feed::config::parse(text, "feeds.toml");
        }
        4 => {
            let _ = key::parse_file(text);
        }
        5 => {
            let _ = key::parse_inline(text);
        }
        _ => {
            let _ = threatlist::logs::columns::Columns::parse(text);
        }
    }
});
