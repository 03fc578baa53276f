//! The demo's lived-in inbox: about forty conversations over the three sandbox channels, in
//! every state, with notes and mentions, tags, pictures, a voice note, a template sent after
//! the 24-hour window closed, a failed reply and a few conversations in Spanish and Arabic.
//! Messages arrive through the store as webhooks do, dated over the past days; assignments,
//! statuses, tags and notes go through the services as people make them. A conversation is
//! known by its first message, so loading again adds nothing.

use app::error::AppError;
use app::model::{ChannelKind, ConversationStatus, StatusChange};
use app::ports::Actor;

use super::media;
use crate::domain::costs::{
    Prices, messenger_is_free, price_sms_by_segments, price_whatsapp_status,
};
use crate::services::{Services, new_cost, rfc3339};
use crate::store::{
    Change, ChannelRow, Delivery, NewAttachment, NewCost, NewInbound, PastReply, Processing, now_ms,
};

const HOUR: f64 = 3_600_000.0;

#[derive(Clone, Copy)]
pub enum Who {
    Volunteer,
    Coordinator,
    Admin,
}

/// One message, `hours` ago.
enum Line {
    /// The contact wrote.
    In(f64, &'static str),
    /// The contact sent a picture, with a caption.
    Picture(f64, &'static str),
    /// The contact sent a voice note.
    Voice(f64),
    /// Someone answered; it was read.
    Out(Who, f64, &'static str),
    /// A WhatsApp template, sent after the 24-hour window had closed.
    Template(Who, f64, &'static str),
    /// A reply the provider refused, with its error code.
    Failed(Who, f64, &'static str, &'static str),
}

struct Script {
    channel: ChannelKind,
    name: &'static str,
    /// A phone number, or a Messenger page-scoped id.
    address: &'static str,
    lines: Vec<Line>,
    status: ConversationStatus,
    assignee: Option<Who>,
    tags: &'static [&'static str],
    notes: &'static [(Who, &'static str)],
}

use ChannelKind::{Messenger, Twilio as Sms, WhatsApp};
use ConversationStatus::{Open, Pending, Resolved, Snoozed};
use Line::{Failed, In, Out, Picture, Template, Voice};
use Who::{Admin, Coordinator, Volunteer};

/// Short exchanges: who, where, what they asked, the answer if there was one, and how it stands.
type Short = (
    ChannelKind,
    &'static str,
    &'static str,
    f64,
    &'static str,
    Option<&'static str>,
    ConversationStatus,
    Option<Who>,
    &'static [&'static str],
);

