//! Every language says everything English says, with the same values and markup in each
//! sentence, and the translated views hold no English sentence of their own.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn locales() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("locales")
}

/// Each sentence's key ("nav.inbox"), without a plural ending, and what it must carry into
/// every language: its `{{ values }}` and `<tags>`.
fn sentences(value: &Value, prefix: &str, out: &mut BTreeMap<String, BTreeSet<String>>) {
    match value {
        Value::Object(fields) => {
            for (name, inner) in fields {
                let key = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                sentences(inner, &key, out);
            }
        }
        Value::String(text) => {
            let key = without_plural_ending(prefix);
            out.entry(key).or_default().extend(placeholders(text));
        }
        other => panic!("{prefix}: a translation is text, not {other}"),
    }
}

fn without_plural_ending(key: &str) -> String {
    for ending in ["_zero", "_one", "_two", "_few", "_many", "_other"] {
        if let Some(stem) = key.strip_suffix(ending) {
            return stem.to_owned();
        }
    }
    key.to_owned()
}

/// `{{ name }}` values and `<tag>`s in a sentence.
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let end = rest[start..].find("}}").expect("a closed {{ value }}") + start;
        found.insert(format!("{{{{{}}}}}", rest[start + 2..end].trim()));
        rest = &rest[end + 2..];
    }
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("a closed <tag>") + start;
        found.insert(rest[start..=end].to_owned());
        rest = &rest[end + 1..];
    }
    found
}

fn read_language(folder: &Path) -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mut areas = BTreeMap::new();
    for file in fs::read_dir(folder).unwrap() {
        let path = file.unwrap().path();
        let area = path.file_stem().unwrap().to_string_lossy().into_owned();
        let json: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let mut keys = BTreeMap::new();
        sentences(&json, "", &mut keys);
        areas.insert(area, keys);
    }
    areas
}

#[test]
fn every_language_has_every_sentence_with_the_same_values() {
    let english = read_language(&locales().join("en"));
    assert!(english.contains_key("common"));
    let mut languages = 0;
    for folder in fs::read_dir(locales()).unwrap() {
        let folder = folder.unwrap().path();
        let language = folder.file_name().unwrap().to_string_lossy().into_owned();
        let translated = read_language(&folder);
        assert_eq!(
            translated.keys().collect::<Vec<_>>(),
            english.keys().collect::<Vec<_>>(),
            "{language}: the same files as English"
        );
        for (area, sentences) in &english {
            let theirs = &translated[area];
            let missing: Vec<_> = sentences
                .keys()
                .filter(|k| !theirs.contains_key(*k))
                .collect();
            let extra: Vec<_> = theirs
                .keys()
                .filter(|k| !sentences.contains_key(*k))
                .collect();
            assert!(
                missing.is_empty(),
                "{language}/{area}.json lacks {missing:?}"
            );
            assert!(
                extra.is_empty(),
                "{language}/{area}.json has unknown {extra:?}"
            );
            for (key, needed) in sentences {
                assert_eq!(&theirs[key], needed, "{language}/{area}.json {key}");
            }
        }
        languages += 1;
    }
    assert_eq!(
        languages, 5,
        "English, Spanish, French, Portuguese and Arabic"
    );
}

/// Attributes whose values are code, never read by a person.
const CODE_ATTRIBUTES: &[&str] = &[
    "class=",
    "id=",
    "name=",
    "type=",
    "role=",
    "autocomplete=",
    "inputmode=",
    "href=",
    "src=",
    "method=",
    "action=",
    "value=",
    "rel=",
    "for=",
    "lang=",
    "dir=",
    "accept=",
    "enctype=",
];

/// Text a person would read, written in a view instead of taken from the translation files: a
/// literal starting with a capital and a small letter ("Inbox"), or two words in a row
/// ("just now", "{minutes} min ago"). Values of code attributes (classes, ids, input types),
/// comments and unit tests (a `#[cfg(test)]` module, whose fixtures and expected English are
/// not shown to anyone) are not read.
fn english_literals(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut after_test_attribute = false;
    // The indentation of the test module being skipped, until its closing brace.
    let mut test_module: Option<usize> = None;
    for line in source.lines() {
        let code = line.trim_start();
        let indentation = line.len() - code.len();
        if let Some(depth) = test_module {
            if indentation == depth && code.starts_with('}') {
                test_module = None;
            }
            continue;
        }
        if after_test_attribute && code.starts_with("mod ") && code.ends_with('{') {
            test_module = Some(indentation);
            after_test_attribute = false;
            continue;
        }
        if code.starts_with("#[") {
            after_test_attribute = code == "#[cfg(test)]" || code.starts_with("#[cfg(all(test,");
            continue;
        }
        after_test_attribute = false;
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(start) = rest.find('"') {
            let before = rest[..start].trim_end();
            let Some(length) = rest[start + 1..].find('"') else {
                break;
            };
            let literal = &rest[start + 1..start + 1 + length];
            rest = &rest[start + 2 + length..];
            let code_value = CODE_ATTRIBUTES
                .iter()
                .any(|attribute| before.ends_with(attribute))
                || before.ends_with("data-kind=");
            if !code_value && reads_as_english(literal) {
                found.push(literal.to_owned());
            }
        }
    }
    found
}

fn reads_as_english(literal: &str) -> bool {
    let mut letters = literal.chars();
    let capitalised = matches!(
        (letters.next(), letters.next()),
        (Some(first), Some(second)) if first.is_ascii_uppercase() && second.is_ascii_lowercase()
    );
    let words = literal
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|run| {
            run.iter()
                .all(|word| word.chars().all(|c| c.is_ascii_alphabetic()))
        });
    (capitalised || words) && literal != "Switchboard"
}

fn views(folder: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            views(&path, root, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let name = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.push((name, fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn translated_views_hold_no_english_sentences() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    views(&root.join("pages"), &root, &mut files);
    views(&root.join("components"), &root, &mut files);
    assert!(files.len() > 40);
    let problems: Vec<String> = files
        .into_iter()
        .filter_map(|(name, source)| {
            let english = english_literals(&source);
            (!english.is_empty()).then(|| format!("{name} holds English text: {english:?}"))
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_finds_english_and_passes_code() {
    assert!(reads_as_english("Sign in"));
    assert!(reads_as_english("and try again"));
    assert!(reads_as_english("{minutes} min ago"));
    assert_eq!(
        english_literals(r#"<p class="card login">"#),
        Vec::<String>::new()
    );
    assert_eq!(
        english_literals(r#"<p title="Not here">"#),
        vec!["Not here"]
    );
    let with_tests = "fn page() {}\n#[cfg(test)]\nmod tests {\n    const NAME: &str = \"Tess Take\";\n}\nconst SHOWN: &str = \"Shown here\";\n";
    assert_eq!(english_literals(with_tests), vec!["Shown here"]);
    assert!(!reads_as_english("notice notice-error"));
    assert!(!reads_as_english("one-time-code"));
    assert!(!reads_as_english("/api/v1/me"));
}
