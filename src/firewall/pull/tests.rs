//! The pull against a stand-in server that serves what `zone::lists`
//! writes: every form reads back to the list; a changing serial is retried
//! and then refused; missing, extra and damaged chunks are errors; refused
//! lists leave the files alone.

use super::dns::{Answer, Question, RType, Rdata, Resolver};
use super::*;
use crate::net::{parse_entry, parse_v4_strict, parse_v6};
use crate::zone::codec::{encode_apl_item, parse_apl_text};
use crate::zone::config::Limits;
use crate::zone::lists;
use std::collections::HashMap;

const ZONE: &str = "p.lists.example";

/// Records by (absolute name, type), and the serials the SOA answers give
/// one after another (the last one for ever after).
struct Fake {
    records: HashMap<(String, RType), Vec<Rdata>>,
    serials: Vec<u32>,
    soa_asked: usize,
}

impl Fake {
    fn new() -> Fake {
        Fake {
            records: HashMap::new(),
            serials: vec![7],
            soa_asked: 0,
        }
    }

    /// Loads zone-file lines as `zone::lists` writes them.
    fn load(&mut self, text: &str) {
        for line in text.lines() {
            let mut f = line.splitn(3, '\t');
            let (owner, t, data) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
            let name = format!("{owner}.{ZONE}");
            let (rt, rd) = match t {
                "A" => (
                    RType::A,
                    Rdata::A(parse_v4_strict(data.as_bytes()).unwrap()),
                ),
                "AAAA" => (RType::Aaaa, Rdata::Aaaa(parse_v6(data.as_bytes()).unwrap())),
                "TXT" => (
                    RType::Txt,
                    Rdata::Txt(
                        data.split('"')
                            .skip(1)
                            .step_by(2)
                            .map(|s| s.as_bytes().to_vec())
                            .collect(),
                    ),
                ),
                "APL" => {
                    let mut items = Vec::new();
                    parse_apl_text(data.as_bytes(), &mut items).unwrap();
                    let mut wire = Vec::new();
                    for i in &items {
                        encode_apl_item(&mut wire, i);
                    }
                    (RType::Apl, Rdata::Apl(wire))
                }
                _ => panic!("{t}"),
            };
            self.records.entry((name, rt)).or_default().push(rd);
        }
    }

    fn exists(&self, name: &str) -> bool {
        name == ZONE || self.records.keys().any(|(n, _)| n == name)
    }
}

impl Resolver for Fake {
    fn ask(&mut self, qs: &[Question]) -> Result<Vec<Answer>, Error> {
        Ok(qs
            .iter()
            .map(|q| {
                if q.rtype == RType::Soa && q.name == ZONE {
                    let s = self.serials[self.soa_asked.min(self.serials.len() - 1)];
                    self.soa_asked += 1;
                    return Answer {
                        nxdomain: false,
                        records: vec![Rdata::Soa { serial: s }],
                    };
                }
                Answer {
                    nxdomain: !self.exists(&q.name),
                    records: self
                        .records
                        .get(&(q.name.clone(), q.rtype))
                        .cloned()
                        .unwrap_or_default(),
                }
            })
            .collect())
    }
}

fn set(lines: &[&str]) -> IpSet {
    IpSet::from_entries(lines.iter().map(|l| parse_entry(l.as_bytes()).unwrap()))
}

/// A list with hosts and networks of both families, and an allow-list
/// with holes inside its networks.
fn lists_of(n: u32) -> (IpSet, IpSet) {
    lists_with(n, true)
}

/// Without `wide`, only prefixes the multi-host form takes (hosts, a /26
/// with a hole).
fn lists_with(n: u32, wide: bool) -> (IpSet, IpSet) {
    let mut block = Vec::new();
    for i in 0..n {
        block.push(format!("198.18.{}.{}", i / 200, i % 200 + 1));
        block.push(format!("2001:db8:{i:x}::1"));
    }
    let allow = if wide {
        block.push("203.0.113.0/24".into());
        block.push("2001:db8:ffff::/48".into());
        set(&["203.0.113.77", "2001:db8:ffff:1::/64"])
    } else {
        block.push("203.0.113.64/26".into());
        set(&["203.0.113.77"])
    };
    let refs: Vec<&str> = block.iter().map(String::as_str).collect();
    (set(&refs).difference(&allow), allow)
}

