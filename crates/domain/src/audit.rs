//! The audit trail is a hash chain: each entry's hash covers its own fields and the previous
//! entry's hash, so an edited entry no longer matches its hash and a deleted one breaks the link
//! of the entry after it. The chain's head (last sequence number and hash) is kept apart, which
//! catches a deleted last entry.

use sha2::{Digest, Sha256};

/// The hash that the first entry links to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry as it is hashed and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub tenant_code: Option<String>,
    pub actor_user_id: Option<i64>,
    /// A readable name of who acted: an e-mail, `cli`, `system`, `anonymous`.
    pub actor: String,
    /// What happened, dotted: `department.create`, `user.login`, `proposal.read`.
    pub action: String,
    /// What it happened to: `department:12`, `user:3`.
    pub target: String,
    /// Details as JSON text.
    pub detail: String,
    /// Where from: the client address, or `cli`.
    pub origin: String,
}

impl AuditEntry {
    /// The hash of this entry linked to `prev_hash`. Fields are length-prefixed so that no
    /// two different entries serialise to the same bytes.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        field(prev_hash.as_bytes());
        field(self.seq.to_string().as_bytes());
        field(self.at.as_bytes());
        field(self.tenant_code.as_deref().unwrap_or("").as_bytes());
        field(
            self.actor_user_id
                .map(|i| i.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        field(self.actor.as_bytes());
        field(self.action.as_bytes());
        field(self.target.as_bytes());
        field(self.detail.as_bytes());
        field(self.origin.as_bytes());
        hex::encode(h.finalize())
    }
}

/// A stored entry with the hashes it was saved with.
#[derive(Debug, Clone)]
pub struct StoredAuditEntry {
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// What is wrong with a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainFault {
    /// The entry's fields no longer give its stored hash: it was edited.
    Edited { seq: i64 },
    /// The entry does not link to the one before it: something between was deleted or inserted.
    Broken { seq: i64 },
    /// Sequence numbers jump: entries are missing.
    Gap { after: i64, next: i64 },
    /// The chain's head does not match its last entry: entries at the end were deleted.
    HeadMismatch { head_seq: i64, last_seq: i64 },
}

/// Verifies entries in sequence order. Feed them one by one (the store streams them), then
/// call `finish` with the stored head.
#[derive(Debug)]
pub struct ChainVerifier {
    last_seq: i64,
    last_hash: String,
    pub checked: u64,
    pub faults: Vec<ChainFault>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            last_seq: 0,
            last_hash: GENESIS_HASH.to_string(),
            checked: 0,
            faults: Vec::new(),
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, e: &StoredAuditEntry) {
        self.checked += 1;
        let seq = e.entry.seq;
        if seq != self.last_seq + 1 {
            self.faults.push(ChainFault::Gap {
                after: self.last_seq,
                next: seq,
            });
        }
        if e.prev_hash != self.last_hash {
            self.faults.push(ChainFault::Broken { seq });
        }
        if e.entry.chain_hash(&e.prev_hash) != e.hash {
            self.faults.push(ChainFault::Edited { seq });
        }
        self.last_seq = seq;
        self.last_hash = e.hash.clone();
    }

    pub fn finish(mut self, head_seq: i64, head_hash: &str) -> Vec<ChainFault> {
        if head_seq != self.last_seq || head_hash != self.last_hash {
            self.faults.push(ChainFault::HeadMismatch {
                head_seq,
                last_seq: self.last_seq,
            });
        }
        self.faults
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredAuditEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let entry = AuditEntry {
                    seq,
                    at: format!("2026-11-22T00:00:0{seq}.000Z"),
                    tenant_code: Some("272027".into()),
                    actor_user_id: Some(seq),
                    actor: "desk@example.jp".into(),
                    action: "department.create".into(),
                    target: format!("department:{seq}"),
                    detail: "{}".into(),
                    origin: "127.0.0.1".into(),
                };
                let hash = entry.chain_hash(&prev);
                let s = StoredAuditEntry {
                    entry,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                s
            })
            .collect()
    }

    fn verify(entries: &[StoredAuditEntry], head_seq: i64, head_hash: &str) -> Vec<ChainFault> {
        let mut v = ChainVerifier::default();
        entries.iter().for_each(|e| v.push(e));
        v.finish(head_seq, head_hash)
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, 5, &c[4].hash), vec![]);
    }

    #[test]
    fn edit_is_found() {
        let mut c = chain(5);
        c[2].entry.detail = "{\"changed\":true}".into();
        let head = c[4].hash.clone();
        assert_eq!(verify(&c, 5, &head), vec![ChainFault::Edited { seq: 3 }]);
    }

    #[test]
    fn deletion_in_the_middle_is_found() {
        let mut c = chain(5);
        c.remove(2);
        let head = c[3].hash.clone();
        let faults = verify(&c, 5, &head);
        assert!(faults.contains(&ChainFault::Gap { after: 2, next: 4 }));
        assert!(faults.contains(&ChainFault::Broken { seq: 4 }));
    }

    #[test]
    fn deletion_at_the_end_is_found() {
        let mut c = chain(5);
        let head = c[4].hash.clone();
        c.pop();
        assert_eq!(
            verify(&c, 5, &head),
            vec![ChainFault::HeadMismatch {
                head_seq: 5,
                last_seq: 4
            }]
        );
    }
}
