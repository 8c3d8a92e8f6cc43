//! A real, minimal SMTP server on 127.0.0.1 for tests: it speaks enough RFC 5321 for lettre
//! (220 greeting, EHLO/HELO, MAIL FROM, RCPT TO, DATA with dot-unstuffing, RSET, NOOP,
//! QUIT; no AUTH, no STARTTLS) and keeps every message it accepts.
//!
//! [`SmtpSink::stop`] closes the listener and every open connection, so a client then gets
//! "connection refused"; [`SmtpSink::start_on`] comes back on the same port, as a mail
//! server does after an outage. [`ReceivedMail::subject`] and [`ReceivedMail::body_text`]
//! undo the encodings a client chooses (RFC 2047 words, base64, quoted-printable) so that
//! tests can compare Japanese text.

use base64::Engine;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// The largest message the sink takes (bytes of DATA).
const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// One accepted message: the envelope and the DATA as sent (dot-unstuffed, CRLF lines,
/// without the final `.` line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

/// A running SMTP sink.
pub struct SmtpSink {
    port: u16,
    messages: Arc<Mutex<Vec<ReceivedMail>>>,
    shutdown: Option<watch::Sender<bool>>,
    task: Option<JoinHandle<()>>,
}

impl SmtpSink {
    /// Listens on 127.0.0.1 on a free port.
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// Listens on 127.0.0.1:`port` (0: a free one), retrying for a few seconds while the
    /// port is still held (coming back after [`SmtpSink::stop`]).
    pub async fn start_on(port: u16) -> Self {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", port)).await {
                Ok(l) => break l,
                Err(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("SMTP sink cannot listen on 127.0.0.1:{port}: {e}"),
            }
        };
        let port = listener.local_addr().expect("sink address").port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&messages), rx));
        Self {
            port,
            messages,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `smtp://127.0.0.1:PORT` (plain SMTP, no authentication).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// A copy of every message accepted so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        lock(&self.messages).clone()
    }

    /// The shared list itself (to keep after [`SmtpSink::stop`]).
    pub fn store(&self) -> Arc<Mutex<Vec<ReceivedMail>>> {
        Arc::clone(&self.messages)
    }

    /// Waits until at least `n` messages arrived or `timeout` passed; returns them.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let got = self.messages();
            if got.len() >= n || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Closes the listener and every open connection; returns when the port is free.
    pub async fn stop(mut self) {
        self.shutdown_now().await;
    }

    async fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn lock(m: &Mutex<Vec<ReceivedMail>>) -> std::sync::MutexGuard<'_, Vec<ReceivedMail>> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn accept_loop(
    listener: TcpListener,
    messages: Arc<Mutex<Vec<ReceivedMail>>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    connections.spawn(session(stream, Arc::clone(&messages)));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    connections.shutdown().await;
}

/// Reads one line (up to LF); `None` at end of stream.
async fn read_line(reader: &mut BufReader<TcpStream>, buf: &mut Vec<u8>) -> Option<()> {
    buf.clear();
    match reader.read_until(b'\n', buf).await {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(()),
    }
}

/// The address inside `<…>` after `MAIL FROM:` / `RCPT TO:` (parameters ignored).
fn path_arg(rest: &str) -> Option<String> {
    let start = rest.find('<')?;
    let end = rest[start..].find('>')? + start;
    Some(rest[start + 1..end].to_string())
}

