//! String normalisation of GAPS.md §1: Unicode NFKD, drop combining marks,
//! lower-case, keep only the letters `a`–`z`.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// `"K'iche'"` → `"kiche"`, `"Domicilio Conocido"` → `"domicilioconocido"`.
pub(crate) fn normalize(text: &str) -> String {
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(char::is_ascii_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn gaps_examples() {
        assert_eq!(normalize("K'iche'"), "kiche");
        assert_eq!(normalize("Domicilio Conocido"), "domicilioconocido");
        assert_eq!(normalize("Ciudad Juárez"), "ciudadjuarez");
        assert_eq!(normalize("ESPAÑOL"), "espanol");
        assert_eq!(normalize("Q'eqchi'"), "qeqchi");
        assert_eq!(normalize("  "), "");
    }
}
