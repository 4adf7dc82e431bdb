//! Argon2 behind a gate. Each hash needs 19 MiB of working memory; allocated per request, a flood
//! of sign-ins took the server past a gigabyte, and glibc kept most of it after the flood
//! (buffers that large come from the heap once its mmap threshold has grown). So at most one
//! hash per core runs at a time, each in a buffer taken from a small pool and given back after,
//! and a request that waits longer than [`QUEUE_WAIT`] is told to come back (503 with
//! `Retry-After`) instead of waiting forever.
//!
//! Hashes run on threads of their own, scheduled below every other thread of the machine
//! (`SCHED_BATCH` at the lowest niceness where the system has them): a flood of sign-ins then
//! slows sign-ins, not the pages, the API and `/healthz`, which would otherwise wait for a core
//! behind the hashes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// How long a request waits for a free hasher before it is answered 503.
pub const QUEUE_WAIT: Duration = Duration::from_secs(3);
/// What `Retry-After` says to a request turned away by a full queue.
pub const RETRY_AFTER_SECS: u64 = 5;

/// The gate and the buffers; cheap to clone (shared).
#[derive(Clone)]
pub struct Hashing(Arc<Inner>);

/// A hash to run on a hashing thread.
type Job = Box<dyn FnOnce() + Send>;

struct Inner {
    gate: Semaphore,
    /// To the hashing threads (as many as the gate's permits); they stop when it is dropped.
    jobs: Mutex<std::sync::mpsc::Sender<Job>>,
    /// Working memory of finished hashes, reused by the next ones (never more than the gate's
    /// permits, since each holder of a permit takes at most one).
    pool: Mutex<Vec<Vec<Block>>>,
    wait: Duration,
    /// A hash of a password nobody has, checked when an e-mail has no account so that the
    /// answer takes as long as for one that has. Made on the hashing threads the first time it
    /// is needed: made inline, it held a request thread for the length of a hash, at full
    /// priority, in the middle of the first flood.
    dummy: tokio::sync::OnceCell<String>,
}

impl Hashing {
    /// `permits` hashes at a time; a request waits at most `wait` for one.
    pub fn new(permits: usize, wait: Duration) -> Hashing {
        let permits = permits.max(1);
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..permits {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    lower_own_priority();
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(e) => e.into_inner().recv(),
                        };
                        let Ok(job) = job else { break };
                        job();
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("could not start a password hashing thread: {e}");
            }
        }
        Hashing(Arc::new(Inner {
            gate: Semaphore::new(permits),
            jobs: Mutex::new(jobs),
            pool: Mutex::new(Vec::new()),
            wait,
            dummy: tokio::sync::OnceCell::new(),
        }))
    }

    /// One hash per core but one: more would only make each slower and hold more memory, and
    /// the core left over keeps every other request (and `/healthz`) answering during a flood.
    pub fn for_this_machine() -> Hashing {
        Hashing::new(Hashing::threads_for_this_machine(), QUEUE_WAIT)
    }

    /// How many hashing threads [`Hashing::for_this_machine`] runs.
    pub fn threads_for_this_machine() -> usize {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        cores.saturating_sub(1).max(1)
    }

    /// A new Argon2id hash of `password` with the crate's default parameters (19 MiB, 2 passes,
    /// the OWASP minimum), as a PHC string.
    pub async fn hash(&self, password: &str) -> Result<String> {
        let password = password.to_string();
        self.run(move |blocks| hash_with(&password, blocks))
            .await?
            .map_err(Error::Internal)
    }

    /// Whether `password` matches the stored PHC string (false when it is not one).
    pub async fn verify(&self, password: &str, stored: &str) -> Result<bool> {
        let (password, stored) = (password.to_string(), stored.to_string());
        self.run(move |blocks| verify_with(&password, &stored, blocks))
            .await
    }

    /// The stand-in hash to check a password against when the e-mail has no account.
    pub async fn dummy(&self) -> Result<String> {
        self.0
            .dummy
            .get_or_try_init(|| self.hash("no account has this password"))
            .await
            .cloned()
    }

    /// Runs `work` on a blocking thread with a pooled buffer, once a permit is free.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T> {
        let permit = tokio::time::timeout(self.0.wait, self.0.gate.acquire())
            .await
            .map_err(|_| Error::Busy {
                retry_after: RETRY_AFTER_SECS,
            })?
            .map_err(anyhow::Error::new)?;
        let inner = self.0.clone();
        let (done, out) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let mut blocks = inner.take();
            let out = work(&mut blocks);
            inner.give_back(blocks);
            let _ = done.send(out);
        });
        let sent = match self.0.jobs.lock() {
            Ok(jobs) => jobs.send(job),
            Err(e) => e.into_inner().send(job),
        };
        sent.map_err(|_| anyhow::anyhow!("the password hashing threads have stopped"))?;
        // A job that panicked drops its sender: an internal error, not a hang.
        let out = out
            .await
            .map_err(|_| anyhow::anyhow!("password hashing failed"))?;
        drop(permit);
        Ok(out)
    }
}

