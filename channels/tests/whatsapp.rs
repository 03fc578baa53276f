//! WhatsApp Cloud API webhooks: every shared fixture, plus samples for shapes without one.

use channels::Provider;
use channels::errors::explain;
use channels::inbound::{
    DeliveryStatus, InboundEvent, InboundMessage, InteractiveKind, Media, MediaKind, MediaSource,
    MessageContent, ParseError, ProviderError, ProviderPricing, RoutingKey, StatusTarget,
    StatusUpdate, TemplateStatus, WhatsAppPricing,
};
use channels::phone::{ChannelAddress, E164};
use channels::whatsapp::parse_webhook;
use time::OffsetDateTime;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/whatsapp");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parse_fixture(name: &str) -> Vec<InboundEvent> {
    parse_webhook(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parse_json(json: &str) -> Vec<InboundEvent> {
    parse_webhook(json.as_bytes()).unwrap()
}

fn single(events: Vec<InboundEvent>) -> InboundEvent {
    assert_eq!(events.len(), 1, "{events:#?}");
    events.into_iter().next().unwrap()
}

fn message(events: Vec<InboundEvent>) -> InboundMessage {
    match single(events) {
        InboundEvent::Message(m) => m,
        other => panic!("expected a message, got {other:#?}"),
    }
}

fn status(events: Vec<InboundEvent>) -> StatusUpdate {
    match single(events) {
        InboundEvent::Status(s) => s,
        other => panic!("expected a status, got {other:#?}"),
    }
}

fn only_content(m: &InboundMessage) -> &MessageContent {
    assert_eq!(m.content.len(), 1, "{:#?}", m.content);
    &m.content[0]
}

fn at(seconds: i64) -> Option<OffsetDateTime> {
    Some(OffsetDateTime::from_unix_timestamp(seconds).unwrap())
}

fn phone(number: &str) -> ChannelAddress {
    ChannelAddress::Phone(E164::parse(number).unwrap())
}

fn routed(id: &str) -> RoutingKey {
    RoutingKey::WhatsApp {
        phone_number_id: id.into(),
    }
}

/// Wraps a `value` object into the Cloud API envelope, as the samples in REFERENCE §1.1 show.
fn envelope(field: &str, value: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"419561257915477","changes":[{{"field":"{field}","value":{value}}}]}}]}}"#
    )
}

/// A `messages` value from the business number used by the OpenAPI examples.
fn messages_value(messages: &str) -> String {
    envelope(
        "messages",
        &format!(
            r#"{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":"Sheena Nelson"}},"wa_id":"16505551234"}}],"messages":[{messages}]}}"#
        ),
    )
}

#[test]
fn every_fixture_parses_without_unhandled_events() {
    let mut names = Vec::new();
    for dir in [FIXTURES.to_owned(), format!("{FIXTURES}/templates")] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                names.push(
                    path.strip_prefix(FIXTURES)
                        .unwrap()
                        .to_string_lossy()
                        .trim_start_matches('/')
                        .to_owned(),
                );
            }
        }
    }
    assert_eq!(names.len(), 17, "{names:?}");
    for name in names {
        let events = parse_fixture(&name);
        assert_eq!(events.len(), 1, "{name}");
        assert!(
            !matches!(events[0], InboundEvent::Unhandled { .. }),
            "{name}: {events:?}"
        );
    }
}

#[test]
fn fixture_text() {
    let m = message(parse_fixture("inbound_text.json"));
    assert_eq!(m.routing, routed("106540352242922"));
    assert_eq!(m.routing.provider(), Provider::WhatsApp);
    assert_eq!(
        m.provider_message_id,
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
    );
    assert_eq!(m.from, phone("+16505551234"));
    assert_eq!(m.profile_name.as_deref(), Some("Sheena Nelson"));
    assert_eq!(m.timestamp, at(1_749_416_383));
    assert_eq!(m.reply_to, None);
    assert!(!m.forwarded);
    assert_eq!(m.referral, None);
    assert_eq!(
        m.content,
        [MessageContent::Text(
            "Does it come in another color?".into()
        )]
    );
    assert_eq!(m.summary(), "Does it come in another color?");
}