const SHORT: [Short; 26] = [
    (
        WhatsApp,
        "Thomas Wright",
        "+15550140101",
        1.5,
        "Hi, is the food bank open this Saturday?",
        None,
        Open,
        None,
        &["Food"],
    ),
    (
        Sms,
        "Priya Shah",
        "+15550140102",
        3.0,
        "Do I need to bring ID to register?",
        None,
        Open,
        None,
        &[],
    ),
    (
        Messenger,
        "Leo Martin",
        "demo-psid-0103",
        5.0,
        "Hello! Can I volunteer on weekday evenings?",
        None,
        Open,
        None,
        &[],
    ),
    (
        WhatsApp,
        "Nadia Popescu",
        "+15550140104",
        7.5,
        "My electricity was cut off this morning, what can I do?",
        None,
        Open,
        None,
        &["Urgent", "Housing"],
    ),
    (
        Sms,
        "George Adams",
        "+15550140105",
        11.0,
        "Is there parking near the community hall?",
        None,
        Open,
        None,
        &[],
    ),
    (
        Messenger,
        "Chloé Dubois",
        "demo-psid-0106",
        20.0,
        "Do you accept donations of children's clothes?",
        None,
        Open,
        None,
        &[],
    ),
    (
        WhatsApp,
        "Ibrahim Diallo",
        "+15550140107",
        2.0,
        "Can someone help me fill in the benefits form?",
        Some("Of course. Could you come on Wednesday at 2pm? Bring the letter you received."),
        Open,
        Some(Volunteer),
        &[],
    ),
    (
        Sms,
        "Maria Rossi",
        "+15550140108",
        4.0,
        "Thank you for the parcel yesterday, the children loved the fruit",
        Some("That's lovely to hear, thank you for letting us know!"),
        Open,
        Some(Volunteer),
        &["Food"],
    ),
    (
        WhatsApp,
        "Kwame Asante",
        "+15550140109",
        9.0,
        "What time does the advice session start?",
        Some("It starts at 10:00, doors open at 9:45."),
        Open,
        Some(Volunteer),
        &[],
    ),
    (
        Messenger,
        "Emily Clarke",
        "demo-psid-0110",
        26.0,
        "Could I get a food parcel delivered? I can't leave the house this week.",
        Some("Yes, we can deliver on Thursday. What's your address?"),
        Open,
        Some(Volunteer),
        &["Food"],
    ),
    (
        Sms,
        "Hannah Schmidt",
        "+15550140111",
        30.0,
        "Are you hiring for the summer scheme?",
        Some("We're not hiring, but we'd love volunteers! Shall I send the form?"),
        Open,
        Some(Coordinator),
        &[],
    ),
    (
        WhatsApp,
        "Yusuf Demir",
        "+15550140112",
        48.0,
        "My landlord wants me out by Friday. Help please",
        Some("I'm sorry, that sounds stressful. A housing adviser will call you today."),
        Open,
        Some(Coordinator),
        &["Housing", "Urgent"],
    ),
    (
        Messenger,
        "Sofia Costa",
        "demo-psid-0113",
        52.0,
        "Can I bring a friend to the cooking class?",
        Some("Yes, there's space for two more."),
        Open,
        Some(Admin),
        &[],
    ),
    (
        WhatsApp,
        "Ben Carter",
        "+15550140114",
        70.0,
        "I'll send the tenancy agreement tonight",
        Some("Great, we'll look at it tomorrow morning."),
        Pending,
        Some(Volunteer),
        &["Housing"],
    ),
    (
        Sms,
        "Olga Ivanova",
        "+15550140115",
        75.0,
        "Waiting for the council to reply about my flat",
        Some("OK, let us know when you hear from them."),
        Pending,
        Some(Coordinator),
        &["Housing"],
    ),
    (
        Messenger,
        "Ahmed Raza",
        "demo-psid-0116",
        96.0,
        "I'll check which day suits my shifts and come back to you",
        Some("No problem, speak soon."),
        Snoozed,
        Some(Volunteer),
        &[],
    ),
    (
        WhatsApp,
        "Julia Novak",
        "+15550140117",
        100.0,
        "Thanks for your help with the form!",
        Some("You're welcome, good luck!"),
        Resolved,
        Some(Volunteer),
        &[],
    ),
    (
        Sms,
        "Marcus Lee",
        "+15550140118",
        120.0,
        "Got the parcel, thank you",
        Some("Glad it arrived. Take care!"),
        Resolved,
        Some(Volunteer),
        &["Food"],
    ),
    (
        Messenger,
        "Anna Kowalski",
        "demo-psid-0119",
        130.0,
        "What are your opening hours?",
        Some("We are open Monday to Friday, 9:00 to 17:00."),
        Resolved,
        Some(Coordinator),
        &[],
    ),
    (
        WhatsApp,
        "David Cohen",
        "+15550140120",
        150.0,
        "Is the clothes bank open on Sunday?",
        Some("Not on Sundays, but Saturday 10:00 to 13:00."),
        Resolved,
        Some(Coordinator),
        &[],
    ),
    (
        Sms,
        "Zainab Bello",
        "+15550140121",
        170.0,
        "I found a flat! Thank you all so much",
        Some("Wonderful news! Congratulations."),
        Resolved,
        Some(Admin),
        &["Housing"],
    ),
    (
        WhatsApp,
        "Tom Fischer",
        "+15550140122",
        190.0,
        "Please stop the weekly reminder, I have moved away",
        Some("Done, we've stopped them. All the best!"),
        Resolved,
        Some(Coordinator),
        &[],
    ),
    (
        Messenger,
        "Lina Petrova",
        "demo-psid-0123",
        14.0,
        "Is the English conversation club still on Tuesdays?",
        None,
        Open,
        Some(Coordinator),
        &[],
    ),
    (
        WhatsApp,
        "Michael Brown",
        "+15550140124",
        40.0,
        "Can I drop off tins after 6pm?",
        Some("After 6 the hall is closed, but the church office takes them until 7."),
        Open,
        Some(Volunteer),
        &["Food"],
    ),
    (
        Sms,
        "Aisha Karimi",
        "+15550140125",
        60.0,
        "The school uniform voucher, is there still one for my son?",
        Some("Let me check with the coordinator and get back to you."),
        Pending,
        Some(Volunteer),
        &[],
    ),
    (
        Messenger,
        "Pablo Jiménez",
        "demo-psid-0126",
        80.0,
        "¿Hay alguien que hable español?",
        Some("¡Sí! Soy Vic, ¿en qué puedo ayudarte?"),
        Resolved,
        Some(Volunteer),
        &[],
    ),
];

