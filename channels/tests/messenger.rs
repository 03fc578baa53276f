//! Messenger webhooks. No inbound fixtures are published, so these samples follow the shapes
//! in REFERENCE §3.1 (Meta's webhook-events pages).

use channels::Provider;
use channels::inbound::{
    DeliveryStatus, InboundEvent, InboundMessage, Media, MediaKind, MediaSource, MessageContent,
    ParseError, RoutingKey, StatusTarget,
};
use channels::messenger::parse_webhook;
use channels::phone::ChannelAddress;
use time::OffsetDateTime;

const PAGE: &str = "106540352242922";
const PSID: &str = "6789012345678901";

/// One `messaging` event from `PSID` to `PAGE`, with the given payload key(s).
fn webhook(event_body: &str) -> String {
    format!(
        r#"{{"object":"page","entry":[{{"id":"{PAGE}","time":1458692752478,"messaging":[{{"sender":{{"id":"{PSID}"}},"recipient":{{"id":"{PAGE}"}},"timestamp":1458692752478,{event_body}}}]}}]}}"#
    )
}

fn parse(json: &str) -> Vec<InboundEvent> {
    parse_webhook(json.as_bytes()).unwrap()
}

fn single(events: Vec<InboundEvent>) -> InboundEvent {
    assert_eq!(events.len(), 1, "{events:#?}");
    events.into_iter().next().unwrap()
}

fn message(json: &str) -> InboundMessage {
    match single(parse(json)) {
        InboundEvent::Message(m) => m,
        other => panic!("expected a message, got {other:#?}"),
    }
}

fn at_millis(millis: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).unwrap()
}

fn url_media(kind: MediaKind, url: &str) -> MessageContent {
    MessageContent::Media(Media {
        kind,
        source: MediaSource::Url(url.into()),
        mime_type: None,
        sha256: None,
        caption: None,
        filename: None,
    })
}

#[test]
fn text_message() {
    let m = message(&webhook(
        r#""message":{"mid":"m_1457764197618:41d102a3e1ae206a38","text":"hello, world!"}"#,
    ));
    assert_eq!(
        m.routing,
        RoutingKey::Messenger {
            page_id: PAGE.into()
        }
    );
    assert_eq!(m.routing.provider(), Provider::Messenger);
    assert_eq!(m.provider_message_id, "m_1457764197618:41d102a3e1ae206a38");
    assert_eq!(m.from, ChannelAddress::ScopedId(PSID.into()));
    assert_eq!(m.timestamp, Some(at_millis(1_458_692_752_478)));
    assert_eq!(m.timestamp.unwrap().millisecond(), 478);
    assert_eq!(m.content, [MessageContent::Text("hello, world!".into())]);
    assert_eq!(m.reply_to, None);
}

#[test]
fn reply_to_is_kept() {
    let m = message(&webhook(
        r#""message":{"mid":"m_reply","text":"yes that one","reply_to":{"mid":"m_original","is_self_reply":false}}"#,
    ));
    assert_eq!(m.reply_to.as_deref(), Some("m_original"));
}

#[test]
fn text_with_several_attachments() {
    let m = message(&webhook(
        r#""message":{"mid":"m_att","text":"see these","attachments":[
            {"type":"image","payload":{"url":"https://scontent.xx.fbcdn.net/v/photo.jpg"}},
            {"type":"file","payload":{"url":"https://cdn.fbsbx.com/v/form.pdf"}},
            {"type":"audio","payload":{"url":"https://cdn.fbsbx.com/v/audioclip.mp4"}},
            {"type":"video","payload":{"url":"https://video.xx.fbcdn.net/v/clip.mp4"}}
        ]}"#,
    ));
    assert_eq!(
        m.content,
        [
            MessageContent::Text("see these".into()),
            url_media(
                MediaKind::Image,
                "https://scontent.xx.fbcdn.net/v/photo.jpg"
            ),
            url_media(MediaKind::Document, "https://cdn.fbsbx.com/v/form.pdf"),
            url_media(MediaKind::Audio, "https://cdn.fbsbx.com/v/audioclip.mp4"),
            url_media(MediaKind::Video, "https://video.xx.fbcdn.net/v/clip.mp4"),
        ]
    );
    assert_eq!(
        m.summary(),
        "see these · 📷 Photo · 📄 Document · 🎵 Audio · 🎬 Video"
    );
}

#[test]
fn location_attachment() {
    let m = message(&webhook(
        r#""message":{"mid":"m_loc","attachments":[{"type":"location","title":"Community Hall","payload":{"coordinates":{"lat":52.52,"long":13.405}}}]}"#,
    ));
    assert_eq!(
        m.content,
        [MessageContent::Location {
            latitude: 52.52,
            longitude: 13.405,
            name: Some("Community Hall".into()),
            address: None,
        }]
    );
}