#[test]
fn fixture_image() {
    let m = message(parse_fixture("inbound_image.json"));
    assert_eq!(m.timestamp, at(1_744_344_496));
    assert_eq!(
        only_content(&m),
        &MessageContent::Media(Media {
            kind: MediaKind::Image,
            source: MediaSource::WhatsAppMediaId("1003383421387256".into()),
            mime_type: Some("image/jpeg".into()),
            sha256: Some("SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=".into()),
            caption: Some("Taj Mahal".into()),
            filename: None,
        })
    );
    assert_eq!(m.summary(), "📷 Photo: Taj Mahal");
}

#[test]
fn fixture_voice_note() {
    let m = message(parse_fixture("inbound_audio_voice_note.json"));
    assert_eq!(m.routing, routed("1122334455667"));
    assert_eq!(m.provider_message_id, "wamid.xyzxyz");
    assert_eq!(m.from, phone("+972987654321"));
    assert_eq!(m.profile_name.as_deref(), Some("Test Name"));
    assert_eq!(m.timestamp, at(1_697_043_473));
    assert_eq!(
        only_content(&m),
        &MessageContent::Media(Media {
            kind: MediaKind::Voice,
            source: MediaSource::WhatsAppMediaId("1234567890987654321".into()),
            mime_type: Some("audio/ogg; codecs=opus".into()),
            sha256: Some("m04pFf2ERdaopTyFkGPA0+bX3i+YY2dYgVFwOgDLSDI=".into()),
            caption: None,
            filename: None,
        })
    );
    assert_eq!(m.summary(), "🎤 Voice message");
}

#[test]
fn fixture_forwarded_document() {
    let m = message(parse_fixture("inbound_document.json"));
    assert!(m.forwarded);
    assert_eq!(m.reply_to, None);
    assert_eq!(m.timestamp, at(1_697_043_666));
    let MessageContent::Media(media) = only_content(&m) else {
        panic!("{m:#?}")
    };
    assert_eq!(media.kind, MediaKind::Document);
    assert_eq!(media.filename.as_deref(), Some("filename.pdf"));
    assert_eq!(media.caption.as_deref(), Some("caption"));
    assert_eq!(media.mime_type.as_deref(), Some("application/pdf"));
    assert_eq!(
        media.source,
        MediaSource::WhatsAppMediaId("1234567890987654321".into())
    );
}

#[test]
fn fixture_sticker() {
    let m = message(parse_fixture("inbound_sticker.json"));
    assert_eq!(m.timestamp, at(1_697_043_760));
    let MessageContent::Media(media) = only_content(&m) else {
        panic!("{m:#?}")
    };
    assert_eq!(media.kind, MediaKind::Sticker);
    assert_eq!(media.mime_type.as_deref(), Some("image/webp"));
    assert_eq!(
        media.sha256.as_deref(),
        Some("OmT4nhjUhCMIPNmj7eeOZeCYjTXkLxoOv85OMCFwSuc=")
    );
}

#[test]
fn fixture_location() {
    let m = message(parse_fixture("inbound_location.json"));
    assert_eq!(
        m.provider_message_id,
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTU2MjZEMDBGRkE3MENEMDE0RQA="
    );
    assert_eq!(
        only_content(&m),
        &MessageContent::Location {
            latitude: 37.44221496582,
            longitude: -122.16165924072,
            name: Some("Philz Coffee".into()),
            address: Some("101 Forest Ave, Palo Alto, CA 94301".into()),
        }
    );
    assert_eq!(m.summary(), "📍 Location: Philz Coffee");
}

#[test]
fn fixture_interactive_button_reply() {
    let m = message(parse_fixture("inbound_interactive_button_reply.json"));
    assert_eq!(m.timestamp, at(1_750_025_136));
    assert_eq!(
        m.reply_to.as_deref(),
        Some("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA")
    );
    assert_eq!(
        only_content(&m),
        &MessageContent::InteractiveReply {
            kind: InteractiveKind::Button,
            id: "cancel-button".into(),
            title: "Cancel".into(),
            description: None,
        }
    );
}

