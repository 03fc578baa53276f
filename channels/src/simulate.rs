//! Signed inbound webhook requests, built exactly as Meta and Twilio send them.
//!
//! For demo tools that post a message "as a contact" through the real webhook path, for
//! tests (including fake providers that report delivery back), and for benchmarks. The bodies
//! follow the shapes in REFERENCE §1.1–§1.2 (the WhatsApp `inbound_text.json` and
//! `status_*.json` fixtures), §2.1 and §2.3 (Twilio forms) and §3.1 (Messenger), and are
//! signed with [`meta_signature`] / [`twilio_signature`], so the crate's own verifiers and
//! parsers accept them.

use std::io;

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha1::Sha1;

use crate::phone::E164;
use crate::signature::{META_HEADER, TWILIO_HEADER, meta_signature, twilio_signature};

/// `Content-Type` of Meta webhooks (WhatsApp Cloud API and Messenger).
pub const JSON: &str = "application/json";
/// `Content-Type` of Twilio webhooks.
pub const FORM: &str = "application/x-www-form-urlencoded";
/// Meta's legacy SHA-1 signature header, still sent next to [`META_HEADER`].
pub const META_LEGACY_HEADER: &str = "X-Hub-Signature";

/// A webhook request ready to send: the body bytes and the headers the provider would set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedWebhook {
    /// The `Content-Type` header value ([`JSON`] or [`FORM`]).
    pub content_type: &'static str,
    /// The exact bytes the signature covers.
    pub body: Vec<u8>,
    /// Signature headers, apart from `Content-Type`.
    pub headers: Vec<(&'static str, String)>,
}

impl SignedWebhook {
    /// The value of header `name` (case-insensitive), `Content-Type` included.
    pub fn header(&self, name: &str) -> Option<&str> {
        if name.eq_ignore_ascii_case("content-type") {
            return Some(self.content_type);
        }
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn meta(app_secret: &str, body: Vec<u8>) -> Self {
        let mut legacy = Hmac::<Sha1>::new_from_slice(app_secret.as_bytes())
            .expect("HMAC accepts keys of any length");
        legacy.update(&body);
        let legacy = format!("sha1={}", hex::encode(legacy.finalize().into_bytes()));
        Self {
            content_type: JSON,
            headers: vec![
                (META_HEADER, meta_signature(app_secret, &body)),
                (META_LEGACY_HEADER, legacy),
            ],
            body,
        }
    }
}

/// WhatsApp Cloud API text message from `from` to the business number `phone_number_id`
/// (shown as `display_number`, digits as Meta writes it) of WABA `waba_id`, signed with
/// `app_secret` (`X-Hub-Signature-256`, plus the legacy `X-Hub-Signature`). `from` becomes
/// the digits-only `wa_id`; `message_id` is the `wamid.…`; `timestamp` is unix seconds.
#[allow(clippy::too_many_arguments)]
pub fn whatsapp_text(
    app_secret: &str,
    waba_id: &str,
    phone_number_id: &str,
    display_number: &str,
    from: &E164,
    profile_name: &str,
    message_id: &str,
    timestamp: i64,
    text: &str,
) -> SignedWebhook {
    let timestamp = timestamp.to_string();
    let value = WaValue {
        messaging_product: "whatsapp",
        metadata: WaMetadata {
            display_phone_number: display_number,
            phone_number_id,
        },
        contacts: [WaContact {
            profile: WaProfile { name: profile_name },
            wa_id: from.digits(),
        }],
        messages: [WaMessage {
            from: from.digits(),
            id: message_id,
            timestamp: &timestamp,
            kind: "text",
            text: WaText { body: text },
        }],
    };
    SignedWebhook::meta(app_secret, meta_json(&WaEnvelope::new(waba_id, value)))
}

/// WhatsApp Cloud API status of a message the business sent (the `status_*.json` fixtures):
/// message `message_id` (`wamid.…`) to `recipient` reached `status` (`sent`, `delivered` or
/// `read`) at unix seconds `timestamp`. Addressed and signed like [`whatsapp_text`]. The
/// `contacts`, `conversation` and `pricing` objects Meta may add are left out, so the parsed
/// status has no [`crate::inbound::StatusUpdate::pricing`] ([`whatsapp_priced_status`] adds
/// one); a `failed` status needs `errors`, which this does not build.
#[allow(clippy::too_many_arguments)]
pub fn whatsapp_status(
    app_secret: &str,
    waba_id: &str,
    phone_number_id: &str,
    display_number: &str,
    message_id: &str,
    recipient: &E164,
    status: &str,
    timestamp: i64,
) -> SignedWebhook {
    let number = (waba_id, phone_number_id, display_number);
    status_webhook(
        app_secret, number, message_id, recipient, status, timestamp, None,
    )
}

/// The `pricing` object of a status under Meta's per-message pricing (REFERENCE.md §1.2:
/// `billable`, `pricing_model`, `category`; `type` says whether Meta charged it).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct StatusPricing<'a> {
    pub billable: bool,
    pub pricing_model: &'static str,
    /// `marketing`, `utility`, `authentication`, `service`…
    pub category: &'a str,
    /// `regular` (charged), `free_customer_service` or `free_entry_point`.
    #[serde(rename = "type")]
    pub pricing_type: &'a str,
}