fn scripts() -> Vec<Script> {
    let mut scripts = vec![
        Script {
            channel: WhatsApp,
            name: "Amina Yusuf",
            address: "+15550140001",
            lines: vec![
                In(
                    29.0,
                    "Hello, I was told you can help with food parcels? We are a family of five.",
                ),
                Out(
                    Volunteer,
                    28.5,
                    "Hi Amina, yes we can. Could you send a photo of your referral letter?",
                ),
                Picture(28.0, "Here is the letter from the school"),
                Out(
                    Volunteer,
                    27.0,
                    "Thank you! Your parcel will be ready on Friday from 10:00.",
                ),
                In(2.0, "Thank you. Can my neighbour collect it for me?"),
            ],
            status: Open,
            assignee: Some(Volunteer),
            tags: &["Food"],
            notes: &[(
                Coordinator,
                "@Vic she also asked about school uniforms last time — worth mentioning the voucher scheme.",
            )],
        },
        Script {
            channel: WhatsApp,
            name: "Lucía Fernández",
            address: "+15550140002",
            lines: vec![
                In(50.0, "Hola, ¿tienen clases de inglés los sábados?"),
                Out(
                    Volunteer,
                    49.0,
                    "¡Hola Lucía! Sí, los sábados a las 11:00 en el centro comunitario. ¿Quieres que te apunte?",
                ),
                In(47.0, "Sí, por favor. Somos dos, mi marido y yo."),
                Out(
                    Volunteer,
                    46.5,
                    "Perfecto, os apunto a los dos. Os confirmo el viernes.",
                ),
            ],
            status: Pending,
            assignee: Some(Volunteer),
            tags: &[],
            notes: &[(
                Volunteer,
                "Waiting for the teacher to confirm two more places.",
            )],
        },
        Script {
            channel: Sms,
            name: "Mateo Ruiz",
            address: "+15550140003",
            lines: vec![
                In(
                    6.0,
                    "Buenas tardes, necesito ayuda con el alquiler de este mes.",
                ),
                In(5.5, "El casero dice que tengo hasta el lunes."),
            ],
            status: Open,
            assignee: None,
            tags: &["Housing"],
            notes: &[],
        },
        Script {
            channel: Messenger,
            name: "Carmen Ortega",
            address: "demo-psid-0004",
            lines: vec![
                In(140.0, "¿Dónde puedo dejar ropa para donar?"),
                Out(
                    Coordinator,
                    139.0,
                    "Hola Carmen, en la entrada lateral del centro, de lunes a viernes de 9:00 a 17:00. ¡Gracias!",
                ),
                In(138.0, "¡Muchas gracias!"),
            ],
            status: Resolved,
            assignee: Some(Coordinator),
            tags: &[],
            notes: &[],
        },
        Script {
            channel: WhatsApp,
            name: "فاطمة حسن",
            address: "+15550140005",
            lines: vec![
                In(
                    22.0,
                    "مرحبا، هل يمكنني الحصول على موعد مع المستشار القانوني؟",
                ),
                Out(
                    Coordinator,
                    21.0,
                    "أهلاً فاطمة، نعم. لدينا مواعيد يوم الخميس صباحاً. هل يناسبك الساعة العاشرة؟",
                ),
                In(20.0, "نعم، شكراً جزيلاً"),
            ],
            status: Open,
            assignee: Some(Coordinator),
            tags: &[],
            notes: &[(
                Coordinator,
                "@Ada can we find an Arabic-speaking volunteer for Thursday at 10:00?",
            )],
        },
        Script {
            channel: Sms,
            name: "عمر خليل",
            address: "+15550140006",
            lines: vec![In(3.5, "السلام عليكم، هل توزعون الطعام اليوم؟")],
            status: Open,
            assignee: None,
            tags: &["Food"],
            notes: &[],
        },
        Script {
            channel: WhatsApp,
            name: "Grace Mensah",
            address: "+15550140007",
            lines: vec![
                In(1.2, "Sorry, it's easier to explain by voice"),
                Voice(1.1),
            ],
            status: Open,
            assignee: Some(Volunteer),
            tags: &[],
            notes: &[],
        },
        Script {
            channel: WhatsApp,
            name: "Peter Novak",
            address: "+15550140008",
            lines: vec![
                In(
                    120.0,
                    "Can I book a visit to the advice desk for next week?",
                ),
                Out(
                    Coordinator,
                    119.0,
                    "Yes, Monday at 10:00 works. We'll send you a reminder.",
                ),
                Template(
                    Coordinator,
                    26.0,
                    "Hello Peter, this is a reminder of your appointment on Monday at 10:00. Reply here if you need to change it.",
                ),
            ],
            status: Pending,
            assignee: Some(Coordinator),
            tags: &[],
            notes: &[(
                Coordinator,
                "The window had closed, so the reminder went as the approved template.",
            )],
        },
        Script {
            channel: WhatsApp,
            name: "Rosa Delgado",
            address: "+15550140009",
            lines: vec![
                In(72.0, "Hi, I need to change my appointment"),
                Failed(
                    Volunteer,
                    71.0,
                    "Hi Rosa, of course. Would Tuesday at 15:00 suit you?",
                    "131026",
                ),
            ],
            status: Open,
            assignee: Some(Volunteer),
            tags: &["Urgent"],
            notes: &[(
                Volunteer,
                "WhatsApp could not deliver my reply. @Cora could we phone her instead?",
            )],
        },
        Script {
            channel: Messenger,
            name: "Jonas Becker",
            address: "demo-psid-0010",
            lines: vec![
                In(34.0, "The mould in the bedroom is getting worse"),
                Picture(33.9, "This is the wall behind the bed"),
                Out(
                    Coordinator,
                    33.0,
                    "Thank you Jonas, that looks serious. I'll pass it to our housing adviser today.",
                ),
            ],
            status: Open,
            assignee: Some(Coordinator),
            tags: &["Housing"],
            notes: &[(
                Coordinator,
                "Landlord has been told twice already. @Vic can you draft the letter template for him?",
            )],
        },
        Script {
            channel: Sms,
            name: "Sam Taylor",
            address: "+15550140011",
            lines: vec![
                In(160.0, "Here's the form filled in"),
                Picture(159.9, "Page 1 of the form"),
                Out(
                    Volunteer,
                    158.0,
                    "Got it, everything looks right. We'll post it today.",
                ),
                In(157.0, "Brilliant, thanks"),
            ],
            status: Resolved,
            assignee: Some(Volunteer),
            tags: &[],
            notes: &[],
        },
        Script {
            channel: WhatsApp,
            name: "Helen Park",
            address: "+15550140012",
            lines: vec![
                In(45.0, "I'll have my documents next week, can we talk then?"),
                Out(
                    Volunteer,
                    44.0,
                    "Of course, I'll check in with you next week.",
                ),
            ],
            status: Snoozed,
            assignee: Some(Volunteer),
            tags: &[],
            notes: &[],
        },
        Script {
            channel: Messenger,
            name: "Daniel Okafor",
            address: "demo-psid-0013",
            lines: vec![
                In(200.0, "Is the youth club running in the holidays?"),
                Out(Admin, 199.0, "Yes, Monday to Thursday, 13:00 to 17:00."),
                In(198.0, "Great, thanks!"),
            ],
            status: Resolved,
            assignee: Some(Admin),
            tags: &[],
            notes: &[],
        },
        Script {
            channel: Sms,
            name: "Ruth Evans",
            address: "+15550140014",
            lines: vec![
                In(
                    90.0,
                    "Can you remind me about the dentist voucher on Monday?",
                ),
                Out(Coordinator, 89.0, "Will do, Ruth."),
            ],
            status: Snoozed,
            assignee: Some(Coordinator),
            tags: &[],
            notes: &[(
                Admin,
                "Voucher budget for this month is nearly used up, @Cora keep an eye on it.",
            )],
        },
    ];
    scripts.extend(SHORT.into_iter().map(
        |(channel, name, address, hours, asked, answer, status, assignee, tags)| {
            let mut lines = vec![In(hours, asked)];
            if let Some(answer) = answer {
                lines.push(Out(assignee.unwrap_or(Volunteer), hours - 0.5, answer));
            }
            Script {
                channel,
                name,
                address,
                lines,
                status,
                assignee,
                tags,
                notes: &[],
            }
        },
    ));
    scripts
}