#[test]
fn fixture_interactive_list_reply() {
    let m = message(parse_fixture("inbound_interactive_list_reply.json"));
    assert_eq!(m.timestamp, at(1_749_854_575));
    assert_eq!(
        m.reply_to.as_deref(),
        Some("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJGMzEyNzhENTZDMzNGODlDRDgA")
    );
    assert_eq!(
        only_content(&m),
        &MessageContent::InteractiveReply {
            kind: InteractiveKind::List,
            id: "priority_express".into(),
            title: "Priority Mail Express".into(),
            description: Some("Next Day to 2 Days".into()),
        }
    );
}

#[test]
fn fixture_template_quick_reply_button() {
    let m = message(parse_fixture("inbound_button.json"));
    assert_eq!(m.timestamp, at(1_750_091_045));
    assert_eq!(
        m.reply_to.as_deref(),
        Some("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA")
    );
    assert_eq!(
        only_content(&m),
        &MessageContent::ButtonReply {
            payload: "Unsubscribe".into(),
            text: "Unsubscribe".into()
        }
    );
}

#[test]
fn fixture_reaction() {
    let m = message(parse_fixture("inbound_reaction.json"));
    assert_eq!(m.timestamp, at(1_749_419_544));
    assert_eq!(
        only_content(&m),
        &MessageContent::Reaction {
            target_message_id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA".into(),
            emoji: Some("👍".into()),
        }
    );
    assert_eq!(m.summary(), "Reacted 👍 to a message");
}

#[test]
fn fixture_unsupported() {
    let m = message(parse_fixture("inbound_unsupported.json"));
    assert_eq!(
        m.provider_message_id,
        "wamid.HBgLMTQyMDU1NTA3NDkVAgASGBI5N0MwRjg0RTVBNUI1RDA2OTkA"
    );
    assert_eq!(m.timestamp, at(1_750_090_702));
    assert_eq!(
        only_content(&m),
        &MessageContent::Unsupported {
            provider_type: "unsupported".into(),
            error: Some("Message type unknown".into()),
        }
    );
}

#[test]
fn fixture_statuses() {
    for (name, expected, seconds) in [
        ("status_sent.json", DeliveryStatus::Sent, 1_698_266_945),
        (
            "status_delivered.json",
            DeliveryStatus::Delivered,
            1_698_266_945,
        ),
        ("status_read.json", DeliveryStatus::Read, 1_689_380_458),
    ] {
        let s = status(parse_fixture(name));
        assert_eq!(s.routing, routed("1122334455667"), "{name}");
        assert_eq!(
            s.target,
            StatusTarget::Message("wamid.xyzxyz".into()),
            "{name}"
        );
        assert_eq!(s.status, expected, "{name}");
        assert_eq!(s.timestamp, at(seconds), "{name}");
        assert_eq!(s.recipient, Some(phone("+972987654321")), "{name}");
        assert_eq!(s.error, None, "{name}");
        // The pywa fixtures carry the conversation-based (CBP) pricing object, without `type`.
        assert_eq!(
            s.pricing,
            Some(ProviderPricing::WhatsApp(WhatsAppPricing {
                pricing_type: None,
                category: Some("service".into()),
                pricing_model: Some("CBP".into()),
                billable: Some(true),
            })),
            "{name}"
        );
    }
}

/// `status_delivered.json` with its `pricing` object replaced by `pricing` (or removed when
/// `None`). No shared fixture or REFERENCE sample shows a per-message (PMP) status with
/// `type`, so that shape is made here from the one fixture, changing nothing else.
fn delivered_with_pricing(pricing: Option<serde_json::Value>) -> StatusUpdate {
    let mut body: serde_json::Value =
        serde_json::from_slice(&fixture("status_delivered.json")).unwrap();
    let reported = body["entry"][0]["changes"][0]["value"]["statuses"][0]
        .as_object_mut()
        .unwrap();
    match pricing {
        Some(pricing) => reported.insert("pricing".into(), pricing),
        None => reported.remove("pricing"),
    };
    let s = status(parse_webhook(&serde_json::to_vec(&body).unwrap()).unwrap());
    // Whatever `pricing` holds, the status itself arrives intact.
    assert_eq!(s.status, DeliveryStatus::Delivered);
    assert_eq!(s.target, StatusTarget::Message("wamid.xyzxyz".into()));
    assert_eq!(s.timestamp, at(1_698_266_945));
    assert_eq!(s.recipient, Some(phone("+972987654321")));
    s
}

