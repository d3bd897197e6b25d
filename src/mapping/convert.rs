//! The built-in converters: country names and codes to ISO 3166-1 alpha-2,
//! language names and codes to ISO 639. The data comes from `celes` (ISO
//! 3166) and `isolang` (ISO 639-1/639-3, English names and autonyms); the
//! few spellings those lack that intake forms use for this population are
//! listed here, each an alternative name of a code the crates hold.

use std::collections::HashMap;

use celes::LookupTable as _;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// A built-in converter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Converter {
    /// To ISO 3166-1 alpha-2 (`HN`).
    Country,
    /// To ISO 639-1, or 639-3 where a language has no two-letter code.
    Language,
}

impl Converter {
    /// The converter of a mapping's `convert = "…"`.
    pub(crate) fn named(name: &str) -> Option<Converter> {
        match name {
            "country" => Some(Converter::Country),
            "language" => Some(Converter::Language),
            _ => None,
        }
    }

    /// The names `convert` accepts.
    pub(crate) const NAMES: [&'static str; 2] = ["country", "language"];

    /// What it converts, in words.
    pub(crate) fn what(self) -> &'static str {
        match self {
            Converter::Country => "country",
            Converter::Language => "language",
        }
    }

    /// The code of `text`, if the converter knows it.
    pub(crate) fn convert(self, text: &str) -> Option<&'static str> {
        let key = fold(text);
        match self {
            Converter::Country => countries().get(key.as_str()).copied(),
            Converter::Language => languages().get(key.as_str()).copied(),
        }
    }
}

/// The form names are compared in: without accents, case, spaces or
/// punctuation (`Côte d'Ivoire` → `cotedivoire`, `K'iche'` → `kiche`).
pub(crate) fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Country spellings celes lacks (alternative English names).
const COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("United States", "US"),
    ("USA", "US"),
    ("Ivory Coast", "CI"),
    ("Cape Verde", "CV"),
    ("Burma", "MM"),
    ("Swaziland", "SZ"),
    ("Czech Republic", "CZ"),
    ("East Timor", "TL"),
    ("Macedonia", "MK"),
    ("North Korea", "KP"),
    ("South Korea", "KR"),
    ("Laos", "LA"),
    ("Vatican", "VA"),
    ("Palestine", "PS"),
    ("Congo, Democratic Republic", "CD"),
    ("Democratic Republic of the Congo", "CD"),
    ("Republic of the Congo", "CG"),
];

fn countries() -> &'static HashMap<String, &'static str> {
    static INDEX: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        for country in celes::Country::get_countries() {
            let names = [
                country.alpha2,
                country.alpha3,
                country.code,
                country.long_name,
            ];
            for name in names.into_iter().chain(country.aliases.iter().copied()) {
                index.entry(fold(name)).or_insert(country.alpha2);
            }
            // Numeric codes are also written without their leading zeros.
            index
                .entry(country.value.to_string())
                .or_insert(country.alpha2);
        }
        for (name, code) in COUNTRY_ALIASES {
            index.entry(fold(name)).or_insert(code);
        }
        index
    })
}

/// Language spellings isolang lacks: alternative names (ISO 639-3's own
/// "other names") of languages spoken by people arriving at the southern
/// border.
const LANGUAGE_ALIASES: &[(&str, &str)] = &[
    ("Haitian Creole", "ht"),
    ("Kreyol", "ht"),
    ("Kreyol ayisyen", "ht"),
    ("Creole", "ht"),
    ("Castilian", "es"),
    ("Espanol", "es"),
    ("Kiche", "quc"),
    ("Quiche", "quc"),
    ("Qeqchi", "kek"),
    ("Kekchi", "kek"),
    ("Qanjobal", "kjb"),
    ("Kanjobal", "kjb"),
    ("Akateko", "knj"),
    ("Awakateko", "agu"),
    ("Chuj", "cac"),
    ("Ixil", "ixl"),
    ("Kaqchikel", "cak"),
    ("Cakchiquel", "cak"),
    ("Tzotzil", "tzo"),
    ("Tzeltal", "tzh"),
    ("Garifuna", "cab"),
    ("Miskito", "miq"),
    ("Nahuatl", "nah"),
];

fn languages() -> &'static HashMap<String, &'static str> {
    static INDEX: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        // Codes first, then names, then autonyms: a name never hides a code.
        let all: Vec<isolang::Language> = isolang::languages().collect();
        let code = |l: &isolang::Language| l.to_639_1().unwrap_or(l.to_639_3());
        for language in &all {
            index.insert(language.to_639_3().to_string(), code(language));
        }
        for language in &all {
            if let Some(two) = language.to_639_1() {
                index.insert(two.to_string(), two);
            }
        }
        // A name several languages share goes to one with a two-letter
        // code, if any (the widely spoken one).
        let mut ordered: Vec<&isolang::Language> = all.iter().collect();
        ordered.sort_by_key(|l| l.to_639_1().is_none());
        for language in &ordered {
            index
                .entry(fold(language.to_name()))
                .or_insert(code(language));
        }
        for language in &ordered {
            if let Some(autonym) = language.to_autonym() {
                index.entry(fold(autonym)).or_insert(code(language));
            }
        }
        for (name, code) in LANGUAGE_ALIASES {
            index.entry(fold(name)).or_insert(code);
        }
        index
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_country_gives_one_code() {
        for spelling in ["HN", "hn", "HND", "340", "Honduras", " honduras "] {
            assert_eq!(
                Converter::Country.convert(spelling),
                Some("HN"),
                "{spelling}"
            );
        }
        for (spelling, code) in [
            ("El Salvador", "SV"),
            ("SLV", "SV"),
            ("222", "SV"),
            ("Venezuela", "VE"),
            ("Guatemala", "GT"),
            ("Mexico", "MX"),
            ("México", "MX"),
            ("Cuba", "CU"),
            ("Brazil", "BR"),
            ("Nicaragua", "NI"),
            ("Ecuador", "EC"),
            ("Colombia", "CO"),
            ("Haiti", "HT"),
            ("Côte d'Ivoire", "CI"),
            ("Ivory Coast", "CI"),
            ("United States", "US"),
            ("32", "AR"),
        ] {
            assert_eq!(
                Converter::Country.convert(spelling),
                Some(code),
                "{spelling}"
            );
        }
        assert_eq!(Converter::Country.convert("Atlantis"), None);
        assert_eq!(Converter::Country.convert(""), None);
    }

    #[test]
    fn every_spelling_of_a_language_gives_one_code() {
        for spelling in [
            "Haitian",
            "Haitian Creole",
            "hat",
            "ht",
            "HT",
            "Kreyòl ayisyen",
        ] {
            assert_eq!(
                Converter::Language.convert(spelling),
                Some("ht"),
                "{spelling}"
            );
        }
        for (spelling, code) in [
            ("Spanish", "es"),
            ("spa", "es"),
            ("Español", "es"),
            ("Portuguese", "pt"),
            ("português", "pt"),
            ("Mam", "mam"),
            ("K'iche'", "quc"),
            ("Kiche", "quc"),
            ("Q'eqchi'", "kek"),
            ("Kekchí", "kek"),
            ("English", "en"),
            ("French", "fr"),
        ] {
            assert_eq!(
                Converter::Language.convert(spelling),
                Some(code),
                "{spelling}"
            );
        }
        assert_eq!(Converter::Language.convert("Klingonese"), None);
    }
}
