//! Sensor events into (address, sensor) pairs, in parallel.
//!
//! The reader cuts the input into blocks at line ends; worker threads parse
//! blocks and append one record per event to their own vector, folding it
//! (sort, then merge neighbours) whenever it grows, so memory follows the
//! distinct pairs, not the length of the log. Sensor names get global
//! numbers as they are met; at the end they are renumbered in name order,
//! every vector is sorted and folded, and the vectors are merged. Folding
//! adds integers, so neither the order of rows nor the split into blocks
//! changes the result.
//!
//! Reading is a pipeline, not a [`crate::pool`]: one thread reads blocks
//! (a block must end at a line end, so cutting is sequential) and feeds
//! them through a bounded channel to workers that each own a sink for the
//! whole input; buffers come back for reuse, so memory stays bounded
//! however long the log. The pool takes a slice of items known up front,
//! which a stream of unknown length is not. Finishing the sinks is a pool.

use super::state::{Pair, Part, Source, FIX};
use super::{Clock, Error, Problems};
use crate::error::InputError;
use crate::record::{check_event_header, parse_event, Address};
use crate::time::TimeCache;
use std::collections::HashMap;
use std::io::Read;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

/// Size of one block handed to a worker.
const BLOCK: usize = 4 << 20;
/// A line longer than this is not an events row.
const MAX_LINE: usize = 1 << 16;
/// Records a worker collects before its first fold.
const FOLD_AT: usize = 8 << 20;

/// One IPv4 event or folded pair: `key` is `address << 32 | sensor`.
#[derive(Clone, Copy, Debug, Default)]
struct Rec4 {
    key: u64,
    value: u64,
    hits: u64,
    first: i64,
    last: i64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Rec6 {
    addr: u128,
    sensor: u32,
    value: u64,
    hits: u64,
    first: i64,
    last: i64,
}

impl Rec4 {
    #[inline]
    fn absorb(&mut self, o: &Rec4) {
        self.value = self.value.saturating_add(o.value);
        self.hits = self.hits.saturating_add(o.hits);
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
    }
}

impl Rec6 {
    fn absorb(&mut self, o: &Rec6) {
        self.value = self.value.saturating_add(o.value);
        self.hits = self.hits.saturating_add(o.hits);
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
    }
}

fn fold4(v: &mut Vec<Rec4>) {
    v.sort_unstable_by_key(|r| r.key);
    v.dedup_by(|b, a| {
        if a.key == b.key {
            a.absorb(b);
            true
        } else {
            false
        }
    });
}

fn fold6(v: &mut Vec<Rec6>) {
    v.sort_unstable_by_key(|r| (r.addr, r.sensor));
    v.dedup_by(|b, a| {
        if (a.addr, a.sensor) == (b.addr, b.sensor) {
            a.absorb(b);
            true
        } else {
            false
        }
    });
}

/// What one worker has collected.
#[derive(Default)]
struct Sink {
    v4: Vec<Rec4>,
    v6: Vec<Rec6>,
    fold4_at: usize,
    fold6_at: usize,
}

impl Sink {
    #[inline]
    fn push4(&mut self, r: Rec4) {
        self.v4.push(r);
        if self.v4.len() >= self.fold4_at.max(FOLD_AT) {
            fold4(&mut self.v4);
            self.fold4_at = self.v4.len() * 2;
        }
    }

    fn push6(&mut self, r: Rec6) {
        self.v6.push(r);
        if self.v6.len() >= self.fold6_at.max(FOLD_AT / 4) {
            fold6(&mut self.v6);
            self.fold6_at = self.v6.len() * 2;
        }
    }
}

/// Sensor names to numbers, shared by the workers (each keeps a cache).
#[derive(Default)]
struct Sensors {
    ids: Mutex<HashMap<Vec<u8>, u32>>,
}

struct SensorCache<'a> {
    shared: &'a Sensors,
    local: HashMap<Vec<u8>, u32>,
    last: (Vec<u8>, u32),
}

impl SensorCache<'_> {
    #[inline]
    fn id(&mut self, name: &[u8]) -> u32 {
        if self.last.0 == name {
            return self.last.1;
        }
        let id = match self.local.get(name) {
            Some(&id) => id,
            None => {
                let mut ids = self.shared.ids.lock().unwrap_or_else(|e| e.into_inner());
                let n = ids.len() as u32;
                let id = *ids.entry(name.to_vec()).or_insert(n);
                self.local.insert(name.to_vec(), id);
                id
            }
        };
        self.last = (name.to_vec(), id);
        id
    }
}

/// Aggregates events from any number of inputs.
pub struct EventAggregator {
    clock: Clock,
    sensors: Sensors,
    sinks: Vec<Sink>,
}

/// A parsed block's line count and problems (line numbers relative to it).
struct BlockResult {
    index: usize,
    lines: u64,
    problems: Problems,
}

