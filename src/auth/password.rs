//! argon2id password hashing, off the async runtime, with a cap on concurrency and
//! memory that is allocated once.
//!
//! Each hash needs 19 MiB of working memory and a core for tens of milliseconds.
//! Hashing runs on tokio's blocking pool, and a semaphore bounds how many run at once,
//! so a login flood neither stalls request handling nor exhausts memory: excess
//! requests wait for a slot up to a deadline, then get 503. Each slot keeps its 19 MiB
//! between hashes: allocating them afresh for every hash, on whichever blocking thread
//! runs it, scattered them over the allocator's per-thread arenas, and a flood of
//! wrong passwords grew the process to a gigabyte that it never gave back.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use prometheus_client::metrics::counter::Counter;
use tokio::sync::Semaphore;

use crate::error::AppError;

/// OWASP's recommended argon2id parameters: 19 MiB, 2 iterations, 1 lane.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

/// The working memory of one hash, reused by the next.
struct Memory(Vec<Block>);

#[derive(Clone)]
pub struct PasswordHasher {
    slots: Arc<Semaphore>,
    /// Working memory of idle slots; never more than there are slots.
    memory: Arc<Mutex<Vec<Memory>>>,
    queue_timeout: Duration,
    /// Verified against when an email is unknown, so that the answer costs exactly
    /// what a wrong password costs and does not reveal which accounts exist.
    dummy_hash: Arc<str>,
    /// Password verifications done, real and dummy alike.
    verifications: Counter,
}

impl PasswordHasher {
    /// `verifications` counts every password verification, real and dummy alike.
    pub fn new(
        max_concurrent: usize,
        queue_timeout: Duration,
        verifications: Counter,
    ) -> Result<Self, AppError> {
        let mut memory = Memory::new()?;
        let dummy_hash = memory.hash("buysocial dummy password for unknown accounts")?;
        Ok(Self {
            slots: Arc::new(Semaphore::new(max_concurrent)),
            memory: Arc::new(Mutex::new(vec![memory])),
            queue_timeout,
            dummy_hash: dummy_hash.into(),
            verifications,
        })
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password = password.to_owned();
        self.run(move |memory| memory.hash(&password)).await
    }

    /// Whether `password` matches the PHC string `hash`.
    pub async fn verify(&self, password: &str, hash: &str) -> Result<bool, AppError> {
        let (password, hash) = (password.to_owned(), hash.to_owned());
        self.verifications.inc();
        self.run(move |memory| memory.verify(&password, &hash))
            .await
    }

    /// Spends the same effort as a real verification, for an unknown account.
    pub async fn verify_dummy(&self, password: &str) -> Result<(), AppError> {
        self.verify(password, &self.dummy_hash.clone()).await?;
        Ok(())
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Memory) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = tokio::time::timeout(self.queue_timeout, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Unavailable("the server is busy; try again shortly".into()))?
            .map_err(AppError::internal)?;
        let pool = self.memory.clone();
        tokio::task::spawn_blocking(move || {
            // A permit guarantees a slot: its memory is idle, or not allocated yet.
            let idle = pool
                .lock()
                .map_err(|_| AppError::internal("poisoned hasher pool"))?
                .pop();
            let mut memory = match idle {
                Some(memory) => memory,
                None => Memory::new()?,
            };
            let outcome = work(&mut memory);
            pool.lock()
                .map_err(|_| AppError::internal("poisoned hasher pool"))?
                .push(memory);
            drop(permit);
            outcome
        })
        .await
        .map_err(AppError::internal)?
    }
}

fn params() -> Result<Params, AppError> {
    Params::new(MEMORY_KIB, ITERATIONS, LANES, None).map_err(AppError::internal)
}

impl Memory {
    fn new() -> Result<Self, AppError> {
        Ok(Self(vec![Block::new(); params()?.block_count()]))
    }

    fn hash(&mut self, password: &str) -> Result<String, AppError> {
        let params = params()?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let salt = Salt::generate();
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        argon2
            .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, &mut self.0)
            .map_err(AppError::internal)?;
        let hash = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(AppError::internal)?,
            salt: Some(salt),
            hash: Some(Output::new(&out).map_err(AppError::internal)?),
        };
        Ok(hash.to_string())
    }

    /// Recomputes the hash with the stored parameters and compares in constant time.
    fn verify(&mut self, password: &str, phc: &str) -> Result<bool, AppError> {
        let hash = PasswordHash::new(phc).map_err(AppError::internal)?;
        let algorithm = Algorithm::try_from(hash.algorithm.as_str()).map_err(AppError::internal)?;
        let version = hash
            .version
            .map(Version::try_from)
            .transpose()
            .map_err(AppError::internal)?
            .unwrap_or_default();
        let params = Params::try_from(&hash).map_err(AppError::internal)?;
        let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
            return Err(AppError::internal(
                "a stored password hash has no salt or output",
            ));
        };
        if params.block_count() > self.0.len() {
            // Hashed with more memory than ours (an imported account): grow this slot.
            self.0.resize(params.block_count(), Block::new());
        }
        let argon2 = Argon2::new(algorithm, version, params);
        let mut buffer = [0u8; Output::MAX_LENGTH];
        let out = &mut buffer[..expected.len()];
        argon2
            .hash_password_into_with_memory(password.as_bytes(), salt, out, &mut self.0)
            .map_err(AppError::internal)?;
        // `Output`'s equality is constant-time.
        Ok(Output::new(out).map_err(AppError::internal)? == *expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher(slots: usize, timeout: Duration) -> PasswordHasher {
        PasswordHasher::new(slots, timeout, Counter::default()).unwrap()
    }

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let hasher = hasher(1, Duration::from_secs(5));
        let hash = hasher.hash("correct horse battery").await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(hasher.verify("correct horse battery", &hash).await.unwrap());
        assert!(
            !hasher
                .verify("correct horse battery!", &hash)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn hashes_of_the_stock_argon2_crate_verify() {
        use argon2::password_hash::PasswordHasher as _;
        let stock = Argon2::default()
            .hash_password(b"correct horse battery")
            .unwrap()
            .to_string();
        let hasher = hasher(1, Duration::from_secs(5));
        assert!(
            hasher
                .verify("correct horse battery", &stock)
                .await
                .unwrap()
        );
        assert!(!hasher.verify("wrong horse battery", &stock).await.unwrap());
        assert_eq!(hasher.verifications.get(), 2);
    }

    #[tokio::test]
    async fn a_full_queue_answers_unavailable_instead_of_waiting_forever() {
        let hasher = hasher(1, Duration::from_millis(1));
        let _busy = hasher.slots.clone().acquire_owned().await.unwrap();
        let err = hasher.hash("correct horse battery").await.unwrap_err();
        assert!(matches!(err, AppError::Unavailable(_)), "{err:?}");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn hashing_leaves_the_async_runtime_free() {
        // On a single-threaded runtime, a ticker keeps running while a hash is computed
        // only if the hash runs elsewhere.
        let hasher = hasher(1, Duration::from_secs(5));
        let ticker = tokio::spawn(async {
            let mut ticks = 0;
            for _ in 0..5 {
                tokio::time::sleep(Duration::from_millis(1)).await;
                ticks += 1;
            }
            ticks
        });
        hasher.hash("correct horse battery").await.unwrap();
        assert_eq!(ticker.await.unwrap(), 5);
    }
}
