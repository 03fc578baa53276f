//! When a free-text reply may be sent, by the channels' rules (see DOMAIN.md): WhatsApp only
//! within 24 hours of the contact's last message; Messenger within 24 hours as a response and up
//! to 7 days with the HUMAN_AGENT tag; SMS at any time. Nobody who opted out is messaged.

use app::model::ChannelKind;
use channels::inbound::TwilioChannel;

const HOUR_MS: i64 = 60 * 60 * 1000;
pub const WINDOW_MS: i64 = 24 * HOUR_MS;
pub const HUMAN_AGENT_MS: i64 = 7 * 24 * HOUR_MS;

/// The network a conversation runs on, which sets its rules. It is the channel's kind, except
/// that a Twilio channel carries both SMS and WhatsApp: the contact's address tells them apart
/// (`whatsapp:+…`, see `channels::phone::ChannelAddress`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Network {
    WhatsApp,
    Messenger,
    Sms,
}

impl Network {
    /// The network of a conversation on a channel of `kind` with the contact at
    /// `contact_address` (`None` when no address is known).
    pub fn of(kind: ChannelKind, contact_address: Option<&str>) -> Network {
        match kind {
            ChannelKind::WhatsApp => Network::WhatsApp,
            ChannelKind::Messenger => Network::Messenger,
            ChannelKind::Twilio => match contact_address.map(channels::twilio::channel_of) {
                Some(TwilioChannel::WhatsApp) => Network::WhatsApp,
                Some(TwilioChannel::Sms) | None => Network::Sms,
            },
        }
    }
}

/// How a reply that is allowed must be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyRule {
    FreeForm,
    /// Messenger after 24 hours: a human's reply, tagged HUMAN_AGENT.
    HumanAgentTag,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplyRefused {
    #[error(
        "This contact has opted out of messages. They must opt back in (for example by sending START) before anyone can message them."
    )]
    OptedOut,
    #[error(
        "The contact has not written on this channel yet, so only an approved template can start the conversation."
    )]
    NoInboundMessage,
    #[error(
        "The 24-hour window has closed: only an approved template can be sent until the contact writes again."
    )]
    WindowClosed,
    #[error(
        "More than 7 days have passed since the contact's last message: Messenger does not allow a reply until they write again."
    )]
    MessengerTooLate,
}

pub fn reply_rule(
    network: Network,
    last_inbound_at: Option<i64>,
    opted_out: bool,
    now: i64,
) -> Result<ReplyRule, ReplyRefused> {
    if opted_out {
        return Err(ReplyRefused::OptedOut);
    }
    if network == Network::Sms {
        return Ok(ReplyRule::FreeForm);
    }
    let since = now - last_inbound_at.ok_or(ReplyRefused::NoInboundMessage)?;
    match network {
        _ if since <= WINDOW_MS => Ok(ReplyRule::FreeForm),
        Network::Messenger if since <= HUMAN_AGENT_MS => Ok(ReplyRule::HumanAgentTag),
        Network::Messenger => Err(ReplyRefused::MessengerTooLate),
        _ => Err(ReplyRefused::WindowClosed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn whatsapp_replies_only_inside_the_window() {
        let inside = Some(NOW - WINDOW_MS + 1);
        let outside = Some(NOW - WINDOW_MS - 1);
        assert_eq!(
            reply_rule(Network::WhatsApp, inside, false, NOW),
            Ok(ReplyRule::FreeForm)
        );
        assert_eq!(
            reply_rule(Network::WhatsApp, outside, false, NOW),
            Err(ReplyRefused::WindowClosed)
        );
        assert_eq!(
            reply_rule(Network::WhatsApp, None, false, NOW),
            Err(ReplyRefused::NoInboundMessage)
        );
    }

    #[test]
    fn messenger_tags_human_replies_up_to_a_week() {
        let day_and_a_bit = Some(NOW - WINDOW_MS - 1);
        let eight_days = Some(NOW - 8 * 24 * HOUR_MS);
        assert_eq!(
            reply_rule(Network::Messenger, day_and_a_bit, false, NOW),
            Ok(ReplyRule::HumanAgentTag)
        );
        assert_eq!(
            reply_rule(Network::Messenger, eight_days, false, NOW),
            Err(ReplyRefused::MessengerTooLate)
        );
    }

    #[test]
    fn a_twilio_channel_is_whatsapp_for_whatsapp_addresses_only() {
        let of = |address| Network::of(ChannelKind::Twilio, address);
        assert_eq!(of(Some("whatsapp:+15551234567")), Network::WhatsApp);
        assert_eq!(
            of(Some("whatsapp:US.13491208655302741918")),
            Network::WhatsApp
        );
        assert_eq!(of(Some("+15551234567")), Network::Sms);
        assert_eq!(of(None), Network::Sms);
        assert_eq!(
            Network::of(ChannelKind::WhatsApp, Some("+15551234567")),
            Network::WhatsApp
        );
        assert_eq!(
            Network::of(ChannelKind::Messenger, None),
            Network::Messenger
        );

        let twilio_whatsapp = of(Some("whatsapp:+15551234567"));
        assert_eq!(
            reply_rule(twilio_whatsapp, Some(NOW - WINDOW_MS + 1), false, NOW),
            Ok(ReplyRule::FreeForm)
        );
        assert_eq!(
            reply_rule(twilio_whatsapp, Some(NOW - WINDOW_MS - 1), false, NOW),
            Err(ReplyRefused::WindowClosed)
        );
        assert_eq!(
            reply_rule(
                of(Some("+15551234567")),
                Some(NOW - WINDOW_MS - 1),
                false,
                NOW
            ),
            Ok(ReplyRule::FreeForm),
            "SMS on the same channel has no window"
        );
    }

    #[test]
    fn sms_has_no_window_but_opt_outs_stop_everything() {
        assert_eq!(
            reply_rule(Network::Sms, None, false, NOW),
            Ok(ReplyRule::FreeForm)
        );
        assert_eq!(
            reply_rule(Network::Sms, Some(NOW), true, NOW),
            Err(ReplyRefused::OptedOut)
        );
        assert_eq!(
            reply_rule(Network::WhatsApp, Some(NOW), true, NOW),
            Err(ReplyRefused::OptedOut)
        );
    }
}