impl<'a> StatusPricing<'a> {
    pub fn per_message(category: &'a str, pricing_type: &'a str) -> StatusPricing<'a> {
        StatusPricing {
            billable: pricing_type == "regular",
            pricing_model: "PMP",
            category,
            pricing_type,
        }
    }
}

/// [`whatsapp_status`] with Meta's `pricing` of the message, when there is one.
#[allow(clippy::too_many_arguments)]
pub fn whatsapp_priced_status(
    app_secret: &str,
    waba_id: &str,
    phone_number_id: &str,
    display_number: &str,
    message_id: &str,
    recipient: &E164,
    status: &str,
    timestamp: i64,
    pricing: Option<StatusPricing<'_>>,
) -> SignedWebhook {
    let number = (waba_id, phone_number_id, display_number);
    status_webhook(
        app_secret, number, message_id, recipient, status, timestamp, pricing,
    )
}

/// A status webhook of the business number `(WABA id, phone number id, display number)`.
fn status_webhook(
    app_secret: &str,
    (waba_id, phone_number_id, display_number): (&str, &str, &str),
    message_id: &str,
    recipient: &E164,
    status: &str,
    timestamp: i64,
    pricing: Option<StatusPricing<'_>>,
) -> SignedWebhook {
    let timestamp = timestamp.to_string();
    let value = WaStatusValue {
        messaging_product: "whatsapp",
        metadata: WaMetadata {
            display_phone_number: display_number,
            phone_number_id,
        },
        statuses: [WaStatus {
            id: message_id,
            status,
            timestamp: &timestamp,
            recipient_id: recipient.digits(),
            pricing,
        }],
    };
    SignedWebhook::meta(app_secret, meta_json(&WaEnvelope::new(waba_id, value)))
}

/// Messenger text message event from PSID `sender_id` to Page `page_id`, signed with
/// `app_secret`. `message_id` is the `mid`; `timestamp_ms` is unix milliseconds (used for
/// the event and the entry).
pub fn messenger_text(
    app_secret: &str,
    page_id: &str,
    sender_id: &str,
    message_id: &str,
    timestamp_ms: i64,
    text: &str,
) -> SignedWebhook {
    let payload = FbEnvelope {
        object: "page",
        entry: [FbEntry {
            id: page_id,
            time: timestamp_ms,
            messaging: [FbEvent {
                sender: FbParty { id: sender_id },
                recipient: FbParty { id: page_id },
                timestamp: timestamp_ms,
                message: FbMessage {
                    mid: message_id,
                    text,
                },
            }],
        }],
    };
    SignedWebhook::meta(app_secret, meta_json(&payload))
}

/// Messenger receipt (REFERENCE §3.1) from PSID `sender_id` to Page `page_id`: with `read`
/// false a `delivery{mids, watermark}` event, with `read` true a `read{watermark}` event;
/// everything sent before `watermark_ms` (unix milliseconds) reached that state. Signed with
/// `app_secret` like [`messenger_text`].
pub fn messenger_receipt(
    app_secret: &str,
    page_id: &str,
    sender_id: &str,
    read: bool,
    mids: &[&str],
    watermark_ms: i64,
) -> SignedWebhook {
    let mark = FbWatermark {
        mids: (!read).then_some(mids),
        watermark: watermark_ms,
    };
    let payload = FbEnvelope {
        object: "page",
        entry: [FbEntry {
            id: page_id,
            time: watermark_ms,
            messaging: [FbReceipt {
                sender: FbParty { id: sender_id },
                recipient: FbParty { id: page_id },
                timestamp: watermark_ms,
                delivery: (!read).then_some(mark.clone()),
                read: read.then_some(mark),
            }],
        }],
    };
    SignedWebhook::meta(app_secret, meta_json(&payload))
}

