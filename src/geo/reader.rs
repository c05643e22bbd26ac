//! Reading MaxMind DB files: metadata, the binary search tree, and walking
//! the whole tree to list every network with its data record.
//!
//! The file is read into memory once. Its layout: the search tree (`node_count`
//! nodes of two records each), 16 zero bytes, the data section, then the
//! metadata map after the marker `\xAB\xCD\xEFMaxMind.com`.

use super::decode::{self, Value};
use super::Error;
use std::path::Path;

/// Where the metadata starts.
pub(super) const MARKER: &[u8] = b"\xAB\xCD\xEFMaxMind.com";
/// The metadata sits in the last 128 KiB of the file.
const METADATA_WINDOW: usize = 128 * 1024;

/// What the metadata says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    pub database_type: String,
    pub ip_version: u16,
    pub node_count: u32,
    pub record_size: u16,
    pub build_epoch: u64,
    pub description: String,
}

/// Where a record of the search tree leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    Node(u32),
    Empty,
    /// Offset into the data section.
    Data(u32),
}

/// An opened MaxMind DB.
pub struct Database {
    pub name: String,
    pub meta: Metadata,
    bytes: Vec<u8>,
    node_bytes: usize,
    data_start: usize,
    data_end: usize,
    /// Where IPv4 look-ups start: the record at `::/96` in an IPv6 tree.
    ipv4_start: Record,
    /// Depth of `ipv4_start` (96, or less when a shorter network covers it).
    ipv4_depth: u32,
}

/// A network of the tree: first address (in the tree's width), prefix
/// length, and its data offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Leaf {
    pub start: u128,
    pub len: u32,
    pub data: u32,
}

impl Database {
    /// Reads and checks a database file.
    pub fn open(path: &Path) -> Result<Database, Error> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::database(&name, crate::error::describe_io(&e)))?;
        Database::from_bytes(name, bytes)
    }

    pub fn from_bytes(name: String, bytes: Vec<u8>) -> Result<Database, Error> {
        let fail = |reason: String| Error::database(&name, reason);
        let window = bytes.len().saturating_sub(METADATA_WINDOW);
        let marker = memchr::memmem::rfind(&bytes[window..], MARKER)
            .map(|i| window + i)
            .ok_or_else(|| {
                fail("not a MaxMind DB file, or truncated (no metadata section found)".into())
            })?;
        let meta_bytes = &bytes[marker + MARKER.len()..];
        let meta =
            decode::decode(meta_bytes, 0).map_err(|e| fail(format!("unreadable metadata: {e}")))?;
        let meta = parse_metadata(&meta, &fail)?;
        let node_bytes = match meta.record_size {
            24 => 6,
            28 => 7,
            32 => 8,
            n => return Err(fail(format!("unsupported record size {n}"))),
        };
        let tree = meta.node_count as usize * node_bytes;
        let data_start = tree + 16;
        if data_start > marker {
            return Err(fail(format!(
                "truncated: the search tree needs {data_start} bytes, the file holds {marker} before its metadata"
            )));
        }
        if bytes[tree..data_start].iter().any(|&b| b != 0) {
            return Err(fail(
                "corrupt: no data section separator after the search tree".into(),
            ));
        }
        let mut db = Database {
            name,
            meta,
            node_bytes,
            data_start,
            data_end: marker,
            bytes,
            ipv4_start: Record::Node(0),
            ipv4_depth: 0,
        };
        if db.meta.ip_version == 6 {
            let mut r = Record::Node(0);
            while db.ipv4_depth < 96 {
                let Record::Node(n) = r else { break };
                r = db.child(n, 0);
                db.ipv4_depth += 1;
            }
            db.ipv4_start = r;
        }
        Ok(db)
    }

    /// Address width of the tree: 32 or 128.
    pub fn bits(&self) -> u32 {
        if self.meta.ip_version == 4 {
            32
        } else {
            128
        }
    }

    /// The data section, for decoding records.
    pub fn data(&self) -> &[u8] {
        &self.bytes[self.data_start..self.data_end]
    }

    /// Bytes of the whole file (for checksums of cached tables).
    pub fn file_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The record `side` (0 left, 1 right) of `node`; `node < node_count`.
    #[inline]
    fn child(&self, node: u32, side: usize) -> Record {
        let at = node as usize * self.node_bytes;
        let b = &self.bytes[at..at + self.node_bytes];
        let v = match (self.node_bytes, side) {
            (6, 0) => u32::from_be_bytes([0, b[0], b[1], b[2]]),
            (6, _) => u32::from_be_bytes([0, b[3], b[4], b[5]]),
            (7, 0) => u32::from_be_bytes([b[3] >> 4, b[0], b[1], b[2]]),
            (7, _) => u32::from_be_bytes([b[3] & 0x0f, b[4], b[5], b[6]]),
            (_, 0) => u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            (_, _) => u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
        };
        self.classify(v)
    }

    #[inline]
    fn classify(&self, v: u32) -> Record {
        let n = self.meta.node_count;
        if v < n {
            Record::Node(v)
        } else if v == n {
            Record::Empty
        } else {
            // Pointers outside the data section fail when decoded.
            Record::Data((v - n).checked_sub(16).unwrap_or(u32::MAX))
        }
    }

    /// The data offset for an IPv4 address, by walking the tree.
    pub fn lookup_v4(&self, addr: u32) -> Option<u32> {
        self.descend(self.ipv4_start, addr as u128, 32)
    }

    /// The data offset for an IPv6 address (none in an IPv4 database).
    pub fn lookup_v6(&self, addr: u128) -> Option<u32> {
        if self.meta.ip_version == 4 {
            return None;
        }
        self.descend(Record::Node(0), addr, 128)
    }

    /// Follows the `bits` low bits of `addr`, highest first, from `r` down
    /// to a data record.
    #[inline]
    fn descend(&self, mut r: Record, addr: u128, bits: u32) -> Option<u32> {
        let mut bit = bits as i32 - 1;
        while let Record::Node(n) = r {
            if bit < 0 {
                return None;
            }
            r = self.child(n, ((addr >> bit) & 1) as usize);
            bit -= 1;
        }
        match r {
            Record::Data(d) => Some(d),
            _ => None,
        }
    }

    /// Every network with data, in address order, and the prefixes that
    /// alias the IPv4 subtree (such as `::ffff:0:0/96` and `2002::/16`),
    /// which are not listed again. A corrupt tree that points back into
    /// itself is caught by a bound on the nodes visited.
    pub fn walk(&self, mut leaf: impl FnMut(Leaf)) -> Result<Vec<(u128, u32)>, Error> {
        let mut aliases = Vec::new();
        let mut budget = self.meta.node_count as u64 * 2 + 1024;
        let bits = self.bits();
        let ipv4_node = match self.ipv4_start {
            Record::Node(n) if self.meta.ip_version == 6 => Some(n),
            _ => None,
        };
        // (record, first address, depth); depth-first, left before right.
        let mut stack: Vec<(Record, u128, u32)> = vec![(Record::Node(0), 0, 0)];
        while let Some((r, start, depth)) = stack.pop() {
            match r {
                Record::Empty => {}
                Record::Data(d) => leaf(Leaf {
                    start,
                    len: depth,
                    data: d,
                }),
                Record::Node(n) => {
                    if depth >= bits {
                        return Err(self.corrupt("search tree deeper than the address width"));
                    }
                    if ipv4_node == Some(n) && !(depth == 96 && start == 0) {
                        aliases.push((start, depth));
                        continue;
                    }
                    if budget == 0 {
                        return Err(self.corrupt("search tree revisits its nodes"));
                    }
                    budget -= 1;
                    let right = start | (1u128 << (bits - 1 - depth));
                    stack.push((self.child(n, 1), right, depth + 1));
                    stack.push((self.child(n, 0), start, depth + 1));
                }
            }
        }
        Ok(aliases)
    }

    /// Decodes the record at a data offset.
    pub fn record(&self, offset: u32) -> Result<Value<'_>, Error> {
        decode::decode(self.data(), offset as usize)
            .map_err(|e| self.corrupt(&format!("bad data record: {e}")))
    }

    fn corrupt(&self, what: &str) -> Error {
        Error::database(&self.name, format!("corrupt MaxMind DB: {what}"))
    }
}

