//! What makes a template acceptable to Meta's review and to Twilio, and its values acceptable
//! when sending (DOMAIN.md, REFERENCE.md §1.7): checked here so an admin learns at once what
//! to fix instead of waiting for a rejection.

use app::model::{HeaderMedia, TemplateButton, TemplateContent, TemplateValues, variables};
use channels::phone::E164;

const MAX_NAME_CHARS: usize = 512;
const MAX_HEADER_CHARS: usize = 60;
const MAX_BODY_CHARS: usize = 1024;
const MAX_FOOTER_CHARS: usize = 60;
const MAX_BUTTON_TEXT_CHARS: usize = 25;
const MAX_QUICK_REPLIES: usize = 3;
const MAX_CALLS_TO_ACTION: usize = 2;
const MAX_VALUE_CHARS: usize = 1024;
const MAX_TWILIO_BODY_CHARS: usize = 1600;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateRefused {
    #[error(
        "A template name has 1 to {MAX_NAME_CHARS} lower-case letters, digits and underscores, for example appointment_reminder."
    )]
    Name,
    #[error("Give the language as a code such as en, en_US or pt_BR.")]
    Language,
    #[error(
        "The header has at most {MAX_HEADER_CHARS} characters and at most one variable, {{{{1}}}}."
    )]
    Header,
    #[error("The body is required and has at most {MAX_BODY_CHARS} characters.")]
    BodyLength,
    #[error(
        "Number the variables {{{{1}}}}, {{{{2}}}}… in order without gaps, and do not start or end the body with one."
    )]
    VariableNumbering,
    #[error("Give a sample value for every variable: Meta reviews the template with them.")]
    Samples,
    #[error("The footer has at most {MAX_FOOTER_CHARS} characters and no variables.")]
    Footer,
    #[error(
        "Buttons: at most {MAX_QUICK_REPLIES} quick replies and {MAX_CALLS_TO_ACTION} link or call buttons, each with a text of 1 to {MAX_BUTTON_TEXT_CHARS} characters."
    )]
    Buttons,
    #[error("A link button needs an https:// address.")]
    ButtonUrl,
    #[error(
        "A link button's address may end with one variable, {{{{1}}}}; then give a sample: the whole address as it will be opened, for example https://example.org/visits/A-17."
    )]
    ButtonUrlVariable,
    #[error("A header is either text or a file (picture, video or document), not both.")]
    HeaderKind,
    #[error(
        "A picture, video or document header needs a sample file of that kind for Meta's review."
    )]
    HeaderSample,
    #[error("A call button needs a phone number in international form, such as +1 555 010 0100.")]
    ButtonPhone,
    #[error("A Twilio ContentSid is HX followed by 32 letters and digits.")]
    ContentSid,
    #[error("The template text has 1 to {MAX_TWILIO_BODY_CHARS} characters.")]
    TwilioBody,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValuesRefused {
    #[error(
        "This template needs {expected} value(s) for the header, {expected_body} for the text and {expected_buttons} for its link buttons."
    )]
    Count {
        expected: usize,
        expected_body: usize,
        expected_buttons: usize,
    },
    #[error("This template's header is {}: attach one to send it.", .0.label())]
    HeaderFile(HeaderMedia),
    #[error("Only a template with a picture, video or document header takes a file.")]
    UnexpectedFile,
    #[error(
        "Fill in every variable. Values cannot hold line breaks or tabs, more than four spaces in a row, or more than {MAX_VALUE_CHARS} characters."
    )]
    Value,
}

/// Meta's template names: lower-case letters, digits and underscores.
pub fn check_name(name: &str) -> Result<(), TemplateRefused> {
    let valid = !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    valid.then_some(()).ok_or(TemplateRefused::Name)
}

/// `en`, `en_US`, `pt_BR`, `zh_CN`…: a language, optionally with a region.
pub fn check_language(language: &str) -> Result<(), TemplateRefused> {
    let mut parts = language.split('_');
    let language_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_lowercase()));
    let region_ok =
        parts.all(|r| (2..=4).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphanumeric()));
    (language_ok && region_ok && language.split('_').count() <= 2)
        .then_some(())
        .ok_or(TemplateRefused::Language)
}

