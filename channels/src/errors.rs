//! Plain-language explanations of provider error codes, for volunteers.
//!
//! Codes and meanings follow the providers' error-code pages as summarised in the channel
//! reference; the wording is ours.

use crate::Provider;

/// What a provider error code means for the person at the inbox, if it is a common one.
pub fn explain(provider: Provider, code: u32) -> Option<&'static str> {
    match provider {
        Provider::WhatsApp => whatsapp(code),
        Provider::Twilio => twilio(code),
        Provider::Messenger => messenger(code),
    }
}

const OUTSIDE_WINDOW: &str = "More than 24 hours have passed since this person last wrote, so only an approved template message can be sent. Send a template to restart the conversation.";

fn whatsapp(code: u32) -> Option<&'static str> {
    Some(match code {
        131047 | 470 => OUTSIDE_WINDOW,
        131026 => {
            "The message could not be delivered: the person may not use WhatsApp, may have an old app version, or may not have accepted WhatsApp's current terms. Try reaching them another way."
        }
        130429 => {
            "This number is sending faster than WhatsApp allows. Sending will pause briefly and try again."
        }
        131056 => {
            "Too many messages went to this person in a short time. Wait a little before sending the next one."
        }
        4 | 80007 => {
            "WhatsApp is limiting how many requests this account can make. Sending will resume shortly."
        }
        131048 => {
            "WhatsApp slowed sending because people reported or blocked recent messages. Send fewer messages and check their quality."
        }
        131049 => {
            "WhatsApp held back this marketing message so the person isn't overloaded with business messages. Try again in a day or more."
        }
        131050 => {
            "This person has stopped marketing messages from us. Don't send them marketing messages."
        }
        131051 => "WhatsApp doesn't support this type of message.",
        131052 => "WhatsApp couldn't download the media. Ask the person to send it again.",
        131053 => "The file couldn't be uploaded to WhatsApp. Check its type and size.",
        131008 | 131009 | 100 => {
            "The message was missing information or had an invalid value. This is a setup problem: tell an administrator."
        }
        132000 => {
            "The number of values filled into the template doesn't match its placeholders. Check the template's variables."
        }
        132001 => {
            "This template doesn't exist in the chosen language or isn't approved yet. Pick an approved template."
        }
        132005 => "The template is too long once its values are filled in. Shorten the values.",
        132007 => "The template's content breaks WhatsApp's formatting policy.",
        132012 => {
            "A template value has the wrong format, for example text where an image or date is expected."
        }
        132015 => "This template was paused for low quality. Use another template.",
        132016 => "This template was disabled for low quality. Use another template.",
        368 => {
            "WhatsApp has temporarily blocked this account for a policy violation. Tell an administrator."
        }
        131031 => "The WhatsApp Business account is locked. Tell an administrator.",
        130497 => "This account can't message people in the recipient's country.",
        131000 => {
            "Something went wrong at WhatsApp. Try again; if it keeps failing, tell an administrator."
        }
        0 | 10 | 190 | 200..=299 => {
            "WhatsApp rejected the account's access token or permissions; it may have expired. An administrator needs to reconnect the channel."
        }
        _ => return None,
    })
}

fn twilio(code: u32) -> Option<&'static str> {
    Some(match code {
        21610 => {
            "This person replied STOP and is unsubscribed. They can't be texted until they reply START."
        }
        21211 => {
            "The phone number isn't valid. Check it for typos and make sure it includes the country code."
        }
        21408 => {
            "Sending to this country isn't enabled on the Twilio account. An administrator can enable it."
        }
        21612 => "This number can't be reached by SMS from our number.",
        21614 => "This number isn't a mobile number, so it can't receive text messages.",
        21617 => "The message is longer than 1,600 characters. Shorten it.",
        21620 => "The media link isn't valid or can't be reached.",
        21656 => "The template's variables aren't valid.",
        30001 => "Twilio's sending queue was full. Try again later.",
        30002 => "The Twilio account is suspended. Tell an administrator.",
        30003 => {
            "The phone is unreachable: it may be switched off or out of coverage. Try again later."
        }
        30004 => "The message was blocked, for example because the person blocked our number.",
        30005 => "The number is unknown or no longer in service.",
        30006 => "The number is a landline or its carrier can't receive texts.",
        30007 => {
            "The carrier filtered this message as possible spam. Rephrase it, and make sure our number is registered."
        }
        30008 => {
            "Delivery failed for an unknown reason. Try again or reach the person another way."
        }
        30034 => {
            "Our number isn't registered for US business texting (A2P 10DLC), so carriers blocked the message. Tell an administrator."
        }
        63016 => OUTSIDE_WINDOW,
        20429 | 63018 => {
            "Messages are being sent faster than allowed. Sending will slow down and try again."
        }
        63024 => "The recipient isn't valid on this channel.",
        63032 => {
            "WhatsApp won't deliver this message because of a limitation on the person's account."
        }
        _ => return None,
    })
}

fn messenger(code: u32) -> Option<&'static str> {
    Some(match code {
        10 | 2018278 | 2018065 => {
            "More than 24 hours have passed since this person last wrote. A human agent can still reply within 7 days; otherwise wait for them to write again."
        }
        551 | 1545041 => {
            "This person isn't available: they may have blocked the Page or turned off messages."
        }
        613 => "Messenger is limiting how fast we send. Sending will slow down and try again.",
        100 | 2018001 => "No matching Messenger user was found for this conversation.",
        190 => {
            "The Page's access token is invalid or has expired. An administrator needs to reconnect the Facebook Page."
        }
        2 => "Messenger had a temporary problem. Try again.",
        200 => {
            "The app lacks a permission for this Page. An administrator needs to reconnect the Page."
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_the_codes_volunteers_meet_most() {
        let known = [
            (
                Provider::WhatsApp,
                [
                    131047, 131026, 130429, 131056, 131051, 132000, 132001, 131000, 190, 470,
                ]
                .as_slice(),
            ),
            (
                Provider::Twilio,
                [
                    21610, 21211, 21408, 21614, 30003, 30004, 30005, 30006, 30007, 30008, 63016,
                    20429, 63018,
                ]
                .as_slice(),
            ),
            (Provider::Messenger, [10, 2018278, 551, 613].as_slice()),
        ];
        for (provider, codes) in known {
            for &code in codes {
                assert!(explain(provider, code).is_some(), "{provider:?} {code}");
            }
        }
    }

    #[test]
    fn same_code_means_different_things_per_provider() {
        assert_ne!(
            explain(Provider::WhatsApp, 10),
            explain(Provider::Messenger, 10)
        );
        assert_eq!(
            explain(Provider::Twilio, 63016),
            explain(Provider::WhatsApp, 131047)
        );
    }

    #[test]
    fn unknown_codes_have_no_explanation() {
        assert_eq!(explain(Provider::WhatsApp, 130472), None);
        assert_eq!(explain(Provider::Twilio, 1), None);
    }
}
