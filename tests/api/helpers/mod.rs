//! `TestApp` and friends: each test gets its own database and object store.

mod databases;
pub mod oidc;
pub mod receiver;
pub mod smtp;
mod test_app;

pub use databases::{Backend, connect_single};
pub use test_app::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, assert_problem, create_bucket, find_in};

/// Runs each listed `async fn name(backend: Backend)` once per backend, as
/// `sqlite::name` and `postgres::name`. The PostgreSQL variants are compiled as
/// ignored when `TEST_DATABASE_URL` was not set for the build (see `build.rs`), so the
/// test count says they did not run.
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(test_postgres), ignore = "TEST_DATABASE_URL is not set")]
                async fn $name() {
                    assert!(
                        $crate::helpers::Backend::Postgres.is_available(),
                        "TEST_DATABASE_URL was set when the tests were built, but not now"
                    );
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            )*
        }
    };
}
pub(crate) use backend_tests;