/// Twilio inbound SMS form post to `url` (the full public webhook URL Twilio would call,
/// signed exactly as given), signed with `auth_token` (`X-Twilio-Signature`).
///
/// `to` is our number or short code. With `whatsapp`, `From`/`To` get the `whatsapp:`
/// prefix and `ProfileName`, `WaId` and `MessageType=text` are added; `profile_name` is
/// unused for SMS, which carries no name. `message_sid` looks like `SM` + 32 hex digits.
/// The body holds the core fields of REFERENCE §2.1 and the signature covers exactly the
/// parameters in the body.
#[allow(clippy::too_many_arguments)]
pub fn twilio_message(
    auth_token: &str,
    url: &str,
    account_sid: &str,
    to: &str,
    from: &E164,
    profile_name: &str,
    message_sid: &str,
    body: &str,
    whatsapp: bool,
) -> SignedWebhook {
    let (from, to) = if whatsapp {
        let to = if to.starts_with("whatsapp:") {
            to.to_owned()
        } else {
            format!("whatsapp:{to}")
        };
        (format!("whatsapp:{from}"), to)
    } else {
        (from.as_str().to_owned(), to.to_owned())
    };
    let mut params: Vec<(&str, &str)> = vec![
        ("MessageSid", message_sid),
        ("SmsSid", message_sid),
        ("SmsMessageSid", message_sid),
        ("AccountSid", account_sid),
        ("From", &from),
        ("To", &to),
        ("Body", body),
        ("NumMedia", "0"),
        ("NumSegments", "1"),
        ("SmsStatus", "received"),
        ("ApiVersion", "2010-04-01"),
    ];
    if whatsapp {
        params.push(("MessageType", "text"));
        if !profile_name.is_empty() {
            params.push(("ProfileName", profile_name));
        }
        params.push(("WaId", from_digits(&from)));
    }
    twilio_form(auth_token, url, &params)
}

/// Twilio status callback (REFERENCE §2.3) for message `message_sid`, as Twilio posts it to
/// the send's `StatusCallback` `url`, signed with `auth_token` over that URL. `from` (our
/// number) and `to` are written as in the send, `whatsapp:+…` for WhatsApp; `status` is a
/// `MessageStatus` such as `sent` or `delivered` (`failed` and `undelivered` also carry an
/// `ErrorCode`, and Twilio may add `Price` and `PriceUnit`, none of which this builds).
pub fn twilio_status(
    auth_token: &str,
    url: &str,
    account_sid: &str,
    from: &str,
    to: &str,
    message_sid: &str,
    status: &str,
) -> SignedWebhook {
    twilio_priced_status(
        auth_token,
        url,
        account_sid,
        from,
        to,
        message_sid,
        status,
        None,
    )
}

/// [`twilio_status`] with what Twilio charged, when it says: `Price` (negative, e.g.
/// `-0.01660`) in US dollars (`PriceUnit`), as a callback on a final status may carry it.
#[allow(clippy::too_many_arguments)]
pub fn twilio_priced_status(
    auth_token: &str,
    url: &str,
    account_sid: &str,
    from: &str,
    to: &str,
    message_sid: &str,
    status: &str,
    price: Option<&str>,
) -> SignedWebhook {
    let mut params = vec![
        ("SmsSid", message_sid),
        ("SmsStatus", status),
        ("MessageStatus", status),
        ("To", to),
        ("MessageSid", message_sid),
        ("AccountSid", account_sid),
        ("From", from),
        ("ApiVersion", "2010-04-01"),
    ];
    if let Some(price) = price {
        params.extend([("Price", price), ("PriceUnit", "USD")]);
    }
    twilio_form(auth_token, url, &params)
}

