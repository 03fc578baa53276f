//! The `switchboard` command line.

use std::io::BufRead;
use std::process::ExitCode;

use app::model::Role;
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::secrets::{self, KeySource, SecretKey};
use crate::services::Services;
use crate::startup::Application;
use crate::store::Store;
use crate::{backup, demo, telemetry};

#[derive(Parser)]
#[command(
    name = "switchboard",
    version,
    about = "A self-hosted shared inbox for non-profits"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app and API (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage people.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Load the demo data (people, sandbox channels, a lived-in inbox); safe to run again.
    Demo {
        /// Leave the inbox empty: people, channels, tags and a template only.
        #[arg(long)]
        empty_inbox: bool,
    },
    /// Delete what the retention settings say has expired.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Write a backup archive (database, media files, key file) while the server runs.
    Backup {
        /// The archive to write; it must not exist yet.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Restore a backup archive into an empty data directory (stop the server first).
    Restore {
        /// The archive `switchboard backup` wrote.
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Manage the key stored secrets are sealed under.
    Secrets {
        #[command(subcommand)]
        command: SecretsCommand,
    },
}

#[derive(Subcommand)]
enum SecretsCommand {
    /// Re-seal every stored secret under a new key. Stop the server first; start it again
    /// afterwards (with the printed key, if the key is set in SWITCHBOARD_SECRET_KEY).
    Rotate,
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Run retention now (the server also runs it every hour).
    Run {
        /// Print what would be deleted, and delete nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a person; reads their password from the first line of standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a person; prints the token as the last line.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "command line")]
        name: String,
    },
}

fn parse_role(value: &str) -> Result<Role, String> {
    Role::parse(value).ok_or_else(|| "expected admin, coordinator or volunteer".to_string())
}

pub async fn run(cli: Cli) -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config.log_filter, config.log_format);
    match execute(cli.command.unwrap_or(Command::Serve), config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(command: Command, config: Config) -> Result<(), String> {
    if let Command::Serve = command {
        let application = Application::build(config)
            .await
            .map_err(|error| error.to_string())?;
        return application
            .run_until_stopped()
            .await
            .map_err(|error| error.to_string());
    }
    if let Command::Restore { from } = &command {
        return restore_backup(&config, from).await;
    }
    let store = Store::connect(config.database_url.expose())
        .await
        .map_err(|error| error.to_string())?;
    store.migrate().await.map_err(|error| error.to_string())?;
    let mut settings = config.service_settings();
    // The demo's channels use this instance's sandbox provider, which only demo mode accepts.
    settings.demo_mode |= matches!(command, Command::Demo { .. });
    let services = Services::new(store.clone(), settings);
    services
        .seal_stored_secrets()
        .await
        .map_err(|error| error.to_string())?;
    let outcome = match command {
        Command::Serve | Command::Restore { .. } => unreachable!("handled above"),
        Command::Migrate => {
            println!("migrations applied");
            Ok(())
        }
        Command::User {
            command: UserCommand::Add { email, name, role },
        } => {
            let password = read_password()?;
            services
                .add_person_with_password(None, &email, &name, role, &password)
                .await
                .map(|person| println!("added {} ({})", person.email, person.role.as_str()))
                .map_err(|error| error.message)
        }
        Command::Token {
            command: TokenCommand::Create { email, name },
        } => create_token(&services, &email, &name).await,
        Command::Demo { empty_inbox } => demo::load(&services, empty_inbox)
            .await
            .map(|added| {
                println!(
                    "demo data loaded ({added} people, channels, tags, canned responses, templates and conversations added)"
                )
            })
            .map_err(|error| error.message),
        Command::Secrets {
            command: SecretsCommand::Rotate,
        } => rotate_secret_key(&services).await,
        Command::Retention {
            command: RetentionCommand::Run { dry_run },
        } => run_retention(&services, dry_run).await,
        Command::Backup { to } => write_backup(&store, &config, &to).await,
    };
    store.close().await;
    outcome
}

async fn create_token(services: &Services, email: &str, name: &str) -> Result<(), String> {
    let user = services
        .store()
        .user_by_email(&email.trim().to_lowercase())
        .await
        .map_err(|error| error.to_string())?
        .ok_or_else(|| format!("no person with email {email}"))?;
    let actor = services
        .actor_by_id(user.id)
        .await
        .map_err(|error| error.message)?
        .ok_or_else(|| format!("{email} is deactivated"))?;
    let created = services
        .create_token(&actor, name)
        .await
        .map_err(|error| error.message)?;
    println!("{}", created.secret);
    Ok(())
}

/// Re-seals everything under a new key. With a key file, the new key is first written beside it
/// (`<file>.new`), then the database is re-sealed in one transaction, then the new file replaces
/// the old: stopped at any point, the instance still opens every value (it reads both files).
/// With `SWITCHBOARD_SECRET_KEY`, the new key is printed for the operator to set.
async fn rotate_secret_key(services: &Services) -> Result<(), String> {
    let new = SecretKey::generate();
    let new_id = new.id().to_string();
    match services.sealer().source().clone() {
        KeySource::File(path) => {
            let pending = secrets::pending_key_file(&path);
            if pending.exists() {
                // An earlier rotation stopped half-way: its key may seal some values, and it
                // is in this instance's keyring, so re-sealing below covers them; only then may
                // its file go.
                services
                    .reseal_stored_secrets(
                        SecretKey::parse(
                            &std::fs::read_to_string(&pending).map_err(|e| e.to_string())?,
                            "the pending key file",
                        )
                        .map_err(|e| e.to_string())?,
                    )
                    .await
                    .map_err(|error| error.to_string())?;
                std::fs::rename(&pending, &path).map_err(|error| {
                    format!("could not move {} into place: {error}", pending.display())
                })?;
                println!("finished an earlier rotation; run this command again for a new key");
                return Ok(());
            }
            secrets::write_key_file(&pending, &new).map_err(|error| error.to_string())?;
            let resealed = match services.reseal_stored_secrets(new).await {
                Ok(count) => count,
                Err(error) => {
                    // Nothing was re-sealed: the pending key is of no use.
                    let _ = std::fs::remove_file(&pending);
                    return Err(error.to_string());
                }
            };
            std::fs::rename(&pending, &path).map_err(|error| {
                format!(
                    "the secrets are re-sealed under the key in {}, but it could not replace {}: \
                     {error}; move it there by hand",
                    pending.display(),
                    path.display()
                )
            })?;
            println!(
                "re-sealed the secrets of {resealed} channels under key {new_id}, now in {}",
                path.display()
            );
        }
        KeySource::Environment(_) => {
            // Printed (never logged) before anything changes, so the key is in the operator's
            // hands whatever happens next.
            println!("new secret key {new_id}:");
            println!("{}", new.to_base64().as_str());
            let resealed = services.reseal_stored_secrets(new).await.map_err(|error| {
                format!("{error}; nothing changed, keep the current SWITCHBOARD_SECRET_KEY")
            })?;
            println!(
                "re-sealed the secrets of {resealed} channels under key {new_id}: set \
                 SWITCHBOARD_SECRET_KEY to the key above before starting Switchboard again"
            );
        }
    }
    Ok(())
}

async fn run_retention(services: &Services, dry_run: bool) -> Result<(), String> {
    let (counts, verb) = if dry_run {
        (services.retention_preview().await, "would delete")
    } else {
        (services.run_retention().await, "deleted")
    };
    let counts = counts.map_err(|error| error.message)?;
    println!("retention {verb}:");
    for (what, count) in [
        ("conversations", counts.conversations),
        ("messages", counts.messages),
        ("notes", counts.notes),
        ("media files", counts.media_files),
        ("contacts", counts.contacts),
        ("raw webhook deliveries", counts.raw_deliveries),
        ("audit log entries", counts.audit_entries),
    ] {
        println!("  {count} {what}");
    }
    Ok(())
}

async fn write_backup(store: &Store, config: &Config, to: &std::path::Path) -> Result<(), String> {
    let media_dir = config.media_store.directory();
    let copied = backup::create(store, media_dir, &config.secret_key, to)
        .await
        .map_err(|error| error.to_string())?;
    println!("backup written to {}", to.display());
    print_copied(&copied);
    if media_dir.is_none() {
        println!(
            "  media files are not in it: they stay in {:?} (keep that bucket versioned or replicated)",
            config.media_store
        );
    }
    if !copied.database {
        println!(
            "  the PostgreSQL database is not in it: copy it with pg_dump (README, \"Backups\")"
        );
    }
    if let KeySource::Environment(_) = config.secret_key {
        println!(
            "  the secret key is not in it (it comes from SWITCHBOARD_SECRET_KEY): keep that value with the backup"
        );
    }
    Ok(())
}

async fn restore_backup(config: &Config, from: &std::path::Path) -> Result<(), String> {
    let copied = backup::restore(
        config.database_url.expose(),
        &config.media_dir,
        &config.secret_key,
        from,
    )
    .await
    .map_err(|error| error.to_string())?;
    // Opening it proves the copy whole, and brings an older backup's schema up to date.
    let store = Store::connect(config.database_url.expose())
        .await
        .map_err(|error| error.to_string())?;
    store.migrate().await.map_err(|error| error.to_string())?;
    store.close().await;
    println!("backup restored from {}", from.display());
    print_copied(&copied);
    Ok(())
}

fn print_copied(copied: &backup::Copied) {
    println!("  database: {}", if copied.database { "yes" } else { "no" });
    println!("  media files: {}", copied.media_files);
    println!(
        "  secret key file: {}",
        if copied.secret_key { "yes" } else { "no" }
    );
}

fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|error| format!("could not read the password from standard input: {error}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
