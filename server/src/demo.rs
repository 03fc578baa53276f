//! Demo data, so a newcomer sees a working Switchboard on a fresh machine.

use app::error::AppError;
use app::model::Role;

use crate::services::Services;

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

/// Adds the demo people; safe to run again (existing people are left alone).
pub async fn load(services: &Services) -> Result<usize, AppError> {
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
    Ok(added)
}
