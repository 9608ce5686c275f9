//! `TestApp` and friends: each test gets its own database and object store.

mod databases;
mod test_app;

pub use databases::Backend;
pub use test_app::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, assert_problem, create_bucket};

/// Runs each listed `async fn name(backend: Backend)` once per backend, as
/// `sqlite::name` and `postgres::name`. The PostgreSQL variant passes without
/// running when `TEST_DATABASE_URL` is not set, and says so on stderr.
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
                async fn $name() {
                    if !$crate::helpers::Backend::Postgres.is_available() {
                        eprintln!("skipped: TEST_DATABASE_URL is not set");
                        return;
                    }
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            )*
        }
    };
}
pub(crate) use backend_tests;
