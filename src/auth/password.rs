//! argon2id password hashing, off the async runtime and with a cap on concurrency.
//!
//! Each hash takes ~19 MiB and a core for tens of milliseconds. Hashing runs on
//! tokio's blocking pool, and a semaphore bounds how many run at once, so a login
//! flood neither stalls request handling nor exhausts memory: excess requests wait
//! for a slot up to a deadline, then get 503.

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::AppError;

/// OWASP's recommended argon2id parameters: 19 MiB, 2 iterations, 1 lane.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

#[derive(Clone)]
pub struct PasswordHasher {
    slots: Arc<Semaphore>,
    queue_timeout: Duration,
    /// Verified against when an email is unknown, so that the answer takes as long
    /// as for a wrong password and does not reveal which accounts exist.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    pub fn new(max_concurrent: usize, queue_timeout: Duration) -> Result<Self, AppError> {
        let dummy_hash = hash_blocking("buysocial dummy password for unknown accounts")?;
        Ok(Self {
            slots: Arc::new(Semaphore::new(max_concurrent)),
            queue_timeout,
            dummy_hash: dummy_hash.into(),
        })
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password = password.to_owned();
        self.run(move || hash_blocking(&password)).await
    }

    /// Whether `password` matches the PHC string `hash`.
    pub async fn verify(&self, password: &str, hash: &str) -> Result<bool, AppError> {
        let (password, hash) = (password.to_owned(), hash.to_owned());
        self.run(move || verify_blocking(&password, &hash)).await
    }

    /// Spends the same effort as a real verification, for an unknown account.
    pub async fn verify_dummy(&self, password: &str) -> Result<(), AppError> {
        let (password, hash) = (password.to_owned(), self.dummy_hash.clone());
        self.run(move || verify_blocking(&password, &hash)).await?;
        Ok(())
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = tokio::time::timeout(self.queue_timeout, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Unavailable("the server is busy; try again shortly".into()))?
            .map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || {
            let outcome = work();
            drop(permit);
            outcome
        })
        .await
        .map_err(AppError::internal)?
    }
}

fn argon2() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).map_err(AppError::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_blocking(password: &str) -> Result<String, AppError> {
    let hash = argon2()?
        .hash_password(password.as_bytes())
        .map_err(AppError::internal)?;
    Ok(hash.to_string())
}

fn verify_blocking(password: &str, hash: &str) -> Result<bool, AppError> {
    let parsed = PasswordHash::new(hash).map_err(AppError::internal)?;
    match argon2()?.verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(err) => Err(AppError::internal(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher(slots: usize, timeout: Duration) -> PasswordHasher {
        PasswordHasher::new(slots, timeout).unwrap()
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