/// Puts the calling thread below the machine's other work: `SCHED_BATCH` at the lowest
/// niceness on Linux, the lowest priority elsewhere. Best effort: where the system refuses,
/// hashing runs at the usual priority and the gate alone bounds it.
fn lower_own_priority() {
    use thread_priority::ThreadPriority;
    #[cfg(target_os = "linux")]
    let lowered = {
        use thread_priority::unix::{
            set_thread_priority_and_policy, thread_native_id, NormalThreadSchedulePolicy,
            ThreadSchedulePolicy,
        };
        set_thread_priority_and_policy(
            thread_native_id(),
            ThreadPriority::Min,
            ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch),
        )
    };
    #[cfg(not(target_os = "linux"))]
    let lowered = thread_priority::set_current_thread_priority(ThreadPriority::Min);
    if let Err(e) = lowered {
        tracing::debug!("password hashing keeps its priority: {e:?}");
    }
}

impl Inner {
    fn pool(&self) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
        // A panic while holding it leaves a plain list of buffers behind, still usable.
        self.pool.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn take(&self) -> Vec<Block> {
        self.pool()
            .pop()
            .unwrap_or_else(|| vec![Block::default(); Params::DEFAULT.block_count()])
    }

    fn give_back(&self, blocks: Vec<Block>) {
        // Only buffers of the usual size are kept: a larger one (an old hash with other
        // parameters) is freed, so the pool never grows past permits × 19 MiB.
        if blocks.len() == Params::DEFAULT.block_count() {
            self.pool().push(blocks);
        }
    }
}

/// The pooled buffer when it is large enough for `params`, else a `spare` one of the right size
/// (an old hash with other parameters), so the pooled buffer stays as it is.
fn memory_for<'b>(
    pooled: &'b mut [Block],
    spare: &'b mut Vec<Block>,
    params: &Params,
) -> &'b mut [Block] {
    let n = params.block_count();
    if pooled.len() >= n {
        return &mut pooled[..n];
    }
    *spare = vec![Block::default(); n];
    spare
}

fn hash_with(password: &str, blocks: &mut [Block]) -> anyhow::Result<String> {
    let params = Params::DEFAULT;
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = Output::init_with(len, |out| {
        argon
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt_bytes,
                out,
                memory_for(blocks, &mut Vec::new(), &params),
            )
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(|e| anyhow::anyhow!("hashing password: {e}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("{e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

fn verify_with(password: &str, stored: &str, blocks: &mut [Block]) -> bool {
    let Ok(phc) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
        Algorithm::try_from(phc.algorithm),
        Params::try_from(&phc),
        phc.salt,
        phc.hash,
    ) else {
        return false;
    };
    let version = match phc.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let mut spare = Vec::new();
    let argon = Argon2::new(algorithm, version, params.clone());
    argon
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt_bytes,
            &mut out,
            memory_for(blocks, &mut spare, &params),
        )
        .is_ok()
        // Output's comparison takes the same time whatever the bytes.
        && Output::new(&out).is_ok_and(|o| o == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[tokio::test]
    async fn pooled_hashes_verify_with_the_crate_and_the_crate_hashes_verify_here() {
        let h = Hashing::new(1, QUEUE_WAIT);
        let ours = h.hash("correct horse battery").await.expect("hash");
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        let parsed = PasswordHash::new(&ours).expect("a PHC string");
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"staple battery horse", &salt)
            .expect("hash")
            .to_string();
        assert!(h
            .verify("staple battery horse", &theirs)
            .await
            .expect("verify"));
        assert!(!h
            .verify("staple battery hors", &theirs)
            .await
            .expect("verify"));
        assert!(!h.verify("x", "not a hash").await.expect("verify"));
        // A hash with more memory than the pool's buffers still verifies.
        let bigger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(32 * 1024, 1, 1, None).expect("params"),
        );
        let salt = SaltString::generate(&mut OsRng);
        let big = bigger
            .hash_password(b"a longer password", &salt)
            .expect("hash")
            .to_string();
        assert!(h.verify("a longer password", &big).await.expect("verify"));
        assert_eq!(h.0.pool().len(), 1, "one buffer of the usual size is kept");
    }

    #[tokio::test]
    async fn the_stand_in_hash_is_made_on_a_hashing_thread_once_and_matches_nothing_said() {
        let h = Hashing::new(1, QUEUE_WAIT);
        let first = h.dummy().await.expect("dummy");
        assert!(
            first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{first}"
        );
        assert_eq!(h.dummy().await.expect("dummy"), first, "made once");
        assert!(!h.verify("", &first).await.expect("verify"));
        // It was hashed where every hash is, in a pooled buffer given back after.
        assert_eq!(h.0.pool().len(), 1);
    }

    #[tokio::test]
    async fn a_request_that_waits_too_long_is_told_when_to_come_back() {
        let h = Hashing::new(1, Duration::from_millis(50));
        let held = h.0.gate.acquire().await.expect("permit");
        match h.verify("password", "not a hash").await {
            Err(Error::Busy { retry_after }) => assert_eq!(retry_after, RETRY_AFTER_SECS),
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(held);
        assert!(!h
            .verify("password", "not a hash")
            .await
            .expect("a free gate"));
    }
}