/// The demo's people as actors, for what they do in the inbox.
pub struct Team {
    pub volunteer: Actor,
    pub coordinator: Actor,
    pub admin: Actor,
}

impl Team {
    fn who(&self, who: Who) -> &Actor {
        match who {
            Volunteer => &self.volunteer,
            Coordinator => &self.coordinator,
            Admin => &self.admin,
        }
    }
}

fn provider(kind: ChannelKind) -> &'static str {
    match kind {
        WhatsApp => "whatsapp",
        Sms => "twilio",
        Messenger => "messenger",
    }
}

/// Loads the conversations not loaded yet into the sandbox `channels`; returns how many.
pub async fn load(
    services: &Services,
    team: &Team,
    channels: &[ChannelRow],
) -> Result<usize, AppError> {
    let tags = services.store().list_tags().await?;
    let picture = media::png(96, 72, |x, y| {
        [
            (x * 2) as u8 + 60,
            (y * 3) as u8 + 40,
            150 - (x + y) as u8 / 2,
        ]
    });
    let voice = media::voice_note();
    let now = now_ms();
    let mut added = 0;
    for (number, script) in scripts().into_iter().enumerate() {
        let Some(channel) = channels
            .iter()
            .find(|channel| channel.kind == script.channel.as_str())
        else {
            continue;
        };
        let id_of = |line: usize| format!("demo.{number}.{line}");
        if services
            .store()
            .message_by_provider_id(channel.id, &id_of(0))
            .await?
            .is_some()
        {
            continue;
        }
        let mut conversation = None;
        for (index, line) in script.lines.iter().enumerate() {
            let provider_message_id = id_of(index);
            let at = |hours: &f64| now - (hours * HOUR) as i64;
            let reply = |who: &Who, hours: &f64, body, kind, status, code: Option<&'static str>| {
                let delivered = code.is_none();
                PastReply {
                    cost: delivered
                        .then(|| past_cost(script.channel, kind, body, script.address, at(hours)))
                        .flatten(),
                    conversation_id: conversation.unwrap_or_default(),
                    channel_id: channel.id,
                    author_id: team.who(*who).id,
                    kind,
                    body,
                    status,
                    error_code: code,
                    error_title: code.map(|_| "Message undeliverable"),
                    provider_message_id: &provider_message_id,
                    at: at(hours),
                }
            };
            let (kind, hours, body, file) = match line {
                In(hours, text) => ("text", hours, *text, None),
                Picture(hours, caption) => (
                    "image",
                    hours,
                    *caption,
                    Some((&picture, "image/png", "photo.png")),
                ),
                Voice(hours) => (
                    "audio",
                    hours,
                    "",
                    Some((&voice, "audio/wav", "voice-note.wav")),
                ),
                Out(who, hours, text) => {
                    let reply = reply(who, hours, *text, "text", "read", None);
                    services.store().insert_past_reply(reply).await?;
                    continue;
                }
                Template(who, hours, text) => {
                    let reply = reply(who, hours, *text, "template", "read", None);
                    services.store().insert_past_reply(reply).await?;
                    continue;
                }
                Failed(who, hours, text, code) => {
                    let reply = reply(who, hours, *text, "text", "failed", Some(*code));
                    services.store().insert_past_reply(reply).await?;
                    continue;
                }
            };
            let inbound = NewInbound {
                address: script.address.to_string(),
                address_is_phone: script.channel != Messenger,
                two_networks: script.channel == Sms,
                profile_name: Some(script.name.to_string()),
                provider_message_id: provider_message_id.clone(),
                sent_at: at(hours),
                kind: kind.to_string(),
                body: body.to_string(),
                content: "[]".to_string(),
                reply_to: None,
                attachments: file
                    .iter()
                    .map(|(_, mime_type, filename)| NewAttachment {
                        kind: kind.to_string(),
                        mime_type: Some(mime_type.to_string()),
                        filename: Some(filename.to_string()),
                        sha256: None,
                        source: "demo".to_string(),
                    })
                    .collect(),
                consent: None,
                risk_word: None,
                erasure_answer: None,
                survey_input: None,
            };
            services
                .store()
                .record_webhook(
                    Delivery {
                        provider: provider(script.channel),
                        channel_id: Some(channel.id),
                        dedupe_key: format!("demo:{}:{provider_message_id}", channel.id),
                        body: r#"{"demo":"loaded by switchboard demo"}"#.to_string(),
                        signature: None,
                        request_path: "/demo".to_string(),
                    },
                    Processing {
                        changes: vec![(channel.id, Change::Inbound(inbound))],
                        ..Processing::default()
                    },
                )
                .await?;
            let (conversation_id, message_id) = services
                .store()
                .message_by_provider_id(channel.id, &provider_message_id)
                .await?
                .ok_or_else(AppError::internal)?;
            conversation = Some(conversation_id);
            if let Some((bytes, mime_type, _)) = file {
                let sha256 = services.keep_file(bytes).await.map_err(|error| {
                    tracing::error!(%error, "the demo's media could not be written");
                    AppError::internal()
                })?;
                for attachment in services.store().attachments_of(message_id).await? {
                    services
                        .store()
                        .attachment_stored(attachment, &sha256, bytes.len() as i64, mime_type)
                        .await?;
                }
            }
        }
        let Some(conversation) = conversation else {
            continue;
        };
        arrange(services, team, &script, conversation, &tags, now).await?;
        added += 1;
    }
    Ok(added)
}

