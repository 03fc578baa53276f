//! Loading generated rows straight into the database, fast: multi-row INSERTs inside large
//! transactions. Shared by the benchmarks (`#[path]`-included), which generate data far faster
//! than the services could add it one by one.

use std::time::Instant;

use sqlx::AnyPool;

/// Bound values per INSERT. More rows per statement save round trips, but SQLite finds each
/// `$N` by name in a list, so binding costs grow with the square of the count.
const VALUES_PER_INSERT: usize = 1_000;
/// Rows per transaction: big enough that commits cost little, small enough to show progress.
const ROWS_PER_TRANSACTION: usize = 100_000;

pub enum Value {
    Int(i64),
    Maybe(Option<i64>),
    Text(String),
}

/// Inserts `count` rows made by `row` into `table`, in multi-row INSERTs inside large
/// transactions, and returns their ids in order. Nothing else may insert into `table`
/// meanwhile: the new ids are those above the largest before.
pub async fn insert(
    pool: &AnyPool,
    table: &str,
    columns: &[&str],
    count: usize,
    mut row: impl FnMut(usize) -> Vec<Value>,
) -> Vec<i64> {
    let started = Instant::now();
    let largest_before: i64 =
        sqlx::query_scalar(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"))
            .fetch_one(pool)
            .await
            .expect("the largest id so far");
    let mut transaction = pool.begin().await.expect("begin");
    let mut uncommitted = 0;
    let rows_per_insert = VALUES_PER_INSERT / columns.len();
    for first in (0..count).step_by(rows_per_insert) {
        let rows = rows_per_insert.min(count - first);
        let placeholders: Vec<String> = (0..rows)
            .map(|r| {
                let numbers: Vec<String> = (1..=columns.len())
                    .map(|c| format!("${}", r * columns.len() + c))
                    .collect();
                format!("({})", numbers.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for index in first..first + rows {
            for value in row(index) {
                query = match value {
                    Value::Int(value) => query.bind(value),
                    Value::Maybe(value) => query.bind(value),
                    Value::Text(value) => query.bind(value),
                };
            }
        }
        query.execute(&mut *transaction).await.expect("insert rows");
        uncommitted += rows;
        if uncommitted >= ROWS_PER_TRANSACTION {
            uncommitted = 0;
            transaction.commit().await.expect("commit");
            eprintln!("{table}: {} rows…", first + rows);
            transaction = pool.begin().await.expect("begin");
        }
    }
    transaction.commit().await.expect("commit");
    eprintln!(
        "{table}: {count} rows in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let sql = format!("SELECT id FROM {table} WHERE id > $1 ORDER BY id");
    sqlx::query_scalar(&sql)
        .bind(largest_before)
        .fetch_all(pool)
        .await
        .expect("the ids just inserted")
}
