//! The interface's language: which one a page is shown in, and the languages on offer. The
//! words themselves live in `app/locales/<language>/<area>.json`, compiled into [`crate::i18n`].

use leptos::prelude::*;

pub use crate::i18n::Locale;
use crate::i18n::{I18nContextProvider, I18nLocaleTrait};

/// The language the server chose for a page request (the person's own choice, else the
/// browser's, else the organisation's), put into the request's extensions before rendering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageLanguage(pub Locale);

/// Every language the interface is translated into, in the order the pickers list them.
pub fn all() -> &'static [Locale] {
    Locale::get_all()
}

/// A language's code ("es"), as stored and as `lang` attributes take it.
pub fn code(language: Locale) -> &'static str {
    language.as_str()
}

/// A language by its code ("es"), as stored and as the API takes it.
pub fn parse(code: &str) -> Option<Locale> {
    code.trim().parse().ok()
}

/// Each language by its own name, so a person finds theirs whatever the page is shown in.
pub fn own_name(language: Locale) -> &'static str {
    match language {
        Locale::en => "English",
        Locale::es => "Español",
        Locale::fr => "Français",
        Locale::pt => "Português",
        Locale::ar => "العربية",
    }
}

/// The language tags a browser asks for in an `Accept-Language` header (`fr-CH, fr;q=0.9,
/// en;q=0.8`), heaviest first, equals in their order; `*`, tags weighted 0 and unreadable
/// weights name none.
pub fn accepted_tags(header: &str) -> Vec<&str> {
    let mut asked: Vec<(f32, usize, &str)> = header
        .split(',')
        .enumerate()
        .filter_map(|(order, part)| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let weight = pieces
                .find_map(|parameter| parameter.trim().strip_prefix("q="))
                .map_or(Some(1.0), |value| value.trim().parse::<f32>().ok())?;
            (!tag.is_empty() && tag != "*" && weight > 0.0).then_some((weight, order, tag))
        })
        .collect();
    asked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    asked.into_iter().map(|(_, _, tag)| tag).collect()
}

/// The first language the browser asks for that the interface has; a regional tag ("pt-BR")
/// matches its language.
pub fn from_accept_language(header: &str) -> Option<Locale> {
    accepted_tags(header).into_iter().find_map(|tag| {
        let language = tag.split(['-', '_']).next().unwrap_or(tag);
        parse(&language.to_ascii_lowercase())
    })
}

/// The page's language: the person's own choice, else what their browser asks for, else the
/// organisation's default, else English.
pub fn choose(saved: Option<&str>, accept_language: Option<&str>, default: Option<&str>) -> Locale {
    saved
        .and_then(parse)
        .or_else(|| accept_language.and_then(from_accept_language))
        .or_else(|| default.and_then(parse))
        .unwrap_or_default()
}

/// Gives the pages below it their words, in the language the server chose for this request;
/// the browser reads it back from `<html lang>`, so hydration shows the same words. It also
/// writes `lang` and `dir` (right-to-left in Arabic) on `<html>`.
#[component]
pub fn LanguageProvider(children: Children) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let options = {
        let chosen = use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<PageLanguage>().copied())
            .map_or_else(Locale::default, |PageLanguage(language)| language);
        leptos_i18n::context::UseLocalesOptions::default()
            .ssr_lang_header_getter(move || Some(chosen.as_str().to_string()))
    };
    #[cfg(not(feature = "ssr"))]
    let options = leptos_i18n::context::UseLocalesOptions::default();
    // No cookie: the saved choice lives with the person, and a page is rendered in it.
    view! {
        <I18nContextProvider enable_cookie=false ssr_lang_header_getter=options>
            {children()}
        </I18nContextProvider>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_s_weights_pick_among_the_languages_on_offer() {
        assert_eq!(
            from_accept_language("fr-CA,fr;q=0.9,en;q=0.8"),
            Some(Locale::fr)
        );
        assert_eq!(
            from_accept_language("de-DE,de;q=0.9,pt-BR;q=0.5,en;q=0.4"),
            Some(Locale::pt)
        );
        assert_eq!(from_accept_language("en;q=0.2, ar"), Some(Locale::ar));
        assert_eq!(from_accept_language("ES"), Some(Locale::es));
        assert_eq!(from_accept_language("de, *;q=0.1"), None);
        assert_eq!(from_accept_language("es;q=0"), None);
        assert_eq!(from_accept_language("es;q=x, fr"), Some(Locale::fr));
        assert_eq!(from_accept_language(""), None);
    }

    #[test]
    fn tags_are_read_heaviest_first_and_equals_in_order() {
        assert_eq!(
            accepted_tags("de;q=0.5, fr-CH, *;q=0.9, en;q=0.8, it"),
            ["fr-CH", "it", "en", "de"]
        );
        assert!(accepted_tags("es;q=0, *, ;q=1").is_empty());
    }

    #[test]
    fn a_saved_choice_wins_then_the_browser_then_the_organisation() {
        assert_eq!(choose(Some("ar"), Some("es"), Some("fr")), Locale::ar);
        assert_eq!(choose(None, Some("es"), Some("fr")), Locale::es);
        assert_eq!(choose(None, Some("de"), Some("fr")), Locale::fr);
        assert_eq!(choose(Some("xx"), None, None), Locale::en);
    }
}
