//! Asking a nameserver: the [`Resolver`] the pull reads through, and its
//! one real implementation, [`TcpResolver`] — DNS over TCP with hickory
//! doing the protocol (messages, names, records, TSIG), queries pipelined
//! on one connection and matched to answers by ID.

use super::key::TsigKey;
use super::Error;
use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::tsig::TsigAlgorithm;
use hickory_proto::rr::{Name, RData, RecordType, TSigVerifier, TSigner};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// The record types a pull asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RType {
    Soa,
    A,
    Aaaa,
    Txt,
    Apl,
}

impl RType {
    pub fn name(self) -> &'static str {
        match self {
            RType::Soa => "SOA",
            RType::A => "A",
            RType::Aaaa => "AAAA",
            RType::Txt => "TXT",
            RType::Apl => "APL",
        }
    }

    fn record_type(self) -> RecordType {
        match self {
            RType::Soa => RecordType::SOA,
            RType::A => RecordType::A,
            RType::Aaaa => RecordType::AAAA,
            RType::Txt => RecordType::TXT,
            RType::Apl => RecordType::from(42),
        }
    }
}

/// One question: an absolute name (no trailing dot) and a type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Question {
    pub name: String,
    pub rtype: RType,
}

/// The data of one record of the asked type at the asked name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rdata {
    Soa {
        serial: u32,
    },
    A(u32),
    Aaaa(u128),
    /// The character-strings.
    Txt(Vec<Vec<u8>>),
    /// The RDATA octets (hickory has no APL type; `zone::codec` decodes it).
    Apl(Vec<u8>),
}

/// An answer: whether the name does not exist, and the records of the
/// asked type at the asked name (anything else in the answer section is
/// an error of the resolver).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answer {
    pub nxdomain: bool,
    pub records: Vec<Rdata>,
}

/// Answers questions, in order. The pull's only view of DNS, so that a test
/// can stand in for a server.
pub trait Resolver {
    fn ask(&mut self, questions: &[Question]) -> Result<Vec<Answer>, Error>;
}

/// At most this many queries in flight on the connection.
const WINDOW: usize = 32;
/// TSIG time fudge (seconds), as BIND and NSD default.
const FUDGE: u16 = 300;

/// DNS over TCP to one server, optionally signing every query with TSIG
/// and checking every answer's signature.
pub struct TcpResolver {
    server: SocketAddr,
    timeout: Duration,
    signer: Option<TSigner>,
    conn: Option<TcpStream>,
    next_id: u16,
    /// Queries sent so far.
    pub queries: u64,
}

impl TcpResolver {
    pub fn new(
        server: SocketAddr,
        timeout: Duration,
        key: Option<&TsigKey>,
    ) -> Result<TcpResolver, Error> {
        let signer = match key {
            None => None,
            Some(k) => {
                let alg = match k.algorithm.as_str() {
                    "hmac-sha256" => TsigAlgorithm::HmacSha256,
                    "hmac-sha384" => TsigAlgorithm::HmacSha384,
                    "hmac-sha512" => TsigAlgorithm::HmacSha512,
                    other => {
                        return Err(Error::Key(format!(
                            "algorithm {} not supported (hmac-sha256, hmac-sha384, hmac-sha512)",
                            crate::error::quote(other.as_bytes())
                        )))
                    }
                };
                let name = Name::from_ascii(format!("{}.", k.name))
                    .map_err(|e| Error::Key(format!("key name: {e}")))?;
                Some(
                    TSigner::new(k.secret.clone(), alg, name, FUDGE)
                        .map_err(|e| Error::Key(e.to_string()))?,
                )
            }
        };
        Ok(TcpResolver {
            server,
            timeout,
            signer,
            conn: None,
            next_id: Message::query().id,
            queries: 0,
        })
    }

    fn io_error(&self, what: &str, e: std::io::Error) -> Error {
        Error::Server {
            server: self.server,
            reason: format!("{what}: {}", crate::error::describe_io(&e)),
        }
    }

    fn connection(&mut self) -> Result<TcpStream, Error> {
        if let Some(c) = &self.conn {
            return c.try_clone().map_err(|e| self.io_error("connection", e));
        }
        let c = TcpStream::connect_timeout(&self.server, self.timeout)
            .map_err(|e| self.io_error("connect", e))?;
        let _ = c.set_nodelay(true);
        c.set_read_timeout(Some(self.timeout))
            .and_then(|_| c.set_write_timeout(Some(self.timeout)))
            .map_err(|e| self.io_error("connect", e))?;
        self.conn = Some(c.try_clone().map_err(|e| self.io_error("connect", e))?);
        Ok(c)
    }