fn publish(fake: &mut Fake, format: Format, list: &str, block: &IpSet, allow: &IpSet) {
    let l = Limits {
        a_per_name: 50,
        aaaa_per_name: 40,
        apl_items_per_rr: 8,
        rrs_per_name: 5,
        txt_rr_octets: 300,
        expand_max: 256,
        ..Limits::default()
    };
    let base = crate::zone::codec::list_base(format.label(), list);
    let mut out = Vec::new();
    match format {
        Format::A => {
            lists::multihost(&mut out, &base, &block.v4, l.a_per_name, l.expand_max);
        }
        Format::Aaaa => {
            lists::multihost(&mut out, &base, &block.v6, l.aaaa_per_name, 1 << 20);
        }
        Format::Apl => {
            lists::apl(&mut out, &base, block, allow, &l);
        }
        _ => {
            lists::txt(&mut out, &base, block, &l);
        }
    }
    fake.load(std::str::from_utf8(&out).unwrap());
}

fn plan(dir: &Path, formats: &[Format], lists: &[List]) -> PullPlan {
    PullPlan {
        source: Source::Dns(DnsSource {
            server: "127.0.0.1:53".parse().unwrap(),
            zone: ZONE.into(),
            formats: formats.to_vec(),
            lists: lists.to_vec(),
            key: None,
            timeout: Duration::from_secs(1),
            retries: 2,
        }),
        output: dir.to_path_buf(),
        protect: vec![],
    }
}

fn read_back(path: &Path) -> IpSet {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    set(&lines)
}

#[test]
fn every_form_reads_back_exactly() {
    for forms in [
        &[Format::A, Format::Aaaa][..],
        &[Format::Apl],
        &[Format::Txt],
    ] {
        let wide = forms[0] != Format::A;
        let (block, allow) = lists_with(300, wide);
        let out_set = if wide {
            set(&["192.0.2.66", "2001:db8:beef::/56"])
        } else {
            set(&["192.0.2.66", "2001:db8:beef::1"])
        };
        let mut fake = Fake::new();
        for &f in forms {
            publish(&mut fake, f, "block-in", &block, &allow);
            publish(&mut fake, f, "block-out", &out_set, &allow);
            publish(&mut fake, f, "allow", &allow, &IpSet::default());
        }
        let dir = tempfile::tempdir().unwrap();
        let r = pull_with(&plan(dir.path(), forms, &List::ALL), &mut fake).unwrap();
        assert_eq!(r.serial, Some(7));
        assert_eq!(r.attempts, 1);
        assert_eq!(
            read_back(&dir.path().join("block-in.txt")),
            block,
            "{forms:?}"
        );
        assert_eq!(read_back(&dir.path().join("block-out.txt")), out_set);
        assert_eq!(read_back(&dir.path().join("allow.txt")), allow);
        assert!(r.lists.iter().all(|p| p.changed));
        // a second pull of the same data changes nothing
        let r = pull_with(&plan(dir.path(), forms, &List::ALL), &mut fake).unwrap();
        assert!(r.lists.iter().all(|p| !p.changed));
    }
}

#[test]
fn empty_lists_read_back_empty() {
    for f in [Format::A, Format::Apl, Format::Txt] {
        let mut fake = Fake::new();
        publish(
            &mut fake,
            f,
            "block-in",
            &IpSet::default(),
            &IpSet::default(),
        );
        let dir = tempfile::tempdir().unwrap();
        pull_with(&plan(dir.path(), &[f], &[List::BlockIn]), &mut fake).unwrap();
        assert_eq!(std::fs::read(dir.path().join("block-in.txt")).unwrap(), b"");
    }
}