/// A WhatsApp template's content, as Meta's review requires it.
pub fn check_content(content: &TemplateContent) -> Result<(), TemplateRefused> {
    if let Some(media) = content.header_media {
        if content.header.is_some() {
            return Err(TemplateRefused::HeaderKind);
        }
        if !content
            .header_media_sample
            .as_ref()
            .is_some_and(|sample| media.accepts(&sample.mime_type))
        {
            return Err(TemplateRefused::HeaderSample);
        }
    }
    if let Some(header) = &content.header {
        let numbers = variables(header);
        if header.trim().is_empty()
            || header.chars().count() > MAX_HEADER_CHARS
            || numbers.iter().any(|&n| n != 1)
            || numbers.len() > 1
        {
            return Err(TemplateRefused::Header);
        }
        if !numbers.is_empty() && !content.header_sample.as_deref().is_some_and(has_text) {
            return Err(TemplateRefused::Samples);
        }
    }
    let body = content.body.trim();
    if body.is_empty() || body.chars().count() > MAX_BODY_CHARS {
        return Err(TemplateRefused::BodyLength);
    }
    let count = match numbered_from_one(body) {
        Some(count) if !body.starts_with("{{") && !body.ends_with("}}") => count,
        _ => return Err(TemplateRefused::VariableNumbering),
    };
    if content.body_samples.len() != count
        || !content.body_samples.iter().all(|sample| has_text(sample))
    {
        return Err(TemplateRefused::Samples);
    }
    if let Some(footer) = &content.footer
        && (footer.trim().is_empty()
            || footer.chars().count() > MAX_FOOTER_CHARS
            || footer.contains("{{"))
    {
        return Err(TemplateRefused::Footer);
    }
    check_buttons(&content.buttons)
}

fn check_buttons(buttons: &[TemplateButton]) -> Result<(), TemplateRefused> {
    let quick_replies = buttons
        .iter()
        .filter(|b| matches!(b, TemplateButton::QuickReply { .. }))
        .count();
    let calls_to_action = buttons.len() - quick_replies;
    let texts_ok = buttons.iter().all(|b| {
        let length = b.text().trim().chars().count();
        (1..=MAX_BUTTON_TEXT_CHARS).contains(&length)
    });
    if quick_replies > MAX_QUICK_REPLIES || calls_to_action > MAX_CALLS_TO_ACTION || !texts_ok {
        return Err(TemplateRefused::Buttons);
    }
    for button in buttons {
        match button {
            TemplateButton::Url { url, .. } if !url.starts_with("https://") || url.len() < 12 => {
                return Err(TemplateRefused::ButtonUrl);
            }
            TemplateButton::Url { url, example, .. } if !variables(url).is_empty() => {
                check_url_variable(url, example.as_deref())?;
            }
            TemplateButton::PhoneNumber { phone_number, .. }
                if E164::parse(phone_number).is_err() =>
            {
                return Err(TemplateRefused::ButtonPhone);
            }
            _ => {}
        }
    }
    Ok(())
}

/// Meta lets a link end with one variable, the part that differs per message (a booking
/// number, a page), and reviews it with a sample address that starts like the link.
fn check_url_variable(url: &str, example: Option<&str>) -> Result<(), TemplateRefused> {
    let Some(prefix) = url.strip_suffix("{{1}}") else {
        return Err(TemplateRefused::ButtonUrlVariable);
    };
    let example_ok = example.is_some_and(|example| {
        example.len() > prefix.len()
            && example.starts_with(prefix)
            && !example.contains(char::is_whitespace)
    });
    (variables(prefix).is_empty() && example_ok)
        .then_some(())
        .ok_or(TemplateRefused::ButtonUrlVariable)
}

/// A Twilio Content template as registered: `HX` + 32 hex digits, and its text.
pub fn check_twilio_template(content_sid: &str, body: &str) -> Result<(), TemplateRefused> {
    let sid_ok = content_sid.len() == 34
        && content_sid.starts_with("HX")
        && content_sid[2..].chars().all(|c| c.is_ascii_hexdigit());
    if !sid_ok {
        return Err(TemplateRefused::ContentSid);
    }
    let length = body.trim().chars().count();
    if length == 0 || length > MAX_TWILIO_BODY_CHARS {
        return Err(TemplateRefused::TwilioBody);
    }
    numbered_from_one(body)
        .map(|_| ())
        .ok_or(TemplateRefused::VariableNumbering)
}

/// How many different variables a text has, if they are numbered 1, 2, 3… without gaps.
fn numbered_from_one(text: &str) -> Option<usize> {
    let mut numbers = variables(text);
    numbers.sort_unstable();
    numbers.dedup();
    numbers
        .iter()
        .enumerate()
        .all(|(index, &number)| number == index + 1)
        .then_some(numbers.len())
}

/// Values for sending: one per variable, each something Meta accepts as a text parameter.
pub fn check_values(
    content: &TemplateContent,
    values: &TemplateValues,
) -> Result<(), ValuesRefused> {
    let expected = content.header_variables();
    let expected_body = content.body_variables();
    let expected_buttons = content.url_variables();
    if values.header.len() != expected
        || values.body.len() != expected_body
        || values.buttons.len() != expected_buttons
    {
        return Err(ValuesRefused::Count {
            expected,
            expected_body,
            expected_buttons,
        });
    }
    let acceptable = |value: &String| {
        has_text(value)
            && value.chars().count() <= MAX_VALUE_CHARS
            && !value.contains(['\n', '\r', '\t'])
            && !value.contains("     ")
    };
    let url_part_ok = |value: &String| !value.contains(char::is_whitespace);
    if values.header.iter().chain(&values.body).all(acceptable)
        && values
            .buttons
            .iter()
            .all(|v| acceptable(v) && url_part_ok(v))
    {
        Ok(())
    } else {
        Err(ValuesRefused::Value)
    }
}