/// A form post of `params`, in order, signed for `url` as Twilio signs it.
fn twilio_form(auth_token: &str, url: &str, params: &[(&str, &str)]) -> SignedWebhook {
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|&(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    SignedWebhook {
        content_type: FORM,
        body: form.into_bytes(),
        headers: vec![(TWILIO_HEADER, twilio_signature(auth_token, url, &owned))],
    }
}

/// The digits of a `whatsapp:+…` address, for `WaId`.
fn from_digits(address: &str) -> &str {
    address
        .trim_start_matches("whatsapp:")
        .trim_start_matches('+')
}

/// Compact JSON with every non-ASCII character written as a `\uXXXX` escape (lowercase hex,
/// UTF-16 surrogate pairs), the encoding Meta sends and signs (REFERENCE §0).
fn meta_json<T: Serialize>(payload: &T) -> Vec<u8> {
    let mut body = Vec::with_capacity(512);
    let mut serializer = serde_json::Serializer::with_formatter(&mut body, EscapeUnicode);
    payload
        .serialize(&mut serializer)
        .expect("payloads of strings and integers always serialise");
    body
}

struct EscapeUnicode;

impl serde_json::ser::Formatter for EscapeUnicode {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c.is_ascii() {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

// Field order follows the fixtures, since serialisation keeps declaration order.

#[derive(Serialize)]
struct WaEnvelope<'a, V> {
    object: &'static str,
    entry: [WaEntry<'a, V>; 1],
}

impl<'a, V> WaEnvelope<'a, V> {
    /// One `messages` change of WABA `waba_id`, carrying `value`.
    fn new(waba_id: &'a str, value: V) -> Self {
        Self {
            object: "whatsapp_business_account",
            entry: [WaEntry {
                id: waba_id,
                changes: [WaChange {
                    value,
                    field: "messages",
                }],
            }],
        }
    }
}

#[derive(Serialize)]
struct WaEntry<'a, V> {
    id: &'a str,
    changes: [WaChange<V>; 1],
}

#[derive(Serialize)]
struct WaChange<V> {
    value: V,
    field: &'static str,
}

#[derive(Serialize)]
struct WaValue<'a> {
    messaging_product: &'static str,
    metadata: WaMetadata<'a>,
    contacts: [WaContact<'a>; 1],
    messages: [WaMessage<'a>; 1],
}

#[derive(Serialize)]
struct WaMetadata<'a> {
    display_phone_number: &'a str,
    phone_number_id: &'a str,
}

#[derive(Serialize)]
struct WaContact<'a> {
    profile: WaProfile<'a>,
    wa_id: &'a str,
}

#[derive(Serialize)]
struct WaProfile<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct WaMessage<'a> {
    from: &'a str,
    id: &'a str,
    timestamp: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    text: WaText<'a>,
}

#[derive(Serialize)]
struct WaText<'a> {
    body: &'a str,
}

#[derive(Serialize)]
struct WaStatusValue<'a> {
    messaging_product: &'static str,
    metadata: WaMetadata<'a>,
    statuses: [WaStatus<'a>; 1],
}

#[derive(Serialize)]
struct WaStatus<'a> {
    id: &'a str,
    status: &'a str,
    timestamp: &'a str,
    recipient_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pricing: Option<StatusPricing<'a>>,
}

#[derive(Serialize)]
struct FbEnvelope<'a, E> {
    object: &'static str,
    entry: [FbEntry<'a, E>; 1],
}

#[derive(Serialize)]
struct FbEntry<'a, E> {
    id: &'a str,
    time: i64,
    messaging: [E; 1],
}

#[derive(Serialize)]
struct FbReceipt<'a> {
    sender: FbParty<'a>,
    recipient: FbParty<'a>,
    timestamp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery: Option<FbWatermark<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    read: Option<FbWatermark<'a>>,
}

#[derive(Clone, Serialize)]
struct FbWatermark<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    mids: Option<&'a [&'a str]>,
    watermark: i64,
}

#[derive(Serialize)]
struct FbEvent<'a> {
    sender: FbParty<'a>,
    recipient: FbParty<'a>,
    timestamp: i64,
    message: FbMessage<'a>,
}

#[derive(Serialize)]
struct FbParty<'a> {
    id: &'a str,
}

