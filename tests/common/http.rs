//! A small HTTP server on 127.0.0.1 for tests that fetch feeds: each
//! request answered by a handler the test sets (status, headers, body, a
//! delay, or no answer at all), every request logged.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A request as the server saw it: path and lower-cased headers.
#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the server answers: status, headers, body, and a delay first.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

pub fn ok(body: &[u8]) -> Reply {
    Reply {
        status: 200,
        headers: vec![],
        body: body.to_vec(),
        delay: Duration::ZERO,
    }
}

pub fn status(code: u16) -> Reply {
    Reply {
        status: code,
        headers: vec![],
        body: Vec::new(),
        delay: Duration::ZERO,
    }
}

type Handler = Box<dyn FnMut(&Request) -> Reply + Send>;

pub struct Server {
    port: u16,
    log: Arc<Mutex<Vec<Request>>>,
    handler: Arc<Mutex<Handler>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Mutex<Handler>> =
            Arc::new(Mutex::new(Box::new(|_: &Request| status(404))));
        let (l, h) = (log.clone(), handler.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (l, h) = (l.clone(), h.clone());
                std::thread::spawn(move || serve(stream, &l, &h));
            }
        });
        Server { port, log, handler }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn answer(&self, f: impl FnMut(&Request) -> Reply + Send + 'static) {
        *self.handler.lock().unwrap() = Box::new(f);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<Request>>, handler: &Mutex<Handler>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    let path = first.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.trim_end().split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let req = Request { path, headers };
    log.lock().unwrap().push(req.clone());
    let reply = (handler.lock().unwrap())(&req);
    std::thread::sleep(reply.delay);
    let mut out = stream;
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(&reply.body);
    let _ = out.flush();
    let _ = reader.read(&mut [0u8; 1]);
}

/// A reply that never comes (within any test): the server reads the
/// request and holds the connection open.
pub fn hang() -> Reply {
    Reply {
        delay: Duration::from_secs(3600),
        ..status(200)
    }
}