impl EventAggregator {
    pub fn new(clock: Clock) -> Self {
        let workers = crate::pool::threads().clamp(1, 8);
        EventAggregator {
            clock,
            sensors: Sensors::default(),
            sinks: (0..workers).map(|_| Sink::default()).collect(),
        }
    }

    /// Reads one events CSV. Bad rows are counted in the returned problems
    /// (line numbers absolute); a bad header, an unreadable input or a line
    /// over 64 KiB is an error.
    pub fn add(&mut self, name: &str, mut input: impl Read) -> Result<Problems, Error> {
        let io_err = |e: std::io::Error| Error::from(InputError::io(name, &e));
        // The header, from the first block.
        let mut first = vec![0u8; BLOCK];
        let mut filled = read_full(&mut input, &mut first).map_err(io_err)?;
        if filled == 0 {
            return Err(InputError::file(name, "empty input (no header row)").into());
        }
        let header_end = memchr::memchr(b'\n', &first[..filled]).unwrap_or(filled);
        check_event_header(&first[..header_end]).map_err(|e| e.in_file(name))?;
        let skip = (header_end + 1).min(filled);
        first.copy_within(skip..filled, 0);
        filled -= skip;

        let (tx, rx) = sync_channel::<(usize, Vec<u8>)>(4);
        let (back_tx, back_rx) = sync_channel::<Vec<u8>>(8);
        let rx = Mutex::new(rx);
        let results = Mutex::new(Vec::<BlockResult>::new());
        let clock = self.clock;
        let sensors = &self.sensors;
        let read_result = std::thread::scope(|s| {
            for sink in self.sinks.iter_mut() {
                let (rx, results, back_tx) = (&rx, &results, back_tx.clone());
                s.spawn(move || worker(rx, results, back_tx, sink, sensors, clock));
            }
            drop(back_tx);
            feed_blocks(&mut input, first, filled, tx, back_rx)
        });
        let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
        results.sort_by_key(|r| r.index);
        let lines_read: u64 = results.iter().map(|r| r.lines).sum();
        if let Err(e) = read_result {
            return Err(match e {
                ReadError::Io(e) => io_err(e),
                ReadError::LongLine(block) => {
                    let line = 2 + results.iter().take(block).map(|r| r.lines).sum::<u64>();
                    InputError::line(name, line, format!("line longer than {MAX_LINE} bytes"))
                        .into()
                }
            });
        }
        let mut total = Problems::default();
        let mut line = 1; // the header
        for r in results {
            total.absorb(r.problems, line);
            line += r.lines;
        }
        total.rows = total.rows.min(lines_read);
        Ok(total)
    }

    /// Renumbers sensors into `sources` (sorted later by the caller's
    /// merge), folds every worker's records and merges them.
    pub fn finish(self, sources: &mut Vec<Source>) -> (Part<u32>, Part<u128>) {
        let names = self
            .sensors
            .ids
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        // Sensor numbers in name order, after the sources already known.
        let mut by_name: Vec<(Vec<u8>, u32)> = names.into_iter().collect();
        by_name.sort();
        let base = sources.len() as u32;
        let mut renumber = vec![0u32; by_name.len()];
        for (i, (name, id)) in by_name.iter().enumerate() {
            renumber[*id as usize] = base + i as u32;
            sources.push(Source::sensor(&String::from_utf8_lossy(name)));
        }
        // Each sink is handed to the pool once; the mutex only moves it.
        let sinks: Vec<Mutex<Sink>> = self.sinks.into_iter().map(Mutex::new).collect();
        let (runs4, runs6): (Vec<Vec<Rec4>>, Vec<Vec<Rec6>>) = crate::pool::map(&sinks, |sink| {
            let mut sink = sink.lock().unwrap_or_else(|e| e.into_inner());
            let (mut v4, mut v6) = (std::mem::take(&mut sink.v4), std::mem::take(&mut sink.v6));
            for r in v4.iter_mut() {
                r.key = (r.key & !0xffff_ffff) | renumber[(r.key & 0xffff_ffff) as usize] as u64;
            }
            fold4(&mut v4);
            for r in v6.iter_mut() {
                r.sensor = renumber[r.sensor as usize];
            }
            fold6(&mut v6);
            (v4, v6)
        })
        .into_iter()
        .unzip();
        let v4 = merge_runs(
            runs4,
            |r| r.key,
            |r| ((r.key >> 32) as u32, (r.key & 0xffff_ffff) as u32),
            |a, b| a.absorb(b),
            |r| (r.value, r.hits, r.first, r.last),
        );
        let v6 = merge_runs(
            runs6,
            |r| (r.addr, r.sensor),
            |r| (r.addr, r.sensor),
            |a, b| a.absorb(b),
            |r| (r.value, r.hits, r.first, r.last),
        );
        (v4, v6)
    }
}

