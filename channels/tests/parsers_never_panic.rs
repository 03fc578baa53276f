//! Property tests for every parser of untrusted input in this crate: WhatsApp and Messenger
//! webhooks, Twilio inbound and status forms, the template and send answers Meta and Twilio
//! return, signature headers and URLs, and phone numbers.
//!
//! Each property feeds a parser (a) arbitrary bytes or strings and (b) structure-aware inputs:
//! the REFERENCE fixtures and samples with fields replaced by random values of random JSON
//! types (huge numbers such as 4294967296, 1e12, -1 and u64::MAX, long strings, deep nesting),
//! removed or repeated, and then sometimes with bytes overwritten (non-UTF-8) or cut off. It
//! checks that the parser returns (`Ok` or its typed error) without panicking, and that the
//! memory it allocates stays within a bound linear in the input (see [`parse_bounded`]), so a
//! count read from the input cannot size an allocation.
//!
//! `cargo test -p channels` runs [`DEFAULT_CASES`] inputs per property. `PROPTEST_CASES` sets
//! the number instead, e.g. a million per property (README, "Fuzzing the parsers"):
//!
//! ```sh
//! PROPTEST_CASES=1000000 cargo test -p channels --release --test parsers_never_panic
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::LazyLock;

use channels::consent::classify;
use channels::inbound::{DeliveryStatus, InboundEvent, MessageContent, ProviderPricing};
use channels::phone::{ChannelAddress, E164};
use channels::{messenger, outbound, signature, templates, twilio, whatsapp};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;
use serde_json::{Map, Number, Value, json};

/// Inputs per property when `PROPTEST_CASES` is not set: enough to catch the easy cases on
/// every test run while keeping `cargo test -p channels` to a few seconds.
const DEFAULT_CASES: u32 = 64;

fn config() -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_CASES;
    }
    config
}

// ---------------------------------------------------------------------------------------------
// Bounded memory: an allocator that keeps, per thread, the bytes live and their peak.

struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn grew(bytes: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get().saturating_add(bytes);
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn shrank(bytes: usize) {
    // Memory freed on another thread than it was allocated on would go below zero.
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(bytes)));
}

// SAFETY: every call is passed to `System` unchanged; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrank(layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grew(new_size);
        shrank(layout.size());
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `parse` over an input of `input_len` bytes and fails if it needed more memory at once
/// than a generous linear bound: JSON trees take a few dozen bytes per input byte, and the
/// bound only has to catch an allocation sized from a number in the input (the `NumMedia`
/// abort reserved hundreds of gigabytes).
fn parse_bounded<T>(input_len: usize, parse: impl FnOnce() -> T) -> Result<T, TestCaseError> {
    let start = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(start));
    let result = parse();
    let used = PEAK.with(Cell::get).saturating_sub(start);
    let bound = (4 << 20) + input_len.saturating_mul(512);
    prop_assert!(
        used <= bound,
        "parsing {input_len} bytes took {used} bytes at peak (bound {bound})"
    );
    Ok(result)
}

// ---------------------------------------------------------------------------------------------
// Seeds: the REFERENCE fixtures and samples the mutations start from.

fn fixture(path: &str) -> Value {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{full}: {e}"))
}

static WHATSAPP_SEEDS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    [
        "inbound_audio_voice_note",
        "inbound_button",
        "inbound_document",
        "inbound_image",
        "inbound_interactive_button_reply",
        "inbound_interactive_list_reply",
        "inbound_location",
        "inbound_reaction",
        "inbound_sticker",
        "inbound_text",
        "inbound_unsupported",
        "status_delivered",
        "status_failed",
        "status_read",
        "status_sent",
        "templates/message_template_status_update_approved",
        "templates/message_template_status_update_rejected",
    ]
    .iter()
    .map(|name| fixture(&format!("whatsapp/{name}.json")))
    .chain([delivered_with_pricing(PER_MESSAGE_PRICING.clone())])
    .collect()
});

/// A per-message-pricing object with `type` (`../shared/costs/README.md`). No fixture shows
/// one, so it stands in `status_delivered.json` for the CBP object there.
static PER_MESSAGE_PRICING: LazyLock<Value> = LazyLock::new(
    || json!({"billable": true, "pricing_model": "PMP", "type": "regular", "category": "utility"}),
);

