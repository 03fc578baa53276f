//! Several instances: two Switchboards on one PostgreSQL keep media in one S3-compatible bucket
//! (an S3 server on the file system, `s3s-fs`, in this process). A message received by one
//! reaches browsers on the other, a file received by one downloads through the other, and
//! replies queued through both are each sent once, by the workers of two further instances, no
//! faster than the channel's rate.

use crate::common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use app::model::{ChannelInput, Role};
use common::conversations::{TWILIO_SID, TWILIO_TOKEN, twilio_number};
use common::live::{open_stream, wait_for_event};
use common::provider::FakeProvider;
use common::{Db, TestApp, database, spawn_app_on};
use hyper_util::rt::{TokioExecutor, TokioIo};
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use serde_json::json;

const BUCKET: &str = "switchboard-media";
const ACCESS_KEY: &str = "switchboard-test";
const SECRET_KEY: &str = "switchboard-test-secret";
const REPLIES: usize = 1000;
/// Low enough that the replies are queued faster than they may be sent.
const SEND_RATE: u32 = 100;
/// Replies queued at once.
const QUEUED_AT_ONCE: usize = 16;
const PICTURE: &[u8] = b"\x89PNG\r\n\x1a\n pretend this is a picture";

/// An S3-compatible server on a temporary folder, requiring signed requests with the test's
/// key; the bucket is a folder in it.
struct S3Server {
    endpoint: String,
    root: tempfile::TempDir,
}

impl S3Server {
    async fn start() -> S3Server {
        let root = tempfile::tempdir().expect("a folder for the bucket");
        std::fs::create_dir(root.path().join(BUCKET)).expect("the bucket");
        let mut builder = S3ServiceBuilder::new(s3s_fs::FileSystem::new(root.path()).unwrap());
        builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let connections = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                let connection = connections
                    .serve_connection(TokioIo::new(socket), service.clone())
                    .into_owned();
                tokio::spawn(connection);
            }
        });
        S3Server { endpoint, root }
    }

    /// The settings that put an instance's media in the bucket, under `org-1/`.
    fn settings(&self, name: &str) -> Option<String> {
        match name {
            "SWITCHBOARD_MEDIA_STORE" => Some(format!("s3://{BUCKET}/org-1")),
            "AWS_ENDPOINT_URL" => Some(self.endpoint.clone()),
            "AWS_ACCESS_KEY_ID" => Some(ACCESS_KEY.into()),
            "AWS_SECRET_ACCESS_KEY" => Some(SECRET_KEY.into()),
            _ => None,
        }
    }

    /// The same, for an instance whose background workers run (they send replies).
    fn settings_with_workers(&self, name: &str) -> Option<String> {
        match name {
            "SWITCHBOARD_BACKGROUND_WORKERS" => Some("true".into()),
            _ => self.settings(name),
        }
    }

    fn objects(&self) -> Vec<PathBuf> {
        files_under(&self.root.path().join(BUCKET))
    }
}

fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| match entry.file_type().unwrap().is_dir() {
            true => files_under(&entry.path()),
            false => vec![entry.path()],
        })
        .filter(|path| !path.to_string_lossy().contains(".s3s"))
        .collect()
}

/// Fails the test once 180 seconds have passed since `started`, saying what did not happen: a
/// guard against hanging, not a speed check. The sending alone takes most of a minute at the
/// test's rate, and on 2 busy cores the whole story has taken 90 seconds.
fn within_deadline(started: Instant, what: &str) {
    assert!(
        started.elapsed() < Duration::from_secs(180),
        "{what} did not happen"
    );
}