#[test]
fn a_changing_serial_is_retried_then_refused() {
    let (block, allow) = lists_of(100);
    let mut fake = Fake::new();
    publish(&mut fake, Format::Apl, "block-in", &block, &allow);
    // before/after of the first try differ, the second try is stable
    fake.serials = vec![1, 2, 2, 2];
    let dir = tempfile::tempdir().unwrap();
    let r = pull_with(
        &plan(dir.path(), &[Format::Apl], &[List::BlockIn]),
        &mut fake,
    )
    .unwrap();
    assert_eq!((r.attempts, r.serial), (2, Some(2)));

    // always changing: three tries, then an error and no file
    fake.serials = (10..100).collect();
    fake.soa_asked = 0;
    let dir = tempfile::tempdir().unwrap();
    let e = pull_with(
        &plan(dir.path(), &[Format::Apl], &[List::BlockIn]),
        &mut fake,
    )
    .unwrap_err();
    assert!(matches!(e, Error::SerialChanged { attempts: 3, .. }), "{e}");
    assert!(!dir.path().join("block-in.txt").exists());
}

#[test]
fn a_missing_chunk_mid_change_is_retried() {
    let (block, allow) = lists_with(300, false);
    let mut fake = Fake::new();
    publish(&mut fake, Format::A, "block-in", &block, &allow);
    let name = format!("a2.block-in.{ZONE}");
    let saved = fake.records.remove(&(name.clone(), RType::A)).unwrap();
    // a stable zone with a hole: an error naming the chunk
    let dir = tempfile::tempdir().unwrap();
    let e = pull_with(&plan(dir.path(), &[Format::A], &[List::BlockIn]), &mut fake).unwrap_err();
    assert!(matches!(e, Error::MissingChunk { chunk: 2, .. }), "{e}");
    assert!(e.to_string().contains(&name), "{e}");
    // the same hole while the serial moves: retried (and then complete)
    fake.serials = vec![3, 4, 4, 4];
    fake.soa_asked = 0;
    let mut healing = Healing {
        inner: fake,
        restore: Some(((name, RType::A), saved)),
    };
    let r = pull_with(
        &plan(dir.path(), &[Format::A], &[List::BlockIn]),
        &mut healing,
    )
    .unwrap();
    assert_eq!(r.attempts, 2);
    assert_eq!(read_back(&dir.path().join("block-in.txt")).v4, block.v4);
}

/// Puts a record set back after the first round of questions with a SOA.
struct Healing {
    inner: Fake,
    restore: Option<((String, RType), Vec<Rdata>)>,
}

impl Resolver for Healing {
    fn ask(&mut self, qs: &[Question]) -> Result<Vec<Answer>, Error> {
        let a = self.inner.ask(qs);
        if self.inner.soa_asked >= 2 {
            if let Some((k, v)) = self.restore.take() {
                self.inner.records.insert(k, v);
            }
        }
        a
    }
}

