//! TSIG keys as the servers' tools write them: a BIND `key` statement
//! (`tsig-keygen` output), an NSD `key:` clause, or one line
//! `name:algorithm:secret` (also dig's `algorithm:name:secret`, and
//! `name:secret` for hmac-sha256).

use super::Error;
use crate::error::quote;

/// A shared secret and what it is called.
#[derive(Clone, PartialEq, Eq)]
pub struct TsigKey {
    /// The key's name, lower case, without a trailing dot.
    pub name: String,
    /// `hmac-sha256`, `hmac-sha384` or `hmac-sha512`.
    pub algorithm: String,
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for TsigKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // never the secret
        write!(f, "TsigKey({} {})", self.name, self.algorithm)
    }
}

fn key_error(reason: impl Into<String>) -> Error {
    Error::Key(reason.into())
}

fn check(name: &str, algorithm: &str, secret: &str) -> Result<TsigKey, Error> {
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty()
        || !name
            .split('.')
            .all(|l| crate::net::domain::check_label(l).is_ok())
    {
        // The text is not shown: in a line whose fields are out of order
        // it is the secret.
        return Err(key_error(
            "not a key name (dot-separated labels of letters, digits and '-'; \
             fields in the order name:algorithm:secret?)",
        ));
    }
    let algorithm = algorithm.trim().trim_end_matches('.').to_ascii_lowercase();
    if !["hmac-sha256", "hmac-sha384", "hmac-sha512"].contains(&algorithm.as_str()) {
        // Shown only when it cannot be the secret (a name of a few letters).
        let shown = if algorithm.len() <= 16 && !algorithm.contains(['=', '+', '/']) {
            format!(" {}", quote(algorithm.as_bytes()))
        } else {
            String::new()
        };
        return Err(key_error(format!(
            "algorithm{shown} not supported (hmac-sha256, hmac-sha384, hmac-sha512)"
        )));
    }
    let secret = data_encoding::BASE64
        .decode(secret.trim().as_bytes())
        .map_err(|_| key_error("the secret is not base64"))?;
    if secret.is_empty() {
        return Err(key_error("empty secret"));
    }
    Ok(TsigKey {
        name,
        algorithm,
        secret,
    })
}

/// One line: `name:algorithm:secret`, `algorithm:name:secret` or
/// `name:secret`.
pub fn parse_inline(text: &str) -> Result<TsigKey, Error> {
    let parts: Vec<&str> = text.trim().splitn(3, ':').collect();
    match parts[..] {
        [a, b, secret] if a.starts_with("hmac-") => check(b, a, secret),
        [name, alg, secret] => check(name, alg, secret),
        [name, secret] => check(name, "hmac-sha256", secret),
        _ => Err(key_error("expected name:algorithm:secret")),
    }
}