/// `status_delivered.json` with its `pricing` object replaced by `pricing`.
fn delivered_with_pricing(pricing: Value) -> Value {
    let mut body = fixture("whatsapp/status_delivered.json");
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["pricing"] = pricing;
    body
}

/// Messenger publishes no inbound fixtures; these follow REFERENCE §3.1 as the Messenger tests
/// do.
static MESSENGER_SEEDS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    let events = [
        json!({"message": {"mid": "m_1", "text": "hello, world!", "reply_to": {"mid": "m_0"}}}),
        json!({"message": {"mid": "m_att", "text": "see these", "attachments": [
            {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/v/photo.jpg"}},
            {"type": "file", "payload": {"url": "https://cdn.fbsbx.com/v/form.pdf"}},
            {"type": "sticker", "payload": {"url": "https://x/s.png", "sticker_id": 369239263222822_u64}},
            {"type": "location", "title": "Hall", "payload": {"coordinates": {"lat": 52.52, "long": 13.405}}},
            {"type": "fallback", "payload": {"url": "https://example.org/a", "title": "Food drive"}}
        ]}}),
        json!({"message": {"mid": "m_q", "text": "Yes", "quick_reply": {"payload": "YES"}}}),
        json!({"message": {"mid": "m_echo", "is_echo": true, "app_id": 1517776481860111_u64, "text": "hi"}}),
        json!({"postback": {"mid": "m_pb", "title": "Get Started", "payload": "START"}}),
        json!({"delivery": {"mids": ["m_1"], "watermark": 1458668856253_i64}}),
        json!({"read": {"watermark": 1458668856253_i64}}),
        json!({"optin": {"ref": "x"}}),
    ];
    events
        .into_iter()
        .map(|event| {
            let mut event = event.as_object().cloned().unwrap_or_default();
            event.insert("sender".into(), json!({"id": "6789012345678901"}));
            event.insert("recipient".into(), json!({"id": "106540352242922"}));
            event.insert("timestamp".into(), json!(1458692752478_i64));
            json!({"object": "page", "entry": [
                {"id": "106540352242922", "time": 1458692752478_i64, "messaging": [event.clone()], "standby": [event]}
            ]})
        })
        .collect()
});

/// Answers to the template calls: the list fixture, and the small answers REFERENCE §1.7 and
/// the template tests describe.
static TEMPLATE_SEEDS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    vec![
        fixture("whatsapp/template_management/list_templates.response.json"),
        json!({"id": "594425479261596", "status": "PENDING", "category": "UTILITY"}),
        json!({"id": "upload:MTphdHRhY2htZW50"}),
        json!({"h": "2:c2FtcGxl"}),
        json!({"error": {"message": "Invalid parameter", "type": "OAuthException", "code": 100,
            "error_subcode": 2388043, "error_user_title": "Bad", "error_user_msg": "Fix it",
            "error_data": {"details": "more"}, "fbtrace_id": "A"}}),
    ]
});

static SEND_ANSWER_SEEDS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    vec![
        fixture("whatsapp/outbound/send_message.response.json"),
        fixture("twilio/outbound/create_message.response.json"),
        fixture("twilio/errors/rest_error_20001.json"),
        json!({"recipient_id": "1254477777772919", "message_id": "m_AG5Hz2U"}),
        json!({"error": {"message": "(#10) outside window", "code": 10, "error_subcode": 2018278}}),
    ]
});

