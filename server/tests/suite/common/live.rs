//! The live stream (`GET /live`) as a browser reads it: server-sent events, one JSON object
//! each.

use std::time::Duration;

use serde_json::Value;

/// Reads the server-sent event stream until an event matching `wanted` arrives.
pub async fn wait_for_event(
    stream: &mut reqwest::Response,
    wanted: impl Fn(&Value) -> bool,
) -> Value {
    events_until(stream, wanted)
        .await
        .pop()
        .expect("the event arrives")
}

/// Every event the stream tells, in order, up to and including the first matching `wanted`.
pub async fn events_until(
    stream: &mut reqwest::Response,
    wanted: impl Fn(&Value) -> bool,
) -> Vec<Value> {
    let mut buffer = String::new();
    let mut told = Vec::new();
    let found = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            let chunk = stream
                .chunk()
                .await
                .unwrap()
                .expect("the stream stays open");
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                let data = event
                    .lines()
                    .filter_map(|line| line.strip_prefix("data:"))
                    .map(str::trim)
                    .collect::<String>();
                if let Ok(value) = serde_json::from_str::<Value>(&data) {
                    let done = wanted(&value);
                    told.push(value);
                    if done {
                        return;
                    }
                }
            }
        }
    })
    .await;
    found.expect("the event arrives");
    told
}

pub async fn open_stream(base: &str, token: &str) -> reqwest::Response {
    let stream = reqwest::Client::new()
        .get(format!("{base}/live"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(
        stream.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    stream
}
