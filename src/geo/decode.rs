//! Decoding the MaxMind DB data section (format spec 2.0).
//!
//! Every read is bounds-checked, pointers may not point at pointers, nesting
//! is limited and each value decoded costs from a budget, so a hostile file
//! (a map whose entries all point back at one huge map, say) ends in an error,
//! never a panic, a stack overflow or an allocation bomb.

/// A decoded value; strings and bytes borrow from the database.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    Str(&'a str),
    Bytes(&'a [u8]),
    Uint(u128),
    Int(i32),
    Double(f64),
    Float(f32),
    Bool(bool),
    Map(Vec<(&'a str, Value<'a>)>),
    Array(Vec<Value<'a>>),
}

impl<'a> Value<'a> {
    /// The value under `key` in a map.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        match self {
            Value::Map(m) => m.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&'a str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_uint(&self) -> Option<u128> {
        match self {
            Value::Uint(n) => Some(*n),
            Value::Int(n) if *n >= 0 => Some(*n as u128),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// Why data could not be decoded; `offset` is within the section decoded.
/// The reader turns it into a [`super::Error`] naming the database.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason} at data offset {offset}")]
pub struct DecodeError {
    pub offset: usize,
    pub reason: &'static str,
}

/// Deepest nesting of maps and arrays accepted (real records nest 3 deep).
const MAX_DEPTH: u32 = 32;
/// Most values one decode may produce.
const BUDGET: usize = 1 << 16;

const POINTER: u8 = 1;
const STRING: u8 = 2;
const DOUBLE: u8 = 3;
const BYTES: u8 = 4;
const UINT16: u8 = 5;
const UINT32: u8 = 6;
const MAP: u8 = 7;
const INT32: u8 = 8;
const UINT64: u8 = 9;
const UINT128: u8 = 10;
const ARRAY: u8 = 11;
const BOOL: u8 = 14;
const FLOAT: u8 = 15;

/// Decodes the value at `offset` of `data` (a data or metadata section).
pub fn decode(data: &[u8], offset: usize) -> Result<Value<'_>, DecodeError> {
    let mut d = Decoder {
        data,
        budget: BUDGET,
    };
    d.value(offset, 0, true).map(|(v, _)| v)
}

struct Decoder<'a> {
    data: &'a [u8],
    budget: usize,
}

impl<'a> Decoder<'a> {
    fn err(offset: usize, reason: &'static str) -> DecodeError {
        DecodeError { offset, reason }
    }

    fn byte(&self, at: usize) -> Result<u8, DecodeError> {
        self.data
            .get(at)
            .copied()
            .ok_or(Self::err(at, "data runs past the end of the file"))
    }

    fn bytes(&self, at: usize, n: usize) -> Result<&'a [u8], DecodeError> {
        at.checked_add(n)
            .and_then(|end| self.data.get(at..end))
            .ok_or(Self::err(at, "data runs past the end of the file"))
    }

    /// Big-endian unsigned integer of `n` bytes (n <= 16).
    fn be(&self, at: usize, n: usize) -> Result<u128, DecodeError> {
        Ok(self
            .bytes(at, n)?
            .iter()
            .fold(0u128, |v, &b| (v << 8) | b as u128))
    }

    /// Decodes one value; returns it and the offset just after it. Following
    /// a pointer, the "after" offset is the one after the pointer itself.
    fn value(
        &mut self,
        at: usize,
        depth: u32,
        may_point: bool,
    ) -> Result<(Value<'a>, usize), DecodeError> {
        if self.budget == 0 {
            return Err(Self::err(at, "record too large"));
        }
        self.budget -= 1;
        let ctrl = self.byte(at)?;
        if ctrl >> 5 == POINTER {
            if !may_point {
                return Err(Self::err(at, "pointer to a pointer"));
            }
            let (target, after) = self.pointer(ctrl, at + 1)?;
            let (v, _) = self.value(target, depth, false)?;
            return Ok((v, after));
        }
        let (ty, size, pos) = self.header(ctrl, at)?;
        match ty {
            MAP | ARRAY => self.container(ty, at, pos, size, depth),
            _ => self.scalar(ty, at, pos, size),
        }
    }

    /// A pointer's target, and the offset after the pointer (`pos` is just
    /// after its control byte).
    fn pointer(&self, ctrl: u8, pos: usize) -> Result<(usize, usize), DecodeError> {
        let ss = ((ctrl >> 3) & 3) as usize;
        let vvv = (ctrl & 7) as u128;
        let target = match ss {
            0 => (vvv << 8) | self.be(pos, 1)?,
            1 => ((vvv << 16) | self.be(pos, 2)?) + 2048,
            2 => ((vvv << 24) | self.be(pos, 3)?) + 526_336,
            _ => self.be(pos, 4)?,
        };
        Ok((target as usize, pos + ss + 1))
    }

    /// The type and size a control byte (at `at`) announces, and where the
    /// payload starts.
    fn header(&self, ctrl: u8, at: usize) -> Result<(u8, usize, usize), DecodeError> {
        let mut pos = at + 1;
        let mut ty = ctrl >> 5;
        if ty == 0 {
            let ext = self.byte(pos)?;
            pos += 1;
            ty = ext.checked_add(7).filter(|t| *t >= 8).unwrap_or(0);
            if ty == 0 || ty > FLOAT {
                return Err(Self::err(at, "unknown data type"));
            }
        }
        let mut size = (ctrl & 0x1f) as usize;
        if size >= 29 {
            let n = size - 28;
            let extra = self.be(pos, n)? as usize;
            pos += n;
            size = match n {
                1 => 29 + extra,
                2 => 285 + extra,
                _ => 65_821 + extra,
            };
        }
        Ok((ty, size, pos))
    }

    /// A value that holds no other values.
    fn scalar(
        &self,
        ty: u8,
        at: usize,
        pos: usize,
        size: usize,
    ) -> Result<(Value<'a>, usize), DecodeError> {
        let value = match ty {
            STRING => Value::Str(
                std::str::from_utf8(self.bytes(pos, size)?)
                    .map_err(|_| Self::err(at, "string is not UTF-8"))?,
            ),
            BYTES => Value::Bytes(self.bytes(pos, size)?),
            DOUBLE | FLOAT => {
                let want = if ty == DOUBLE { 8 } else { 4 };
                if size != want {
                    return Err(Self::err(at, "bad size for a floating-point number"));
                }
                let bits = self.be(pos, size)?;
                if ty == DOUBLE {
                    Value::Double(f64::from_bits(bits as u64))
                } else {
                    Value::Float(f32::from_bits(bits as u32))
                }
            }
            UINT16 | UINT32 | UINT64 | UINT128 | INT32 => {
                let max = match ty {
                    UINT16 => 2,
                    UINT32 | INT32 => 4,
                    UINT64 => 8,
                    _ => 16,
                };
                if size > max {
                    return Err(Self::err(at, "integer too long for its type"));
                }
                let v = self.be(pos, size)?;
                if ty == INT32 {
                    Value::Int(v as u32 as i32)
                } else {
                    Value::Uint(v)
                }
            }
            BOOL => {
                if size > 1 {
                    return Err(Self::err(at, "bad boolean"));
                }
                // The size is the value: no payload.
                return Ok((Value::Bool(size == 1), pos));
            }
            _ => return Err(Self::err(at, "data type not allowed in data")),
        };
        Ok((value, pos + size))
    }

    /// A map or an array of `size` entries starting at `pos`.
    fn container(
        &mut self,
        ty: u8,
        at: usize,
        mut pos: usize,
        size: usize,
        depth: u32,
    ) -> Result<(Value<'a>, usize), DecodeError> {
        if depth >= MAX_DEPTH {
            return Err(Self::err(at, "data nested too deeply"));
        }
        // The size is untrusted: reserve little and let it grow.
        let cap = size.min(32);
        if ty == MAP {
            let mut m = Vec::with_capacity(cap);
            for _ in 0..size {
                let (k, next) = self.value(pos, depth + 1, true)?;
                let Value::Str(k) = k else {
                    return Err(Self::err(pos, "map key is not a string"));
                };
                let (v, next) = self.value(next, depth + 1, true)?;
                m.push((k, v));
                pos = next;
            }
            Ok((Value::Map(m), pos))
        } else {
            let mut a = Vec::with_capacity(cap);
            for _ in 0..size {
                let (v, next) = self.value(pos, depth + 1, true)?;
                a.push(v);
                pos = next;
            }
            Ok((Value::Array(a), pos))
        }
    }
}