fn whatsapp_pricing(
    pricing_type: Option<&str>,
    category: Option<&str>,
    pricing_model: Option<&str>,
    billable: Option<bool>,
) -> Option<ProviderPricing> {
    Some(ProviderPricing::WhatsApp(WhatsAppPricing {
        pricing_type: pricing_type.map(Into::into),
        category: category.map(Into::into),
        pricing_model: pricing_model.map(Into::into),
        billable,
    }))
}

#[test]
fn per_message_pricing_keeps_metas_type_and_category() {
    for (pricing_type, category) in [
        ("regular", "marketing"),
        ("regular", "utility"),
        ("regular", "authentication"),
        ("regular", "authentication-international"),
        ("regular", "marketing_lite"),
        ("free_customer_service", "service"),
        ("free_customer_service", "utility"),
        ("free_entry_point", "referral_conversion"),
    ] {
        let s = delivered_with_pricing(Some(serde_json::json!({
            "billable": pricing_type == "regular",
            "pricing_model": "PMP",
            "type": pricing_type,
            "category": category,
        })));
        assert_eq!(
            s.pricing,
            whatsapp_pricing(
                Some(pricing_type),
                Some(category),
                Some("PMP"),
                Some(pricing_type == "regular")
            ),
            "{pricing_type} {category}"
        );
    }
    // `billable` is deprecated, so a payload may leave it out.
    let s = delivered_with_pricing(Some(serde_json::json!({
        "pricing_model": "PMP", "type": "regular", "category": "utility"
    })));
    assert_eq!(
        s.pricing,
        whatsapp_pricing(Some("regular"), Some("utility"), Some("PMP"), None)
    );
}

#[test]
fn unknown_pricing_words_are_kept_as_text() {
    let s = delivered_with_pricing(Some(serde_json::json!({
        "billable": false,
        "pricing_model": "FUTURE_MODEL",
        "type": "free_something_new",
        "category": "UTILITY",
    })));
    assert_eq!(
        s.pricing,
        whatsapp_pricing(
            Some("free_something_new"),
            Some("UTILITY"),
            Some("FUTURE_MODEL"),
            Some(false)
        )
    );
}

#[test]
fn odd_pricing_objects_never_cost_the_status() {
    use serde_json::json;
    for (pricing, expected) in [
        (None, None),
        (Some(json!(null)), None),
        (Some(json!({})), None),
        (Some(json!("regular")), None),
        (Some(json!(42)), None),
        (Some(json!([{"category": "utility"}])), None),
        (
            Some(
                json!({"billable": "yes", "pricing_model": 1, "type": ["regular"], "category": ""}),
            ),
            None,
        ),
        (
            Some(json!({"billable": 1, "type": {"x": 1}, "category": "marketing", "extra": true})),
            whatsapp_pricing(None, Some("marketing"), None, None),
        ),
        (
            Some(json!({"billable": true})),
            whatsapp_pricing(None, None, None, Some(true)),
        ),
    ] {
        let s = delivered_with_pricing(pricing.clone());
        assert_eq!(s.pricing, expected, "{pricing:?}");
    }
}

#[test]
fn fixture_failed_status_carries_the_error() {
    let s = status(parse_fixture("status_failed.json"));
    assert_eq!(s.status, DeliveryStatus::Failed);
    assert_eq!(s.provider_status, "failed");
    assert_eq!(s.pricing, None);
    assert_eq!(s.timestamp, at(1_689_380_458));
    assert_eq!(
        s.error,
        Some(ProviderError {
            code: 130472,
            title: Some("User's number is part of an experiment".into()),
            detail: Some(
                "Failed to send message because this user's phone number is part of an experiment"
                    .into()
            ),
        })
    );
}

