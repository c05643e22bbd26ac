//! `tl-fw pull`'s reading of DNS answers. The first byte picks:
//! - 0: the rest is a zone in the text tl-zone writes; a stand-in server
//!   answers the pull's questions from it, and every list is read in every
//!   form (A, AAAA, APL, TXT) through `firewall::pull::read::attempt` and
//!   `zone::codec` (chunk counts, sequence markers, TXT tokens, APL);
//! - 1: the rest is one DNS message off the wire, decoded as the answer to
//!   a question of the type the next byte picks (`decode_answer`);
//! - 2: the codec's readers on the raw bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::{HashMap, HashSet};
use threatlist::firewall::pull::dns::{decode_answer, Answer, Question, RType, Rdata, Resolver};
use threatlist::firewall::pull::read::{attempt, Target};
use threatlist::firewall::pull::{Error, List};
use threatlist::profile::layout::Format;
use threatlist::zone::codec;

/// A server that answers from a zone's records.
struct Zone {
    origin: String,
    records: HashMap<(String, RType), Vec<Rdata>>,
    names: HashSet<String>,
}

fn absolute(owner: &str, origin: &str) -> String {
    let o = owner.to_ascii_lowercase();
    if o == "@" {
        origin.to_string()
    } else if let Some(abs) = o.strip_suffix('.') {
        abs.to_string()
    } else {
        format!("{o}.{origin}")
    }
}

/// Character-strings of a TXT record's data: quoted strings or bare words.
fn txt_strings(rdata: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = rdata.trim();
    while !rest.is_empty() {
        if let Some(q) = rest.strip_prefix('"') {
            let end = q.find('"').unwrap_or(q.len());
            out.push(q[..end].as_bytes().to_vec());
            rest = q.get(end + 1..).unwrap_or("").trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(rest[..end].as_bytes().to_vec());
            rest = rest[end..].trim_start();
        }
    }
    out
}

impl Zone {
    fn parse(text: &str) -> Zone {
        let mut z = Zone {
            origin: "lists.example".into(),
            records: HashMap::new(),
            names: HashSet::new(),
        };
        let mut owner = String::new();
        for line in text.lines() {
            if line.trim_start().starts_with(';') || line.trim().is_empty() {
                continue;
            }
            if let Some(o) = line.strip_prefix("$ORIGIN") {
                z.origin = o.trim().trim_end_matches('.').to_ascii_lowercase();
                continue;
            }
            if line.starts_with('$') {
                continue;
            }
            let mut fields = line.split_whitespace();
            if !line.starts_with(char::is_whitespace) {
                owner = absolute(fields.next().unwrap_or("@"), &z.origin);
            }
            let mut ty = fields.next().unwrap_or("");
            while ty.bytes().all(|b| b.is_ascii_digit()) || ty.eq_ignore_ascii_case("IN") {
                match fields.next() {
                    Some(t) => ty = t,
                    None => break,
                }
            }
            let rdata = line.split_once(ty).map_or("", |x| x.1).trim();
            let (rtype, data) = match ty.to_ascii_uppercase().as_str() {
                "SOA" => {
                    let serial = rdata.split_whitespace().nth(2).and_then(|s| s.parse().ok());
                    let Some(serial) = serial else { continue };
                    (RType::Soa, Rdata::Soa { serial })
                }
                "A" => match rdata.parse::<std::net::Ipv4Addr>() {
                    Ok(a) => (RType::A, Rdata::A(a.into())),
                    Err(_) => continue,
                },
                "AAAA" => match rdata.parse::<std::net::Ipv6Addr>() {
                    Ok(a) => (RType::Aaaa, Rdata::Aaaa(a.into())),
                    Err(_) => continue,
                },
                "TXT" => (RType::Txt, Rdata::Txt(txt_strings(rdata))),
                "APL" => {
                    let mut items = Vec::new();
                    let mut wire = Vec::new();
                    match codec::parse_apl_text(rdata.as_bytes(), &mut items) {
                        Ok(()) => items
                            .iter()
                            .for_each(|i| codec::encode_apl_item(&mut wire, i)),
                        // What a server would send for data we cannot write.
                        Err(_) => wire = rdata.as_bytes().to_vec(),
                    }
                    (RType::Apl, Rdata::Apl(wire))
                }
                _ => continue,
            };
            z.names.insert(owner.clone());
            z.records
                .entry((owner.clone(), rtype))
                .or_default()
                .push(data);
        }
        z
    }
}

impl Resolver for Zone {
    fn ask(&mut self, questions: &[Question]) -> Result<Vec<Answer>, Error> {
        Ok(questions
            .iter()
            .map(|q| Answer {
                nxdomain: !self.names.contains(&q.name),
                records: self
                    .records
                    .get(&(q.name.clone(), q.rtype))
                    .cloned()
                    .unwrap_or_default(),
            })
            .collect())
    }
}

const RTYPES: [RType; 5] = [RType::Soa, RType::A, RType::Aaaa, RType::Txt, RType::Apl];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    match sel % 3 {
        0 => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            let mut zone = Zone::parse(text);
            let origin = zone.origin.clone();
            for list in List::ALL {
                for format in [Format::A, Format::Aaaa, Format::Apl, Format::Txt] {
                    let t = Target::new(list, format, &origin);
                    let _ = attempt(&mut zone, &origin, &[t]);
                }
            }
        }
        1 => {
            let Some((&t, msg)) = rest.split_first() else {
                return;
            };
            let q = Question {
                name: "block-in.lists.example".into(),
                rtype: RTYPES[t as usize % RTYPES.len()],
            };
            let server = "127.0.0.1:53".parse().expect("an address");
            let _ = decode_answer(server, &q, msg);
        }
        _ => {
            let _ = codec::ChunkCount::parse(rest);
            let _ = codec::SeqMarker::parse(rest);
            let (mut v4, mut v6) = (Vec::new(), Vec::new());
            let _ = codec::parse_txt_tokens(rest, &mut v4, &mut v6);
            let mut items = Vec::new();
            if codec::decode_apl_rdata(rest, &mut items).is_ok() {
                // Decoded items encode back to the same octets.
                let mut wire = Vec::new();
                items
                    .iter()
                    .for_each(|i| codec::encode_apl_item(&mut wire, i));
                let mut again = Vec::new();
                codec::decode_apl_rdata(&wire, &mut again).expect("encoded APL decodes");
                assert_eq!(again.len(), items.len());
            }
            let _ = codec::parse_apl_text(rest, &mut items);
        }
    }
});