/// Writing values in the same encoding (for `tl-geo build`).
pub mod encode {
    use super::*;

    fn ctrl(out: &mut Vec<u8>, ty: u8, size: usize) {
        let (five, extra): (u8, &[u8]) = if size < 29 {
            (size as u8, &[])
        } else if size < 285 {
            (29, &[(size - 29) as u8][..])
        } else if size < 65_821 {
            let s = (size - 285) as u16;
            (30, &s.to_be_bytes()[..])
        } else {
            let s = (size - 65_821) as u32;
            (31, &s.to_be_bytes()[1..])
        };
        // `extra` borrows temporaries above; copy it before pushing.
        let extra = extra.to_vec();
        if ty <= 7 {
            out.push((ty << 5) | five);
        } else {
            out.push(five);
            out.push(ty - 7);
        }
        out.extend_from_slice(&extra);
    }

    pub fn string(out: &mut Vec<u8>, s: &str) {
        ctrl(out, STRING, s.len());
        out.extend_from_slice(s.as_bytes());
    }

    pub fn map_header(out: &mut Vec<u8>, entries: usize) {
        ctrl(out, MAP, entries);
    }

    pub fn array_header(out: &mut Vec<u8>, entries: usize) {
        ctrl(out, ARRAY, entries);
    }

    pub fn bool(out: &mut Vec<u8>, b: bool) {
        ctrl(out, BOOL, b as usize);
    }

