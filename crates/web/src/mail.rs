//! The mail sender: drains the outbox (`renkei_store::outbox`) over SMTP.
//!
//! Every app server runs one worker. It claims due messages with a lease (so two servers on
//! one PostgreSQL never hold the same message), sends each with lettre, and marks it sent or
//! failed; a failed message waits with exponential back-off (30 s doubling, at most 1 h) and
//! is retried, so a mail-server outage loses nothing. A server that dies mid-send leaves its
//! lease to run out, after which another server sends the message again (at least once).
//!
//! Messages are `text/plain; charset=utf-8`; lettre encodes the Japanese subject as RFC 2047
//! words and chooses base64 or quoted-printable for the body.

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use renkei_store::outbox::QueuedMail;
use renkei_store::{Store, StoreError};
use std::time::{Duration, Instant};

/// The sender when none is configured.
pub const DEFAULT_FROM: &str = "Renkei <no-reply@renkei.invalid>";
/// Messages claimed per round.
pub const BATCH: i64 = 10;
/// How long a claim holds a message. A round stops sending once half of it has passed, so
/// no message is sent after its lease could have gone to another server.
pub const LEASE_SECS: i64 = 300;
/// Time limit of each SMTP command (connect, EHLO, DATA, …).
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct MailConfig {
    /// `smtp://host:port` (plain), `smtp://host:587?tls=required` (STARTTLS) or
    /// `smtps://user:password@host:465`. `None`: mail stays queued.
    pub smtp_url: Option<String>,
    /// The From address, e.g. `Renkei <no-reply@example.lg.jp>`.
    pub from: String,
    /// How long the worker waits between rounds when the outbox is drained.
    pub poll_interval: Duration,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: DEFAULT_FROM.to_string(),
            poll_interval: Duration::from_secs(5),
        }
    }
}

/// Debug output goes to logs: the SMTP URL shows with its user name and password replaced.
impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_url", &self.smtp_url.as_deref().map(|u| redact(u, u)))
            .field("from", &self.from)
            .field("poll_interval", &self.poll_interval)
            .finish()
    }
}

impl MailConfig {
    /// Checks the SMTP URL and the From address without connecting (for start-up).
    pub fn check(&self) -> Result<(), MailError> {
        if let Some(url) = self.smtp_url.as_deref() {
            transport(url)?;
        }
        from_mailbox(self)?;
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail is not configured (no SMTP URL)")]
    NotConfigured,
    #[error("bad mail settings: {0}")]
    Config(String),
    #[error("outbox: {0}")]
    Store(#[from] StoreError),
    /// Some messages could not be delivered; they stay queued for a retry.
    #[error("{failed} message(s) not delivered, {sent} sent: {last_error}")]
    Delivery {
        sent: usize,
        failed: usize,
        last_error: String,
    },
}

/// Replaces the SMTP password (and user name), plain or percent-encoded, wherever it
/// appears in an error text.
fn redact(text: &str, smtp_url: &str) -> String {
    let mut out = text.to_string();
    let Some((_, after_scheme)) = smtp_url.split_once("://") else {
        return out;
    };
    let authority = after_scheme.split(['/', '?', '#']).next().unwrap_or("");
    let Some((userinfo, _)) = authority.rsplit_once('@') else {
        return out;
    };
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    for secret in [password, user] {
        if secret.is_empty() {
            continue;
        }
        out = out.replace(secret, "***");
        let decoded = percent_decode(secret);
        if !decoded.is_empty() {
            out = out.replace(&decoded, "***");
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The transport for a URL; errors never repeat the URL (it may hold a password).
fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map(|b| b.timeout(Some(SMTP_TIMEOUT)).build())
        .map_err(|e| MailError::Config(format!("SMTP URL: {}", redact(&e.to_string(), url))))
}

fn from_mailbox(config: &MailConfig) -> Result<Mailbox, MailError> {
    config
        .from
        .parse::<Mailbox>()
        .map_err(|e| MailError::Config(format!("mail from address: {e}")))
}

/// A Message-ID that stays the same when a message is sent again (after a crash between
/// sending and marking it sent), so receivers can recognise the copy.
fn message_id(from: &Mailbox, mail: &QueuedMail) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [mail.to.as_str(), mail.subject.as_str(), mail.body.as_str()] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = hex::encode(&h.finalize()[..8]);
    format!("<renkei.{}.{digest}@{}>", mail.id, from.email.domain())
}

/// Builds the message: From, To, an RFC 2047-encoded Subject, a UTF-8 plain-text body.
pub fn build_message(from: &Mailbox, mail: &QueuedMail) -> Result<Message, String> {
    let to = mail
        .to
        .parse::<Mailbox>()
        .map_err(|e| format!("invalid recipient address: {e}"))?;
    Message::builder()
        .message_id(Some(message_id(from, mail)))
        .from(from.clone())
        .to(to)
        // One line, whatever the outbox holds: a line break must not start a new header.
        .subject(renkei_app::mailer::one_line(&mail.subject))
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|e| format!("cannot build the message: {e}"))
}

/// One round: claims due messages, sends each, marks it sent or failed. Returns how many
/// were sent; `Err(MailError::Delivery)` when any failed (they are queued for a retry and
/// logged one by one).
pub async fn send_due_once(store: &Store, config: &MailConfig) -> Result<usize, MailError> {
    let Some(url) = config.smtp_url.as_deref() else {
        return Err(MailError::NotConfigured);
    };
    let mailer = transport(url)?;
    let from = from_mailbox(config)?;
    let started = Instant::now();
    let claimed = store.outbox_claim(BATCH, LEASE_SECS).await?;
    let (mut sent, mut failed, mut last_error) = (0usize, 0usize, String::new());
    let mut claimed = claimed.into_iter();
    for mail in claimed.by_ref() {
        if started.elapsed() > Duration::from_secs((LEASE_SECS / 2).unsigned_abs()) {
            // Too close to the end of the lease: give the rest back instead of risking a
            // second copy from another server.
            store.outbox_release(mail.id).await?;
            break;
        }
        let result = match build_message(&from, &mail) {
            Ok(message) => mailer
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| redact(&e.to_string(), url)),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                store.outbox_mark_sent(mail.id).await?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(
                    mail_id = mail.id,
                    kind = %mail.kind,
                    attempt = mail.attempts + 1,
                    %error,
                    "mail not delivered; will retry"
                );
                store.outbox_mark_failed(mail.id, &error).await?;
                failed += 1;
                last_error = error;
            }
        }
    }
    for rest in claimed {
        store.outbox_release(rest.id).await?;
    }
    if failed > 0 {
        return Err(MailError::Delivery {
            sent,
            failed,
            last_error,
        });
    }
    Ok(sent)
}