async fn session(stream: TcpStream, messages: Arc<Mutex<Vec<ReceivedMail>>>) {
    let mut reader = BufReader::new(stream);
    let mut out: Vec<u8> = Vec::new();
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    macro_rules! reply {
        ($text:expr) => {{
            out.clear();
            out.extend_from_slice($text.as_bytes());
            out.extend_from_slice(b"\r\n");
            if reader.get_mut().write_all(&out).await.is_err() {
                return;
            }
        }};
    }
    reply!("220 127.0.0.1 Renkei test SMTP sink ready");
    while read_line(&mut reader, &mut line).await.is_some() {
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let verb = text
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let upper = text.to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                from = None;
                to.clear();
                reply!("250-127.0.0.1 greets you\r\n250-8BITMIME\r\n250 SIZE 16777216");
            }
            "HELO" => {
                from = None;
                to.clear();
                reply!("250 127.0.0.1");
            }
            "MAIL" if upper.starts_with("MAIL FROM:") => match path_arg(&text[10..]) {
                Some(addr) => {
                    from = Some(addr);
                    to.clear();
                    reply!("250 2.1.0 OK");
                }
                None => reply!("501 5.5.4 Syntax: MAIL FROM:<address>"),
            },
            "RCPT" if upper.starts_with("RCPT TO:") => {
                if from.is_none() {
                    reply!("503 5.5.1 Need MAIL first");
                } else {
                    match path_arg(&text[8..]) {
                        Some(addr) if !addr.is_empty() => {
                            to.push(addr);
                            reply!("250 2.1.5 OK");
                        }
                        _ => reply!("501 5.5.4 Syntax: RCPT TO:<address>"),
                    }
                }
            }
            "DATA" => {
                let Some(sender) = from.clone() else {
                    reply!("503 5.5.1 Need MAIL first");
                    continue;
                };
                if to.is_empty() {
                    reply!("554 5.5.1 No valid recipients");
                    continue;
                }
                reply!("354 End data with <CR><LF>.<CR><LF>");
                let mut data = Vec::new();
                let mut too_big = false;
                loop {
                    if read_line(&mut reader, &mut line).await.is_none() {
                        return; // the client went away mid-message: nothing accepted
                    }
                    let content = line
                        .strip_suffix(b"\r\n")
                        .or_else(|| line.strip_suffix(b"\n"))
                        .unwrap_or(&line);
                    if content == b"." {
                        break;
                    }
                    let unstuffed = content.strip_prefix(b".").unwrap_or(content);
                    if data.len() + unstuffed.len() + 2 > MAX_MESSAGE {
                        too_big = true;
                        continue;
                    }
                    data.extend_from_slice(unstuffed);
                    data.extend_from_slice(b"\r\n");
                }
                if too_big {
                    reply!("552 5.3.4 Message too big");
                } else {
                    let n = {
                        let mut list = lock(&messages);
                        list.push(ReceivedMail {
                            from: sender,
                            to: std::mem::take(&mut to),
                            data,
                        });
                        list.len()
                    };
                    reply!(format!("250 2.0.0 OK queued as {n}"));
                }
                from = None;
                to.clear();
            }
            "RSET" => {
                from = None;
                to.clear();
                reply!("250 2.0.0 OK");
            }
            "NOOP" => reply!("250 2.0.0 OK"),
            "VRFY" => reply!("252 2.1.5 Cannot verify"),
            "QUIT" => {
                reply!("221 2.0.0 Bye");
                let _ = reader.get_mut().shutdown().await;
                return;
            }
            _ => reply!("502 5.5.2 Command not implemented"),
        }
    }
}

impl ReceivedMail {
    /// The header block and the body, split at the first empty line.
    fn parts(&self) -> (String, &[u8]) {
        let data = &self.data[..];
        let (head, body) = match find(data, b"\r\n\r\n") {
            Some(i) => (&data[..i], &data[i + 4..]),
            None => match find(data, b"\n\n") {
                Some(i) => (&data[..i], &data[i + 2..]),
                None => (data, &data[data.len()..]),
            },
        };
        (String::from_utf8_lossy(head).into_owned(), body)
    }

    /// Every header as (name, unfolded raw value), in order.
    pub fn headers(&self) -> Vec<(String, String)> {
        let (head, _) = self.parts();
        let mut out: Vec<(String, String)> = Vec::new();
        for line in head.split('\n') {
            let line = line.trim_end_matches('\r');
            if line.starts_with([' ', '\t']) {
                if let Some(last) = out.last_mut() {
                    // Unfolding removes the line break, keeps the white space.
                    last.1.push_str(line);
                }
            } else if let Some((name, value)) = line.split_once(':') {
                out.push((name.trim().to_string(), value.trim_start().to_string()));
            }
        }
        out
    }

