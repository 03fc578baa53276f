//! Compiles the translation files under `locales/` into the `i18n` module: typed keys, one
//! `Locale` per language. Adding a language is one folder of files and one name below
//! (CONTRIBUTING.md).

use std::error::Error;
use std::path::PathBuf;

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

/// The interface's languages; English is the reference every other file is checked against.
const LANGUAGES: [&str; 4] = ["es", "fr", "pt", "ar"];

/// One file per area of the interface in each language's folder.
const AREAS: [&str; 17] = [
    "common",
    "login",
    "account",
    "settings",
    "people",
    "audit",
    "setup",
    "channels",
    "templates",
    "events",
    "reports",
    "supervision",
    "search",
    "mentions",
    "thread",
    "inbox",
    "languages",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let module =
        PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    let config = Config::new("en")?
        .add_locales(LANGUAGES)?
        .add_namespaces(AREAS)?
        // Sentences with values in them can be written as text (titles, labels), not only views.
        .parse_options(ParseOptions::default().interpolate_display(true));
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(module)?;
    Ok(())
}