/// A key file: BIND's `key "name" { algorithm A; secret "S"; };` or NSD's
/// `key:` clause with `name:`, `algorithm:` and `secret:`. The first key in
/// the file is taken.
pub fn parse_file(text: &str) -> Result<TsigKey, Error> {
    // Comments: BIND's //, # and /* */; NSD's #.
    let mut clean = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map(|x| x.1).unwrap_or("");
        } else if rest.starts_with("//") || rest.starts_with('#') {
            rest = rest.split_once('\n').map(|x| x.1).unwrap_or("");
            clean.push('\n');
        } else if rest.starts_with('"') {
            // a quoted string, kept whole
            let end = rest[1..].find('"').map(|i| i + 2).unwrap_or(rest.len());
            clean.push_str(&rest[..end]);
            rest = &rest[end..];
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            clean.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    let unquote = |s: &str| s.trim().trim_matches('"').to_string();
    let trimmed = clean.trim_start();
    if let Some(body) = trimmed.strip_prefix("key:") {
        // NSD
        let mut name = None;
        let mut alg = None;
        let mut secret = None;
        for line in body.lines() {
            let Some((k, v)) = line.trim().split_once(':') else {
                continue;
            };
            let slot = match k.trim() {
                "name" => &mut name,
                "algorithm" => &mut alg,
                "secret" => &mut secret,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(unquote(v));
            }
        }
        return match (name, alg, secret) {
            (Some(n), Some(a), Some(s)) => check(&n, &a, &s),
            _ => Err(key_error(
                "an NSD key clause needs name, algorithm and secret",
            )),
        };
    }
    // BIND
    let start = trimmed.strip_prefix("key").ok_or_else(|| {
        key_error("no key statement (key \"name\" { algorithm ...; secret \"...\"; };)")
    })?;
    let (name, body) = start
        .split_once('{')
        .ok_or_else(|| key_error("key statement without '{'"))?;
    let body = body.split('}').next().unwrap_or("");
    let mut alg = None;
    let mut secret = None;
    for stmt in body.split(';') {
        let stmt = stmt.trim();
        if let Some(v) = stmt.strip_prefix("algorithm") {
            alg = Some(unquote(v));
        } else if let Some(v) = stmt.strip_prefix("secret") {
            secret = Some(unquote(v));
        }
    }
    match (alg, secret) {
        (Some(a), Some(s)) => check(&unquote(name), &a, &s),
        _ => Err(key_error("the key statement needs algorithm and secret")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=";

    #[test]
    fn every_form() {
        let want = TsigKey {
            name: "xfr-key".into(),
            algorithm: "hmac-sha256".into(),
            secret: b"secret-secret-secret-secret-1234".to_vec(),
        };
        let bind = format!(
            "// made by tsig-keygen\nkey \"xfr-key\" {{\n\talgorithm hmac-sha256;\n\tsecret \"{SECRET}\";\n}};\n"
        );
        let nsd = format!(
            "# nsd\nkey:\n\tname: \"xfr-key\"\n\talgorithm: hmac-sha256\n\tsecret: \"{SECRET}\"\n"
        );
        assert_eq!(parse_file(&bind).unwrap(), want);
        assert_eq!(parse_file(&nsd).unwrap(), want);
        assert_eq!(
            parse_inline(&format!("xfr-key:hmac-sha256:{SECRET}")).unwrap(),
            want
        );
        assert_eq!(
            parse_inline(&format!("hmac-sha256:xfr-key:{SECRET}")).unwrap(),
            want
        );
        assert_eq!(parse_inline(&format!("Xfr-Key.:{SECRET}")).unwrap(), want);
    }

    #[test]
    fn refusals() {
        for bad in [
            format!("k:hmac-md5:{SECRET}"),
            "k:hmac-sha256:not base64!".to_string(),
            format!("bad name:{SECRET}"),
            "nothing".to_string(),
        ] {
            assert!(parse_inline(&bad).is_err(), "{bad}");
        }
        assert!(parse_file("options { };").is_err());
        assert!(parse_file("key \"k\" { algorithm hmac-sha256; };").is_err());
        // the secret never shows
        let k = parse_inline(&format!("k:{SECRET}")).unwrap();
        assert!(!format!("{k:?}").contains(SECRET));
    }

    /// Fields out of order put the secret where a name or an algorithm is
    /// expected: the refusal never prints it (stderr ends up in logs).
    #[test]
    fn a_refusal_never_shows_the_secret() {
        let lines = [
            format!("{SECRET}:hmac-sha256:xfr-key"),
            format!("hmac-sha256:{SECRET}:xfr-key"),
            format!("xfr-key:{SECRET}:hmac-sha256"),
            format!("{SECRET}:xfr-key"),
        ];
        for line in &lines {
            let e = parse_inline(line).unwrap_err().to_string();
            assert!(
                !e.contains(SECRET) && !e.contains(&SECRET[..12]),
                "{line}: {e}"
            );
        }
        let e = parse_file(&format!(
            "key \"{SECRET}\" {{ algorithm hmac-sha256; secret \"{SECRET}\"; }};"
        ))
        .unwrap_err()
        .to_string();
        assert!(!e.contains(&SECRET[..12]), "{e}");
        // A short misspelt algorithm is still shown.
        let e = parse_inline(&format!("k:hmac-sha1:{SECRET}")).unwrap_err();
        assert!(e.to_string().contains("'hmac-sha1'"), "{e}");
    }
}
