//! The `switchboard` command line, run as a real process.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn switchboard(database_url: &str, args: &[&str], stdin: &str) -> Output {
    switchboard_with(&[("DATABASE_URL", database_url.to_string())], args, stdin)
}

fn switchboard_with(env: &[(&str, String)], args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(args)
        .envs(env.iter().map(|(name, value)| (name, value)))
        .env("SWITCHBOARD_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the switchboard binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

#[tokio::test]
async fn people_and_tokens_are_created_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cli.db", dir.path().display());

    let help = switchboard(&url, &["--help"], "");
    let help = stdout(&help);
    for command in ["serve", "migrate", "user", "token", "demo"] {
        assert!(help.contains(command), "{help}");
    }
    assert!(switchboard(&url, &["migrate"], "").status.success());

    let weak = switchboard(
        &url,
        &[
            "user",
            "add",
            "--email",
            "ana@example.org",
            "--name",
            "Ana",
            "--role",
            "admin",
        ],
        "password\n",
    );
    assert!(!weak.status.success(), "a common password is refused");
    assert!(String::from_utf8_lossy(&weak.stderr).contains("too common"));

    let added = switchboard(
        &url,
        &[
            "user",
            "add",
            "--email",
            "ana@example.org",
            "--name",
            "Ana",
            "--role",
            "admin",
        ],
        "violet canal whisper fig\n",
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(stdout(&added).contains("ana@example.org"));

    let token = switchboard(&url, &["token", "create", "--email", "ana@example.org"], "");
    assert!(token.status.success());
    let secret = stdout(&token).lines().last().unwrap().to_string();
    assert!(secret.starts_with("sb_"), "{secret}");

    let store = server::store::Store::connect(&url).await.unwrap();
    let user = store
        .user_by_token_hash(&server::auth::tokens::hash_token(&secret))
        .await
        .unwrap()
        .expect("the printed token authenticates its owner");
    assert_eq!(user.email, "ana@example.org");

    let unknown = switchboard(
        &url,
        &["token", "create", "--email", "nobody@example.org"],
        "",
    );
    assert!(!unknown.status.success());

    // The demo's pictures and voice note are kept with the test, not in the working directory.
    let demo_env = [
        ("DATABASE_URL", url.clone()),
        (
            "SWITCHBOARD_MEDIA_DIR",
            dir.path().join("media").display().to_string(),
        ),
    ];
    let demo = switchboard_with(&demo_env, &["demo"], "");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let again = switchboard_with(&demo_env, &["demo"], "");
    assert!(
        stdout(&again).contains(
            "(0 people, channels, tags, canned responses, templates and conversations added)"
        ),
        "demo data loads once"
    );
}

#[tokio::test]
async fn retention_dry_run_prints_what_a_run_deletes_and_deletes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cli.db", dir.path().display());
    assert!(switchboard(&url, &["migrate"], "").status.success());
    let store = server::store::Store::connect(&url).await.unwrap();
    let long_ago = server::store::now_ms() - 800 * 24 * 60 * 60 * 1000;
    for action in ["first_old_step", "second_old_step"] {
        store
            .audit(None, action, "contact:1", serde_json::json!({}))
            .await
            .unwrap();
    }
    store
        .audit(None, "recent_step", "contact:1", serde_json::json!({}))
        .await
        .unwrap();
    // Aged by hand: the audit log is the one kind a fresh database can hold old rows of.
    sqlx::query("UPDATE audit_log SET created_at = $1 WHERE action LIKE '%old_step'")
        .bind(long_ago)
        .execute(&sqlx::AnyPool::connect(&url).await.unwrap())
        .await
        .unwrap();
    let report = |deleted: &str, audit: i64| {
        format!(
            "retention {deleted}:\n  0 conversations\n  0 messages\n  0 notes\n  0 media files\n  \
             0 contacts\n  0 raw webhook deliveries\n  {audit} audit log entries\n"
        )
    };

    let dry = switchboard(&url, &["retention", "run", "--dry-run"], "");
    assert!(dry.status.success(), "{dry:?}");
    assert_eq!(stdout(&dry), report("would delete", 2));
    let dry_again = switchboard(&url, &["retention", "run", "--dry-run"], "");
    assert_eq!(
        stdout(&dry_again),
        report("would delete", 2),
        "a dry run deletes nothing"
    );

    let run = switchboard(&url, &["retention", "run"], "");
    assert!(run.status.success(), "{run:?}");
    assert_eq!(stdout(&run), report("deleted", 2));
    assert_eq!(
        stdout(&switchboard(&url, &["retention", "run", "--dry-run"], "")),
        report("would delete", 0)
    );
    store.close().await;
}

/// A data directory as a small installation has it: the database, its key beside it, media.
fn data_directory(dir: &std::path::Path) -> Vec<(&'static str, String)> {
    vec![
        (
            "DATABASE_URL",
            format!("sqlite://{}/switchboard.db", dir.display()),
        ),
        (
            "SWITCHBOARD_MEDIA_DIR",
            dir.join("media").display().to_string(),
        ),
    ]
}

#[tokio::test]
async fn a_backup_is_written_and_restored_from_the_command_line() {
    let scratch = tempfile::tempdir().unwrap();
    let (live, empty) = (scratch.path().join("live"), scratch.path().join("empty"));
    let archive = scratch.path().join("backup.zip");
    let archive_arg = archive.display().to_string();
    let added = switchboard_with(
        &data_directory(&live),
        &[
            "user",
            "add",
            "--email",
            "ana@example.org",
            "--name",
            "Ana",
            "--role",
            "admin",
        ],
        "quiet-harbour-lantern-81\n",
    );
    assert!(added.status.success(), "{added:?}");
    // Named by its content's SHA-256, as the media store names files.
    let content = b"a voice note";
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(content))
    };
    let kept = live.join("media").join(&hash[..2]).join(&hash);
    std::fs::create_dir_all(kept.parent().unwrap()).unwrap();
    std::fs::write(&kept, content).unwrap();

    let written = switchboard_with(
        &data_directory(&live),
        &["backup", "--to", &archive_arg],
        "",
    );
    assert!(written.status.success(), "{written:?}");
    assert_eq!(
        stdout(&written),
        format!(
            "backup written to {archive_arg}\n  database: yes\n  media files: 1\n  secret key file: yes\n"
        )
    );

    let restored = switchboard_with(
        &data_directory(&empty),
        &["restore", "--from", &archive_arg],
        "",
    );
    assert!(restored.status.success(), "{restored:?}");
    assert!(stdout(&restored).starts_with(&format!(
        "backup restored from {archive_arg}\n  database: yes\n  media files: 1\n"
    )));
    assert_eq!(
        std::fs::read(empty.join("media").join(&hash[..2]).join(&hash)).unwrap(),
        content
    );
    assert_eq!(
        std::fs::read(empty.join("secret.key")).unwrap(),
        std::fs::read(live.join("secret.key")).unwrap()
    );
    let token = switchboard_with(
        &data_directory(&empty),
        &["token", "create", "--email", "ana@example.org"],
        "",
    );
    assert!(
        token.status.success(),
        "the restored database knows Ana: {token:?}"
    );

    let again = switchboard_with(
        &data_directory(&empty),
        &["restore", "--from", &archive_arg],
        "",
    );
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr)
            .contains("restore works into an empty data directory"),
        "{again:?}"
    );
}
