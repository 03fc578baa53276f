//! The load generator: concurrent senders posting pre-signed webhooks over keep-alive loopback
//! connections, each timing its request from send until the answer.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use channels::simulate::SignedWebhook;

/// One client for all senders: it pools one keep-alive connection per concurrent request.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        // Loopback only, whatever HTTP_PROXY says.
        .no_proxy()
        // Bounds the run even if the server stops answering.
        .timeout(Duration::from_secs(60))
        .build()
        .expect("the HTTP client builds")
}

/// What one phase measured.
#[derive(Default)]
pub struct Outcome {
    pub latencies: Vec<Duration>,
    pub errors: usize,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn throughput(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// Nearest-rank percentile of the latencies.
    pub fn percentile(&self, percent: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = (percent / 100.0 * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }

    pub fn max(&self) -> Duration {
        self.latencies.iter().max().copied().unwrap_or_default()
    }

    /// Throughput and latency percentiles on one line.
    pub fn summary(&self) -> String {
        format!(
            "{:>6.0} req/s  p50 {:>6.2}  p95 {:>6.2}  p99 {:>6.2}  max {:>6.2} ms  ({} errors)",
            self.throughput(),
            millis(self.percentile(50.0)),
            millis(self.percentile(95.0)),
            millis(self.percentile(99.0)),
            millis(self.max()),
            self.errors,
        )
    }
}

pub fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Sends every webhook once from `concurrency` senders that take the next request from a
/// shared queue as soon as their previous one is answered (a closed loop).
pub async fn send_all(
    client: &reqwest::Client,
    url: &str,
    webhooks: Vec<SignedWebhook>,
    concurrency: usize,
) -> Outcome {
    let queue = Arc::new(Mutex::new(webhooks.into_iter()));
    let started = Instant::now();
    let senders: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(sender(client.clone(), url.to_string(), queue.clone())))
        .collect();
    let mut outcome = Outcome::default();
    for handle in senders {
        let part = handle.await.expect("a sender does not panic");
        outcome.latencies.extend(part.latencies);
        outcome.errors += part.errors;
    }
    outcome.elapsed = started.elapsed();
    outcome
}

async fn sender(
    client: reqwest::Client,
    url: String,
    queue: Arc<Mutex<std::vec::IntoIter<SignedWebhook>>>,
) -> Outcome {
    let mut outcome = Outcome::default();
    loop {
        // The guard is dropped before awaiting, so senders never wait on each other's I/O.
        let next = queue.lock().expect("queue lock").next();
        let Some(webhook) = next else {
            return outcome;
        };
        let started = Instant::now();
        let ok = post(&client, &url, webhook).await;
        outcome.latencies.push(started.elapsed());
        if !ok {
            outcome.errors += 1;
        }
    }
}

/// Posts one webhook as Meta does; true on a 200. The body is read to the end so the
/// connection goes back to the pool for reuse.
async fn post(client: &reqwest::Client, url: &str, webhook: SignedWebhook) -> bool {
    let mut request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, webhook.content_type)
        .body(webhook.body);
    for (name, value) in webhook.headers {
        request = request.header(name, value);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status();
            let body = response.bytes().await.unwrap_or_default();
            if status != reqwest::StatusCode::OK {
                eprintln!("{status}: {}", String::from_utf8_lossy(&body));
            }
            status == reqwest::StatusCode::OK
        }
        Err(error) => {
            eprintln!("request failed: {error}");
            false
        }
    }
}
