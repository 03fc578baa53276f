//! The `switchboard` command line, run as a real process.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn switchboard(database_url: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(args)
        .env("DATABASE_URL", database_url)
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

    let demo = switchboard(&url, &["demo"], "");
    assert!(demo.status.success());
    let again = switchboard(&url, &["demo"], "");
    assert!(
        stdout(&again).contains("(0 people, channels, tags, canned responses and templates added)"),
        "demo data loads once"
    );
}
