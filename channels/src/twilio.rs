//! Twilio Messaging webhooks: inbound messages and status callbacks.
//!
//! Both arrive as `application/x-www-form-urlencoded` posts; callers pass the decoded
//! name/value pairs, in order, repeated names included.

use crate::inbound::{
    DeliveryStatus, InboundEvent, InboundMessage, Media, MediaKind, MediaSource, MessageContent,
    ParseError, ProviderError, ProviderPricing, Referral, RoutingKey, StatusTarget, StatusUpdate,
    TwilioChannel, TwilioPrice,
};
use crate::phone::{ChannelAddress, E164};

type Params = [(String, String)];

/// Parses an inbound message webhook (SMS, MMS or WhatsApp) into an
/// [`InboundEvent::Message`]. Twilio sends no timestamp, so the message has none.
pub fn parse_inbound(params: &Params) -> Result<InboundEvent, ParseError> {
    let from = contact(required(params, "From")?);
    let to = required(params, "To")?;
    let routing = routing(params, to)?;

    let content = match get(params, "ButtonText") {
        Some(text) => vec![MessageContent::ButtonReply {
            payload: get(params, "ButtonPayload").unwrap_or(text).to_owned(),
            text: text.to_owned(),
        }],
        None if get(params, "MessageType") == Some("location") => vec![location(params)?],
        None => body_and_media(params)?,
    };

    let referral_field = |name: &str| get(params, &format!("Referral{name}")).map(str::to_owned);
    let referral = Referral {
        source_type: referral_field("SourceType"),
        source_id: referral_field("SourceId"),
        source_url: referral_field("SourceUrl"),
        headline: referral_field("Headline"),
        body: referral_field("Body"),
        ctwa_clid: referral_field("CtwaClid"),
    };

    Ok(InboundEvent::Message(InboundMessage {
        routing,
        provider_message_id: required(params, "MessageSid")?.to_owned(),
        from,
        profile_name: get(params, "ProfileName").map(str::to_owned),
        timestamp: None,
        reply_to: None,
        forwarded: false,
        referral: (referral != Referral::default()).then_some(referral),
        content,
    }))
}

/// Parses a status callback into an [`InboundEvent::Status`]. Statuses this crate does not
/// track (`receiving`, `received`, `partially_delivered`, unknown ones) become
/// [`InboundEvent::Unhandled`]. `Price` and `PriceUnit`, when Twilio sends a price, are kept
/// as text in [`StatusUpdate::pricing`]; an unreadable price is the cost meter's concern and
/// never fails the callback.
pub fn parse_status(params: &Params) -> Result<InboundEvent, ParseError> {
    let sid = required(params, "MessageSid")?;
    let provider_status = get(params, "MessageStatus")
        .or_else(|| get(params, "SmsStatus"))
        .ok_or_else(|| ParseError::MissingField("MessageStatus".to_owned()))?;
    let status = match provider_status {
        "accepted" | "scheduled" | "queued" | "sending" => DeliveryStatus::Queued,
        "sent" => DeliveryStatus::Sent,
        "delivered" => DeliveryStatus::Delivered,
        "read" => DeliveryStatus::Read,
        // A cancelled scheduled message will never go out, which the inbox shows as failed.
        "undelivered" | "failed" | "canceled" => DeliveryStatus::Failed,
        other => {
            return Ok(InboundEvent::unhandled(
                format!("Twilio status \"{other}\" for {sid} is not tracked"),
                format!("status:{other}"),
            ));
        }
    };
    let error = match get(params, "ErrorCode") {
        Some(code) => Some(ProviderError {
            code: code.parse().map_err(|_| invalid("ErrorCode", code))?,
            title: get(params, "ErrorMessage").map(str::to_owned),
            detail: None,
        }),
        None => None,
    };
    Ok(InboundEvent::Status(StatusUpdate {
        routing: routing(params, required(params, "From")?)?,
        target: StatusTarget::Message(sid.to_owned()),
        recipient: get(params, "To").map(contact),
        status,
        provider_status: provider_status.to_owned(),
        timestamp: None,
        error,
        pricing: get(params, "Price").map(|price| {
            ProviderPricing::Twilio(TwilioPrice {
                price: price.to_owned(),
                price_unit: get(params, "PriceUnit").map(str::to_owned),
            })
        }),
    }))
}

/// The first non-empty value of `name`.
fn get<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, value)| key == name && !value.is_empty())
        .map(|(_, value)| value.as_str())
}

fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, ParseError> {
    get(params, name).ok_or_else(|| ParseError::MissingField(name.to_owned()))
}

fn invalid(field: &str, value: &str) -> ParseError {
    ParseError::InvalidField {
        field: field.to_owned(),
        value: value.to_owned(),
    }
}

/// Whether a Twilio address (`From`, `To`, or a contact's address as
/// [`ChannelAddress`] writes it) is on WhatsApp (`whatsapp:…`) or SMS.
pub fn channel_of(address: &str) -> TwilioChannel {
    strip_channel(address).1
}

fn strip_channel(address: &str) -> (&str, TwilioChannel) {
    match address.strip_prefix("whatsapp:") {
        Some(rest) => (rest, TwilioChannel::WhatsApp),
        None => (address, TwilioChannel::Sms),
    }
}

/// The contact behind a Twilio `From` (inbound) or `To` (status callback). A WhatsApp address
/// keeps its network, so that replies go back on WhatsApp under its rules; one without a phone
/// number (`whatsapp:<BSUID>`) is kept verbatim, as Twilio addresses that person.
fn contact(address: &str) -> ChannelAddress {
    match strip_channel(address) {
        (number, TwilioChannel::WhatsApp) => E164::parse(number).map_or_else(
            |_| ChannelAddress::ScopedId(address.to_owned()),
            ChannelAddress::TwilioWhatsApp,
        ),
        (number, TwilioChannel::Sms) => ChannelAddress::from_provider(number),
    }
}

/// `our_address` is `To` on inbound messages and `From` on status callbacks.
fn routing(params: &Params, our_address: &str) -> Result<RoutingKey, ParseError> {
    let (number, channel) = strip_channel(our_address);
    Ok(RoutingKey::Twilio {
        account_sid: required(params, "AccountSid")?.to_owned(),
        number: number.to_owned(),
        messaging_service_sid: get(params, "MessagingServiceSid").map(str::to_owned),
        channel,
    })
}

fn location(params: &Params) -> Result<MessageContent, ParseError> {
    // `f64::from_str` also reads "NaN" and "inf", which are no place on Earth.
    let coordinate = |name: &str, limit: f64| -> Result<f64, ParseError> {
        let value = required(params, name)?;
        value
            .parse::<f64>()
            .ok()
            .filter(|degrees| degrees.abs() <= limit)
            .ok_or_else(|| invalid(name, value))
    };
    Ok(MessageContent::Location {
        latitude: coordinate("Latitude", 90.0)?,
        longitude: coordinate("Longitude", 180.0)?,
        name: None,
        address: None,
    })
}

/// The most media one Twilio message carries: "up to 10 media files"
/// (https://www.twilio.com/docs/messaging/api/media-resource), the same limit REFERENCE §2.4
/// gives for `MediaUrl` on sends.
pub const MAX_MEDIA: usize = 10;

fn body_and_media(params: &Params) -> Result<Vec<MessageContent>, ParseError> {
    // `NumMedia` is the sender's claim, so nothing is sized from it: a count above what Twilio
    // ever sends is refused as unusable (a 400 at the webhook) rather than cut to 10, because
    // REFERENCE §2.1 promises a `MediaUrl{N}` for every N below `NumMedia`, so such a request
    // is not from Twilio, and keeping only some of its media would store a partial message
    // without saying so. Before this check, `NumMedia=4294967296` made the server try to
    // reserve hundreds of gigabytes and abort.
    let count = match get(params, "NumMedia") {
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|&count| count <= MAX_MEDIA)
            .ok_or_else(|| invalid("NumMedia", n))?,
        None => 0,
    };
    let body = get(params, "Body");
    let mut content = Vec::new();
    // An empty SMS is still a message; with media, an empty body is just absent.
    if body.is_some() || count == 0 {
        content.push(MessageContent::Text(body.unwrap_or_default().to_owned()));
    }
    for n in 0..count {
        let url = required(params, &format!("MediaUrl{n}"))?;
        let mime_type = get(params, &format!("MediaContentType{n}"));
        content.push(MessageContent::Media(Media {
            kind: mime_type.map_or(MediaKind::Document, MediaKind::from_mime),
            source: MediaSource::Url(url.to_owned()),
            mime_type: mime_type.map(str::to_owned),
            sha256: None,
            caption: None,
            filename: None,
        }));
    }
    Ok(content)
}
