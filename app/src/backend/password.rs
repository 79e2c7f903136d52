//! Password hashing with argon2id (OWASP's minimum: 19 MiB, 2 passes, 1 lane), stored as
//! PHC strings so that the parameters travel with each hash.
//!
//! Hashing takes tens of milliseconds of CPU on purpose, so it always runs on a blocking
//! thread, never on the async runtime.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::domain::password::normalize;
use crate::error::AppError;

/// Memory cost in KiB, passes and lanes of every new hash.
const M_COST_KIB: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

fn hasher() -> Result<Argon2<'static>, argon2::Error> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes with a fresh random salt; the result is a PHC string (`$argon2id$v=19$…`).
fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let password = normalize(password);
    let salt = SaltString::generate(&mut OsRng);
    let hash = hasher()?.hash_password(password.as_bytes(), &salt)?;
    Ok(hash.to_string())
}

/// Verifies with the algorithm and parameters written in the hash itself, so hashes made
/// under older parameters keep working. A malformed hash simply does not match.
fn verify_blocking(password: &str, phc: &str) -> bool {
    let password = normalize(password);
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Password work (hashing, verifying) under way at once: half the machine's cores, at
/// least one. A login storm then takes at most that share of the CPU.
fn password_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (cores / 2).max(1)
}

/// How long a password check waits for its turn before the answer is "busy, try again":
/// a queue that only grows helps nobody.
const PASSWORD_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

type PasswordJob = Box<dyn FnOnce() + Send>;

/// The password threads: [`password_threads`] of them, started at first use, each at a
/// lower scheduling priority (nice 10), so that while they hash, every other request is
/// served first and a login storm cannot slow down the people already signed in. The
/// semaphore is the queue: a check waits for a free thread at most
/// [`PASSWORD_QUEUE_WAIT`].
struct PasswordWorkers {
    jobs: std::sync::mpsc::SyncSender<PasswordJob>,
    free: tokio::sync::Semaphore,
    wait: std::time::Duration,
}

static PASSWORD_WORKERS: LazyLock<PasswordWorkers> =
    LazyLock::new(|| PasswordWorkers::start(password_threads(), PASSWORD_QUEUE_WAIT));

impl PasswordWorkers {
    fn start(threads: usize, wait: std::time::Duration) -> PasswordWorkers {
        let (jobs, queue) = std::sync::mpsc::sync_channel::<PasswordJob>(threads);
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for n in 0..threads {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("kouka-password-{n}"))
                .spawn(move || {
                    lower_this_threads_priority();
                    loop {
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(poisoned) => poisoned.into_inner().recv(),
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "could not start a password thread");
            }
        }
        PasswordWorkers {
            jobs,
            free: tokio::sync::Semaphore::new(threads),
            wait,
        }
    }

    /// Runs `work` on a password thread once one is free, or answers [`AppError::Busy`]
    /// after waiting `self.wait`.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = tokio::time::timeout(self.wait, self.free.acquire())
            .await
            .map_err(|_| AppError::Busy)?
            .map_err(|error| AppError::internal("password work queue closed", error))?;
        let (done, result) = tokio::sync::oneshot::channel();
        let job: PasswordJob = Box::new(move || {
            let _ = done.send(work());
        });
        // At most as many jobs as threads are out (one per permit), so the channel, which
        // holds that many, always has room.
        if self.jobs.try_send(job).is_err() {
            return Err(AppError::internal("password work", "no password thread"));
        }
        let result = result
            .await
            .map_err(|error| AppError::internal("password task failed", error));
        drop(permit);
        result
    }
}

/// Nice 10 for the calling thread only (Linux schedules threads one by one).
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread; no memory is shared.
    unsafe {
        let thread = libc::gettid();
        if libc::setpriority(libc::PRIO_PROCESS, thread as libc::id_t, 10) != 0 {
            tracing::debug!("could not lower the password thread's priority");
        }
    }
}

