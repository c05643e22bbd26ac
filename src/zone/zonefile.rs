//! Replacing a zone file: serial from the file it replaces, atomic
//! replacement, a modification time newer than the old file's (BIND's
//! `rndc reload` ignores a file that is not newer).

use super::serial::{next_serial, read_serial, SerialStyle};
use super::Error;
use crate::error::InputError;
use crate::files::write_atomic;
use std::fs;
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// One TXT character-string in zone-file text, quoted: `"` and `\` are
/// escaped with `\`, every octet outside printable ASCII (line breaks,
/// controls, UTF-8) as `\DDD`, so no text can end the string, the record
/// or the line. At most 255 octets of text (a character-string's limit).
pub fn txt_string(text: &[u8]) -> Result<String, &'static str> {
    if text.len() > 255 {
        return Err("longer than 255 octets (one TXT string)");
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for &c in text {
        match c {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(c as char);
            }
            b' '..=b'~' => out.push(c as char),
            _ => out.push_str(&format!("\\{c:03}")),
        }
    }
    out.push('"');
    Ok(out)
}

/// What publishing one file did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    pub path: String,
    /// False when the file already held exactly this content.
    pub changed: bool,
    pub serial: u32,
    /// Octets of the file.
    pub size: u64,
}

/// Writes `header(serial)` and the body parts to `path` unless the file already holds
/// the same content under its serial. The serial grows from the previous
/// file's (RFC 1982); the new file is renamed into place atomically and
/// gets a modification time newer than the file it replaced.
pub fn publish(
    path: &str,
    header: impl Fn(u32) -> Vec<u8>,
    body: &[&[u8]],
    style: SerialStyle,
    now: i64,
) -> Result<Published, Error> {
    let old = match fs::read(path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(path, &e)),
    };
    let old_mtime = fs::metadata(path).and_then(|m| m.modified()).ok();
    let prev = match &old {
        None => None,
        Some(b) => Some(read_serial(b).ok_or_else(|| {
            InputError::file(
                path,
                "no SOA serial in the file to be replaced (move it away to start afresh)",
            )
        })?),
    };
    if let (Some(old), Some(prev)) = (&old, prev) {
        let h = header(prev);
        let total: usize = body.iter().map(|b| b.len()).sum();
        let same = old.len() == h.len() + total && old.starts_with(&h) && {
            let mut at = h.len();
            body.iter().all(|b| {
                at += b.len();
                &old[at - b.len()..at] == *b
            })
        };
        if same {
            return Ok(Published {
                path: path.to_string(),
                changed: false,
                serial: prev,
                size: old.len() as u64,
            });
        }
    }
    let serial = next_serial(prev, style, now);
    let head = header(serial);
    let mut parts: Vec<&[u8]> = vec![&head];
    parts.extend_from_slice(body);
    let size = parts.iter().map(|p| p.len() as u64).sum();
    write_atomic(Path::new(path), &parts).map_err(|e| Error::io(path, &e))?;
    if let Some(old_mtime) = old_mtime {
        newer_than(path, old_mtime).map_err(|e| Error::io(path, &e))?;
    }
    Ok(Published {
        path: path.to_string(),
        changed: true,
        serial,
        size,
    })
}

/// Writes `content` unless the file already holds it; true when written.
pub fn write_if_changed(path: &str, content: &[u8]) -> Result<bool, Error> {
    if fs::read(path).is_ok_and(|old| old == content) {
        return Ok(false);
    }
    write_atomic(Path::new(path), &[content]).map_err(|e| Error::io(path, &e))?;
    Ok(true)
}

/// Makes sure `path` is newer than `old` (a clock stepped back, or two
/// writes within the file system's time resolution).
fn newer_than(path: &str, old: SystemTime) -> io::Result<()> {
    let now = fs::metadata(path).and_then(|m| m.modified())?;
    if now <= old {
        let f = fs::File::options().write(true).open(path)?;
        f.set_modified(old + Duration::from_secs(1))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_strings_are_escaped() {
        assert_eq!(txt_string(b"Blocked: see x").unwrap(), "\"Blocked: see x\"");
        assert_eq!(
            txt_string("a\"b\\c\n$INCLUDE ;(ü)".as_bytes()).unwrap(),
            "\"a\\\"b\\\\c\\010$INCLUDE ;(\\195\\188)\""
        );
        assert_eq!(txt_string(&[b'x'; 255]).unwrap().len(), 257);
        assert!(txt_string(&[b'x'; 256]).is_err());
    }

    #[test]
    fn unchanged_content_keeps_file_and_serial() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("z.zone");
        let p = p.to_str().unwrap();
        let head = |s: u32| format!("@ SOA ns. h. {s} 1 2 3 4\n").into_bytes();
        let day = 1_795_737_600;
        let a = publish(p, head, &[b"x A 192.0.2.1\n"], SerialStyle::Date, day).unwrap();
        assert_eq!((a.changed, a.serial), (true, 2026112700));
        let m1 = fs::metadata(p).unwrap().modified().unwrap();
        let b = publish(p, head, &[b"x A 192.0.2.1\n"], SerialStyle::Date, day).unwrap();
        assert_eq!((b.changed, b.serial), (false, 2026112700));
        // a change at the same second, with the clock a day back: the
        // serial still grows and the file is newer
        let c = publish(
            p,
            head,
            &[b"x A 192.0.2.2\n"],
            SerialStyle::Date,
            day - 86400,
        )
        .unwrap();
        assert_eq!((c.changed, c.serial), (true, 2026112701));
        assert!(fs::metadata(p).unwrap().modified().unwrap() > m1);
        // a file without a serial is not replaced blindly
        fs::write(p, "garbage\n").unwrap();
        assert!(publish(p, head, &[b""], SerialStyle::Date, day).is_err());
    }
}