    fn query(&mut self, q: &Question) -> Result<(u16, Vec<u8>, Option<TSigVerifier>), Error> {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let name = Name::from_ascii(format!("{}.", q.name)).map_err(|e| {
            Error::Plan(format!(
                "{}: not a name: {e}",
                crate::error::quote(q.name.as_bytes())
            ))
        })?;
        let mut m = Message::new(id, MessageType::Query, OpCode::Query);
        m.metadata.recursion_desired = true;
        m.add_query(Query::query(name, q.rtype.record_type()));
        let verifier = match &self.signer {
            Some(s) => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                m.finalize(s, now).map_err(|e| Error::Key(e.to_string()))?
            }
            None => None,
        };
        let bytes = m.to_vec().map_err(|e| Error::Plan(e.to_string()))?;
        Ok((id, bytes, verifier))
    }

    fn exchange(&mut self, questions: &[Question]) -> Result<Vec<Answer>, Error> {
        let mut conn = self.connection()?;
        let mut answers: Vec<Option<Answer>> = vec![None; questions.len()];
        let mut pending: HashMap<u16, (usize, Option<TSigVerifier>)> = HashMap::new();
        let mut sent = 0;
        let mut received = 0;
        let mut buf = Vec::new();
        while received < questions.len() {
            // Fill the window, in one write.
            buf.clear();
            while sent < questions.len() && pending.len() < WINDOW {
                let (id, bytes, verifier) = self.query(&questions[sent])?;
                buf.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
                buf.extend_from_slice(&bytes);
                pending.insert(id, (sent, verifier));
                sent += 1;
                self.queries += 1;
            }
            if !buf.is_empty() {
                conn.write_all(&buf).map_err(|e| self.io_error("send", e))?;
            }
            // One answer.
            let mut len = [0u8; 2];
            conn.read_exact(&mut len)
                .map_err(|e| self.io_error("receive", e))?;
            let mut msg = vec![0u8; u16::from_be_bytes(len) as usize];
            conn.read_exact(&mut msg)
                .map_err(|e| self.io_error("receive", e))?;
            let m = decode_message(self.server, &msg)?;
            let Some((i, verifier)) = pending.remove(&m.id) else {
                return Err(Error::Server {
                    server: self.server,
                    reason: format!("answer with an ID nobody asked for ({})", m.id),
                });
            };
            let q = &questions[i];
            let m = match verifier {
                Some(mut v) => {
                    if m.response_code == ResponseCode::NotAuth
                        || m.response_code == ResponseCode::Refused
                    {
                        return Err(Error::Tsig {
                            server: self.server,
                            reason: format!(
                                "the server answered {} to {}",
                                m.response_code, q.name
                            ),
                        });
                    }
                    v.verify(&msg)
                        .map_err(|e| Error::Tsig {
                            server: self.server,
                            reason: format!("answer for {}: {e}", q.name),
                        })?
                        .into_message()
                }
                None => m,
            };
            answers[i] = Some(check_answer(self.server, q, &m)?);
            received += 1;
        }
        Ok(answers.into_iter().map(|a| a.unwrap_or_default()).collect())
    }
}

fn decode_message(server: SocketAddr, msg: &[u8]) -> Result<Message, Error> {
    Message::from_vec(msg).map_err(|e| Error::Server {
        server,
        reason: format!("undecodable answer: {e}"),
    })
}

/// What the pull makes of one unsigned answer's bytes from `server` to
/// `q`: the entry the fuzz targets drive (`fuzz/`), not an API.
#[doc(hidden)]
pub fn decode_answer(server: SocketAddr, q: &Question, msg: &[u8]) -> Result<Answer, Error> {
    check_answer(server, q, &decode_message(server, msg)?)
}

/// Checks one answer against its question and keeps its records.
fn check_answer(server: SocketAddr, q: &Question, m: &Message) -> Result<Answer, Error> {
    let bad = |reason: String| Error::Answer {
        name: q.name.clone(),
        rtype: q.rtype.name(),
        reason,
    };
    if m.message_type != MessageType::Response {
        return Err(bad("not a response".into()));
    }
    if m.truncation {
        return Err(bad("truncated answer (TC) over TCP".into()));
    }
    let qname = Name::from_ascii(format!("{}.", q.name)).map_err(|e| bad(e.to_string()))?;
    let rt = q.rtype.record_type();
    match m.queries.first() {
        Some(x) if x.name() == &qname && x.query_type() == rt && m.queries.len() == 1 => {}
        _ => return Err(bad("the answer is for another question".into())),
    }
    let nxdomain = match m.response_code {
        ResponseCode::NoError => false,
        ResponseCode::NXDomain => true,
        code => {
            return Err(Error::Server {
                server,
                reason: format!("{} {}: {code}", q.name, q.rtype.name()),
            })
        }
    };
    let mut records = Vec::with_capacity(m.answers.len());
    for r in &m.answers {
        if r.name != qname || r.record_type() != rt {
            return Err(bad(format!(
                "unexpected {} record at {} in the answer",
                r.record_type(),
                r.name
            )));
        }
        records.push(match &r.data {
            RData::SOA(s) => Rdata::Soa { serial: s.serial },
            RData::A(a) => Rdata::A(u32::from(a.0)),
            RData::AAAA(a) => Rdata::Aaaa(u128::from(a.0)),
            RData::TXT(t) => Rdata::Txt(t.txt_data.iter().map(|s| s.to_vec()).collect()),
            RData::Unknown { rdata, .. } if q.rtype == RType::Apl => {
                Rdata::Apl(rdata.anything.clone())
            }
            other => return Err(bad(format!("unexpected data {other}"))),
        });
    }
    if nxdomain && !records.is_empty() {
        return Err(bad("NXDOMAIN with records".into()));
    }
    Ok(Answer { nxdomain, records })
}

impl Resolver for TcpResolver {
    fn ask(&mut self, questions: &[Question]) -> Result<Vec<Answer>, Error> {
        let r = self.exchange(questions);
        if r.is_err() {
            // A connection in an unknown state is not used again.
            self.conn = None;
        }
        r
    }
}