/// Twilio form bodies as REFERENCE §2.1 and §2.3 list them (no inbound fixtures are published).
const TWILIO_INBOUND_SEEDS: &[&str] = &[
    "ToCountry=US&SmsMessageSid=SM1f&NumMedia=0&SmsSid=SM1f&SmsStatus=received&Body=Hi%2C+open+today%3F&To=%2B14155550100&NumSegments=1&MessageSid=SM1f&AccountSid=ACXX&From=%2B14155550199&ApiVersion=2010-04-01",
    "MessageSid=MM5e&AccountSid=ACXX&MessagingServiceSid=MGXX&From=%2B14155550199&To=%2B14155550100&Body=Photos&NumMedia=2&MediaContentType0=image%2Fjpeg&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2FME0&MediaContentType1=application%2Fpdf&MediaUrl1=https%3A%2F%2Fapi.twilio.com%2FME1",
    "SmsMessageSid=SM11&NumMedia=0&ProfileName=Maria&MessageType=text&WaId=14155550199&Body=Hola&To=whatsapp:%2B14155550100&ReferralNumMedia=0&MessageSid=SM11&AccountSid=ACXX&From=whatsapp:%2B14155550199",
    "MessageSid=SM12&AccountSid=ACXX&To=whatsapp%3A%2B14155550100&From=whatsapp%3AUS.13491208655302741918&ExternalUserId=US.1349&Body=hi&NumMedia=0",
    "MessageSid=SM13&AccountSid=ACXX&To=whatsapp%3A%2B14155550100&From=whatsapp%3A%2B14155550199&MessageType=location&Latitude=37.7749&Longitude=-122.4194&Body=&NumMedia=0",
    "MessageSid=SM14&AccountSid=ACXX&To=whatsapp%3A%2B14155550100&From=whatsapp%3A%2B14155550199&MessageType=button&ButtonText=Yes&ButtonPayload=rsvp_yes&Body=Yes&NumMedia=0",
    "MessageSid=SM15&AccountSid=ACXX&To=whatsapp%3A%2B14155550100&From=whatsapp%3A%2B14155550199&Body=Hi&NumMedia=0&ReferralSourceId=120211&ReferralSourceType=ad&ReferralSourceUrl=https%3A%2F%2Ffb.me%2Fx&ReferralHeadline=Join&ReferralBody=Join&ReferralCtwaClid=ARAk",
];

const TWILIO_STATUS_SEEDS: &[&str] = &[
    "SmsSid=SM99&SmsStatus=sent&MessageStatus=sent&To=%2B14155550199&MessagingServiceSid=MGXX&MessageSid=SM99&AccountSid=ACXX&From=%2B14155550100&ApiVersion=2010-04-01",
    "MessageSid=SM98&MessageStatus=undelivered&ErrorCode=30034&ErrorMessage=Blocked&AccountSid=ACXX&From=%2B14155550100&To=%2B14155550199",
    "MessageSid=SM97&SmsStatus=read&AccountSid=ACXX&From=whatsapp%3A%2B14155550100&To=whatsapp%3A%2B14155550199",
    "SmsSid=SM96&SmsStatus=delivered&MessageStatus=delivered&Price=-0.00830&PriceUnit=USD&To=%2B14155550199&MessageSid=SM96&AccountSid=ACXX&From=%2B14155550100&ApiVersion=2010-04-01",
];

fn form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

// ---------------------------------------------------------------------------------------------
// Generators.

/// Field names the parsers read, so that random objects often hit a real field.
const KEYS: &[&str] = &[
    "object",
    "entry",
    "id",
    "time",
    "changes",
    "field",
    "value",
    "metadata",
    "phone_number_id",
    "messages",
    "statuses",
    "contacts",
    "errors",
    "from",
    "timestamp",
    "type",
    "text",
    "body",
    "image",
    "audio",
    "voice",
    "document",
    "sticker",
    "location",
    "latitude",
    "longitude",
    "interactive",
    "button_reply",
    "list_reply",
    "button",
    "reaction",
    "order",
    "product_items",
    "quantity",
    "item_price",
    "system",
    "context",
    "referral",
    "code",
    "title",
    "messaging",
    "standby",
    "sender",
    "recipient",
    "message",
    "mid",
    "attachments",
    "payload",
    "url",
    "coordinates",
    "lat",
    "long",
    "sticker_id",
    "postback",
    "delivery",
    "read",
    "watermark",
    "mids",
    "is_echo",
    "app_id",
    "quick_reply",
    "reply_to",
    "data",
    "paging",
    "cursors",
    "after",
    "next",
    "components",
    "format",
    "buttons",
    "example",
    "h",
    "status",
    "category",
    "rejected_reason",
    "error",
    "error_subcode",
    "error_data",
    "details",
    "message_id",
    "sid",
    "recipient_id",
    "event",
    "message_template_id",
    "wa_id",
    "user_id",
    "pricing",
    "pricing_model",
    "billable",
];

