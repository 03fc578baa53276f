//! When a free-text reply may be sent, by the channels' rules (see DOMAIN.md): WhatsApp only
//! within 24 hours of the contact's last message; Messenger within 24 hours as a response and up
//! to 7 days with the HUMAN_AGENT tag; SMS at any time. Nobody who opted out is messaged.

use app::model::ChannelKind;

const HOUR_MS: i64 = 60 * 60 * 1000;
pub const WINDOW_MS: i64 = 24 * HOUR_MS;
pub const HUMAN_AGENT_MS: i64 = 7 * 24 * HOUR_MS;

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
    kind: ChannelKind,
    last_inbound_at: Option<i64>,
    opted_out: bool,
    now: i64,
) -> Result<ReplyRule, ReplyRefused> {
    if opted_out {
        return Err(ReplyRefused::OptedOut);
    }
    if kind == ChannelKind::Twilio {
        return Ok(ReplyRule::FreeForm);
    }
    let since = now - last_inbound_at.ok_or(ReplyRefused::NoInboundMessage)?;
    match kind {
        _ if since <= WINDOW_MS => Ok(ReplyRule::FreeForm),
        ChannelKind::Messenger if since <= HUMAN_AGENT_MS => Ok(ReplyRule::HumanAgentTag),
        ChannelKind::Messenger => Err(ReplyRefused::MessengerTooLate),
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
            reply_rule(ChannelKind::WhatsApp, inside, false, NOW),
            Ok(ReplyRule::FreeForm)
        );
        assert_eq!(
            reply_rule(ChannelKind::WhatsApp, outside, false, NOW),
            Err(ReplyRefused::WindowClosed)
        );
        assert_eq!(
            reply_rule(ChannelKind::WhatsApp, None, false, NOW),
            Err(ReplyRefused::NoInboundMessage)
        );
    }

    #[test]
    fn messenger_tags_human_replies_up_to_a_week() {
        let day_and_a_bit = Some(NOW - WINDOW_MS - 1);
        let eight_days = Some(NOW - 8 * 24 * HOUR_MS);
        assert_eq!(
            reply_rule(ChannelKind::Messenger, day_and_a_bit, false, NOW),
            Ok(ReplyRule::HumanAgentTag)
        );
        assert_eq!(
            reply_rule(ChannelKind::Messenger, eight_days, false, NOW),
            Err(ReplyRefused::MessengerTooLate)
        );
    }

    #[test]
    fn sms_has_no_window_but_opt_outs_stop_everything() {
        assert_eq!(
            reply_rule(ChannelKind::Twilio, None, false, NOW),
            Ok(ReplyRule::FreeForm)
        );
        assert_eq!(
            reply_rule(ChannelKind::Twilio, Some(NOW), true, NOW),
            Err(ReplyRefused::OptedOut)
        );
        assert_eq!(
            reply_rule(ChannelKind::WhatsApp, Some(NOW), true, NOW),
            Err(ReplyRefused::OptedOut)
        );
    }
}
