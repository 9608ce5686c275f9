//! Tells the integration tests which real services this build is to test against, so
//! that tests needing an absent one are compiled as `#[ignore]` and reported as ignored,
//! never as passed: `cfg(test_postgres)` when `TEST_DATABASE_URL` is set, `cfg(test_s3)`
//! when `TEST_S3_ENDPOINT` is, `cfg(test_oidc)` when `TEST_OIDC_MODULES` (a node_modules
//! folder holding the npm package oidc-provider) is. Changing one rebuilds this package only.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(test_postgres)");
    println!("cargo::rustc-check-cfg=cfg(test_s3)");
    println!("cargo::rustc-check-cfg=cfg(test_oidc)");
    println!("cargo::rerun-if-changed=build.rs");
    for (variable, cfg) in [
        ("TEST_DATABASE_URL", "test_postgres"),
        ("TEST_S3_ENDPOINT", "test_s3"),
        ("TEST_OIDC_MODULES", "test_oidc"),
    ] {
        println!("cargo::rerun-if-env-changed={variable}");
        if std::env::var(variable).is_ok_and(|value| !value.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
