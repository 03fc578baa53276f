//! Demo data, so a newcomer sees a working Switchboard on a fresh machine: people, three
//! sandbox channels that send to this instance's own sandbox provider (demo mode), tags,
//! canned responses, an approved template and a lived-in inbox.

mod inbox;
mod media;

use app::error::AppError;
use app::model::{ChannelInput, ChannelKind, Role, TemplateCategory};

use crate::auth::tokens::random_secret;
use crate::services::Services;
use crate::store::NewTemplate;

/// Everyone in the demo signs in with this password (stated in the README).
pub const DEMO_PASSWORD: &str = "switchboard-demo-2026";

pub const DEMO_PEOPLE: [(&str, &str, Role); 3] = [
    ("admin@example.org", "Ada Admin", Role::Admin),
    (
        "coordinator@example.org",
        "Cora Coordinator",
        Role::Coordinator,
    ),
    ("volunteer@example.org", "Vic Volunteer", Role::Volunteer),
];

/// Sandbox channels, one of each kind, sending to this instance's sandbox provider. Their
/// secrets are random per installation, so a demo left reachable cannot be fed forged
/// webhooks; the sandbox and the simulate tool sign with them.
fn sandbox_channels(services: &Services) -> [ChannelInput; 3] {
    [
        ChannelInput {
            kind: Some(ChannelKind::WhatsApp),
            name: Some("WhatsApp sandbox".into()),
            phone_number_id: Some("100000000000001".into()),
            waba_id: Some("200000000000001".into()),
            display_number: Some("+1 555 010 0001".into()),
            access_token: Some(random_secret()),
            app_secret: Some(random_secret()),
            verify_token: Some(random_secret()),
            api_base_url: Some(services.sandbox_api_base(ChannelKind::WhatsApp)),
            ..ChannelInput::default()
        },
        ChannelInput {
            kind: Some(ChannelKind::Twilio),
            name: Some("SMS sandbox".into()),
            account_sid: Some("AC00000000000000000000000000000001".into()),
            auth_token: Some(random_secret()),
            phone_number: Some("+15550100002".into()),
            api_base_url: Some(services.sandbox_api_base(ChannelKind::Twilio)),
            ..ChannelInput::default()
        },
        ChannelInput {
            kind: Some(ChannelKind::Messenger),
            name: Some("Messenger sandbox".into()),
            page_id: Some("300000000000001".into()),
            page_access_token: Some(random_secret()),
            app_secret: Some(random_secret()),
            verify_token: Some(random_secret()),
            api_base_url: Some(services.sandbox_api_base(ChannelKind::Messenger)),
            ..ChannelInput::default()
        },
    ]
}

/// Tags a small organisation starts with.
const DEMO_TAGS: [(&str, &str); 3] = [
    ("Urgent", "#d92d20"),
    ("Food", "#079455"),
    ("Housing", "#1f6feb"),
];

/// Answers the team gives often.
const DEMO_CANNED_RESPONSES: [(&str, &str); 2] = [
    (
        "welcome",
        "Hello, thank you for writing to us. How can we help?",
    ),
    ("hours", "We are open Monday to Friday, 9:00 to 17:00."),
];

/// A template the sandbox's Meta "approved", so the composer can show templates in the demo.
const DEMO_TEMPLATE: &str = r#"{"header":null,"body":"Hello {{1}}, this is a reminder of your appointment on {{2}}. Reply here if you need to change it.","body_samples":["Ana","Monday at 10:00"],"footer":"Reply STOP to stop these messages","buttons":[]}"#;

/// Adds the demo people, sandbox channels, tags, canned responses, a template and (unless
/// `empty_inbox`) the lived-in inbox; safe to run again (what exists is left alone). Sandbox
/// channels of an earlier demo that send elsewhere (to the providers' own hosts, or to this
/// instance at another address) are pointed at this instance's sandbox. Returns how many
/// things were added.
pub async fn load(services: &Services, empty_inbox: bool) -> Result<usize, AppError> {
    let mut added = 0;
    for (email, name, role) in DEMO_PEOPLE {
        if services.store().user_by_email(email).await?.is_some() {
            continue;
        }
        services
            .add_person_with_password(None, email, name, role, DEMO_PASSWORD)
            .await?;
        added += 1;
    }
    let team = team(services).await?;
    let existing = services.store().list_channels().await?;
    for channel in sandbox_channels(services) {
        let name = channel.name.clone().unwrap_or_default();
        match existing.iter().find(|row| row.name == name) {
            None => {
                services.create_channel(None, &channel).await?;
                added += 1;
            }
            Some(row) if row.api_base_url != channel.api_base_url.clone().unwrap_or_default() => {
                let repointed = ChannelInput {
                    api_base_url: channel.api_base_url.clone(),
                    access_token: channel.access_token.clone(),
                    auth_token: channel.auth_token.clone(),
                    page_access_token: channel.page_access_token.clone(),
                    ..ChannelInput::default()
                };
                services
                    .update_channel(&team.admin, row.id, &repointed)
                    .await?;
            }
            Some(_) => {}
        }
    }
    let tags: Vec<String> = services
        .store()
        .list_tags()
        .await?
        .into_iter()
        .map(|tag| tag.name)
        .collect();
    for (name, colour) in DEMO_TAGS {
        if !tags.iter().any(|existing| existing == name) {
            services.store().create_tag(name, colour).await?;
            added += 1;
        }
    }
    let canned: Vec<String> = services
        .store()
        .list_canned_responses()
        .await?
        .into_iter()
        .map(|canned| canned.shortcut)
        .collect();
    for (shortcut, body) in DEMO_CANNED_RESPONSES {
        if !canned.iter().any(|existing| existing == shortcut) {
            services
                .store()
                .create_canned_response(shortcut, body, None)
                .await?;
            added += 1;
        }
    }
    let sandbox = services
        .store()
        .list_channels()
        .await?
        .into_iter()
        .find(|channel| channel.name == "WhatsApp sandbox");
    if let Some(sandbox) = sandbox {
        let templates = services
            .store()
            .list_templates(Some(sandbox.id), None)
            .await?;
        if templates.is_empty() {
            services
                .store()
                .create_template(NewTemplate {
                    channel_id: sandbox.id,
                    name: "appointment_reminder",
                    language: "en",
                    category: TemplateCategory::Utility.as_str(),
                    status: "approved",
                    components: DEMO_TEMPLATE,
                    content_sid: None,
                    family: "appointment_reminder",
                    version: 1,
                    created_by: None,
                })
                .await?;
            added += 1;
        }
    }
    if !empty_inbox {
        let channels: Vec<_> = services
            .store()
            .list_channels()
            .await?
            .into_iter()
            .filter(|row| {
                url::Url::parse(&row.api_base_url).is_ok_and(|url| services.is_sandbox_url(&url))
            })
            .collect();
        added += inbox::load(services, &team, &channels).await?;
    }
    Ok(added)
}

/// The demo's people, as actors.
async fn team(services: &Services) -> Result<inbox::Team, AppError> {
    let actor = |email: &'static str| async move {
        let user = services
            .store()
            .user_by_email(email)
            .await?
            .ok_or_else(|| AppError::not_found("Demo person"))?;
        let actor = services
            .actor_by_id(user.id)
            .await?
            .ok_or_else(|| AppError::unprocessable(format!("{email} is deactivated")))?;
        Ok::<_, AppError>(actor)
    };
    Ok(inbox::Team {
        admin: actor(DEMO_PEOPLE[0].0).await?,
        coordinator: actor(DEMO_PEOPLE[1].0).await?,
        volunteer: actor(DEMO_PEOPLE[2].0).await?,
    })
}