#[test]
fn fixture_template_approved() {
    let InboundEvent::TemplateStatus(t) = single(parse_fixture(
        "templates/message_template_status_update_approved.json",
    )) else {
        panic!("expected a template status")
    };
    assert_eq!(t.waba_id, "102290129340398");
    assert_eq!(t.template_id, "1689556908129832");
    assert_eq!(t.name, "order_confirmation");
    assert_eq!(t.language, "en_US");
    assert_eq!(t.status, TemplateStatus::Approved);
    assert!(t.status.is_sendable());
    assert_eq!(t.category.as_deref(), Some("UTILITY"));
    assert_eq!(t.reason, None);
    assert_eq!(t.rejection_detail, None);
    assert_eq!(t.timestamp, at(1_751_247_548));
}

#[test]
fn fixture_template_rejected() {
    let InboundEvent::TemplateStatus(t) = single(parse_fixture(
        "templates/message_template_status_update_rejected.json",
    )) else {
        panic!("expected a template status")
    };
    assert_eq!(t.template_id, "1689556908129835");
    assert_eq!(t.name, "abandoned_cart");
    assert_eq!(t.language, "en");
    assert_eq!(t.status, TemplateStatus::Rejected);
    assert!(!t.status.is_sendable());
    assert_eq!(t.category.as_deref(), Some("MARKETING"));
    assert_eq!(t.reason.as_deref(), Some("INVALID_FORMAT"));
    assert!(
        t.rejection_detail
            .as_deref()
            .unwrap()
            .starts_with("Your template has parameters placed next")
    );
    assert!(
        t.recommendation
            .as_deref()
            .unwrap()
            .starts_with("Separate parameters")
    );
}

#[test]
fn paused_template_is_not_sendable() {
    let json = r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":1751247548,"changes":[{"field":"message_template_status_update","value":{"event":"PAUSED","message_template_id":"77","message_template_name":"reminder","message_template_language":"es","reason":"NONE"}}]}]}"#;
    let InboundEvent::TemplateStatus(t) = single(parse_json(json)) else {
        panic!()
    };
    assert_eq!(t.template_id, "77");
    assert_eq!(t.status, TemplateStatus::Paused);
    assert!(!t.status.is_sendable());
}

#[test]
fn video() {
    let m = message(parse_json(&messages_value(
        r#"{"from":"16505551234","id":"wamid.video","timestamp":"1749416400","type":"video","video":{"caption":"Our garden","mime_type":"video/mp4","sha256":"abc=","id":"2154262344949234"}}"#,
    )));
    let MessageContent::Media(media) = only_content(&m) else {
        panic!("{m:#?}")
    };
    assert_eq!(media.kind, MediaKind::Video);
    assert_eq!(
        media.source,
        MediaSource::WhatsAppMediaId("2154262344949234".into())
    );
    assert_eq!(m.summary(), "🎬 Video: Our garden");
}

#[test]
fn media_with_only_a_url() {
    let m = message(parse_json(&messages_value(
        r#"{"from":"16505551234","id":"wamid.url","timestamp":"1749416400","type":"image","image":{"mime_type":"image/jpeg","url":"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1"}}"#,
    )));
    let MessageContent::Media(media) = only_content(&m) else {
        panic!("{m:#?}")
    };
    assert_eq!(
        media.source,
        MediaSource::Url("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1".into())
    );
}

#[test]
fn on_premises_voice_type() {
    let m = message(parse_json(&messages_value(
        r#"{"from":"16505551234","id":"wamid.voice","timestamp":"1749416400","type":"voice","voice":{"file":"/usr/local/wamedia/x.opus","id":"463e","mime_type":"audio/ogg; codecs=opus","sha256":"fa9e"}}"#,
    )));
    let MessageContent::Media(media) = only_content(&m) else {
        panic!("{m:#?}")
    };
    assert_eq!(media.kind, MediaKind::Voice);
    assert_eq!(media.source, MediaSource::WhatsAppMediaId("463e".into()));
}