    /// An unsigned integer of type uint16, uint32 or uint64, in the fewest bytes.
    pub fn uint(out: &mut Vec<u8>, ty_bits: u32, v: u64) {
        let ty = match ty_bits {
            16 => UINT16,
            32 => UINT32,
            _ => UINT64,
        };
        let bytes = v.to_be_bytes();
        let skip = (v.leading_zeros() / 8) as usize;
        ctrl(out, ty, 8 - skip);
        out.extend_from_slice(&bytes[skip..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trip_and_pointers() {
        let mut d = Vec::new();
        encode::map_header(&mut d, 3);
        encode::string(&mut d, "a");
        encode::uint(&mut d, 32, 15169);
        encode::string(&mut d, "b");
        encode::bool(&mut d, true);
        encode::string(&mut d, "c");
        // a pointer (size 0 form) back to offset 1: the key "a"
        d.extend_from_slice(&[0b0010_0000, 1]);
        let v = decode(&d, 0).unwrap();
        assert_eq!(v.get("a").and_then(Value::as_uint), Some(15169));
        assert_eq!(v.get("b").and_then(Value::as_bool), Some(true));
        assert_eq!(v.get("c").and_then(Value::as_str), Some("a"));
        let long = "x".repeat(70_000);
        let mut d = Vec::new();
        encode::string(&mut d, &long);
        assert_eq!(decode(&d, 0).unwrap().as_str(), Some(long.as_str()));
        encode::uint(&mut d, 64, u64::MAX);
    }

    #[test]
    fn refusals() {
        // pointer to itself
        assert_eq!(
            decode(&[0x20, 0x00], 0).unwrap_err().reason,
            "pointer to a pointer"
        );
        // map claiming many entries with no data
        assert!(decode(&[0xfd, 0xff, 0xff, 0xff], 0).is_err());
        // uint16 with 3 bytes
        assert!(decode(&[0xa3, 1, 2, 3], 0).is_err());
        assert!(decode(&[], 0).is_err());
    }

    proptest! {
        #[test]
        fn bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), at in 0usize..300) {
            let _ = decode(&bytes, at);
        }
    }
}