/// Starts the worker: a round every `poll_interval` (at once again after a full batch).
/// Without an SMTP URL it logs that once and ends; messages stay queued.
pub fn spawn_mail_worker(store: Store, config: MailConfig) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if config.smtp_url.is_none() {
            tracing::info!("mail is not configured (no SMTP URL): messages stay in the outbox");
            return;
        }
        if let Err(e) = config.check() {
            tracing::error!(error = %e, "mail worker not started");
            return;
        }
        tracing::info!(
            poll_secs = config.poll_interval.as_secs_f64(),
            "mail worker started"
        );
        loop {
            let full_batch = match send_due_once(&store, &config).await {
                Ok(n) => {
                    if n > 0 {
                        tracing::info!(sent = n, "mail sent");
                    }
                    n as i64 >= BATCH
                }
                // Each failure was logged with its message id already.
                Err(MailError::Delivery { .. }) => false,
                Err(e) => {
                    tracing::warn!(error = %e, "mail round failed");
                    false
                }
            };
            if !full_batch {
                tokio::time::sleep(config.poll_interval).await;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        let url = "smtps://desk%40city:p%40ss@mail.example.jp:465";
        let text = "auth failed for desk@city with p@ss and p%40ss";
        let r = redact(text, url);
        assert!(!r.contains("p@ss") && !r.contains("p%40ss"), "{r}");
        assert!(!r.contains("desk@city"), "{r}");
        assert_eq!(redact("no secrets", "smtp://127.0.0.1:25"), "no secrets");
    }

    #[test]
    fn percent_decoding_of_credentials() {
        assert_eq!(percent_decode("p%40ss%21"), "p@ss!");
        assert_eq!(percent_decode("%E5%8D%B1"), "危");
        // Malformed escapes stay as written; `+` is not a space in a URL's user info.
        assert_eq!(percent_decode("a%zz%4+b%"), "a%zz%4+b%");
    }

    #[test]
    fn debug_output_hides_the_smtp_password() {
        let config = MailConfig {
            smtp_url: Some("smtps://desk:S3cret%21pw@mail.example.jp:465".into()),
            ..MailConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("S3cret"), "{shown}");
        assert!(!shown.contains("desk:"), "{shown}");
        assert!(shown.contains("mail.example.jp:465"), "{shown}");
    }

    #[test]
    fn message_is_utf8_plain_text() {
        let from = DEFAULT_FROM.parse::<Mailbox>().expect("from");
        let mail = QueuedMail {
            id: 1,
            tenant_code: None,
            proposal_id: None,
            kind: "receipt".into(),
            to: "a@example.jp".into(),
            subject: "提案を受け付けました".into(),
            body: "ありがとうございます。".into(),
            attempts: 0,
            last_error: None,
            sent_at: None,
        };
        let raw = String::from_utf8(build_message(&from, &mail).expect("build").formatted())
            .expect("ascii");
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
        assert!(raw.contains("Subject: =?utf-8?"), "{raw}");
        assert!(raw.is_ascii());
        assert!(raw.contains("Message-ID: <renkei.1."), "{raw}");
        assert!(raw.contains("@renkei.invalid>"), "{raw}");
    }

    #[test]
    fn a_line_break_in_the_subject_adds_no_header() {
        let from = DEFAULT_FROM.parse::<Mailbox>().expect("from");
        let mail = QueuedMail {
            id: 2,
            tenant_code: None,
            proposal_id: None,
            kind: "status".into(),
            to: "a@example.jp".into(),
            subject: "Receipt\r\nBcc: evil@example.com\nX-Injected: yes".into(),
            body: "body".into(),
            attempts: 0,
            last_error: None,
            sent_at: None,
        };
        let raw = String::from_utf8(build_message(&from, &mail).expect("build").formatted())
            .expect("ascii");
        let head = raw.split("\r\n\r\n").next().unwrap_or("");
        for line in head.split("\r\n") {
            assert!(
                !line.starts_with("Bcc:") && !line.starts_with("X-Injected:"),
                "{raw}"
            );
        }
        assert!(
            head.contains("Subject: Receipt Bcc: evil@example.com X-Injected: yes"),
            "{raw}"
        );
    }
}
