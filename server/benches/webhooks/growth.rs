//! Ingest and phone-number search as contacts accumulate: at each size, messages from people
//! never seen before (each creates a contact, an identity and a conversation), then from
//! people already known, then searches by phone digits. Contacts are added between sizes
//! straight into the database in multi-row INSERTs, each with its number on the WhatsApp
//! channel and a conversation, so a million take minutes rather than hours.

use std::str::FromStr;
use std::time::{Duration, Instant};

use channels::phone::E164;
use server::store::{SearchRequest, SearchScope, Store};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions};

use super::Signer;
use super::bulk_insert::{Value, insert};
use super::load::{Outcome, millis, send_all};

/// Searches timed at each size.
const SEARCHES: usize = 20;

/// The `n`th seeded contact's number: +1 and ten digits spread over the whole range (an odd
/// multiplier not divisible by 5 is a bijection modulo 10^10), so the digits vary the way real
/// numbers' do and no two contacts share one.
fn seeded_number(n: usize) -> String {
    let spread = (n as u64).wrapping_mul(2_654_435_761) % 10_000_000_000;
    format!("+1{spread:010}")
}

/// The `n`th never-seen sender: a UK mobile number, a range no seeded contact uses.
fn new_number(n: usize) -> E164 {
    E164::parse(&format!("+447{n:09}")).expect("a valid number")
}

/// What one size measured.
pub struct Step {
    pub contacts: i64,
    pub new_contacts: Outcome,
    pub known_contacts: Outcome,
    /// Phone-digits searches, each timed alone.
    pub searches: Vec<Duration>,
    pub checked: Result<(), String>,
}

pub struct Growth<'a> {
    pub database_url: &'a str,
    pub webhook_url: &'a str,
    pub client: &'a reqwest::Client,
    pub concurrency: usize,
    pub per_size: usize,
    pub channel_id: i64,
}