/// A media header is sent with a file of its kind, and only a media header takes one.
pub fn check_header_file(
    content: &TemplateContent,
    file_type: Option<&str>,
) -> Result<(), ValuesRefused> {
    match (content.header_media, file_type) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(ValuesRefused::UnexpectedFile),
        (Some(media), Some(file_type)) if media.accepts(file_type) => Ok(()),
        (Some(media), _) => Err(ValuesRefused::HeaderFile(media)),
    }
}

/// The name of a template's next version: the first version's name with `_v<n>`.
pub fn version_name(family: &str, version: i64) -> String {
    format!("{family}_v{version}")
}

fn has_text(value: &str) -> bool {
    !value.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(body: &str, samples: &[&str]) -> TemplateContent {
        TemplateContent {
            body: body.into(),
            body_samples: samples.iter().map(|s| s.to_string()).collect(),
            ..TemplateContent::default()
        }
    }

    #[test]
    fn names_and_languages_follow_meta() {
        assert_eq!(check_name("appointment_reminder_2"), Ok(()));
        assert_eq!(check_name("Appointment"), Err(TemplateRefused::Name));
        assert_eq!(check_name("with space"), Err(TemplateRefused::Name));
        assert_eq!(check_name(""), Err(TemplateRefused::Name));
        for ok in ["en", "en_US", "pt_BR", "zh_CN"] {
            assert_eq!(check_language(ok), Ok(()), "{ok}");
        }
        for bad in ["", "english", "EN", "en-US", "en_US_x"] {
            assert_eq!(check_language(bad), Err(TemplateRefused::Language), "{bad}");
        }
    }

    #[test]
    fn variables_are_numbered_in_order_with_a_sample_each() {
        assert_eq!(
            check_content(&content("Hi {{1}}, see you on {{2}}.", &["Ana", "Monday"])),
            Ok(())
        );
        assert_eq!(
            check_content(&content("Hi {{1}}, see you on {{3}}.", &["Ana", "Monday"])),
            Err(TemplateRefused::VariableNumbering)
        );
        assert_eq!(
            check_content(&content("{{1}} is ready.", &["Parcel"])),
            Err(TemplateRefused::VariableNumbering)
        );
        assert_eq!(
            check_content(&content("Hi {{1}}, see you on {{2}}.", &["Ana"])),
            Err(TemplateRefused::Samples)
        );
        assert_eq!(
            check_content(&content("Hi {{1}}.", &[" "])),
            Err(TemplateRefused::Samples)
        );
        assert_eq!(
            check_content(&content(&"x".repeat(1025), &[])),
            Err(TemplateRefused::BodyLength)
        );
    }

    #[test]
    fn headers_footers_and_buttons_have_limits() {
        let mut with_header = content("Body text.", &[]);
        with_header.header = Some("Hello {{1}}".into());
        assert_eq!(check_content(&with_header), Err(TemplateRefused::Samples));
        with_header.header_sample = Some("Ana".into());
        assert_eq!(check_content(&with_header), Ok(()));
        with_header.header = Some("Hello {{1}} {{2}}".into());
        assert_eq!(check_content(&with_header), Err(TemplateRefused::Header));

        let mut with_footer = content("Body text.", &[]);
        with_footer.footer = Some("Reply {{1}}".into());
        assert_eq!(check_content(&with_footer), Err(TemplateRefused::Footer));

        let quick = |text: &str| TemplateButton::QuickReply { text: text.into() };
        let mut with_buttons = content("Body text.", &[]);
        with_buttons.buttons = vec![quick("Yes"), quick("No"), quick("Later")];
        assert_eq!(check_content(&with_buttons), Ok(()));
        with_buttons.buttons.push(quick("Never"));
        assert_eq!(check_content(&with_buttons), Err(TemplateRefused::Buttons));
        with_buttons.buttons = vec![TemplateButton::Url {
            text: "Open".into(),
            url: "http://example.org".into(),
            example: None,
        }];
        assert_eq!(
            check_content(&with_buttons),
            Err(TemplateRefused::ButtonUrl)
        );
        let link = |url: &str, example: Option<&str>| TemplateButton::Url {
            text: "See your visit".into(),
            url: url.into(),
            example: example.map(str::to_string),
        };
        for (url, example, expected) in [
            (
                "https://example.org/visits/{{1}}",
                Some("https://example.org/visits/A-17"),
                Ok(()),
            ),
            (
                "https://example.org/visits/{{1}}",
                None,
                Err(TemplateRefused::ButtonUrlVariable),
            ),
            (
                "https://example.org/visits/{{1}}",
                Some("https://other.org/A-17"),
                Err(TemplateRefused::ButtonUrlVariable),
            ),
            (
                "https://example.org/{{1}}/visit",
                Some("https://example.org/A-17/visit"),
                Err(TemplateRefused::ButtonUrlVariable),
            ),
        ] {
            with_buttons.buttons = vec![link(url, example)];
            assert_eq!(check_content(&with_buttons), expected, "{url} {example:?}");
        }
        with_buttons.buttons = vec![TemplateButton::PhoneNumber {
            text: "Call us".into(),
            phone_number: "call me".into(),
        }];
        assert_eq!(
            check_content(&with_buttons),
            Err(TemplateRefused::ButtonPhone)
        );
    }

    #[test]
    fn media_headers_need_a_sample_of_their_kind_and_a_file_to_send() {
        let mut pictured = content("Body text.", &[]);
        pictured.header_media = Some(HeaderMedia::Image);
        assert_eq!(check_content(&pictured), Err(TemplateRefused::HeaderSample));
        let sample = |mime_type: &str| app::model::MediaSample {
            sha256: "ab".repeat(32),
            mime_type: mime_type.into(),
            filename: None,
        };
        pictured.header_media_sample = Some(sample("application/pdf"));
        assert_eq!(check_content(&pictured), Err(TemplateRefused::HeaderSample));
        pictured.header_media_sample = Some(sample("image/png"));
        assert_eq!(check_content(&pictured), Ok(()));
        pictured.header = Some("Hello".into());
        assert_eq!(check_content(&pictured), Err(TemplateRefused::HeaderKind));
        pictured.header = None;

        assert_eq!(check_header_file(&pictured, Some("image/jpeg")), Ok(()));
        assert_eq!(
            check_header_file(&pictured, Some("video/mp4")),
            Err(ValuesRefused::HeaderFile(HeaderMedia::Image))
        );
        assert_eq!(
            check_header_file(&pictured, None),
            Err(ValuesRefused::HeaderFile(HeaderMedia::Image))
        );
        let plain = content("Body text.", &[]);
        assert_eq!(check_header_file(&plain, None), Ok(()));
        assert_eq!(
            check_header_file(&plain, Some("image/png")),
            Err(ValuesRefused::UnexpectedFile)
        );
    }

    #[test]
    fn values_match_the_variables_and_meta_rules() {
        let template = content("Hi {{1}}, see you on {{2}}.", &["Ana", "Monday"]);
        let values = |body: &[&str]| TemplateValues {
            header: Vec::new(),
            body: body.iter().map(|s| s.to_string()).collect(),
            buttons: Vec::new(),
        };
        assert_eq!(check_values(&template, &values(&["Ana", "Monday"])), Ok(()));
        assert_eq!(
            check_values(&template, &values(&["Ana"])),
            Err(ValuesRefused::Count {
                expected: 0,
                expected_body: 2,
                expected_buttons: 0,
            })
        );
        let mut linked = template.clone();
        linked.buttons = vec![TemplateButton::Url {
            text: "Open".into(),
            url: "https://example.org/v/{{1}}".into(),
            example: Some("https://example.org/v/1".into()),
        }];
        let mut with_link = values(&["Ana", "Monday"]);
        assert!(matches!(
            check_values(&linked, &with_link),
            Err(ValuesRefused::Count {
                expected_buttons: 1,
                ..
            })
        ));
        with_link.buttons = vec!["A 17".into()];
        assert_eq!(check_values(&linked, &with_link), Err(ValuesRefused::Value));
        with_link.buttons = vec!["A-17".into()];
        assert_eq!(check_values(&linked, &with_link), Ok(()));
        assert_eq!(
            check_values(&template, &values(&["Ana", "Mon\nday"])),
            Err(ValuesRefused::Value)
        );
        assert_eq!(
            check_values(&template, &values(&["Ana", "a      b"])),
            Err(ValuesRefused::Value)
        );
        assert_eq!(
            check_values(&template, &values(&["Ana", " "])),
            Err(ValuesRefused::Value)
        );
    }

    #[test]
    fn twilio_templates_need_a_content_sid() {
        let sid = format!("HX{}", "a1".repeat(16));
        assert_eq!(check_twilio_template(&sid, "Hi {{1}}"), Ok(()));
        assert_eq!(
            check_twilio_template("HX123", "Hi"),
            Err(TemplateRefused::ContentSid)
        );
        assert_eq!(
            check_twilio_template(&sid, "Hi {{2}}"),
            Err(TemplateRefused::VariableNumbering)
        );
    }
}
