//! Group commit for the public intake on SQLite.
//!
//! SQLite has one writer at a time and each commit waits for the disk (`synchronous=FULL`), so
//! one transaction per submission caps intake at the disk's commits per second. Here
//! submissions that arrive while others are being written share one transaction: each runs
//! inside its own savepoint (a refused one is rolled back alone), and the last one in line
//! commits for all. Every member still answers only after that commit is durable, so nothing
//! acknowledged is lost; a failed commit fails every member.
//!
//! On PostgreSQL, which has row locks and groups concurrent commits itself, a member is simply
//! a transaction of its own. Callers are written once for both:
//!
//! ```ignore
//! let mut member = store.write_grouped().await?;
//! let result = do_the_work(&mut member).await; // never `?` between these two lines
//! member.finish(result).await
//! ```
//!
//! A member dropped without `finish` (its request was cancelled mid-way) rolls the whole open
//! group back, and the others are told their commit failed rather than being acknowledged.

use crate::{Result, Store, StoreError, WriteTx};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

/// The most submissions one commit carries.
const MAX_MEMBERS: usize = 256;
/// How long a member that did not commit waits for the one after it before committing
/// the group itself (that one may have been cancelled while waiting in line).
const HANDOVER: Duration = Duration::from_millis(20);

/// The shared state of one process's groups (SQLite only).
#[derive(Default)]
pub(crate) struct Groups {
    open: Arc<Mutex<Option<OpenGroup>>>,
    /// Members waiting for `open`: while there are any, the group stays open for them.
    waiting: AtomicUsize,
    next_id: AtomicUsize,
    /// Commits made and submissions they carried, since start (see [`Store::group_stats`]).
    commits: AtomicUsize,
    committed_members: AtomicUsize,
}

struct OpenGroup {
    id: usize,
    tx: WriteTx,
    members: usize,
    /// `Some(true)` once committed, `Some(false)` if the commit failed; dropped unsent if the
    /// group was rolled back.
    done: watch::Sender<Option<bool>>,
}

/// One submission's share of a transaction. Dereferences to the transaction.
pub struct GroupMember {
    inner: Member,
}

enum Member {
    /// PostgreSQL: a transaction of its own.
    Alone(Option<WriteTx>),
    /// SQLite: a savepoint in the open group, holding the group's lock until `finish`.
    Grouped {
        guard: Option<OwnedMutexGuard<Option<OpenGroup>>>,
        groups: Arc<Groups>,
    },
}

/// A member waiting in line for the group. If it is dropped before its turn (its request was
/// cancelled), the member before it may have left the group open for it: a sweeper then
/// commits the group unless someone else is still in line.
struct Waiting {
    groups: Arc<Groups>,
    served: bool,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.groups.waiting.fetch_sub(1, Ordering::SeqCst);
        if self.served {
            return;
        }
        let groups = Arc::clone(&self.groups);
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let mut guard = Arc::clone(&groups.open).lock_owned().await;
                if groups.waiting.load(Ordering::SeqCst) == 0
                    && guard.is_some()
                    && let Err(e) = commit_group(&mut guard, &groups).await
                {
                    tracing::error!(error = %e, "intake group commit failed");
                }
            });
        }
    }
}

impl Store {
    /// A place in the current group transaction (see the module documentation).
    pub async fn write_grouped(&self) -> Result<GroupMember> {
        let Some(groups) = self.groups.as_ref() else {
            return Ok(GroupMember {
                inner: Member::Alone(Some(self.write().await?)),
            });
        };
        let groups = Arc::clone(groups);
        groups.waiting.fetch_add(1, Ordering::SeqCst);
        let mut guard = {
            let mut waiting = Waiting {
                groups: Arc::clone(&groups),
                served: false,
            };
            let guard = Arc::clone(&groups.open).lock_owned().await;
            waiting.served = true;
            guard
        };
        if guard.is_none() {
            let tx = self.write().await?;
            let (done, _) = watch::channel(None);
            *guard = Some(OpenGroup {
                id: groups.next_id.fetch_add(1, Ordering::SeqCst),
                tx,
                members: 0,
                done,
            });
        }
        let savepoint = match guard.as_mut() {
            Some(g) => {
                g.members += 1;
                sqlx::query("SAVEPOINT member").execute(&mut *g.tx.tx).await
            }
            None => return Err(StoreError::Internal("no open group".into())),
        };
        if let Err(e) = savepoint {
            // The group's transaction is unusable: roll it back for everyone.
            *guard = None;
            return Err(e.into());
        }
        Ok(GroupMember {
            inner: Member::Grouped {
                guard: Some(guard),
                groups,
            },
        })
    }
}

impl Store {
    /// Group commits made by this process and the submissions they carried (`None` on
    /// PostgreSQL, where each submission commits on its own).
    pub fn group_stats(&self) -> Option<(usize, usize)> {
        self.groups.as_ref().map(|g| {
            (
                g.commits.load(Ordering::SeqCst),
                g.committed_members.load(Ordering::SeqCst),
            )
        })
    }
}