/// Merges sorted, folded runs into a part.
fn merge_runs<R: Copy, O: Ord + Copy, K: PartialEq + Copy>(
    runs: Vec<Vec<R>>,
    order: impl Fn(&R) -> O,
    split: impl Fn(&R) -> (K, u32),
    absorb: impl Fn(&mut R, &R),
    fields: impl Fn(&R) -> (u64, u64, i64, i64),
) -> Part<K> {
    let total: usize = runs.iter().map(Vec::len).sum();
    let mut part = Part {
        pairs: Vec::with_capacity(total),
        ..Part::default()
    };
    let mut emit = |r: &R| {
        let (k, source) = split(r);
        if part.keys.last() != Some(&k) {
            part.keys.push(k);
        }
        let (value, hits, first, last) = fields(r);
        part.pairs.push(Pair {
            key: (part.keys.len() - 1) as u32,
            source,
            value,
            hits,
            first,
            last,
        });
    };
    let mut heads = vec![0usize; runs.len()];
    loop {
        let mut best: Option<(usize, O)> = None;
        for (i, run) in runs.iter().enumerate() {
            if let Some(r) = run.get(heads[i]) {
                let o = order(r);
                if best.is_none_or(|(_, b)| o < b) {
                    best = Some((i, o));
                }
            }
        }
        let Some((i, o)) = best else { break };
        let mut acc = runs[i][heads[i]];
        heads[i] += 1;
        for (j, run) in runs.iter().enumerate() {
            if let Some(r) = run.get(heads[j]) {
                if order(r) == o {
                    absorb(&mut acc, r);
                    heads[j] += 1;
                }
            }
        }
        emit(&acc);
    }
    part
}

fn read_full(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match input.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

enum ReadError {
    Io(std::io::Error),
    /// A line runs past this block (index) without an end.
    LongLine(usize),
}

/// Sends blocks that end at a line end; the tail moves to the next block.
fn feed_blocks(
    input: &mut impl Read,
    mut buf: Vec<u8>,
    mut filled: usize,
    tx: SyncSender<(usize, Vec<u8>)>,
    back: Receiver<Vec<u8>>,
) -> Result<(), ReadError> {
    let mut index = 0;
    loop {
        let n = read_full(input, &mut buf[filled..]).map_err(ReadError::Io)?;
        filled += n;
        let eof = filled < buf.len();
        if filled == 0 {
            return Ok(());
        }
        let cut = if eof {
            filled
        } else {
            match memchr::memrchr(b'\n', &buf[..filled]) {
                Some(i) => i + 1,
                None => return Err(ReadError::LongLine(index)),
            }
        };
        let mut next = back.try_recv().unwrap_or_else(|_| vec![0u8; BLOCK]);
        next.resize(BLOCK, 0);
        let tail = filled - cut;
        next[..tail].copy_from_slice(&buf[cut..filled]);
        buf.truncate(cut);
        if tx.send((index, buf)).is_err() {
            return Ok(());
        }
        index += 1;
        if eof {
            return Ok(());
        }
        buf = next;
        filled = tail;
    }
}

fn worker(
    rx: &Mutex<Receiver<(usize, Vec<u8>)>>,
    results: &Mutex<Vec<BlockResult>>,
    back: SyncSender<Vec<u8>>,
    sink: &mut Sink,
    sensors: &Sensors,
    clock: Clock,
) {
    let mut cache = SensorCache {
        shared: sensors,
        local: HashMap::new(),
        last: (Vec::new(), 0),
    };
    let mut times = TimeCache::default();
    let mut owned = Vec::new();
    let half_life = super::category::SENSOR_HALF_LIFE as f64;
    loop {
        let msg = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok((index, block)) = msg else { break };
        let mut problems = Problems::default();
        let mut lines = 0u64;
        for line in block.split(|&b| b == b'\n') {
            lines += 1;
            if line.is_empty() || line == b"\r" {
                continue;
            }
            if line.len() > MAX_LINE {
                problems.bad(lines, "line longer than 65536 bytes", &line[..80]);
                continue;
            }
            problems.rows += 1;
            match parse_event(line, &mut times, &mut owned) {
                Ok(e) => {
                    let t = clock.clamp(e.time, &mut problems);
                    let age = (clock.now - t) as f64;
                    let value = (e.count as f64 * (-age / half_life).exp2() * FIX).round() as u64;
                    let sensor = cache.id(e.sensor);
                    match e.source {
                        Address::V4(a) => sink.push4(Rec4 {
                            key: (a as u64) << 32 | sensor as u64,
                            value,
                            hits: e.count,
                            first: t,
                            last: t,
                        }),
                        Address::V6(a) => sink.push6(Rec6 {
                            addr: a,
                            sensor,
                            value,
                            hits: e.count,
                            first: t,
                            last: t,
                        }),
                    }
                }
                Err(why) => problems.bad(lines, why, line),
            }
        }
        // `split` yields one piece after a final newline; it is not a line.
        if block.last() == Some(&b'\n') {
            lines -= 1;
        }
        results
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(BlockResult {
                index,
                lines,
                problems,
            });
        let _ = back.try_send(block);
    }
}