impl Growth<'_> {
    /// Grows the contacts to each size in turn and measures there.
    pub async fn run(&self, sizes: &[usize], signer: &mut Signer) -> Vec<Step> {
        sqlx::any::install_default_drivers();
        // Every INSERT here is big; sqlx would log each as slow, with all its placeholders.
        let quiet = AnyConnectOptions::from_str(self.database_url)
            .expect("a database URL")
            .disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect_with(quiet)
            .await
            .expect("a connection of the benchmark's own");
        let store = Store::connect(self.database_url)
            .await
            .expect("the store, to search");
        let mut seeded = 0;
        let mut senders = 0;
        let mut steps = Vec::new();
        for &size in sizes {
            let contacts = count(&pool, "contacts").await;
            let missing = (size as i64 - contacts).max(0) as usize;
            self.seed(&pool, seeded, missing).await;
            seeded += missing;
            let contacts = count(&pool, "contacts").await;

            let new: Vec<E164> = (senders..senders + self.per_size).map(new_number).collect();
            senders += self.per_size;
            let messages_before = count(&pool, "messages").await;
            let new_contacts = self.send(signer, &new).await;
            let after_new = count(&pool, "contacts").await;

            let known: Vec<E164> = (0..self.per_size)
                .map(|k| seeded_number(k * seeded.max(1) / self.per_size))
                .map(|number| E164::parse(&number).expect("a valid number"))
                .collect();
            let known_contacts = self.send(signer, &known).await;
            let after_known = count(&pool, "contacts").await;
            let messages_after = count(&pool, "messages").await;

            let searches = search_times(&store, seeded).await;
            let checked = check(
                self.per_size as i64,
                (contacts, after_new, after_known),
                messages_after - messages_before,
            );
            steps.push(Step {
                contacts,
                new_contacts,
                known_contacts,
                searches,
                checked,
            });
        }
        store.close().await;
        pool.close().await;
        steps
    }

    /// Adds `count` contacts after the first `from` seeded ones: contact, WhatsApp identity and
    /// a resolved conversation (they wrote once) each.
    async fn seed(&self, pool: &AnyPool, from: usize, count: usize) {
        if count == 0 {
            return;
        }
        let started = Instant::now();
        let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
        let contacts = insert(
            pool,
            "contacts",
            &["name", "created_at", "updated_at"],
            count,
            |i| {
                vec![
                    Value::Text(format!("Seeded contact {}", from + i)),
                    Value::Int(now),
                    Value::Int(now),
                ]
            },
        )
        .await;
        insert(
            pool,
            "contact_identities",
            &["contact_id", "channel_id", "address", "created_at"],
            count,
            |i| {
                vec![
                    Value::Int(contacts[i]),
                    Value::Int(self.channel_id),
                    Value::Text(seeded_number(from + i)),
                    Value::Int(now),
                ]
            },
        )
        .await;
        insert(
            pool,
            "conversations",
            &[
                "channel_id",
                "contact_id",
                "status",
                "last_inbound_at",
                "last_message_at",
                "created_at",
                "updated_at",
            ],
            count,
            |i| {
                vec![
                    Value::Int(self.channel_id),
                    Value::Int(contacts[i]),
                    Value::Text("resolved".into()),
                    Value::Maybe(Some(now)),
                    Value::Int(now),
                    Value::Int(now),
                    Value::Int(now),
                ]
            },
        )
        .await;
        if !self.database_url.starts_with("sqlite:") {
            // What autovacuum does shortly after a load this size. SQLite keeps no statistics
            // unless asked, and the application does not ask.
            sqlx::query("VACUUM ANALYZE")
                .execute(pool)
                .await
                .expect("VACUUM ANALYZE");
        }
        eprintln!(
            "seeded {count} contacts in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }

    /// One message from each sender, all at once from the concurrent senders.
    async fn send(&self, signer: &mut Signer, senders: &[E164]) -> Outcome {
        let webhooks = signer.sign(senders, senders.len());
        send_all(self.client, self.webhook_url, webhooks, self.concurrency).await
    }
}

/// Every message stored once; each new sender became one contact, no known one did.
fn check(per_size: i64, contacts: (i64, i64, i64), messages: i64) -> Result<(), String> {
    let (before, after_new, after_known) = contacts;
    if after_new - before != per_size {
        return Err(format!(
            "{per_size} new senders made {} contacts",
            after_new - before
        ));
    }
    if after_known != after_new {
        return Err(format!(
            "known senders made {} contacts",
            after_known - after_new
        ));
    }
    if messages != 2 * per_size {
        return Err(format!(
            "{messages} messages stored, expected {}",
            2 * per_size
        ));
    }
    Ok(())
}

/// Times searches for seeded contacts' numbers as people type them: the last seven digits,
/// the national number with spaces, and four digits.
async fn search_times(store: &Store, seeded: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(SEARCHES);
    for k in 0..SEARCHES {
        let number = seeded_number(k * seeded.max(1) / SEARCHES);
        let digits = &number[2..];
        let text = match k % 3 {
            0 => digits[3..].to_string(),
            1 => format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..]),
            _ => digits[6..].to_string(),
        };
        let started = Instant::now();
        let hits = store
            .search(SearchRequest {
                text: &text,
                scope: SearchScope::Everyone,
                match_numbers: true,
                limit: 50,
            })
            .await
            .expect("search");
        times.push(started.elapsed());
        if seeded > 0 && hits.is_empty() {
            eprintln!("search for {text} found nothing");
        }
    }
    times
}

async fn count(pool: &AnyPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .expect("count rows")
}

impl Step {
    pub fn print(&self) {
        let mut searches = self.searches.clone();
        searches.sort_unstable();
        let search = |percent: f64| {
            let rank = (percent / 100.0 * searches.len() as f64).ceil() as usize;
            searches
                .get(rank.clamp(1, searches.len().max(1)) - 1)
                .map_or(0.0, |time| millis(*time))
        };
        println!("contacts:      {}", self.contacts);
        println!("  new:         {}", self.new_contacts.summary());
        println!("  known:       {}", self.known_contacts.summary());
        println!(
            "  phone search: p50 {:.2}  max {:.2} ms ({} searches)",
            search(50.0),
            search(100.0),
            searches.len()
        );
        match &self.checked {
            Ok(()) => println!("  stored:      ok"),
            Err(problem) => println!("  stored:      MISMATCH: {problem}"),
        }
    }
}