#[test]
fn shared_contacts() {
    let m = message(parse_json(&messages_value(
        r#"{"from":"16505551234","id":"wamid.contacts","timestamp":"1749416400","type":"contacts","contacts":[
            {"name":{"formatted_name":"Maria Lopez","first_name":"Maria","last_name":"Lopez"},"phones":[{"phone":"+1 (940) 555-1234","wa_id":"19405551234","type":"CELL"},{"phone":"+1 940 555 9999","type":"HOME"}],"emails":[{"email":"maria@example.org","type":"WORK"}],"org":{"company":"Food Bank"}},
            {"name":{"first_name":"Ben"},"phones":[]}
        ]}"#,
    )));
    let MessageContent::Contacts(contacts) = only_content(&m) else {
        panic!("{m:#?}")
    };
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[0].name, "Maria Lopez");
    assert_eq!(contacts[0].phones, ["+1 (940) 555-1234", "+1 940 555 9999"]);
    assert_eq!(contacts[1].name, "Ben");
    assert!(contacts[1].phones.is_empty());
    assert_eq!(m.summary(), "👤 2 contacts: Maria Lopez, Ben");
}

#[test]
fn order() {
    let m = message(parse_json(&messages_value(
        r#"{"from":"16505551234","id":"wamid.order","timestamp":"1749416400","type":"order","order":{"catalog_id":"1234567","text":"Please deliver Tuesday","product_items":[{"product_retailer_id":"blanket-01","quantity":2,"item_price":12.5,"currency":"USD"},{"product_retailer_id":"soap","quantity":1,"item_price":3,"currency":"USD"}]}}"#,
    )));
    let MessageContent::Order {
        catalog_id,
        text,
        items,
    } = only_content(&m)
    else {
        panic!("{m:#?}")
    };
    assert_eq!(catalog_id, "1234567");
    assert_eq!(text.as_deref(), Some("Please deliver Tuesday"));
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].product_id, "blanket-01");
    assert_eq!(items[0].quantity, 2);
    assert_eq!(items[0].item_price, 12.5);
    assert_eq!(items[0].currency, "USD");
    assert_eq!(items[1].item_price, 3.0);
    assert_eq!(m.summary(), "🛒 Order: 2 items");
}

#[test]
fn system_number_change_has_no_contacts() {
    let json = envelope(
        "messages",
        r#"{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"messages":[{"from":"16505551234","id":"wamid.system","timestamp":"1749416400","type":"system","system":{"body":"User A changed from 16505551234 to 16505559999","wa_id":"16505559999","type":"user_changed_number"}}]}"#,
    );
    let m = message(parse_json(&json));
    assert_eq!(m.from, phone("+16505551234"));
    assert_eq!(m.profile_name, None);
    assert_eq!(
        only_content(&m),
        &MessageContent::System {
            body: "User A changed from 16505551234 to 16505559999".into(),
            new_wa_id: Some("16505559999".into()),
        }
    );
}

#[test]
fn removed_reaction_has_no_emoji() {
    for reaction in [
        r#"{"message_id":"wamid.target","emoji":""}"#,
        r#"{"message_id":"wamid.target"}"#,
    ] {
        let m = message(parse_json(&messages_value(&format!(
            r#"{{"from":"16505551234","id":"wamid.unreact","timestamp":"1749416400","type":"reaction","reaction":{reaction}}}"#
        ))));
        assert_eq!(
            only_content(&m),
            &MessageContent::Reaction {
                target_message_id: "wamid.target".into(),
                emoji: None
            }
        );
        assert_eq!(m.summary(), "Removed a reaction");
    }
}

#[test]
fn click_to_whatsapp_referral() {
    let m = message(parse_json(&messages_value(
        r#"{"from":"16505551234","id":"wamid.ad","timestamp":"1749416400","type":"text","text":{"body":"Hi!"},"referral":{"source_url":"https://fb.me/abc","source_id":"120211","source_type":"ad","headline":"Volunteer with us","body":"Join the team","media_type":"image","image_url":"https://example.org/i.jpg","ctwa_clid":"ARAkLkA8"}}"#,
    )));
    let referral = m.referral.expect("referral");
    assert_eq!(referral.source_type.as_deref(), Some("ad"));
    assert_eq!(referral.source_id.as_deref(), Some("120211"));
    assert_eq!(referral.headline.as_deref(), Some("Volunteer with us"));
    assert_eq!(referral.ctwa_clid.as_deref(), Some("ARAkLkA8"));
}