fn number(n: impl Into<Number>) -> Value {
    Value::Number(n.into())
}

fn float(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// Numbers where sizes and conversions go wrong.
fn edge_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(number(4_294_967_296_u64)),
        Just(number(1_000_000_000_000_u64)),
        Just(number(-1)),
        Just(number(0)),
        Just(number(u64::MAX)),
        Just(number(i64::MIN)),
        Just(number(u64::from(u32::MAX))),
        Just(float(1e12)),
        Just(float(1e308)),
        Just(float(-1e308)),
        Just(float(0.5)),
        Just(float(f64::MIN_POSITIVE)),
        any::<i64>().prop_map(number),
        any::<u64>().prop_map(number),
        any::<f64>().prop_map(float),
    ]
}

fn edge_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        2 => "[0-9]{1,25}",
        1 => prop::sample::select(vec![
            "4294967296", "1000000000000", "18446744073709551615", "18446744073709551616",
            "-1", "1e12", "NaN", "inf", "", " ", "whatsapp:", "whatsapp:+14155550199",
            "+14155550199", "upload:", "sha256=", "{{1}}", "é", "😀", "\u{0}",
        ]).prop_map(str::to_owned),
        1 => (0..20_000_usize, any::<char>()).prop_map(|(n, c)| c.to_string().repeat(n)),
    ]
}

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        edge_number(),
        edge_text().prop_map(Value::String),
    ]
}

