//! "Did you mean …?" suggestions for misspelt names.

/// The candidate closest to `word`, if it is close enough to be a likely
/// misspelling. Of equally close candidates the alphabetically first wins,
/// so the answer does not depend on the order they come in (candidates often
/// come from a hash map).
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let score = strsim::jaro_winkler(word, candidate);
        if score >= 0.8 && best.is_none_or(|(s, c)| score > s || (score == s && candidate < c)) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equally_close_candidates_give_the_same_answer_in_any_order() {
        let names = ["age_b", "age_a", "age_c"];
        let forward = did_you_mean("age_x", names.iter().copied());
        let backward = did_you_mean("age_x", names.iter().rev().copied());
        assert_eq!(forward, Some("age_a"));
        assert_eq!(backward, Some("age_a"));
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["fear_of_mexico_expressed", "returned_to_mexico", "age"];
        assert_eq!(
            did_you_mean("fear_of_mexico_expresed", names.into_iter()),
            Some("fear_of_mexico_expressed")
        );
        assert_eq!(did_you_mean("zzz", names.into_iter()), None);
    }
}