impl GroupMember {
    /// Ends this member's work: keeps it if `result` is `Ok` (answering only once it is
    /// committed), undoes it alone if `Err`.
    pub async fn finish<T>(mut self, result: Result<T>) -> Result<T> {
        match &mut self.inner {
            Member::Alone(tx) => match (tx.take(), result) {
                (Some(tx), Ok(v)) => {
                    tx.commit().await?;
                    Ok(v)
                }
                (_, Err(e)) => Err(e),
                (None, Ok(_)) => Err(StoreError::Internal("member finished twice".into())),
            },
            Member::Grouped { guard, groups } => {
                let Some(mut guard) = guard.take() else {
                    return Err(StoreError::Internal("member finished twice".into()));
                };
                let groups = Arc::clone(groups);
                let Some(group) = guard.as_mut() else {
                    return Err(StoreError::Internal("no open group".into()));
                };
                let end = if result.is_ok() {
                    sqlx::query("RELEASE SAVEPOINT member")
                        .execute(&mut *group.tx.tx)
                        .await
                } else {
                    match sqlx::query("ROLLBACK TO SAVEPOINT member")
                        .execute(&mut *group.tx.tx)
                        .await
                    {
                        Ok(_) => {
                            sqlx::query("RELEASE SAVEPOINT member")
                                .execute(&mut *group.tx.tx)
                                .await
                        }
                        Err(e) => Err(e),
                    }
                };
                if let Err(e) = end {
                    *guard = None;
                    return Err(e.into());
                }
                let id = group.id;
                let mut done = group.done.subscribe();
                let last =
                    groups.waiting.load(Ordering::SeqCst) == 0 || group.members >= MAX_MEMBERS;
                let value = match result {
                    Ok(value) => value,
                    Err(e) => {
                        // Undone alone; but the last in line commits the others' work even
                        // when its own was refused, or the group would stay open.
                        if last {
                            commit_group(&mut guard, &groups).await?;
                        }
                        return Err(e);
                    }
                };
                if last {
                    return commit_group(&mut guard, &groups).await.map(|()| value);
                }
                drop(guard);
                loop {
                    // The outcome is read into a plain value: the channel's guard must not be
                    // held across the await below (it is not `Send`).
                    let outcome = match tokio::time::timeout(
                        HANDOVER,
                        done.wait_for(Option::is_some),
                    )
                    .await
                    {
                        Ok(Ok(outcome)) => Some(*outcome == Some(true)),
                        Ok(Err(_)) => {
                            return Err(StoreError::Internal("group rolled back".into()));
                        }
                        Err(_) => None,
                    };
                    match outcome {
                        Some(true) => return Ok(value),
                        Some(false) => {
                            return Err(StoreError::Internal("group commit failed".into()));
                        }
                        None => {
                            // Nobody committed in time: if our group is still open and
                            // nobody is working in it, commit it ourselves.
                            let mut guard = Arc::clone(&groups.open).lock_owned().await;
                            if guard.as_ref().is_some_and(|g| g.id == id) {
                                return commit_group(&mut guard, &groups).await.map(|()| value);
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn commit_group(
    guard: &mut OwnedMutexGuard<Option<OpenGroup>>,
    groups: &Groups,
) -> Result<()> {
    let Some(group) = guard.take() else {
        return Err(StoreError::Internal("no open group".into()));
    };
    let done = group.done;
    let members = group.members;
    match group.tx.commit().await {
        Ok(()) => {
            groups.commits.fetch_add(1, Ordering::SeqCst);
            groups
                .committed_members
                .fetch_add(members, Ordering::SeqCst);
            done.send_replace(Some(true));
            Ok(())
        }
        Err(e) => {
            done.send_replace(Some(false));
            Err(e)
        }
    }
}

impl Drop for GroupMember {
    fn drop(&mut self) {
        // Dropped between `write_grouped` and `finish`: what this member wrote cannot be
        // undone alone without waiting, so the whole open group is rolled back.
        if let Member::Grouped { guard, .. } = &mut self.inner
            && let Some(mut guard) = guard.take()
        {
            let Some(group) = guard.take() else {
                return;
            };
            // Roll back before anyone else may write: the group's place (`guard`) and the
            // write gate (inside its transaction) are let go only once SQLite has run the
            // ROLLBACK. A dropped sqlx transaction only queues it for the connection's next
            // use, and the next writer would meet a database still locked by it.
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async move {
                        let OpenGroup { tx, done, .. } = group;
                        if let Err(e) = tx.tx.rollback().await {
                            tracing::warn!(error = %e, "rolling back a cancelled group");
                        }
                        drop(done);
                        drop(guard);
                    });
                }
                Err(_) => drop(group),
            }
        }
    }
}

impl Deref for GroupMember {
    type Target = WriteTx;
    fn deref(&self) -> &WriteTx {
        match &self.inner {
            Member::Alone(Some(tx)) => tx,
            Member::Grouped {
                guard: Some(guard), ..
            } => match guard.as_ref() {
                Some(g) => &g.tx,
                None => unreachable_tx(),
            },
            _ => unreachable_tx(),
        }
    }
}

impl DerefMut for GroupMember {
    fn deref_mut(&mut self) -> &mut WriteTx {
        match &mut self.inner {
            Member::Alone(Some(tx)) => tx,
            Member::Grouped {
                guard: Some(guard), ..
            } => match guard.as_mut() {
                Some(g) => &mut g.tx,
                None => unreachable_tx(),
            },
            _ => unreachable_tx(),
        }
    }
}

/// A member always holds its transaction until `finish` consumes it; only `finish` and `Drop`
/// take it, and neither dereferences afterwards.
fn unreachable_tx() -> ! {
    panic!("group member used after finish")
}