/// Runs `work` on one of the password threads (see [`PasswordWorkers`]).
async fn password_work<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    PASSWORD_WORKERS.run(work).await
}

/// Hashes a new password for storage.
#[tracing::instrument(skip_all)]
pub async fn hash_password(password: String) -> Result<String, AppError> {
    password_work(move || hash_blocking(&password))
        .await?
        .map_err(|error| AppError::internal("password hashing failed", error))
}

/// Whether `password` matches the stored PHC string `phc`; `Busy` when too many checks
/// wait already.
#[tracing::instrument(skip_all)]
pub async fn verify_password(password: String, phc: String) -> Result<bool, AppError> {
    password_work(move || verify_blocking(&password, &phc)).await
}

/// A hash made with the current parameters, for accounts that do not exist. Computed rather
/// than written out so that it stays in step if the parameters change.
static DUMMY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash_blocking("kouka: no such account").ok());

/// Does the work of [`verify_password`] against a dummy hash, for sign-ins to an account
/// that does not exist: answering at once would tell an attacker which accounts do. It
/// waits in the same queue, so it is busy exactly when a real check would be.
#[tracing::instrument(skip_all)]
pub async fn verify_against_dummy(password: String) -> Result<(), AppError> {
    // The dummy hash is first computed here, on the blocking thread too; the outcome is
    // meaningless: only the time spent matters.
    password_work(move || match DUMMY_HASH.as_deref() {
        Some(phc) => verify_blocking(&password, phc),
        None => false,
    })
    .await
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFIX: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

    #[tokio::test]
    async fn a_full_queue_answers_busy_instead_of_growing() {
        let workers = std::sync::Arc::new(PasswordWorkers::start(
            1,
            std::time::Duration::from_millis(100),
        ));
        // The one thread is taken for half a second.
        let first = {
            let workers = workers.clone();
            tokio::spawn(async move {
                workers
                    .run(|| std::thread::sleep(std::time::Duration::from_millis(500)))
                    .await
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(workers.run(|| 1).await, Err(AppError::Busy));
        assert_eq!(first.await.expect("joined"), Ok(()));
        // Free again: the next check runs.
        assert_eq!(workers.run(|| 2).await, Ok(2));
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let phc = hash_password("correct horse battery".into())
            .await
            .expect("hash");
        assert!(
            verify_password("correct horse battery".into(), phc.clone())
                .await
                .expect("verify")
        );
        assert!(
            !verify_password("correct horse battery!".into(), phc.clone())
                .await
                .expect("verify")
        );
        assert!(!verify_password(String::new(), phc).await.expect("verify"));
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_chosen_parameters() {
        let phc = hash_password("わたしのねこはくろいです".into())
            .await
            .expect("hash");
        assert!(phc.starts_with(PREFIX), "{phc}");
        assert!(
            verify_password("わたしのねこはくろいです".into(), phc)
                .await
                .expect("verify")
        );
    }

    #[tokio::test]
    async fn each_hash_has_its_own_salt() {
        let first = hash_password("same password here".into())
            .await
            .expect("hash");
        let second = hash_password("same password here".into())
            .await
            .expect("hash");
        assert_ne!(first, second);
    }

    #[tokio::test]
    async fn a_malformed_hash_never_matches() {
        for phc in [
            "",
            "not a hash",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$!!!",
            "$2b$12$abcdefghijklmnopqrstuv",
        ] {
            assert!(
                !verify_password("any password".into(), phc.into())
                    .await
                    .expect("verify"),
                "{phc:?}"
            );
        }
    }

    #[tokio::test]
    async fn the_dummy_check_does_the_same_work() {
        let dummy = DUMMY_HASH.as_deref().expect("dummy hash");
        assert!(dummy.starts_with(PREFIX), "{dummy}");
        verify_against_dummy("whoever@example.jp".into())
            .await
            .expect("dummy");
        verify_against_dummy(String::new()).await.expect("dummy");
    }
}