/// Any JSON value, favouring the edge cases above.
fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(6, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((json_key(), inner), 0..8)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// `value` inside `depth` arrays and objects, past serde_json's nesting limit (128) at times.
fn nested(value: Value, depth: usize) -> Value {
    (0..depth).fold(value, |inner, level| {
        if level % 2 == 0 {
            Value::Array(vec![inner])
        } else {
            Value::Object(Map::from_iter([("value".to_owned(), inner)]))
        }
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    Remove,
    Nest(usize),
    /// Repeats an array's first element, so counts of items become large.
    Repeat(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => json_value().prop_map(Mutation::Replace),
        2 => Just(Mutation::Remove),
        1 => (0..200_usize).prop_map(Mutation::Nest),
        1 => (0..2_000_usize).prop_map(Mutation::Repeat),
    ]
}

/// Every node of `value`, as paths of object keys and array indices.
fn paths(value: &Value) -> Vec<Vec<Step>> {
    fn walk(value: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        out.push(at.clone());
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    at.push(Step::Index(i));
                    walk(item, at, out);
                    at.pop();
                }
            }
            Value::Object(fields) => {
                for (key, item) in fields {
                    at.push(Step::Key(key.clone()));
                    walk(item, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn node_mut<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |node, step| match step {
        Step::Key(key) => node.get_mut(key.as_str()),
        Step::Index(i) => node.get_mut(*i),
    })
}

fn apply(value: &mut Value, at: Index, mutation: Mutation) {
    let all = paths(value);
    let path = at.get(&all).clone();
    match mutation {
        Mutation::Remove => {
            let Some((last, parent)) = path.split_last() else {
                *value = Value::Null;
                return;
            };
            match (node_mut(value, parent), last) {
                (Some(Value::Object(fields)), Step::Key(key)) => {
                    fields.remove(key);
                }
                (Some(Value::Array(items)), Step::Index(i)) if *i < items.len() => {
                    items.remove(*i);
                }
                _ => {}
            }
        }
        Mutation::Replace(new) => {
            if let Some(node) = node_mut(value, &path) {
                *node = new;
            }
        }
        Mutation::Nest(depth) => {
            if let Some(node) = node_mut(value, &path) {
                *node = nested(node.take(), depth);
            }
        }
        Mutation::Repeat(times) => {
            if let Some(Value::Array(items)) = node_mut(value, &path)
                && let Some(first) = items.first().cloned()
            {
                // At most 256 KiB more, so that repeats of repeats stay small.
                let each = serde_json::to_vec(&first).map_or(1, |bytes| bytes.len().max(1));
                items.extend(std::iter::repeat_n(first, times.min((256 << 10) / each)));
            }
        }
    }
}

/// Overwrites, cuts or leaves the serialised bytes, which makes them non-UTF-8 or truncated.
#[derive(Debug, Clone)]
enum ByteDamage {
    None,
    Overwrite(Vec<(Index, u8)>),
    Truncate(Index),
}

fn byte_damage() -> impl Strategy<Value = ByteDamage> {
    prop_oneof![
        6 => Just(ByteDamage::None),
        1 => prop::collection::vec((any::<Index>(), any::<u8>()), 1..8).prop_map(ByteDamage::Overwrite),
        1 => any::<Index>().prop_map(ByteDamage::Truncate),
    ]
}

fn damage(mut bytes: Vec<u8>, damage: ByteDamage) -> Vec<u8> {
    if bytes.is_empty() {
        return bytes;
    }
    match damage {
        ByteDamage::None => {}
        ByteDamage::Overwrite(writes) => {
            for (at, byte) in writes {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
        }
        ByteDamage::Truncate(at) => bytes.truncate(at.index(bytes.len())),
    }
    bytes
}

/// A seed with up to four mutations, serialised, maybe damaged.
fn mutated_json(seeds: &'static LazyLock<Vec<Value>>) -> impl Strategy<Value = Vec<u8>> {
    (
        any::<Index>(),
        prop::collection::vec((any::<Index>(), mutation()), 0..4),
        byte_damage(),
    )
        .prop_map(|(seed, mutations, hurt)| {
            let mut value = seed.get(seeds).clone();
            for (at, mutation) in mutations {
                apply(&mut value, at, mutation);
            }
            damage(
                serde_json::to_vec(&value).expect("a Value always serialises"),
                hurt,
            )
        })
}

/// Arbitrary bytes, and arbitrary JSON.
fn any_json_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        json_value().prop_map(|v| serde_json::to_vec(&v).expect("a Value always serialises")),
    ]
}

const TWILIO_NAMES: &[&str] = &[
    "From",
    "To",
    "AccountSid",
    "MessageSid",
    "Body",
    "NumMedia",
    "MediaUrl0",
    "MediaUrl1",
    "MediaUrl9",
    "MediaUrl10",
    "MediaUrl11",
    "MediaContentType0",
    "MediaContentType1",
    "MediaContentType10",
    "MessageType",
    "Latitude",
    "Longitude",
    "ButtonText",
    "ButtonPayload",
    "ProfileName",
    "MessagingServiceSid",
    "ReferralSourceType",
    "ReferralCtwaClid",
    "MessageStatus",
    "SmsStatus",
    "ErrorCode",
    "ErrorMessage",
    "Price",
    "PriceUnit",
];

#[derive(Debug, Clone)]
enum FormEdit {
    Set(String, String),
    Remove(Index),
    Repeat(Index),
    /// `NumMedia=count` with `MediaUrl{N}` for the first `urls` of them.
    Media {
        count: String,
        urls: usize,
    },
}

fn form_edit() -> impl Strategy<Value = FormEdit> {
    let name = prop_oneof![
        4 => prop::sample::select(TWILIO_NAMES).prop_map(str::to_owned),
        1 => any::<String>(),
    ];
    let count = prop_oneof![(0..=12_u64).prop_map(|n| n.to_string()), edge_text(),];
    prop_oneof![
        4 => (name, edge_text()).prop_map(|(name, value)| FormEdit::Set(name, value)),
        1 => any::<Index>().prop_map(FormEdit::Remove),
        1 => any::<Index>().prop_map(FormEdit::Repeat),
        2 => (count, 0..=12_usize).prop_map(|(count, urls)| FormEdit::Media { count, urls }),
    ]
}

fn edit(params: &mut Vec<(String, String)>, edit: FormEdit) {
    match edit {
        FormEdit::Set(name, value) => match params.iter_mut().find(|(n, _)| *n == name) {
            Some(param) => param.1 = value,
            None => params.push((name, value)),
        },
        FormEdit::Remove(at) if !params.is_empty() => {
            params.remove(at.index(params.len()));
        }
        FormEdit::Repeat(at) if !params.is_empty() => {
            let param = at.get(params).clone();
            params.push(param);
        }
        FormEdit::Remove(_) | FormEdit::Repeat(_) => {}
        FormEdit::Media { count, urls } => {
            params.retain(|(name, _)| name != "NumMedia");
            params.push(("NumMedia".into(), count));
            for n in 0..urls {
                params.push((
                    format!("MediaUrl{n}"),
                    format!("https://api.twilio.com/ME{n}"),
                ));
                params.push((format!("MediaContentType{n}"), "image/png".into()));
            }
        }
    }
}

/// A seed form with up to five edits.
fn mutated_form(seeds: &'static [&'static str]) -> impl Strategy<Value = Vec<(String, String)>> {
    (
        prop::sample::select(seeds),
        prop::collection::vec(form_edit(), 0..5),
    )
        .prop_map(|(seed, edits)| {
            let mut params = form(seed.as_bytes());
            for e in edits {
                edit(&mut params, e);
            }
            params
        })
}

/// Arbitrary bytes decoded the way the server decodes a form body.
fn any_form() -> impl Strategy<Value = Vec<(String, String)>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512).prop_map(|bytes| form(&bytes)),
        prop::collection::vec((any::<String>(), edge_text()), 0..16),
    ]
}