#[test]
fn sender_without_phone_uses_business_scoped_id() {
    let json = envelope(
        "messages",
        r#"{"messaging_product":"whatsapp","metadata":{"phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Private Person"},"user_id":"US.13491208655302741918"}],"messages":[{"id":"wamid.bsuid","timestamp":"1749416400","type":"text","text":{"body":"hello"}}]}"#,
    );
    let m = message(parse_json(&json));
    assert_eq!(
        m.from,
        ChannelAddress::ScopedId("US.13491208655302741918".into())
    );
    assert_eq!(m.profile_name.as_deref(), Some("Private Person"));
}

#[test]
fn batched_messages_keep_their_own_profile_names() {
    let json = envelope(
        "messages",
        r#"{"messaging_product":"whatsapp","metadata":{"phone_number_id":"106540352242922"},
            "contacts":[{"profile":{"name":"Ana"},"wa_id":"16505550001"},{"profile":{"name":"Ben"},"wa_id":"16505550002"}],
            "messages":[
              {"from":"16505550002","id":"wamid.b","timestamp":"1749416400","type":"text","text":{"body":"from Ben"}},
              {"from":"16505550001","id":"wamid.a","timestamp":"1749416401","type":"text","text":{"body":"from Ana"}}
            ]}"#,
    );
    let events = parse_json(&json);
    let names: Vec<_> = events
        .iter()
        .map(|e| match e {
            InboundEvent::Message(m) => (m.provider_message_id.as_str(), m.profile_name.as_deref()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(names, [("wamid.b", Some("Ben")), ("wamid.a", Some("Ana"))]);
}

#[test]
fn failed_status_outside_window_explains_itself() {
    let error_object =
        String::from_utf8(fixture("errors/error_object_131047_reengagement.json")).unwrap();
    let json = envelope(
        "messages",
        &format!(
            r#"{{"messaging_product":"whatsapp","metadata":{{"phone_number_id":"106540352242922"}},"statuses":[{{"id":"wamid.out","status":"failed","timestamp":"1749416500","recipient_id":"16505551234","errors":[{error_object}]}}]}}"#
        ),
    );
    let s = status(parse_json(&json));
    assert_eq!(s.status, DeliveryStatus::Failed);
    let error = s.error.expect("error");
    assert_eq!(error.code, 131047);
    assert_eq!(error.title.as_deref(), Some("Re-engagement message"));
    assert!(
        error
            .detail
            .as_deref()
            .unwrap()
            .contains("more than 24 hours")
    );
    assert!(
        explain(Provider::WhatsApp, error.code)
            .unwrap()
            .contains("template")
    );
}

#[test]
fn failed_status_undeliverable() {
    let json = envelope(
        "messages",
        r#"{"messaging_product":"whatsapp","metadata":{"phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.out","status":"failed","timestamp":"1749416500","recipient_id":"16505551234","errors":[{"code":131026,"title":"Message undeliverable"}]}]}"#,
    );
    let s = status(parse_json(&json));
    assert_eq!(s.error.as_ref().map(|e| e.code), Some(131026));
    assert_eq!(s.error.unwrap().detail, None);
}

#[test]
fn played_counts_as_read_and_deleted_is_unhandled() {
    let statuses = r#"[{"id":"wamid.v","status":"played","timestamp":"1749416500","recipient_id":"16505551234"},{"id":"wamid.d","status":"deleted","timestamp":"1749416501","recipient_id":"16505551234"}]"#;
    let json = envelope(
        "messages",
        &format!(r#"{{"metadata":{{"phone_number_id":"106540352242922"}},"statuses":{statuses}}}"#),
    );
    let events = parse_json(&json);
    assert_eq!(events.len(), 2);
    let InboundEvent::Status(played) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(played.status, DeliveryStatus::Read);
    assert_eq!(played.provider_status, "played");
    assert_eq!(played.pricing, None);
    assert!(
        matches!(&events[1], InboundEvent::Unhandled { raw_kind, .. } if raw_kind == "status:deleted"),
        "{events:?}"
    );
}

#[test]
fn channel_level_errors_are_reported() {
    let json = envelope(
        "messages",
        r#"{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"errors":[{"code":131000,"title":"Something went wrong","message":"Something went wrong","error_data":{"details":"Unknown error"}}]}"#,
    );
    assert_eq!(
        single(parse_json(&json)),
        InboundEvent::ChannelError {
            routing: routed("106540352242922"),
            error: ProviderError {
                code: 131000,
                title: Some("Something went wrong".into()),
                detail: Some("Unknown error".into()),
            },
        }
    );
}

#[test]
fn unknown_message_types_are_unsupported_not_dropped() {
    for (body, provider_type) in [
        (r#""type":"request_welcome""#, "request_welcome"),
        (
            r#""type":"interactive","interactive":{"type":"nfm_reply","nfm_reply":{"name":"flow","body":"Sent","response_json":"{}"}}"#,
            "interactive/nfm_reply",
        ),
    ] {
        let m = message(parse_json(&messages_value(&format!(
            r#"{{"from":"16505551234","id":"wamid.new","timestamp":"1749416400",{body}}}"#
        ))));
        assert_eq!(
            only_content(&m),
            &MessageContent::Unsupported {
                provider_type: provider_type.into(),
                error: None
            }
        );
        assert_eq!(
            m.summary(),
            format!("Unsupported message type: {provider_type}")
        );
    }
}

#[test]
fn unknown_fields_are_ignored() {
    let m = message(parse_json(&messages_value(
        r#"{"from":"16505551234","from_user_id":"US.1","id":"wamid.x","timestamp":"1749416400","type":"text","text":{"body":"hi","new_field":1},"identity_key_hash":"abc","brand_new":{"nested":[1,2]}}"#,
    )));
    assert_eq!(m.content, [MessageContent::Text("hi".into())]);
}

#[test]
fn unknown_change_fields_are_unhandled() {
    let json = envelope("group_lifecycle_update", r#"{"groups":[]}"#);
    assert!(matches!(
        single(parse_json(&json)),
        InboundEvent::Unhandled { raw_kind, .. } if raw_kind == "group_lifecycle_update"
    ));
}

#[test]
fn a_broken_item_does_not_hide_its_neighbours() {
    let m = parse_json(&messages_value(
        r#"{"from":"16505551234","id":"wamid.ok","timestamp":"1749416400","type":"text","text":{"body":"fine"}},
           {"from":"16505551234","timestamp":"1749416401","type":"text","text":{"body":"no id"}},
           {"from":"16505551234","id":"wamid.notext","timestamp":"1749416402","type":"text"},
           {"from":"16505551234","id":"wamid.badtime","timestamp":"yesterday","type":"text","text":{"body":"x"}}"#,
    ));
    assert_eq!(m.len(), 4);
    assert!(matches!(&m[0], InboundEvent::Message(ok) if ok.provider_message_id == "wamid.ok"));
    for event in &m[1..] {
        let InboundEvent::Unhandled { reason, raw_kind } = event else {
            panic!("{event:?}")
        };
        assert_eq!(raw_kind, "message");
        assert!(
            reason.starts_with("unreadable WhatsApp message"),
            "{reason}"
        );
    }
}

#[test]
fn malformed_bodies_are_parse_errors() {
    assert!(matches!(
        parse_webhook(b"not json"),
        Err(ParseError::Json(_))
    ));
    assert!(matches!(parse_webhook(b""), Err(ParseError::Json(_))));
    assert!(matches!(
        parse_webhook(br#"{"entry":[]}"#),
        Err(ParseError::Json(_))
    ));
    assert!(matches!(
        parse_webhook(br#"{"object":"whatsapp_business_account","entry":{}}"#),
        Err(ParseError::Json(_))
    ));

    let full = fixture("inbound_text.json");
    let truncated = &full[..full.len() / 2];
    let error = parse_webhook(truncated).unwrap_err();
    assert!(matches!(error, ParseError::Json(_)));
    assert!(error.to_string().contains("EOF"), "{error}");

    let error = parse_webhook(br#"{"object":"page","entry":[]}"#).unwrap_err();
    assert!(matches!(
        &error,
        ParseError::UnexpectedObject { expected: "whatsapp_business_account", found } if found == "page"
    ));
    assert_eq!(
        error.to_string(),
        r#"webhook is for object "page", expected "whatsapp_business_account""#
    );
}