    /// The raw (still encoded) value of the first header with this name.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers()
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The Subject with RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) decoded.
    pub fn subject(&self) -> Option<String> {
        self.header("Subject").map(|v| decode_rfc2047(&v))
    }

    /// The body of a single-part message with its Content-Transfer-Encoding (base64,
    /// quoted-printable, 7bit, 8bit) undone, as UTF-8 with LF line ends.
    pub fn body_text(&self) -> String {
        let (_, body) = self.parts();
        let cte = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let bytes = match cte.as_str() {
            "base64" => decode_base64_lenient(body),
            "quoted-printable" => decode_quoted_printable(body),
            _ => body.to_vec(),
        };
        String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn decode_base64_lenient(data: &[u8]) -> Vec<u8> {
    let clean: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(&clean)
        .unwrap_or_else(|_| data.to_vec())
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Quoted-printable (RFC 2045): `=XX` bytes and `=` soft line breaks.
pub fn decode_quoted_printable(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b == b'=' {
            let rest = &data[i + 1..];
            if rest.starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if rest.starts_with(b"\n") {
                i += 2;
                continue;
            }
            if rest.len() >= 2
                && let (Some(h), Some(l)) = (hex_val(rest[0]), hex_val(rest[1]))
            {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

/// One RFC 2047 encoded word `=?charset?enc?text?=` decoded (UTF-8 and ASCII charsets).
fn decode_word(word: &str) -> Option<String> {
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut parts = inner.splitn(3, '?');
    let charset = parts.next()?.to_ascii_lowercase();
    let charset = charset.split('*').next().unwrap_or("").to_string(); // RFC 2231 language
    let enc = parts.next()?.to_ascii_lowercase();
    let text = parts.next()?;
    if !matches!(charset.as_str(), "utf-8" | "utf8" | "us-ascii") {
        return None;
    }
    let bytes = match enc.as_str() {
        "b" => base64::engine::general_purpose::STANDARD
            .decode(text.trim_end_matches('='))
            .or_else(|_| {
                base64::engine::general_purpose::STANDARD_NO_PAD.decode(text.trim_end_matches('='))
            })
            .ok()?,
        "q" => {
            let spaced: Vec<u8> = text
                .bytes()
                .map(|b| if b == b'_' { b' ' } else { b })
                .collect();
            decode_quoted_printable(&spaced)
        }
        _ => return None,
    };
    String::from_utf8(bytes).ok()
}

/// Decodes RFC 2047 encoded words in a header value; white space between two adjacent
/// encoded words is dropped, as the RFC says.
pub fn decode_rfc2047(value: &str) -> String {
    let mut out = String::new();
    let mut pending_space = String::new();
    let mut last_was_word = false;
    let mut rest = value;
    while !rest.is_empty() {
        let ws_len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if ws_len > 0 {
            pending_space.push_str(&rest[..ws_len]);
            rest = &rest[ws_len..];
            continue;
        }
        let token_len = rest.find([' ', '\t']).unwrap_or(rest.len());
        let token = &rest[..token_len];
        rest = &rest[token_len..];
        match decode_word(token) {
            Some(decoded) => {
                if !last_was_word {
                    out.push_str(&pending_space);
                }
                out.push_str(&decoded);
                last_was_word = true;
            }
            None => {
                out.push_str(&pending_space);
                out.push_str(token);
                last_was_word = false;
            }
        }
        pending_space.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words() {
        assert_eq!(
            decode_rfc2047("=?utf-8?b?5o+Q5qGI?= =?utf-8?b?44KS5Y+X44GR5LuY44GR?="),
            "提案を受け付け"
        );
        assert_eq!(decode_rfc2047("=?UTF-8?Q?a_b=E3=81=82?= c"), "a bあ c");
        assert_eq!(decode_rfc2047("plain text"), "plain text");
    }

    #[test]
    fn quoted_printable_soft_breaks() {
        assert_eq!(
            decode_quoted_printable(b"=E3=81=82=\r\n=E3=81=84 x"),
            "あい x".as_bytes()
        );
    }
}