fn form_len(params: &[(String, String)]) -> usize {
    params.iter().map(|(k, v)| k.len() + v.len() + 2).sum()
}

// ---------------------------------------------------------------------------------------------
// What every parsed event must satisfy, besides not panicking.

fn check_events(events: &[InboundEvent]) -> Result<(), TestCaseError> {
    for event in events {
        // Formatting walks every field; summaries do string work on input text.
        let _ = format!("{event:?}");
        match event {
            InboundEvent::Message(message) => {
                prop_assert!(!message.content.is_empty(), "a message without parts");
                let _ = message.summary();
            }
            InboundEvent::Echo(echo) => {
                let _ = echo.summary();
            }
            InboundEvent::Status(status) => match &status.pricing {
                // An empty word or price is no word or price: the parsers drop it.
                Some(ProviderPricing::WhatsApp(pricing)) => {
                    let words = [
                        &pricing.pricing_type,
                        &pricing.category,
                        &pricing.pricing_model,
                    ];
                    prop_assert!(
                        words.iter().all(|word| word.as_deref() != Some("")),
                        "{pricing:?}"
                    );
                    prop_assert!(
                        words.iter().any(|word| word.is_some()) || pricing.billable.is_some(),
                        "a pricing object with nothing in it"
                    );
                }
                Some(ProviderPricing::Twilio(price)) => {
                    prop_assert!(!price.price.is_empty());
                    prop_assert_ne!(price.price_unit.as_deref(), Some(""));
                }
                None => {}
            },
            _ => {}
        }
    }
    Ok(())
}