/// Who has the conversation, its tags, notes and status, as people set them.
async fn arrange(
    services: &Services,
    team: &Team,
    script: &Script,
    conversation: i64,
    tags: &[crate::store::TagRow],
    now: i64,
) -> Result<(), AppError> {
    if let Some(who) = script.assignee {
        services
            .assign_conversation(&team.admin, conversation, Some(team.who(who).id))
            .await?;
    }
    for name in script.tags {
        if let Some(tag) = tags.iter().find(|tag| tag.name == *name) {
            services
                .tag_conversation(&team.admin, conversation, tag.id, true)
                .await?;
        }
    }
    for (who, note) in script.notes {
        services
            .add_conversation_note(team.who(*who), conversation, note)
            .await?;
    }
    if script.status != Open {
        let snoozed_until = (script.status == Snoozed).then(|| rfc3339(now + 2 * 24 * 3_600_000));
        services
            .set_conversation_status(
                &team.admin,
                conversation,
                StatusChange {
                    status: script.status,
                    snoozed_until,
                },
            )
            .await?;
    }
    Ok(())
}

/// What a reply sent at `at` would have cost: Messenger nothing, an SMS its segments, on
/// WhatsApp a reply in the window nothing and a template the utility rate of the shipped table.
fn past_cost(
    channel: ChannelKind,
    kind: &str,
    body: &str,
    address: &str,
    at: i64,
) -> Option<NewCost> {
    let prices = Prices::default();
    let cost = match channel {
        Messenger => messenger_is_free(),
        Sms => price_sms_by_segments(&prices, body, address),
        WhatsApp => {
            let (category, pricing_type) = match kind {
                "template" => ("utility", "regular"),
                _ => ("service", "free_customer_service"),
            };
            let day = time::OffsetDateTime::from_unix_timestamp(at / 1000)
                .map_or(time::Date::MIN, |at| at.date());
            price_whatsapp_status(&prices, category, Some(pricing_type), None, address, day).ok()?
        }
    };
    Some(new_cost(cost, at))
}
