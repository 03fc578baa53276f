//! Twilio form webhooks. No inbound fixtures are published, so these samples follow the
//! parameter lists in REFERENCE §2.1 and §2.3.

use channels::Provider;
use channels::consent::{ConsentKeyword, classify};
use channels::errors::explain;
use channels::inbound::{
    DeliveryStatus, InboundEvent, InboundMessage, Media, MediaKind, MediaSource, MessageContent,
    ParseError, ProviderError, ProviderPricing, RoutingKey, StatusTarget, StatusUpdate,
    TwilioChannel, TwilioPrice,
};
use channels::phone::{ChannelAddress, E164};
use channels::signature::{SignatureError, twilio_signature, verify_twilio};
use channels::twilio::{channel_of, parse_inbound, parse_status};

const ACCOUNT: &str = "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";

fn form(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

fn inbound(body: &str) -> InboundMessage {
    match parse_inbound(&form(body)).unwrap() {
        InboundEvent::Message(m) => m,
        other => panic!("expected a message, got {other:#?}"),
    }
}

fn status(body: &str) -> StatusUpdate {
    match parse_status(&form(body)).unwrap() {
        InboundEvent::Status(s) => s,
        other => panic!("expected a status, got {other:#?}"),
    }
}

fn phone(number: &str) -> ChannelAddress {
    ChannelAddress::Phone(E164::parse(number).unwrap())
}

fn whatsapp(number: &str) -> ChannelAddress {
    ChannelAddress::TwilioWhatsApp(E164::parse(number).unwrap())
}

const SMS: &str = "ToCountry=US&ToState=CA&SmsMessageSid=SM1f0e8ae6ade43cb3c0ce4525424e404f&NumMedia=0&ToCity=SAN+FRANCISCO&FromZip=94105&SmsSid=SM1f0e8ae6ade43cb3c0ce4525424e404f&FromState=CA&SmsStatus=received&FromCity=SAN+FRANCISCO&Body=Hi%2C+is+the+pantry+open+today%3F&FromCountry=US&To=%2B14155550100&ToZip=94105&NumSegments=1&MessageSid=SM1f0e8ae6ade43cb3c0ce4525424e404f&AccountSid=ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX&From=%2B14155550199&ApiVersion=2010-04-01";

#[test]
fn sms() {
    let m = inbound(SMS);
    assert_eq!(
        m.routing,
        RoutingKey::Twilio {
            account_sid: ACCOUNT.into(),
            number: "+14155550100".into(),
            messaging_service_sid: None,
            channel: TwilioChannel::Sms,
        }
    );
    assert_eq!(m.routing.provider(), Provider::Twilio);
    assert_eq!(m.provider_message_id, "SM1f0e8ae6ade43cb3c0ce4525424e404f");
    assert_eq!(m.from, phone("+14155550199"));
    assert_eq!(channel_of(&m.from.to_string()), TwilioChannel::Sms);
    assert_eq!(m.profile_name, None);
    assert_eq!(m.timestamp, None);
    assert_eq!(m.referral, None);
    assert_eq!(
        m.content,
        [MessageContent::Text("Hi, is the pantry open today?".into())]
    );
}

#[test]
fn mms_with_body_and_two_media() {
    let m = inbound(
        "MessageSid=MM5ef8732a3c49700934481addd5ce1659&SmsSid=MM5ef8732a3c49700934481addd5ce1659&AccountSid=ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX&MessagingServiceSid=MGXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX&From=%2B14155550199&To=%2B14155550100&Body=Photos+of+the+flood&NumMedia=2&NumSegments=1&SmsStatus=received&ApiVersion=2010-04-01\
         &MediaContentType0=image%2Fjpeg&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX%2FMessages%2FMM5ef8732a3c49700934481addd5ce1659%2FMedia%2FME0\
         &MediaContentType1=application%2Fpdf&MediaUrl1=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX%2FMessages%2FMM5ef8732a3c49700934481addd5ce1659%2FMedia%2FME1",
    );
    assert!(matches!(
        &m.routing,
        RoutingKey::Twilio { messaging_service_sid: Some(sid), .. } if sid == "MGXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
    ));
    let media_url = |n: u8| {
        format!(
            "https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages/MM5ef8732a3c49700934481addd5ce1659/Media/ME{n}"
        )
    };
    assert_eq!(
        m.content,
        [
            MessageContent::Text("Photos of the flood".into()),
            MessageContent::Media(Media {
                kind: MediaKind::Image,
                source: MediaSource::Url(media_url(0)),
                mime_type: Some("image/jpeg".into()),
                sha256: None,
                caption: None,
                filename: None,
            }),
            MessageContent::Media(Media {
                kind: MediaKind::Document,
                source: MediaSource::Url(media_url(1)),
                mime_type: Some("application/pdf".into()),
                sha256: None,
                caption: None,
                filename: None,
            }),
        ]
    );
    assert_eq!(m.summary(), "Photos of the flood · 📷 Photo · 📄 Document");
}

#[test]
fn mms_without_body_has_only_media() {
    let m = inbound(&format!(
        "MessageSid=MM1&AccountSid={ACCOUNT}&From=%2B14155550199&To=%2B14155550100&Body=&NumMedia=1&MediaContentType0=video%2Fmp4&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm%2FME0"
    ));
    assert_eq!(m.content.len(), 1);
    assert!(
        matches!(&m.content[0], MessageContent::Media(media) if media.kind == MediaKind::Video)
    );
}

#[test]
fn whatsapp_sender() {
    // The colon is left unencoded, as Twilio does in the wild.
    let m = inbound(&format!(
        "SmsMessageSid=SM11&NumMedia=0&ProfileName=Maria&MessageType=text&SmsSid=SM11&WaId=14155550199&SmsStatus=received&Body=Hola&To=whatsapp:%2B14155550100&NumSegments=1&ReferralNumMedia=0&MessageSid=SM11&AccountSid={ACCOUNT}&From=whatsapp:%2B14155550199&ApiVersion=2010-04-01"
    ));
    assert_eq!(
        m.routing,
        RoutingKey::Twilio {
            account_sid: ACCOUNT.into(),
            number: "+14155550100".into(),
            messaging_service_sid: None,
            channel: TwilioChannel::WhatsApp,
        }
    );
    // The same number as an SMS sender, but answered on WhatsApp.
    assert_eq!(m.from, whatsapp("+14155550199"));
    assert_ne!(m.from, phone("+14155550199"));
    assert_eq!(m.from.to_string(), "whatsapp:+14155550199");
    assert_eq!(channel_of(&m.from.to_string()), TwilioChannel::WhatsApp);
    assert_eq!(m.profile_name.as_deref(), Some("Maria"));
    assert_eq!(m.referral, None);
    assert_eq!(m.content, [MessageContent::Text("Hola".into())]);
}

#[test]
fn whatsapp_sender_without_phone_number() {
    let m = inbound(&format!(
        "MessageSid=SM12&AccountSid={ACCOUNT}&To=whatsapp%3A%2B14155550100&From=whatsapp%3AUS.13491208655302741918&ExternalUserId=US.13491208655302741918&Body=hi&NumMedia=0"
    ));
    assert_eq!(
        m.from,
        ChannelAddress::ScopedId("whatsapp:US.13491208655302741918".into()),
        "kept as Twilio addresses the person, so it is still known as WhatsApp"
    );
    assert_eq!(channel_of(&m.from.to_string()), TwilioChannel::WhatsApp);
}

#[test]
fn whatsapp_location() {
    let m = inbound(&format!(
        "MessageSid=SM13&AccountSid={ACCOUNT}&To=whatsapp%3A%2B14155550100&From=whatsapp%3A%2B14155550199&MessageType=location&Latitude=37.7749&Longitude=-122.4194&Body=&NumMedia=0"
    ));
    assert_eq!(
        m.content,
        [MessageContent::Location {
            latitude: 37.7749,
            longitude: -122.4194,
            name: None,
            address: None
        }]
    );
}

#[test]
fn whatsapp_quick_reply_button() {
    let m = inbound(&format!(
        "MessageSid=SM14&AccountSid={ACCOUNT}&To=whatsapp%3A%2B14155550100&From=whatsapp%3A%2B14155550199&MessageType=button&ButtonText=Yes%2C+I%27ll+come&ButtonPayload=rsvp_yes&Body=Yes%2C+I%27ll+come&NumMedia=0"
    ));
    assert_eq!(
        m.content,
        [MessageContent::ButtonReply {
            payload: "rsvp_yes".into(),
            text: "Yes, I'll come".into()
        }]
    );
}

#[test]
fn whatsapp_click_to_chat_referral() {
    let m = inbound(&format!(
        "MessageSid=SM15&AccountSid={ACCOUNT}&To=whatsapp%3A%2B14155550100&From=whatsapp%3A%2B14155550199&Body=Hi&NumMedia=0&ReferralSourceId=120211&ReferralSourceType=ad&ReferralSourceUrl=https%3A%2F%2Ffb.me%2Fx&ReferralHeadline=Volunteer+with+us&ReferralBody=Join&ReferralNumMedia=0&ReferralCtwaClid=ARAk"
    ));
    let referral = m.referral.expect("referral");
    assert_eq!(referral.source_id.as_deref(), Some("120211"));
    assert_eq!(referral.source_type.as_deref(), Some("ad"));
    assert_eq!(referral.source_url.as_deref(), Some("https://fb.me/x"));
    assert_eq!(referral.headline.as_deref(), Some("Volunteer with us"));
    assert_eq!(referral.body.as_deref(), Some("Join"));
    assert_eq!(referral.ctwa_clid.as_deref(), Some("ARAk"));
}

#[test]
fn stop_sms_is_classified_from_its_body() {
    let m = inbound(&SMS.replace("Body=Hi%2C+is+the+pantry+open+today%3F", "Body=+Stop+"));
    let MessageContent::Text(body) = &m.content[0] else {
        panic!("{m:?}")
    };
    assert_eq!(classify(body), Some(ConsentKeyword::OptOut));
}

#[test]
fn signed_form_round_trip() {
    let params = form(SMS);
    let url = "https://switchboard.example.org/webhooks/twilio/sms";
    let signature = twilio_signature("auth-token", url, &params);
    assert_eq!(
        verify_twilio("auth-token", url, &params, Some(&signature)),
        Ok(())
    );
    let mut forged = params.clone();
    forged.push(("Body".into(), "extra".into()));
    assert_eq!(
        verify_twilio("auth-token", url, &forged, Some(&signature)),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn unknown_parameters_are_ignored() {
    let m = inbound(&format!("{SMS}&BrandNewParam=1&AnotherOne=x"));
    assert_eq!(m.provider_message_id, "SM1f0e8ae6ade43cb3c0ce4525424e404f");
}

#[test]
fn incomplete_inbound_webhooks_are_parse_errors() {
    let without = |name: &str| {
        let params: Vec<_> = form(SMS).into_iter().filter(|(k, _)| k != name).collect();
        parse_inbound(&params).unwrap_err()
    };
    for name in ["MessageSid", "From", "To", "AccountSid"] {
        let error = without(name);
        assert!(
            matches!(&error, ParseError::MissingField(f) if f == name),
            "{error}"
        );
        assert_eq!(
            error.to_string(),
            format!("required parameter {name} is missing")
        );
    }
    assert!(matches!(
        parse_inbound(&[]),
        Err(ParseError::MissingField(_))
    ));

    let bad_count = parse_inbound(&form(&SMS.replace("NumMedia=0", "NumMedia=two"))).unwrap_err();
    assert!(
        matches!(&bad_count, ParseError::InvalidField { field, value } if field == "NumMedia" && value == "two")
    );

    let truncated = format!(
        "MessageSid=MM1&AccountSid={ACCOUNT}&From=%2B14155550199&To=%2B14155550100&NumMedia=2&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm%2FME0"
    );
    assert!(
        matches!(parse_inbound(&form(&truncated)), Err(ParseError::MissingField(f)) if f == "MediaUrl1")
    );

    let bad_location = format!(
        "MessageSid=SM13&AccountSid={ACCOUNT}&To=whatsapp%3A%2B1&From=whatsapp%3A%2B14155550199&MessageType=location&Latitude=north&Longitude=1"
    );
    assert!(
        matches!(parse_inbound(&form(&bad_location)), Err(ParseError::InvalidField { field, .. }) if field == "Latitude")
    );
}

#[test]
fn status_sent_via_messaging_service() {
    let s = status(&format!(
        "SmsSid=SM99&SmsStatus=sent&MessageStatus=sent&To=%2B14155550199&MessagingServiceSid=MGXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX&MessageSid=SM99&AccountSid={ACCOUNT}&From=%2B14155550100&ApiVersion=2010-04-01"
    ));
    assert_eq!(
        s.routing,
        RoutingKey::Twilio {
            account_sid: ACCOUNT.into(),
            number: "+14155550100".into(),
            messaging_service_sid: Some("MGXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX".into()),
            channel: TwilioChannel::Sms,
        }
    );
    assert_eq!(s.target, StatusTarget::Message("SM99".into()));
    assert_eq!(s.recipient, Some(phone("+14155550199")));
    assert_eq!(s.status, DeliveryStatus::Sent);
    assert_eq!(s.timestamp, None);
    assert_eq!(s.error, None);
    assert_eq!(s.pricing, None);
}

fn twilio_price(price: &str, unit: Option<&str>) -> Option<ProviderPricing> {
    Some(ProviderPricing::Twilio(TwilioPrice {
        price: price.into(),
        price_unit: unit.map(Into::into),
    }))
}

/// Twilio writes a charge as a negative decimal string with its currency beside it; both are
/// kept verbatim, and the rest of the callback reads as before.
#[test]
fn delivered_status_carries_twilios_price_as_text() {
    let s = status(&format!(
        "SmsSid=SM6&SmsStatus=delivered&MessageStatus=delivered&Price=-0.00830&PriceUnit=USD&To=%2B14155550199&MessageSid=SM6&AccountSid={ACCOUNT}&From=%2B14155550100&ApiVersion=2010-04-01"
    ));
    assert_eq!(s.status, DeliveryStatus::Delivered);
    assert_eq!(s.target, StatusTarget::Message("SM6".into()));
    assert_eq!(s.recipient, Some(phone("+14155550199")));
    assert_eq!(s.error, None);
    assert_eq!(s.pricing, twilio_price("-0.00830", Some("USD")));
}

#[test]
fn price_fields_that_are_empty_or_odd() {
    let base = format!(
        "MessageSid=SM7&MessageStatus=delivered&AccountSid={ACCOUNT}&From=%2B14155550100&To=%2B14155550199"
    );
    for (extra, expected) in [
        // Twilio sometimes sends the fields before it knows the price.
        ("&Price=&PriceUnit=USD", None),
        ("&Price=&PriceUnit=", None),
        ("&PriceUnit=USD", None),
        ("&Price=-0.0790&PriceUnit=", twilio_price("-0.0790", None)),
        ("&Price=-0.0790", twilio_price("-0.0790", None)),
        (
            "&Price=-0.05&PriceUnit=EUR",
            twilio_price("-0.05", Some("EUR")),
        ),
        // Not a number: kept for the cost meter to refuse, and the status still counts.
        ("&Price=abc&PriceUnit=USD", twilio_price("abc", Some("USD"))),
        // A repeated field: the first non-empty value, as for every other parameter.
        (
            "&Price=&Price=-0.00830&Price=-1&PriceUnit=USD",
            twilio_price("-0.00830", Some("USD")),
        ),
    ] {
        let s = status(&format!("{base}{extra}"));
        assert_eq!(s.status, DeliveryStatus::Delivered, "{extra}");
        assert_eq!(s.pricing, expected, "{extra}");
    }
    // A price next to an error is kept too; what it means is the cost meter's call.
    let s = status(&format!(
        "MessageSid=SM8&MessageStatus=undelivered&ErrorCode=30003&Price=-0.00830&PriceUnit=USD&AccountSid={ACCOUNT}&From=%2B14155550100&To=%2B14155550199"
    ));
    assert_eq!(s.error.map(|e| e.code), Some(30003));
    assert_eq!(s.pricing, twilio_price("-0.00830", Some("USD")));
}

#[test]
fn status_values() {
    for (value, expected) in [
        ("queued", DeliveryStatus::Queued),
        ("accepted", DeliveryStatus::Queued),
        ("sending", DeliveryStatus::Queued),
        ("sent", DeliveryStatus::Sent),
        ("delivered", DeliveryStatus::Delivered),
        ("read", DeliveryStatus::Read),
        ("undelivered", DeliveryStatus::Failed),
        ("failed", DeliveryStatus::Failed),
        ("canceled", DeliveryStatus::Failed),
    ] {
        let s = status(&format!(
            "MessageSid=SM1&MessageStatus={value}&AccountSid={ACCOUNT}&From=%2B14155550100&To=%2B14155550199"
        ));
        assert_eq!(s.status, expected, "{value}");
        assert_eq!(s.provider_status, value);
    }
}

#[test]
fn undelivered_and_failed_carry_error_codes() {
    for (value, code, message) in [
        ("undelivered", 30034, None),
        (
            "failed",
            21610,
            Some("Attempt to send to unsubscribed recipient"),
        ),
    ] {
        let mut body = format!(
            "MessageSid=SM2&SmsSid=SM2&MessageStatus={value}&SmsStatus={value}&ErrorCode={code}&AccountSid={ACCOUNT}&From=%2B14155550100&To=%2B14155550199&ApiVersion=2010-04-01"
        );
        if let Some(message) = message {
            body.push_str(&format!("&ErrorMessage={}", message.replace(' ', "+")));
        }
        let s = status(&body);
        assert_eq!(s.status, DeliveryStatus::Failed);
        assert_eq!(
            s.error,
            Some(ProviderError {
                code,
                title: message.map(Into::into),
                detail: None
            })
        );
        assert!(explain(Provider::Twilio, code).is_some());
    }
}

#[test]
fn whatsapp_rate_limit_and_read_statuses() {
    let failed = status(&format!(
        "MessageSid=SM3&MessageStatus=failed&ErrorCode=63018&AccountSid={ACCOUNT}&From=whatsapp%3A%2B14155550100&To=whatsapp%3A%2B14155550199"
    ));
    assert!(
        matches!(&failed.routing, RoutingKey::Twilio { channel: TwilioChannel::WhatsApp, number, .. } if number == "+14155550100")
    );
    assert_eq!(failed.recipient, Some(whatsapp("+14155550199")));
    assert_eq!(failed.error.map(|e| e.code), Some(63018));

    let read = status(&format!(
        "MessageSid=SM3&MessageStatus=read&AccountSid={ACCOUNT}&From=whatsapp%3A%2B14155550100&To=whatsapp%3A%2B14155550199"
    ));
    assert_eq!(read.status, DeliveryStatus::Read);
}

#[test]
fn untracked_statuses_are_unhandled() {
    let event = parse_status(&form(&format!(
        "MessageSid=SM4&MessageStatus=received&AccountSid={ACCOUNT}&From=%2B14155550199&To=%2B14155550100"
    )))
    .unwrap();
    assert!(
        matches!(&event, InboundEvent::Unhandled { raw_kind, .. } if raw_kind == "status:received"),
        "{event:?}"
    );
}

#[test]
fn incomplete_status_callbacks_are_parse_errors() {
    assert!(matches!(
        parse_status(&form(&format!("MessageSid=SM5&AccountSid={ACCOUNT}&From=%2B1&To=%2B2"))),
        Err(ParseError::MissingField(f)) if f == "MessageStatus"
    ));
    assert!(matches!(
        parse_status(&form("MessageStatus=sent&From=%2B14155550100")),
        Err(ParseError::MissingField(f)) if f == "MessageSid"
    ));
    assert!(matches!(
        parse_status(&form(&format!(
            "MessageSid=SM5&MessageStatus=failed&ErrorCode=abc&AccountSid={ACCOUNT}&From=%2B1&To=%2B2"
        ))),
        Err(ParseError::InvalidField { field, .. }) if field == "ErrorCode"
    ));
}

/// `NumMedia` is the sender's word: a count above Twilio's 10 is refused, and nothing is sized
/// from it (`NumMedia=4294967296` used to abort the server on allocation).
#[test]
fn media_counts_above_ten_are_refused_without_allocating_for_them() {
    for claimed in [
        "11",
        "4294967296",
        "1000000000000",
        "18446744073709551615",
        "18446744073709551616",
        "-1",
        "1e12",
    ] {
        let body = SMS.replace("NumMedia=0", &format!("NumMedia={claimed}"));
        let error = parse_inbound(&form(&body)).unwrap_err();
        assert!(
            matches!(&error, ParseError::InvalidField { field, value } if field == "NumMedia" && value == claimed),
            "{claimed}: {error:?}"
        );
    }

    let mut ten = SMS.replace("NumMedia=0", "NumMedia=10");
    for n in 0..10 {
        ten.push_str(&format!(
            "&MediaUrl{n}=https%3A%2F%2Fapi.twilio.com%2Fm%2FME{n}&MediaContentType{n}=image%2Fjpeg"
        ));
    }
    let message = inbound(&ten);
    assert_eq!(message.content.len(), 11, "the text and ten photos");
    assert!(
        message.content[1..]
            .iter()
            .all(|part| matches!(part, MessageContent::Media(m) if m.kind == MediaKind::Image))
    );
}

#[test]
fn locations_must_be_finite_degrees_in_range() {
    for (latitude, longitude) in [
        ("NaN", "1"),
        ("inf", "1"),
        ("-infinity", "1"),
        ("90.5", "1"),
        ("1", "180.01"),
        ("1", "NaN"),
    ] {
        let body = format!(
            "MessageSid=SM13&AccountSid={ACCOUNT}&To=whatsapp%3A%2B14155550100&From=whatsapp%3A%2B14155550199&MessageType=location&Latitude={latitude}&Longitude={longitude}"
        );
        assert!(
            matches!(
                parse_inbound(&form(&body)),
                Err(ParseError::InvalidField { .. })
            ),
            "{latitude}, {longitude}"
        );
    }
    let edge = format!(
        "MessageSid=SM13&AccountSid={ACCOUNT}&To=whatsapp%3A%2B14155550100&From=whatsapp%3A%2B14155550199&MessageType=location&Latitude=-90&Longitude=180"
    );
    assert!(matches!(
        inbound(&edge).content[..],
        [MessageContent::Location { latitude, longitude, .. }] if latitude == -90.0 && longitude == 180.0
    ));
}