fn check_twilio_inbound(params: &[(String, String)]) -> Result<(), TestCaseError> {
    let result = parse_bounded(form_len(params), || twilio::parse_inbound(params))?;
    match &result {
        Ok(event) => {
            check_events(std::slice::from_ref(event))?;
            if let InboundEvent::Message(message) = event {
                let media = message
                    .content
                    .iter()
                    .filter(|part| matches!(part, MessageContent::Media(_)))
                    .count();
                prop_assert!(media <= twilio::MAX_MEDIA, "{media} media");
                prop_assert!(message.content.len() <= twilio::MAX_MEDIA + 1);
            }
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
    Ok(())
}

fn check_twilio_status(params: &[(String, String)]) -> Result<(), TestCaseError> {
    let result = parse_bounded(form_len(params), || twilio::parse_status(params))?;
    match result {
        Ok(event) => check_events(&[event]),
        Err(error) => {
            let _ = error.to_string();
            Ok(())
        }
    }
}

fn check_meta(
    body: &[u8],
    parse: fn(&[u8]) -> Result<Vec<InboundEvent>, channels::inbound::ParseError>,
) -> Result<(), TestCaseError> {
    match parse_bounded(body.len(), || parse(body))? {
        Ok(events) => check_events(&events),
        Err(error) => {
            let _ = error.to_string();
            Ok(())
        }
    }
}

fn check_template_answers(status: u16, body: &[u8]) -> Result<(), TestCaseError> {
    parse_bounded(body.len(), || {
        let _ = format!("{:?}", templates::whatsapp_template_list(status, body));
        let _ = templates::whatsapp_created_template(status, body);
        let _ = templates::whatsapp_upload_session_id(status, body);
        let _ = templates::whatsapp_upload_handle(status, body);
    })
}

fn check_send_answers(
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
) -> Result<(), TestCaseError> {
    parse_bounded(body.len() + retry_after.map_or(0, str::len), || {
        let _ = outbound::whatsapp_outcome(status, retry_after, body);
        let _ = outbound::whatsapp_upload_outcome(status, retry_after, body);
        let _ = outbound::twilio_outcome(status, retry_after, body);
        let _ = outbound::messenger_outcome(status, retry_after, body);
    })
}

fn http_status() -> impl Strategy<Value = u16> {
    prop_oneof![
        prop::sample::select(vec![
            200_u16, 201, 204, 400, 401, 404, 408, 429, 500, 502, 503
        ]),
        any::<u16>(),
    ]
}

/// URLs near the ones Twilio signs: schemes, user info, IPv6 literals, ports, queries with
/// characters that get re-encoded, and non-ASCII anywhere.
fn signed_url() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "(https?|HTTPS|ftp|é)?(://)?([a-zé]{0,4}(:[a-z]{0,3})?@)?(\\[[0-9a-fé:]{0,8}\\]|[a-zü.]{0,12})(:[0-9é]{0,6})?(/[^?#]{0,12})?(\\?[^#]{0,24})?(#.{0,6})?",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn whatsapp_webhooks_from_arbitrary_bytes(body in any_json_bytes()) {
        check_meta(&body, whatsapp::parse_webhook)?;
    }

    #[test]
    fn whatsapp_webhooks_from_mutated_fixtures(body in mutated_json(&WHATSAPP_SEEDS)) {
        check_meta(&body, whatsapp::parse_webhook)?;
    }

    /// Whatever Meta puts in `pricing`, the status it rides on still arrives, and a category
    /// or type given as text is passed on unchanged.
    #[test]
    fn whatsapp_status_survives_any_pricing(pricing in json_value()) {
        let body = serde_json::to_vec(&delivered_with_pricing(pricing.clone()))
            .expect("a Value always serialises");
        let events = parse_bounded(body.len(), || whatsapp::parse_webhook(&body))?
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        check_events(&events)?;
        let [InboundEvent::Status(status)] = events.as_slice() else {
            return Err(TestCaseError::fail(format!("not one status: {events:?}")));
        };
        prop_assert_eq!(status.status, DeliveryStatus::Delivered);
        let text = |name: &str| pricing.get(name).and_then(Value::as_str).filter(|t| !t.is_empty());
        let (category, pricing_type) = match &status.pricing {
            Some(ProviderPricing::WhatsApp(p)) => (p.category.as_deref(), p.pricing_type.as_deref()),
            other => {
                prop_assert!(other.is_none(), "{other:?}");
                (None, None)
            }
        };
        prop_assert_eq!(category, text("category"));
        prop_assert_eq!(pricing_type, text("type"));
    }

    /// Any `Price` and `PriceUnit` text lands on the status verbatim (empty meaning absent).
    #[test]
    fn twilio_status_keeps_any_price_text(price in edge_text(), unit in edge_text()) {
        let mut params = form(TWILIO_STATUS_SEEDS[0].as_bytes());
        params.push(("Price".into(), price.clone()));
        params.push(("PriceUnit".into(), unit.clone()));
        let event = parse_bounded(form_len(&params), || twilio::parse_status(&params))?
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        check_events(std::slice::from_ref(&event))?;
        let InboundEvent::Status(status) = event else {
            return Err(TestCaseError::fail(format!("not a status: {event:?}")));
        };
        match &status.pricing {
            Some(ProviderPricing::Twilio(p)) => {
                prop_assert_eq!(&p.price, &price);
                prop_assert_eq!(p.price_unit.as_deref(), Some(unit.as_str()).filter(|u| !u.is_empty()));
            }
            other => prop_assert!(other.is_none() && price.is_empty(), "{other:?}"),
        }
    }

    #[test]
    fn messenger_webhooks_from_arbitrary_bytes(body in any_json_bytes()) {
        check_meta(&body, messenger::parse_webhook)?;
    }

    #[test]
    fn messenger_webhooks_from_mutated_samples(body in mutated_json(&MESSENGER_SEEDS)) {
        check_meta(&body, messenger::parse_webhook)?;
    }

    #[test]
    fn twilio_inbound_from_arbitrary_forms(params in any_form()) {
        check_twilio_inbound(&params)?;
    }

    #[test]
    fn twilio_inbound_from_mutated_forms(params in mutated_form(TWILIO_INBOUND_SEEDS)) {
        check_twilio_inbound(&params)?;
    }

    #[test]
    fn twilio_status_from_arbitrary_and_mutated_forms(
        arbitrary in any_form(),
        mutated in mutated_form(TWILIO_STATUS_SEEDS),
    ) {
        check_twilio_status(&arbitrary)?;
        check_twilio_status(&mutated)?;
    }

    #[test]
    fn template_answers_from_arbitrary_and_mutated_bodies(
        status in http_status(),
        arbitrary in any_json_bytes(),
        mutated in mutated_json(&TEMPLATE_SEEDS),
    ) {
        check_template_answers(status, &arbitrary)?;
        check_template_answers(status, &mutated)?;
    }

    #[test]
    fn send_answers_from_arbitrary_and_mutated_bodies(
        status in http_status(),
        retry_after in prop::option::of(edge_text()),
        arbitrary in any_json_bytes(),
        mutated in mutated_json(&SEND_ANSWER_SEEDS),
    ) {
        check_send_answers(status, retry_after.as_deref(), &arbitrary)?;
        check_send_answers(status, retry_after.as_deref(), &mutated)?;
    }

    #[test]
    fn signatures_from_arbitrary_headers_urls_and_bodies(
        url in signed_url(),
        header in prop::option::of(prop_oneof![
            any::<String>(),
            "sha256=[0-9a-fé]{0,70}",
            "[A-Za-z0-9+/=é]{0,40}",
        ]),
        params in any_form(),
        body in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let header = header.as_deref();
        let len = url.len() + body.len() + form_len(&params) + header.map_or(0, str::len);
        parse_bounded(len, || {
            let _ = signature::verify_meta("secret", &body, header);
            let _ = signature::verify_twilio("token", &url, &params, header);
            let _ = signature::verify_twilio_json("token", &url, &body, header);
        })?;
    }

    #[test]
    fn phone_numbers_and_keywords_from_arbitrary_text(
        text in prop_oneof![
            any::<String>(),
            "(whatsapp:|WHATSAPP:|tel:|é)?\\+?[0-9 ().é-]{0,20}",
        ],
    ) {
        parse_bounded(text.len(), || {
            if let Ok(phone) = E164::parse(&text) {
                let _ = phone.mask();
                let _ = phone.digits();
            }
            let _ = ChannelAddress::from_provider(&text).to_string();
            let _ = twilio::channel_of(&text);
            let _ = classify(&text);
        })?;
    }
}

/// The bodies of the reported abort, parsed with the memory they used measured: a typed error,
/// and no allocation sized from the count.
#[test]
fn huge_media_counts_are_refused_within_bounded_memory() {
    for count in ["4294967296", "1000000000000"] {
        let body = TWILIO_INBOUND_SEEDS[0].replace("NumMedia=0", &format!("NumMedia={count}"));
        let params = form(body.as_bytes());
        let result = parse_bounded(body.len(), || twilio::parse_inbound(&params))
            .unwrap_or_else(|failure| panic!("NumMedia={count}: {failure}"));
        assert!(
            matches!(
                &result,
                Err(channels::inbound::ParseError::InvalidField { field, value })
                    if field == "NumMedia" && value == count
            ),
            "NumMedia={count}: {result:?}"
        );
    }
}

/// The bound itself works: an allocation sized from a count in the input is caught.
#[test]
fn the_memory_bound_catches_an_allocation_sized_from_input() {
    let claimed: usize = "268435456".parse().unwrap();
    let caught = parse_bounded(20, || Vec::<u8>::with_capacity(claimed).capacity());
    assert!(
        caught.is_err(),
        "256 MiB for a 20-byte input went unnoticed"
    );
}
