//! String normalisation of GAPS.md §1: Unicode NFKD, drop combining marks,
//! lower-case, keep only the letters `a`–`z`.
//!
//! ASCII text (nearly every record value) takes a byte-wise path with the
//! same result: NFKD leaves ASCII as it is and it has no combining marks.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// `"K'iche'"` → `"kiche"`, `"Domicilio Conocido"` → `"domicilioconocido"`.
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// Appends the normal form of `text` to `out` (no allocation when `out` has
/// room).
pub(crate) fn normalize_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        out.extend(
            text.bytes()
                .filter(u8::is_ascii_alphabetic)
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
    } else {
        out.extend(reference(text));
    }
}

/// The definition, character by character, for any text.
fn reference(text: &str) -> impl Iterator<Item = char> + '_ {
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(char::is_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::{normalize, normalize_into, reference};
    use proptest::prelude::*;

    #[test]
    fn gaps_examples() {
        assert_eq!(normalize("K'iche'"), "kiche");
        assert_eq!(normalize("Domicilio Conocido"), "domicilioconocido");
        assert_eq!(normalize("Ciudad Juárez"), "ciudadjuarez");
        assert_eq!(normalize("ESPAÑOL"), "espanol");
        assert_eq!(normalize("Q'eqchi'"), "qeqchi");
        assert_eq!(normalize("  "), "");
        // Compatibility forms outside ASCII fold into it.
        assert_eq!(normalize("ＡＢＣ ﬁ"), "abcfi");
    }

    proptest! {
        /// The ASCII path gives what the definition gives, for any text,
        /// and appends without touching what `out` holds.
        #[test]
        fn fast_path_is_the_definition(
            text in prop_oneof![any::<String>(), "[ -~]{0,40}", "[a-zA-Zàéñ' .\u{301}\u{fb01}]{0,20}"],
            before in "[a-z]{0,3}",
        ) {
            let mut out = before.clone();
            normalize_into(&text, &mut out);
            let expected: String = before.chars().chain(reference(&text)).collect();
            prop_assert_eq!(out, expected);
        }
    }
}