#[test]
fn damaged_answers_are_errors() {
    let (block, allow) = lists_of(300);
    let base = |fake: &mut Fake, f| {
        publish(fake, f, "block-in", &block, &allow);
    };
    let run = |fake: &mut Fake, f: Format| {
        let dir = tempfile::tempdir().unwrap();
        let r = pull_with(&plan(dir.path(), &[f], &[List::BlockIn]), fake);
        assert!(!dir.path().join("block-in.txt").exists());
        r.unwrap_err().to_string()
    };
    // a chunk past the count
    let mut fake = Fake::new();
    base(&mut fake, Format::Txt);
    let k = (0..)
        .find(|k| !fake.exists(&format!("txt{k}.block-in.{ZONE}")) && *k > 0)
        .unwrap();
    fake.records.insert(
        (format!("txt{k}.block-in.{ZONE}"), RType::Txt),
        vec![Rdata::Txt(vec![b"seq=1/1".to_vec(), b"192.0.2.1".to_vec()])],
    );
    assert!(run(&mut fake, Format::Txt).contains("exists, but the chunk count"));
    // a TXT record lost from a name: markers do not add up
    let mut fake = Fake::new();
    base(&mut fake, Format::Txt);
    fake.records
        .get_mut(&(format!("txt1.block-in.{ZONE}"), RType::Txt))
        .unwrap()
        .pop();
    assert!(run(&mut fake, Format::Txt).contains("sequence markers"));
    // a damaged APL record
    let mut fake = Fake::new();
    base(&mut fake, Format::Apl);
    if let Some(Rdata::Apl(w)) = fake
        .records
        .get_mut(&(format!("apl.block-in.{ZONE}"), RType::Apl))
        .unwrap()
        .first_mut()
    {
        w.truncate(w.len() - 1);
    }
    assert!(run(&mut fake, Format::Apl).contains("cut short"));
    // not published in that form
    let mut fake = Fake::new();
    base(&mut fake, Format::Apl);
    assert!(run(&mut fake, Format::Txt).contains("does not exist"));
    // the multi-host form left prefixes out
    let mut fake = Fake::new();
    let wide = set(&["10.0.0.0/8", "192.0.2.1"]);
    let mut out = Vec::new();
    lists::multihost(&mut out, "a.block-in", &wide.v4, 100, 16);
    fake.load(std::str::from_utf8(&out).unwrap());
    assert!(run(&mut fake, Format::A).contains("leaves out 1 prefixes"));
    // TXT without markers (tl-zone --txt-plain): refused, saying why
    let mut fake = Fake::new();
    let mut out = Vec::new();
    let l = crate::zone::config::Limits::default();
    let (v4, v6) = (block.v4.cidrs(), block.v6.cidrs());
    lists::txt_tokens(&mut out, "txt.block-in", v4, v6, &l, lists::TxtForm::Plain);
    fake.load(std::str::from_utf8(&out).unwrap());
    let e = run(&mut fake, Format::Txt);
    assert!(
        e.contains("without the chunks=K count and seq=I/N markers"),
        "{e}"
    );
}

#[test]
fn refused_lists_keep_the_previous_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("block-in.txt"), "192.0.2.1\n").unwrap();
    for (list, why) in [
        ("0.0.0.0/1\n128.0.0.0/1\n", "all of IPv4"),
        ("::/0\n", "all of IPv6"),
        ("127.0.0.0/8\n", "127.0.0.1"),
    ] {
        let mut fake = Fake::new();
        let s = set(&list.lines().collect::<Vec<_>>());
        publish(&mut fake, Format::Txt, "block-in", &s, &IpSet::default());
        let e = pull_with(
            &plan(dir.path(), &[Format::Txt], &[List::BlockIn]),
            &mut fake,
        )
        .unwrap_err();
        assert!(
            matches!(e, Error::Refused(_)) && e.to_string().contains(why),
            "{e}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("block-in.txt")).unwrap(),
            "192.0.2.1\n"
        );
    }
    // the nameserver in the allow-list may sit inside a blocked network
    let mut fake = Fake::new();
    let s = set(&["127.0.0.0/8"]);
    let allow = set(&["127.0.0.1"]);
    publish(
        &mut fake,
        Format::Apl,
        "block-in",
        &s.difference(&allow),
        &allow,
    );
    publish(&mut fake, Format::Apl, "allow", &allow, &IpSet::default());
    pull_with(
        &plan(dir.path(), &[Format::Apl], &[List::BlockIn, List::Allow]),
        &mut fake,
    )
    .unwrap();
}

#[test]
fn plain_lists_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in.txt");
    std::fs::write(&src, "# comment\n192.0.2.0/25\n192.0.2.128/25\n10.0.0.1\n").unwrap();
    let plan = PullPlan {
        source: Source::Lists(vec![(List::BlockIn, src.to_string_lossy().into_owned())]),
        output: dir.path().join("out"),
        protect: vec![],
    };
    let r = pull(&plan).unwrap();
    assert_eq!(r.lists.len(), 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/block-in.txt")).unwrap(),
        "10.0.0.1\n192.0.2.0/24\n"
    );
    std::fs::write(&src, "192.0.2.0/24\nnot an address\n").unwrap();
    let e = pull(&plan).unwrap_err().to_string();
    assert!(e.contains(":2: ") && e.contains("not an address"), "{e}");
}