#[test]
fn sticker_sent_twice_is_kept_once() {
    let m = message(&webhook(
        r#""message":{"mid":"m_sticker","attachments":[
            {"type":"image","payload":{"url":"https://scontent.xx.fbcdn.net/v/369239263222822.png","sticker_id":369239263222822}},
            {"type":"sticker","payload":{"url":"https://scontent.xx.fbcdn.net/v/369239263222822.png","sticker_id":369239263222822}}
        ]}"#,
    ));
    assert_eq!(
        m.content,
        [url_media(
            MediaKind::Sticker,
            "https://scontent.xx.fbcdn.net/v/369239263222822.png"
        )]
    );
}

#[test]
fn sticker_sent_only_as_image_is_a_sticker() {
    let m = message(&webhook(
        r#""message":{"mid":"m_thumbs","sticker_id":369239263222822,"attachments":[{"type":"image","payload":{"url":"https://scontent.xx.fbcdn.net/v/thumbs.png","sticker_id":369239263222822}}]}"#,
    ));
    assert_eq!(
        m.content,
        [url_media(
            MediaKind::Sticker,
            "https://scontent.xx.fbcdn.net/v/thumbs.png"
        )]
    );
    assert_eq!(m.summary(), "Sticker");
}

#[test]
fn fallback_link_and_unknown_attachments() {
    let m = message(&webhook(
        r#""message":{"mid":"m_fb","attachments":[
            {"type":"fallback","payload":{"url":"https://example.org/article","title":"Food drive this Saturday"}},
            {"type":"ig_reel","payload":{"reel_video_id":"1"}},
            {"type":"template","payload":{"template_type":"generic","elements":[]}}
        ]}"#,
    ));
    assert_eq!(
        m.content,
        [
            MessageContent::Text("Food drive this Saturday https://example.org/article".into()),
            MessageContent::Unsupported {
                provider_type: "ig_reel".into(),
                error: None
            },
            MessageContent::Unsupported {
                provider_type: "template".into(),
                error: None
            },
        ]
    );
}

#[test]
fn quick_reply() {
    let m = message(&webhook(
        r#""message":{"mid":"m_qr","text":"Red","quick_reply":{"payload":"DEVELOPER_DEFINED_PAYLOAD_FOR_PICKING_RED"}}"#,
    ));
    assert_eq!(
        m.content,
        [MessageContent::QuickReply {
            payload: "DEVELOPER_DEFINED_PAYLOAD_FOR_PICKING_RED".into(),
            text: "Red".into(),
        }]
    );
    assert_eq!(m.summary(), "Red");
}

#[test]
fn postback() {
    let m = message(&webhook(
        r#""postback":{"mid":"m_pb","title":"Talk to a person","payload":"HUMAN","referral":{"ref":"flyer","source":"SHORTLINK","type":"OPEN_THREAD"}}"#,
    ));
    assert_eq!(m.provider_message_id, "m_pb");
    assert_eq!(m.from, ChannelAddress::ScopedId(PSID.into()));
    assert_eq!(
        m.content,
        [MessageContent::Postback {
            title: "Talk to a person".into(),
            payload: "HUMAN".into()
        }]
    );
    assert_eq!(m.summary(), "Tapped “Talk to a person”");
}

