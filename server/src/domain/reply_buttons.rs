//! Reply buttons a person offers the contact under a reply (DOMAIN.md): on WhatsApp up to 3
//! reply buttons, on Messenger up to 13 quick replies, each titled in at most 20 characters.
//! SMS has none, and neither do WhatsApp numbers reached through Twilio (they need Content
//! templates).

use app::model::ChannelKind;

const MAX_TITLE_CHARS: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ButtonsRefused {
    #[error("Reply buttons can be offered on WhatsApp and Messenger, not on this channel.")]
    Channel,
    #[error("Offer at most {0} reply buttons here.")]
    TooMany(usize),
    #[error("Each reply button needs a title of 1 to {MAX_TITLE_CHARS} characters, all different.")]
    Title,
}

/// Checks the titles of the buttons for a reply on a channel of `kind`.
pub fn check_reply_buttons(kind: ChannelKind, titles: &[String]) -> Result<(), ButtonsRefused> {
    if titles.is_empty() {
        return Ok(());
    }
    let most = match kind {
        ChannelKind::WhatsApp => 3,
        ChannelKind::Messenger => 13,
        ChannelKind::Twilio => return Err(ButtonsRefused::Channel),
    };
    if titles.len() > most {
        return Err(ButtonsRefused::TooMany(most));
    }
    let well_titled = titles.iter().enumerate().all(|(index, title)| {
        let length = title.chars().count();
        (1..=MAX_TITLE_CHARS).contains(&length)
            && title.trim() == title
            && !titles[..index].contains(title)
    });
    well_titled.then_some(()).ok_or(ButtonsRefused::Title)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn whatsapp_offers_three_and_messenger_thirteen() {
        assert_eq!(
            check_reply_buttons(ChannelKind::WhatsApp, &titles(&["Yes", "No", "Later"])),
            Ok(())
        );
        assert_eq!(
            check_reply_buttons(ChannelKind::WhatsApp, &titles(&["1", "2", "3", "4"])),
            Err(ButtonsRefused::TooMany(3))
        );
        let many: Vec<String> = (1..=13).map(|n| n.to_string()).collect();
        assert_eq!(check_reply_buttons(ChannelKind::Messenger, &many), Ok(()));
        assert_eq!(
            check_reply_buttons(ChannelKind::Twilio, &titles(&["Yes"])),
            Err(ButtonsRefused::Channel)
        );
        assert_eq!(check_reply_buttons(ChannelKind::Twilio, &[]), Ok(()));
    }

    #[test]
    fn titles_are_short_and_distinct() {
        for bad in [
            titles(&[""]),
            titles(&["A title longer than twenty"]),
            titles(&["Yes", "Yes"]),
            titles(&[" Yes"]),
        ] {
            assert_eq!(
                check_reply_buttons(ChannelKind::WhatsApp, &bad),
                Err(ButtonsRefused::Title),
                "{bad:?}"
            );
        }
    }
}