/// The metadata map; `fail` names the database in errors.
fn parse_metadata(v: &Value, fail: &impl Fn(String) -> Error) -> Result<Metadata, Error> {
    let uint = |k: &str| -> Result<u128, Error> {
        v.get(k)
            .and_then(Value::as_uint)
            .ok_or_else(|| fail(format!("metadata lacks '{k}'")))
    };
    let major = uint("binary_format_major_version")?;
    if major != 2 {
        return Err(fail(format!(
            "MaxMind DB format version {major} is not supported (this build reads version 2)"
        )));
    }
    let ip_version = uint("ip_version")?;
    if ip_version != 4 && ip_version != 6 {
        return Err(fail(format!("metadata has a bad ip_version {ip_version}")));
    }
    let node_count = u32::try_from(uint("node_count")?)
        .map_err(|_| fail("metadata has a bad node_count".into()))?;
    let record_size = uint("record_size")?;
    let text = |s: &str| -> String {
        // Metadata text reaches messages: keep it printable and short.
        s.chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .take(200)
            .collect()
    };
    let description = v
        .get("description")
        .and_then(|d| d.get("en"))
        .and_then(Value::as_str)
        .map(text)
        .unwrap_or_default();
    Ok(Metadata {
        database_type: v
            .get("database_type")
            .and_then(Value::as_str)
            .map(text)
            .ok_or_else(|| fail("metadata lacks 'database_type'".into()))?,
        ip_version: ip_version as u16,
        node_count,
        record_size: record_size.min(u16::MAX as u128) as u16,
        build_epoch: v
            .get("build_epoch")
            .and_then(Value::as_uint)
            .unwrap_or(0)
            .min(u64::MAX as u128) as u64,
        description,
    })
}