#[test]
fn postback_without_mid_gets_a_stable_id() {
    let json = webhook(r#""postback":{"title":"Get Started","payload":"GET_STARTED"}"#);
    let first = message(&json);
    assert_eq!(
        first.provider_message_id,
        format!("postback:{PSID}:1458692752478")
    );
    assert_eq!(
        message(&json).provider_message_id,
        first.provider_message_id
    );
}

#[test]
fn echo_of_a_page_message() {
    let json = format!(
        r#"{{"object":"page","entry":[{{"id":"{PAGE}","time":1458692752478,"messaging":[{{"sender":{{"id":"{PAGE}"}},"recipient":{{"id":"{PSID}"}},"timestamp":1458692752478,"message":{{"is_echo":true,"app_id":1517776481860111,"metadata":"<DEVELOPER_DEFINED_METADATA_STRING>","mid":"m_echo","text":"We open at 9"}}}}]}}]}}"#
    );
    let InboundEvent::Echo(echo) = single(parse(&json)) else {
        panic!("expected an echo")
    };
    assert_eq!(
        echo.routing,
        RoutingKey::Messenger {
            page_id: PAGE.into()
        }
    );
    assert_eq!(echo.provider_message_id, "m_echo");
    assert_eq!(echo.to, ChannelAddress::ScopedId(PSID.into()));
    assert_eq!(echo.app_id.as_deref(), Some("1517776481860111"));
    assert_eq!(echo.content, [MessageContent::Text("We open at 9".into())]);
    assert_eq!(echo.summary(), "We open at 9");
}

#[test]
fn delivery_with_and_without_mids() {
    let with = single(parse(&webhook(
        r#""delivery":{"mids":["mid.1458668856218:ed81099e15d3f4f233"],"watermark":1458668856253}"#,
    )));
    let InboundEvent::Status(s) = with else {
        panic!("{with:?}")
    };
    assert_eq!(s.status, DeliveryStatus::Delivered);
    assert_eq!(s.recipient, Some(ChannelAddress::ScopedId(PSID.into())));
    assert_eq!(
        s.target,
        StatusTarget::SentBefore {
            watermark: at_millis(1_458_668_856_253),
            message_ids: vec!["mid.1458668856218:ed81099e15d3f4f233".into()],
        }
    );
    assert_eq!(s.timestamp, Some(at_millis(1_458_692_752_478)));
    assert_eq!(s.error, None);

    let without = single(parse(&webhook(r#""delivery":{"watermark":1458668856253}"#)));
    let InboundEvent::Status(s) = without else {
        panic!("{without:?}")
    };
    assert_eq!(
        s.target,
        StatusTarget::SentBefore {
            watermark: at_millis(1_458_668_856_253),
            message_ids: vec![]
        }
    );
}

#[test]
fn read_receipt() {
    let InboundEvent::Status(s) = single(parse(&webhook(r#""read":{"watermark":1458668856253}"#)))
    else {
        panic!()
    };
    assert_eq!(s.status, DeliveryStatus::Read);
    assert_eq!(s.provider_status, "read");
    assert_eq!(
        s.target,
        StatusTarget::SentBefore {
            watermark: at_millis(1_458_668_856_253),
            message_ids: vec![]
        }
    );
}

#[test]
fn standby_events_are_read_too() {
    let json = format!(
        r#"{{"object":"page","entry":[{{"id":"{PAGE}","time":1,"standby":[{{"sender":{{"id":"{PSID}"}},"recipient":{{"id":"{PAGE}"}},"timestamp":1458692752478,"message":{{"mid":"m_standby","text":"anyone there?"}}}}]}}]}}"#
    );
    let InboundEvent::Message(m) = single(parse(&json)) else {
        panic!()
    };
    assert_eq!(m.provider_message_id, "m_standby");
}

#[test]
fn several_entries_and_events() {
    let json = format!(
        r#"{{"object":"page","entry":[
            {{"id":"{PAGE}","time":1,"messaging":[
                {{"sender":{{"id":"{PSID}"}},"recipient":{{"id":"{PAGE}"}},"timestamp":1,"message":{{"mid":"m_1","text":"one"}}}},
                {{"sender":{{"id":"{PSID}"}},"recipient":{{"id":"{PAGE}"}},"timestamp":2,"read":{{"watermark":2}}}}
            ]}},
            {{"id":"999","time":1,"messaging":[{{"sender":{{"id":"{PSID}"}},"recipient":{{"id":"999"}},"timestamp":3,"message":{{"mid":"m_2","text":"two"}}}}]}}
        ]}}"#
    );
    let events = parse(&json);
    assert_eq!(events.len(), 3);
    assert!(matches!(&events[0], InboundEvent::Message(m) if m.provider_message_id == "m_1"));
    assert!(matches!(&events[1], InboundEvent::Status(_)));
    assert!(
        matches!(&events[2], InboundEvent::Message(m) if m.routing == RoutingKey::Messenger { page_id: "999".into() })
    );
}

#[test]
fn unknown_event_kinds_are_unhandled() {
    let event = single(parse(&webhook(
        r#""reaction":{"reaction":"love","emoji":"❤️","action":"react","mid":"m_x"}"#,
    )));
    assert!(
        matches!(&event, InboundEvent::Unhandled { raw_kind, .. } if raw_kind == "reaction"),
        "{event:?}"
    );
}

#[test]
fn unknown_fields_are_ignored() {
    let m = message(&webhook(
        r#""message":{"mid":"m_new","text":"hi","nlp":{"entities":{}},"commands":[]},"brand_new":true"#,
    ));
    assert_eq!(m.content, [MessageContent::Text("hi".into())]);
}

#[test]
fn unreadable_events_are_unhandled() {
    let event = single(parse(&webhook(r#""message":{"text":"no mid"}"#)));
    let InboundEvent::Unhandled { reason, raw_kind } = event else {
        panic!("{event:?}")
    };
    assert_eq!(raw_kind, "event");
    assert!(reason.contains("mid"), "{reason}");
}

#[test]
fn malformed_bodies_are_parse_errors() {
    let full = webhook(r#""message":{"mid":"m","text":"hello"}"#);
    assert!(matches!(
        parse_webhook(&full.as_bytes()[..full.len() - 5]),
        Err(ParseError::Json(_))
    ));
    assert!(matches!(parse_webhook(b"{"), Err(ParseError::Json(_))));
    assert!(matches!(
        parse_webhook(br#"{"object":"page","entry":[{"messaging":[]}]}"#),
        Err(ParseError::Json(_))
    ));
    assert!(matches!(
        parse_webhook(br#"{"object":"instagram","entry":[]}"#),
        Err(ParseError::UnexpectedObject { expected: "page", found }) if found == "instagram"
    ));
}
