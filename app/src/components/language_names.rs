//! Languages by their names in the interface's language: the translation menus, the
//! "Translated from …" labels and the language badge of a conversation. The names live in the
//! `languages` translation files, one per ISO 639-1 code of [`LANGUAGES`](crate::model::LANGUAGES).

use crate::i18n::{t_string, use_i18n};
use crate::model::LANGUAGES;

/// A language's name for people, in the interface's language ("Spanish", "espagnol"), or its
/// code in capitals when it is not one of the languages Switchboard names.
pub fn language_label(code: &str) -> String {
    let i18n = use_i18n();
    let name = match code.to_ascii_lowercase().as_str() {
        "ar" => t_string!(i18n, languages.ar),
        "az" => t_string!(i18n, languages.az),
        "bg" => t_string!(i18n, languages.bg),
        "bn" => t_string!(i18n, languages.bn),
        "ca" => t_string!(i18n, languages.ca),
        "cs" => t_string!(i18n, languages.cs),
        "da" => t_string!(i18n, languages.da),
        "de" => t_string!(i18n, languages.de),
        "el" => t_string!(i18n, languages.el),
        "en" => t_string!(i18n, languages.en),
        "eo" => t_string!(i18n, languages.eo),
        "es" => t_string!(i18n, languages.es),
        "et" => t_string!(i18n, languages.et),
        "fa" => t_string!(i18n, languages.fa),
        "fi" => t_string!(i18n, languages.fi),
        "fr" => t_string!(i18n, languages.fr),
        "ga" => t_string!(i18n, languages.ga),
        "he" => t_string!(i18n, languages.he),
        "hi" => t_string!(i18n, languages.hi),
        "hu" => t_string!(i18n, languages.hu),
        "id" => t_string!(i18n, languages.id),
        "it" => t_string!(i18n, languages.it),
        "ja" => t_string!(i18n, languages.ja),
        "ko" => t_string!(i18n, languages.ko),
        "lt" => t_string!(i18n, languages.lt),
        "lv" => t_string!(i18n, languages.lv),
        "ms" => t_string!(i18n, languages.ms),
        "nb" => t_string!(i18n, languages.nb),
        "nl" => t_string!(i18n, languages.nl),
        "pl" => t_string!(i18n, languages.pl),
        "ps" => t_string!(i18n, languages.ps),
        "pt" => t_string!(i18n, languages.pt),
        "ro" => t_string!(i18n, languages.ro),
        "ru" => t_string!(i18n, languages.ru),
        "sk" => t_string!(i18n, languages.sk),
        "sl" => t_string!(i18n, languages.sl),
        "so" => t_string!(i18n, languages.so),
        "sq" => t_string!(i18n, languages.sq),
        "sv" => t_string!(i18n, languages.sv),
        "sw" => t_string!(i18n, languages.sw),
        "th" => t_string!(i18n, languages.th),
        "ti" => t_string!(i18n, languages.ti),
        "tl" => t_string!(i18n, languages.tl),
        "tr" => t_string!(i18n, languages.tr),
        "uk" => t_string!(i18n, languages.uk),
        "ur" => t_string!(i18n, languages.ur),
        "vi" => t_string!(i18n, languages.vi),
        "zh" => t_string!(i18n, languages.zh),
        _ => return code.to_ascii_uppercase(),
    };
    name.to_owned()
}

/// The codes of every language the translation menus offer, in the alphabetical order of their
/// names in the interface's language.
pub fn languages_by_name() -> Vec<(&'static str, String)> {
    let mut named: Vec<(&'static str, String)> = LANGUAGES
        .iter()
        .map(|(code, _)| (*code, language_label(code)))
        .collect();
    named.sort_by_cached_key(|(_, name)| sort_key(name));
    named
}

/// A name as a dictionary orders it: without case or the accents of Latin letters.
fn sort_key(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|letter| match letter {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::sort_key;

    #[test]
    fn accents_sort_with_their_letter() {
        assert!(sort_key("Árabe") < sort_key("búlgaro"));
        assert!(sort_key("esloveno") < sort_key("estonio"));
        assert_eq!(sort_key("Español"), "espanol");
    }
}