async fn reply_through(base: &str, token: &str, conversation: i64, body: String) {
    let response = reqwest::Client::new()
        .post(format!(
            "{base}/api/v1/conversations/{conversation}/messages"
        ))
        .bearer_auth(token)
        .json(&json!({ "body": body }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
}

#[tokio::test]
async fn two_instances_share_one_database_and_one_bucket() {
    let bucket = S3Server::start().await;
    let a: TestApp = spawn_app_on(database(Db::Postgres).await, |name| bucket.settings(name)).await;
    let b = a.another_instance_with(|name| bucket.settings(name)).await;
    let (fake, _) = FakeProvider::start().await;
    a.connect(fake.channel(ChannelInput {
        send_rate_per_second: Some(SEND_RATE),
        ..twilio_number()
    }))
    .await;
    let (admin, _) = a.token("admin@example.org", Role::Admin).await;

    // A message received by A reaches a browser connected to B.
    let mut browser_on_b = open_stream(&b, &admin).await;
    let conversation = a
        .twilio_text_from(
            "+15552223333",
            "SM00000000000000000000000000000001",
            "hi",
            false,
        )
        .await;
    wait_for_event(&mut browser_on_b, |event| event["type"] == "activity").await;

    // A picture received by A is kept in the bucket, not on A's disk, and B serves it.
    let media_url = fake.twilio_media(TWILIO_SID, "ME0001", "image/png", PICTURE);
    let response = a
        .post_twilio(
            TWILIO_TOKEN,
            "/webhooks/twilio",
            &[
                ("MessageSid", "MM0001"),
                ("AccountSid", TWILIO_SID),
                ("From", "+15552223333"),
                ("To", common::conversations::TWILIO_NUMBER),
                ("Body", ""),
                ("NumMedia", "1"),
                ("MediaUrl0", &media_url),
                ("MediaContentType0", "image/png"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let sql = a.sql().await;
    while a.services.fetch_next_attachment().await.unwrap() {}
    let attachment: i64 = sqlx::query_scalar("SELECT id FROM attachments")
        .fetch_one(&sql)
        .await
        .unwrap();
    let objects = bucket.objects();
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert_eq!(std::fs::read(&objects[0]).unwrap(), PICTURE);
    assert!(
        objects[0].starts_with(bucket.root.path().join(BUCKET).join("org-1")),
        "kept under the configured folder: {objects:?}"
    );
    assert!(
        files_under(&a.db.scratch.path().join("media")).is_empty(),
        "nothing on the instances' disk"
    );
    let served = reqwest::Client::new()
        .get(format!("{b}/media/{attachment}"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.bytes().await.unwrap(), PICTURE);

    // Replies queued through both instances are each sent once, by the workers of two more
    // instances started once they are all queued, never faster than the channel's rate.
    let sends = || {
        fake.received()
            .into_iter()
            .filter(|request| request.path.ends_with("/Messages.json"))
            .collect::<Vec<_>>()
    };
    let started = Instant::now();
    let bases = [a.base.clone(), b.clone()];
    for batch in (0..REPLIES).collect::<Vec<_>>().chunks(QUEUED_AT_ONCE) {
        futures::future::join_all(
            batch
                .iter()
                .map(|&n| reply_through(&bases[n % 2], &admin, conversation, format!("reply {n}"))),
        )
        .await;
    }
    let all_queued = started.elapsed();
    assert!(sends().is_empty(), "no worker ran yet");
    for _ in 0..2 {
        a.another_instance_with(|name| bucket.settings_with_workers(name))
            .await;
    }
    while sends().len() < REPLIES {
        within_deadline(
            started,
            &format!("every reply's sending ({} sent)", sends().len()),
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent = sends();
    let mut times_sent: HashMap<String, usize> = HashMap::new();
    for request in &sent {
        let body = request.form().field("Body").unwrap_or_default().to_owned();
        *times_sent.entry(body).or_default() += 1;
    }
    assert_eq!(times_sent.len(), REPLIES, "every reply was sent");
    assert!(
        times_sent.values().all(|&times| times == 1),
        "no reply was sent twice"
    );
    let first = sent.iter().map(|request| request.at).min().unwrap();
    let last = sent.iter().map(|request| request.at).max().unwrap();
    let slowest_allowed = Duration::from_secs_f64((REPLIES - 1) as f64 / f64::from(SEND_RATE));
    assert!(
        last - first >= slowest_allowed.mul_f64(0.98),
        "{REPLIES} sends took {:?}: faster than {SEND_RATE} a second",
        last - first
    );
    println!(
        "{REPLIES} replies queued through two instances in {all_queued:?}, sent in {:?} (rate {SEND_RATE}/s)",
        started.elapsed()
    );
    let unsent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages WHERE direction = 'outbound' AND status NOT IN ('queued', 'sent', 'delivered')",
    )
    .fetch_one(&sql)
    .await
    .unwrap();
    assert_eq!(unsent, 0);
}
