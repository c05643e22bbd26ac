//! Reading a profile's lists back from DNS in the forms `tl-zone` publishes
//! (`docs/zone.md`), with `zone::codec`'s definitions: the count record at
//! the base name, every chunk up to it, the first name after it absent,
//! and the zone's SOA serial asked before and after, so that every answer
//! is known to come from one version of the zone.

use super::dns::{Answer, Question, RType, Rdata, Resolver};
use super::{Error, List};
use crate::net::Range;
use crate::profile::layout::Format;
use crate::set::{IntervalSet, IpSet};
use crate::zone::codec::{
    apl_set, chunk_name, decode_apl_rdata, list_base, parse_txt_tokens, ChunkCount, SeqMarker,
    TxtForm,
};

/// One list in one form, at an absolute base name.
#[derive(Clone, Debug)]
pub struct Target {
    pub list: List,
    pub format: Format,
    /// Absolute, without the trailing dot.
    pub base: String,
}

impl Target {
    pub fn new(list: List, format: Format, zone: &str) -> Target {
        let base = list_base(format.label(), list.name());
        Target {
            list,
            format,
            base: format!("{base}.{zone}"),
        }
    }

    fn rtype(&self) -> RType {
        match self.format {
            Format::A => RType::A,
            Format::Aaaa => RType::Aaaa,
            Format::Apl => RType::Apl,
            _ => RType::Txt,
        }
    }
}

/// What one attempt saw: the serial before and after, and the lists (one
/// set per target) or why they could not be read.
pub struct Attempt {
    pub before: u32,
    pub after: u32,
    pub sets: Result<Vec<IpSet>, Error>,
}

fn soa(zone: &str, a: &Answer) -> Result<u32, Error> {
    let serials: Vec<u32> = a
        .records
        .iter()
        .filter_map(|r| match r {
            Rdata::Soa { serial } => Some(*serial),
            _ => None,
        })
        .collect();
    match serials[..] {
        [s] if !a.nxdomain => Ok(s),
        _ => Err(Error::Zone {
            zone: zone.to_string(),
            reason: "no SOA record at the zone's name (is it the profile's zone?)".into(),
        }),
    }
}

fn bad(t: &Target, name: &str, reason: impl Into<String>) -> Error {
    Error::Published {
        list: t.list.name(),
        name: name.to_string(),
        reason: reason.into(),
    }
}

/// Why a TXT list without markers is not read.
pub(super) const PLAIN_TXT: &str = "TXT published without the chunks=K count and seq=I/N \
     markers (tl-zone --txt-plain): without them a pull cannot tell a lost record or chunk \
     from a shorter list; publish the TXT form with markers, or pull the APL form";

/// One TXT record's character-strings.
type Strings<'a> = &'a [Vec<u8>];

/// The base name's TXT answer: the count, and for the TXT form the data
/// records of chunk 0.
fn base_answer<'a>(t: &Target, a: &'a Answer) -> Result<(ChunkCount, Vec<Strings<'a>>), Error> {
    if a.nxdomain {
        return Err(Error::NotPublished {
            list: t.list.name(),
            format: t.format.name(),
            name: t.base.clone(),
        });
    }
    let mut count = None;
    let mut data = Vec::new();
    for r in &a.records {
        let Rdata::Txt(strings) = r else {
            return Err(bad(t, &t.base, "not a TXT record"));
        };
        match strings.first() {
            Some(s) if ChunkCount::is_count(s) => {
                if strings.len() != 1 || count.is_some() {
                    return Err(bad(t, &t.base, "more than one chunk count"));
                }
                count = Some(ChunkCount::parse(s).map_err(|e| bad(t, &t.base, e.to_string()))?);
            }
            _ if t.format == Format::Txt => data.push(strings.as_slice()),
            _ => return Err(bad(t, &t.base, "a TXT record that is not the chunk count")),
        }
    }
    let plain = data.iter().any(|strings| {
        let first = strings.first().map(Vec::as_slice).unwrap_or_default();
        TxtForm::of_record(first) == Some(TxtForm::Plain)
    });
    if count.is_none() && plain {
        return Err(bad(t, &t.base, PLAIN_TXT));
    }
    let count = count.ok_or_else(|| bad(t, &t.base, "no chunk count (TXT \"chunks=K\")"))?;
    if count.omitted > 0 {
        return Err(Error::Omitted {
            list: t.list.name(),
            name: t.base.clone(),
            omitted: count.omitted,
        });
    }
    Ok((count, data))
}

