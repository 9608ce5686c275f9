//! The scale scenario: the news list with the cache off, on the seeded database and on
//! a copy grown to many more news items. The copy clones every published news item
//! (its document and its six live translations, under new ids and slugs) until the count
//! is reached; drafts are not cloned, since readers never see them.

use std::path::{Path, PathBuf};

use chrono::Duration;
use entity::{document, published_translation};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

use crate::load::wrk;
use crate::server::Server;
use crate::{NEWS_LIST, Options, cache_env, sqlite_url, with_state};

pub fn run(seeded: &Path, options: &Options, news: usize) {
    println!(
        "\n## scale: the news list with the cache off, {news} news items against the seeded ones"
    );
    let grown = grown(seeded, news);
    println!(
        "{:<24} {:>10} {:>9} {:>9} {:>14}",
        "database", "req/s", "p50 ms", "p99 ms", "peak RSS MiB"
    );
    let mut figures = Vec::new();
    for (label, dir) in [
        (format!("{} news", options.sizes.news), seeded.to_path_buf()),
        (format!("{news} news"), grown),
    ] {
        let server = Server::start(&dir, &sqlite_url(&dir), &cache_env(0, "instance"));
        let url = format!("{}{NEWS_LIST}", server.url);
        wrk(&url, options.connections, 2);
        let load = wrk(&url, options.connections, options.seconds);
        println!(
            "{:<24} {:>10.0} {:>9.2} {:>9.2} {:>14.1}",
            label,
            load.requests_per_second,
            load.p50_ms,
            load.p99_ms,
            server.peak_rss_mib()
        );
        figures.push(load.p99_ms);
    }
    println!("p99 grown / seeded: {:.2}", figures[1] / figures[0]);
}

/// A copy of the seeded database grown to `news` news items, made once and kept.
fn grown(seeded: &Path, news: usize) -> PathBuf {
    let dir = seeded.with_file_name(format!(
        "{}-grown-{news}",
        seeded.file_name().unwrap().to_string_lossy()
    ));
    if dir.join("grown").exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // With its write-ahead log, if the seed left one: the database is the two together.
    std::fs::copy(seeded.join("bench.db"), dir.join("bench.db")).unwrap();
    if seeded.join("bench.db-wal").exists() {
        std::fs::copy(seeded.join("bench.db-wal"), dir.join("bench.db-wal")).unwrap();
    }
    let database = format!("{}?mode=rwc", sqlite_url(&dir));
    with_state(&database, &dir, |state| async move {
        let db = &state.db;
        let originals = document::Entity::find()
            .filter(document::Column::Kind.eq("news"))
            .filter(document::Column::DeletedAt.is_null())
            .all(db)
            .await
            .unwrap();
        let live = published_translation::Entity::find()
            .filter(published_translation::Column::Kind.eq("news"))
            .all(db)
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let mut count = originals.len();
        let mut copy = 0;
        while count < news {
            copy += 1;
            let txn = db.begin().await.unwrap();
            for original in &originals {
                if count >= news {
                    break;
                }
                let id = entity::ids::ItemId::new();
                let mut clone = original.clone();
                clone.id = id;
                document::ActiveModel::from(clone)
                    .reset_all()
                    .insert(&txn)
                    .await
                    .unwrap();
                let rows = live
                    .iter()
                    .filter(|row| row.document_id == original.id)
                    .map(|row| {
                        let mut row = row.clone();
                        row.document_id = id;
                        row.slug = format!("{}-{copy}", row.slug);
                        // Spread the copies over earlier dates, so the newest page stays mixed.
                        row.sort_at = row.sort_at.map(|at| at - Duration::days(copy as i64));
                        published_translation::ActiveModel::from(row).reset_all()
                    });
                published_translation::Entity::insert_many(rows)
                    .exec_without_returning(&txn)
                    .await
                    .unwrap();
                count += 1;
            }
            txn.commit().await.unwrap();
            eprintln!("scale: {count} news in {:?}", started.elapsed());
        }
    });
    std::fs::write(dir.join("grown"), "").unwrap();
    dir
}