#[derive(Serialize)]
struct FbMessage<'a> {
    mid: &'a str,
    text: &'a str,
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use time::OffsetDateTime;

    use super::*;
    use crate::inbound::{
        DeliveryStatus, InboundEvent, InboundMessage, MessageContent, ProviderPricing, RoutingKey,
        StatusTarget, StatusUpdate, TwilioChannel, TwilioPrice, WhatsAppPricing,
    };
    use crate::phone::ChannelAddress;
    use crate::signature::{SignatureError, verify_meta, verify_twilio};
    use crate::{messenger, twilio, whatsapp};

    const TRICKY: &str = "She said \"hi\" & <script>alert(1)</script> 🙏 café a+b=c\\n\nline 2 %20";
    const SECRET: &str = "pack_test_app_secret";
    const TOKEN: &str = "12345";
    const URL: &str = "https://switchboard.example.org/webhooks/twilio/3?x=1";
    const ACCOUNT: &str = "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
    const SID: &str = "SM1f0e8ae6ade43cb3c0ce4525424e404f";

    fn phone(number: &str) -> E164 {
        E164::parse(number).unwrap()
    }

    fn only_message(events: Vec<InboundEvent>) -> InboundMessage {
        assert_eq!(events.len(), 1, "{events:#?}");
        match events.into_iter().next().unwrap() {
            InboundEvent::Message(m) => m,
            other => panic!("expected a message, got {other:#?}"),
        }
    }

    fn fixture(path: &str) -> Value {
        let path = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn form(webhook: &SignedWebhook) -> Vec<(String, String)> {
        form_urlencoded::parse(&webhook.body).into_owned().collect()
    }

    fn sample_whatsapp(text: &str) -> SignedWebhook {
        whatsapp_text(
            SECRET,
            "419561257915477",
            "106540352242922",
            "15550783881",
            &phone("+16505551234"),
            "Sheena Nelson",
            "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
            1_749_416_383,
            text,
        )
    }

    fn sample_messenger(text: &str) -> SignedWebhook {
        messenger_text(
            SECRET,
            "106540352242922",
            "6789012345678901",
            "m_1457764197618:41d102a3e1ae206a38",
            1_458_692_752_478,
            text,
        )
    }

    fn sample_twilio(text: &str, whatsapp: bool) -> SignedWebhook {
        twilio_message(
            TOKEN,
            URL,
            ACCOUNT,
            "+14155550100",
            &phone("14155550199"),
            "María 🌻",
            SID,
            text,
            whatsapp,
        )
    }

    #[test]
    fn whatsapp_text_is_the_fixture_shape() {
        let built = sample_whatsapp("Does it come in another color?");
        let body: Value = serde_json::from_slice(&built.body).unwrap();
        assert_eq!(body, fixture("whatsapp/inbound_text.json"));
        assert_eq!(built.content_type, "application/json");
        // Compact, in the fixture's key order.
        let text = std::str::from_utf8(&built.body).unwrap();
        assert!(text.starts_with(
            r#"{"object":"whatsapp_business_account","entry":[{"id":"419561257915477","changes":[{"value":{"messaging_product":"whatsapp","metadata":"#
        ));
        assert!(text.ends_with(r#""field":"messages"}]}]}"#));
    }

    #[test]
    fn whatsapp_text_verifies_only_with_its_app_secret() {
        let built = sample_whatsapp(TRICKY);
        let header = built.header("x-hub-signature-256");
        assert_eq!(verify_meta(SECRET, &built.body, header), Ok(()));
        assert_eq!(
            verify_meta("another-secret", &built.body, header),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            built.header(META_HEADER),
            Some(meta_signature(SECRET, &built.body).as_str())
        );
    }

    #[test]
    fn whatsapp_text_parses_back_to_the_same_message() {
        for text in ["Does it come in another color?", TRICKY, ""] {
            let built = sample_whatsapp(text);
            let m = only_message(whatsapp::parse_webhook(&built.body).unwrap());
            assert_eq!(
                m.routing,
                RoutingKey::WhatsApp {
                    phone_number_id: "106540352242922".into()
                }
            );
            assert_eq!(
                m.provider_message_id,
                "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
            );
            assert_eq!(m.from, ChannelAddress::Phone(phone("+16505551234")));
            assert_eq!(m.profile_name.as_deref(), Some("Sheena Nelson"));
            assert_eq!(
                m.timestamp,
                Some(OffsetDateTime::from_unix_timestamp(1_749_416_383).unwrap())
            );
            assert_eq!(m.content, [MessageContent::Text(text.into())]);
        }
    }

    #[test]
    fn meta_bodies_escape_non_ascii_like_meta_does() {
        for built in [sample_whatsapp(TRICKY), sample_messenger(TRICKY)] {
            assert!(built.body.is_ascii());
            let text = std::str::from_utf8(&built.body).unwrap();
            assert!(text.contains(r"\ud83d\ude4f caf\u00e9"), "{text}");
            assert!(text.contains(r#"She said \"hi\" & <script>alert(1)</script>"#));
            assert!(text.contains(r"a+b=c\\n\nline 2 %20"));
            // The signature covers these bytes, not a UTF-8 re-serialisation.
            let reencoded =
                serde_json::to_vec(&serde_json::from_slice::<Value>(&built.body).unwrap()).unwrap();
            assert_eq!(
                verify_meta(SECRET, &reencoded, built.header(META_HEADER)),
                Err(SignatureError::Mismatch)
            );
        }
    }

    #[test]
    fn meta_legacy_sha1_header_is_sent_too() {
        let built = sample_messenger("hello");
        let legacy = built.header(META_LEGACY_HEADER).unwrap();
        let digest = legacy.strip_prefix("sha1=").unwrap();
        assert_eq!(digest.len(), 40);
        assert!(
            digest
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        let mut mac = Hmac::<Sha1>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(&built.body);
        mac.verify_slice(&hex::decode(digest).unwrap()).unwrap();
    }

    #[test]
    fn messenger_text_is_the_reference_shape() {
        let built = sample_messenger("hello, world!");
        let expected: Value = serde_json::from_str(
            r#"{"object":"page","entry":[{"id":"106540352242922","time":1458692752478,"messaging":[{"sender":{"id":"6789012345678901"},"recipient":{"id":"106540352242922"},"timestamp":1458692752478,"message":{"mid":"m_1457764197618:41d102a3e1ae206a38","text":"hello, world!"}}]}]}"#,
        )
        .unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&built.body).unwrap(),
            expected
        );
        assert_eq!(built.content_type, JSON);
    }

    #[test]
    fn messenger_receipts_are_the_reference_shape_and_parse_back() {
        for (read, status) in [
            (false, DeliveryStatus::Delivered),
            (true, DeliveryStatus::Read),
        ] {
            let built = messenger_receipt(
                SECRET,
                "106540352242922",
                "6789012345678901",
                read,
                &["m_1"],
                1_458_668_856_253,
            );
            let event =
                &serde_json::from_slice::<Value>(&built.body).unwrap()["entry"][0]["messaging"][0];
            let mark = if read {
                &event["read"]
            } else {
                &event["delivery"]
            };
            assert_eq!(mark["watermark"], 1_458_668_856_253_i64);
            assert_eq!(mark.get("mids").is_some(), !read, "{event}");
            assert_eq!(
                verify_meta(SECRET, &built.body, built.header(META_HEADER)),
                Ok(())
            );
            let s = only_status(messenger::parse_webhook(&built.body).unwrap());
            assert_eq!(s.status, status);
            assert_eq!(
                s.recipient,
                Some(ChannelAddress::ScopedId("6789012345678901".into()))
            );
        }
    }

    #[test]
    fn messenger_text_verifies_only_with_its_app_secret() {
        let built = sample_messenger(TRICKY);
        let header = built.header(META_HEADER);
        assert_eq!(verify_meta(SECRET, &built.body, header), Ok(()));
        assert_eq!(
            verify_meta("another-secret", &built.body, header),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn messenger_text_parses_back_to_the_same_message() {
        for text in ["hello, world!", TRICKY] {
            let built = sample_messenger(text);
            let m = only_message(messenger::parse_webhook(&built.body).unwrap());
            assert_eq!(
                m.routing,
                RoutingKey::Messenger {
                    page_id: "106540352242922".into()
                }
            );
            assert_eq!(m.provider_message_id, "m_1457764197618:41d102a3e1ae206a38");
            assert_eq!(m.from, ChannelAddress::ScopedId("6789012345678901".into()));
            assert_eq!(
                m.timestamp,
                Some(OffsetDateTime::from_unix_timestamp_nanos(1_458_692_752_478_000_000).unwrap())
            );
            assert_eq!(m.content, [MessageContent::Text(text.into())]);
        }
    }

    #[test]
    fn twilio_sms_form_has_the_core_fields() {
        let built = sample_twilio("Hi, is the pantry open today?", false);
        assert_eq!(built.content_type, "application/x-www-form-urlencoded");
        let params = form(&built);
        let expected = [
            ("MessageSid", SID),
            ("SmsSid", SID),
            ("SmsMessageSid", SID),
            ("AccountSid", ACCOUNT),
            ("From", "+14155550199"),
            ("To", "+14155550100"),
            ("Body", "Hi, is the pantry open today?"),
            ("NumMedia", "0"),
            ("NumSegments", "1"),
            ("SmsStatus", "received"),
            ("ApiVersion", "2010-04-01"),
        ];
        let params: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(params, expected);
        assert!(
            std::str::from_utf8(&built.body)
                .unwrap()
                .contains("From=%2B14155550199&To=%2B14155550100&Body=Hi%2C+is+the+pantry")
        );
    }

    #[test]
    fn twilio_whatsapp_form_adds_prefixes_profile_and_wa_id() {
        let params = form(&sample_twilio("Hola", true));
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("From"), Some("whatsapp:+14155550199"));
        assert_eq!(get("To"), Some("whatsapp:+14155550100"));
        assert_eq!(get("ProfileName"), Some("María 🌻"));
        assert_eq!(get("WaId"), Some("14155550199"));
        assert_eq!(get("MessageType"), Some("text"));
        assert_eq!(get("SmsStatus"), Some("received"));

        // An already prefixed `to` is not prefixed twice.
        let again = twilio_message(
            TOKEN,
            URL,
            ACCOUNT,
            "whatsapp:+14155550100",
            &phone("+14155550199"),
            "",
            SID,
            "Hola",
            true,
        );
        let again = form(&again);
        assert!(again.contains(&("To".into(), "whatsapp:+14155550100".into())));
        assert!(!again.iter().any(|(k, _)| k == "ProfileName"));
    }

    #[test]
    fn twilio_message_verifies_only_with_its_auth_token_over_its_params() {
        for whatsapp in [false, true] {
            let built = sample_twilio(TRICKY, whatsapp);
            let params = form(&built);
            let header = built.header("x-twilio-signature");
            assert_eq!(verify_twilio(TOKEN, URL, &params, header), Ok(()));
            assert_eq!(
                verify_twilio("another-token", URL, &params, header),
                Err(SignatureError::Mismatch)
            );
            assert_eq!(
                verify_twilio(
                    TOKEN,
                    "https://switchboard.example.org/webhooks/twilio/4?x=1",
                    &params,
                    header
                ),
                Err(SignatureError::Mismatch)
            );
            let mut extra = params.clone();
            extra.push(("FromCountry".into(), "US".into()));
            assert_eq!(
                verify_twilio(TOKEN, URL, &extra, header),
                Err(SignatureError::Mismatch)
            );
        }
    }

    #[test]
    fn twilio_message_parses_back_to_the_same_message() {
        for text in ["Hi, is the pantry open today?", TRICKY] {
            for whatsapp in [false, true] {
                let built = sample_twilio(text, whatsapp);
                let m = match twilio::parse_inbound(&form(&built)).unwrap() {
                    InboundEvent::Message(m) => m,
                    other => panic!("expected a message, got {other:#?}"),
                };
                assert_eq!(
                    m.routing,
                    RoutingKey::Twilio {
                        account_sid: ACCOUNT.into(),
                        number: "+14155550100".into(),
                        messaging_service_sid: None,
                        channel: if whatsapp {
                            TwilioChannel::WhatsApp
                        } else {
                            TwilioChannel::Sms
                        },
                    }
                );
                assert_eq!(m.provider_message_id, SID);
                let from = if whatsapp {
                    ChannelAddress::TwilioWhatsApp(phone("+14155550199"))
                } else {
                    ChannelAddress::Phone(phone("+14155550199"))
                };
                assert_eq!(m.from, from);
                assert_eq!(m.profile_name.as_deref(), whatsapp.then_some("María 🌻"));
                assert_eq!(m.timestamp, None, "Twilio sends no timestamp");
                assert_eq!(m.content, [MessageContent::Text(text.into())]);
            }
        }
    }

    fn only_status(events: Vec<InboundEvent>) -> StatusUpdate {
        assert_eq!(events.len(), 1, "{events:#?}");
        match events.into_iter().next().unwrap() {
            InboundEvent::Status(s) => s,
            other => panic!("expected a status, got {other:#?}"),
        }
    }

    #[test]
    fn whatsapp_status_is_the_fixture_shape_and_parses_back() {
        for status in ["sent", "delivered", "read"] {
            let built = whatsapp_status(
                SECRET,
                "5467539754836534",
                "1122334455667",
                "972123456789",
                "wamid.xyzxyz",
                &phone("+972987654321"),
                status,
                1_698_266_945,
            );
            let mut expected = fixture(&format!("whatsapp/status_{status}.json"));
            let value = &mut expected["entry"][0]["changes"][0]["value"];
            value.as_object_mut().unwrap().remove("contacts");
            let reported = value["statuses"][0].as_object_mut().unwrap();
            reported.remove("conversation");
            reported.remove("pricing");
            reported.insert("timestamp".into(), "1698266945".into());
            assert_eq!(
                serde_json::from_slice::<Value>(&built.body).unwrap(),
                expected
            );
            assert_eq!(
                verify_meta(SECRET, &built.body, built.header(META_HEADER)),
                Ok(())
            );

            let s = only_status(whatsapp::parse_webhook(&built.body).unwrap());
            assert_eq!(
                s.routing,
                RoutingKey::WhatsApp {
                    phone_number_id: "1122334455667".into()
                }
            );
            assert_eq!(s.target, StatusTarget::Message("wamid.xyzxyz".into()));
            assert_eq!(
                s.recipient,
                Some(ChannelAddress::Phone(phone("+972987654321")))
            );
            assert_eq!(s.provider_status, status);
            assert_eq!(s.pricing, None);
        }
    }

    #[test]
    fn twilio_status_is_signed_over_the_callback_url_and_parses_back() {
        let built = twilio_status(
            TOKEN,
            URL,
            ACCOUNT,
            "whatsapp:+14155550100",
            "whatsapp:+14155550199",
            SID,
            "delivered",
        );
        let params = form(&built);
        assert_eq!(
            verify_twilio(TOKEN, URL, &params, built.header("x-twilio-signature")),
            Ok(())
        );
        let s = match twilio::parse_status(&params).unwrap() {
            InboundEvent::Status(s) => s,
            other => panic!("expected a status, got {other:#?}"),
        };
        assert_eq!(
            s.routing,
            RoutingKey::Twilio {
                account_sid: ACCOUNT.into(),
                number: "+14155550100".into(),
                messaging_service_sid: None,
                channel: TwilioChannel::WhatsApp,
            }
        );
        assert_eq!(s.target, StatusTarget::Message(SID.into()));
        assert_eq!(
            s.recipient,
            Some(ChannelAddress::TwilioWhatsApp(phone("+14155550199")))
        );
        assert_eq!(s.status, DeliveryStatus::Delivered);
        assert_eq!(s.pricing, None);
    }

    #[test]
    fn priced_statuses_carry_what_meta_and_twilio_charged() {
        let built = whatsapp_priced_status(
            SECRET,
            "5467539754836534",
            "1122334455667",
            "972123456789",
            "wamid.xyzxyz",
            &phone("+972987654321"),
            "delivered",
            1_698_266_945,
            Some(StatusPricing::per_message("marketing", "regular")),
        );
        let s = only_status(whatsapp::parse_webhook(&built.body).unwrap());
        assert_eq!(
            s.pricing,
            Some(ProviderPricing::WhatsApp(WhatsAppPricing {
                pricing_type: Some("regular".into()),
                category: Some("marketing".into()),
                pricing_model: Some("PMP".into()),
                billable: Some(true),
            }))
        );

        let built = twilio_priced_status(
            TOKEN,
            URL,
            ACCOUNT,
            "+14155550100",
            "+14155550199",
            SID,
            "delivered",
            Some("-0.01660"),
        );
        let params = form(&built);
        assert_eq!(
            verify_twilio(TOKEN, URL, &params, built.header("x-twilio-signature")),
            Ok(())
        );
        let InboundEvent::Status(s) = twilio::parse_status(&params).unwrap() else {
            panic!("expected a status");
        };
        assert_eq!(
            s.pricing,
            Some(ProviderPricing::Twilio(TwilioPrice {
                price: "-0.01660".into(),
                price_unit: Some("USD".into()),
            }))
        );
    }
}