/// The TXT form's data records at one name: every `seq=I/N` from 1 to N
/// once, N the number of records.
fn txt_records(
    t: &Target,
    name: &str,
    records: &[Strings<'_>],
    v4: &mut Vec<Range<u32>>,
    v6: &mut Vec<Range<u128>>,
) -> Result<(), Error> {
    let mut seen = vec![false; records.len()];
    for strings in records {
        let first = strings.first().map(Vec::as_slice).unwrap_or(b"");
        if !SeqMarker::is_marker(first) {
            return Err(bad(t, name, "a TXT record without its seq=I/N marker"));
        }
        let m = SeqMarker::parse(first).map_err(|e| bad(t, name, e.to_string()))?;
        if m.total != records.len() || seen[m.index - 1] {
            return Err(bad(
                t,
                name,
                format!(
                    "sequence markers do not match the {} records (seq={}/{})",
                    records.len(),
                    m.index,
                    m.total
                ),
            ));
        }
        seen[m.index - 1] = true;
        if strings.len() < 2 {
            return Err(bad(t, name, "a TXT record without addresses"));
        }
        for s in &strings[1..] {
            parse_txt_tokens(s, v4, v6).map_err(|e| bad(t, name, e.to_string()))?;
        }
    }
    Ok(())
}

/// One attempt at reading every target: SOA and the base names, then every
/// chunk, the name after the last, and the SOA again.
pub fn attempt(r: &mut dyn Resolver, zone: &str, targets: &[Target]) -> Result<Attempt, Error> {
    let soa_q = Question {
        name: zone.to_string(),
        rtype: RType::Soa,
    };
    let mut first = vec![soa_q.clone()];
    first.extend(targets.iter().map(|t| Question {
        name: t.base.clone(),
        rtype: RType::Txt,
    }));
    let answers = r.ask(&first)?;
    let before = soa(zone, &answers[0])?;

    // The questions of the second round, per target: chunks and the probe.
    let mut problem: Option<Error> = None;
    let mut second: Vec<Question> = Vec::new();
    let mut plans: Vec<(usize, ChunkCount, std::ops::Range<usize>)> = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        match base_answer(t, &answers[1 + i]) {
            Ok((count, _)) => {
                let start = second.len();
                let from = if t.format == Format::Txt { 1 } else { 0 };
                for k in from..count.chunks {
                    second.push(Question {
                        name: chunk_name_abs(t, k, zone),
                        rtype: t.rtype(),
                    });
                }
                second.push(Question {
                    name: chunk_name_abs(t, count.chunks.max(1), zone),
                    rtype: t.rtype(),
                });
                plans.push((i, count, start..second.len()));
            }
            Err(e) => {
                problem.get_or_insert(e);
            }
        }
    }
    if problem.is_some() {
        second.clear();
    }
    second.push(soa_q);
    let more = r.ask(&second)?;
    let after = soa(zone, &more[more.len() - 1])?;
    if let Some(e) = problem {
        return Ok(Attempt {
            before,
            after,
            sets: Err(e),
        });
    }
    let sets = plans
        .iter()
        .map(|(i, count, range)| {
            let t = &targets[*i];
            decode(t, zone, count.chunks, &answers[1 + i], &more[range.clone()])
        })
        .collect();
    Ok(Attempt {
        before,
        after,
        sets,
    })
}

fn chunk_name_abs(t: &Target, k: usize, zone: &str) -> String {
    let rel = &t.base[..t.base.len() - zone.len() - 1];
    format!("{}.{zone}", chunk_name(rel, k))
}

/// One target's set from its answers: `chunks` answers for the chunk names
/// (for TXT: chunks 1..; chunk 0 is the base answer), then the probe.
fn decode(
    t: &Target,
    zone: &str,
    chunks: usize,
    base: &Answer,
    answers: &[Answer],
) -> Result<IpSet, Error> {
    let (probe, chunk_answers) = answers.split_last().expect("the probe is always asked");
    let probe_name = chunk_name_abs(t, chunks.max(1), zone);
    if !probe.nxdomain {
        return Err(bad(
            t,
            &probe_name,
            format!("exists, but the chunk count says {chunks} chunks"),
        ));
    }
    let from = if t.format == Format::Txt { 1 } else { 0 };
    for (j, a) in chunk_answers.iter().enumerate() {
        let k = from + j;
        if a.nxdomain || a.records.is_empty() {
            return Err(Error::MissingChunk {
                list: t.list.name(),
                name: chunk_name_abs(t, k, zone),
                chunk: k,
                chunks,
            });
        }
    }
    let mut set = IpSet::default();
    match t.format {
        Format::A | Format::Aaaa => {
            let (mut v4, mut v6) = (Vec::new(), Vec::new());
            for a in chunk_answers {
                for r in &a.records {
                    match *r {
                        Rdata::A(x) => v4.push(Range::new(x, x)),
                        Rdata::Aaaa(x) => v6.push(Range::new(x, x)),
                        _ => return Err(bad(t, &t.base, "unexpected record type")),
                    }
                }
            }
            set.v4 = IntervalSet::from_ranges(v4);
            set.v6 = IntervalSet::from_ranges(v6);
        }
        Format::Apl => {
            let mut items = Vec::new();
            for (j, a) in chunk_answers.iter().enumerate() {
                for r in &a.records {
                    let Rdata::Apl(rdata) = r else {
                        return Err(bad(t, &t.base, "unexpected record type"));
                    };
                    decode_apl_rdata(rdata, &mut items)
                        .map_err(|e| bad(t, &chunk_name_abs(t, j, zone), e.to_string()))?;
                }
            }
            set = apl_set(&items);
        }
        _ => {
            let (mut v4, mut v6) = (Vec::new(), Vec::new());
            let (_, data) = base_answer(t, base)?;
            if chunks == 0 && !data.is_empty() {
                return Err(bad(
                    t,
                    &t.base,
                    "data records, but the chunk count says 0 chunks",
                ));
            }
            if chunks > 0 {
                txt_records(t, &t.base, &data, &mut v4, &mut v6)?;
                if data.is_empty() {
                    return Err(Error::MissingChunk {
                        list: t.list.name(),
                        name: t.base.clone(),
                        chunk: 0,
                        chunks,
                    });
                }
            }
            for (j, a) in chunk_answers.iter().enumerate() {
                let name = chunk_name_abs(t, 1 + j, zone);
                let mut recs: Vec<Strings<'_>> = Vec::new();
                for r in &a.records {
                    let Rdata::Txt(strings) = r else {
                        return Err(bad(t, &name, "unexpected record type"));
                    };
                    recs.push(strings);
                }
                txt_records(t, &name, &recs, &mut v4, &mut v6)?;
            }
            set.v4 = IntervalSet::from_ranges(v4);
            set.v6 = IntervalSet::from_ranges(v6);
        }
    }
    Ok(set)
}
