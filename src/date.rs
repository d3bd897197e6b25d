//! Calendar dates as whole days, with ISO `YYYY-MM-DD` text. (Durations are
//! plain numbers of days: `Value::Duration`.)
//!
//! Dates are stored as days since 1970-01-01 so that comparison and
//! arithmetic are integer operations; no time zone is ever involved.

use std::fmt;

/// A calendar date (proleptic Gregorian), as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Date(pub i32);

impl Date {
    /// The date of a year, month (1–12) and day (1–31), if it exists.
    pub(crate) fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    /// Parses exactly `YYYY-MM-DD`.
    pub(crate) fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = text.get(range)?;
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let year = digits(0..4)?;
        Date::from_ymd(year as i32, digits(5..7)?, digits(8..10)?)
    }

    /// The year, month and day of this date.
    pub(crate) fn ymd(self) -> (i32, u32, u32) {
        // Howard Hinnant's civil_from_days.
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i32::from(month <= 2);
        (year, month, day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl Date {
    /// The date as `Display` writes it (`YYYY-MM-DD`) when its year is 0 to
    /// 9999, without the formatting machinery (explanations and facts
    /// write many dates).
    pub(crate) fn iso_bytes(self) -> Option<[u8; 10]> {
        let (year, month, day) = self.ymd();
        let year = u32::try_from(year).ok().filter(|y| *y <= 9999)?;
        let digit = |n: u32| b'0' + (n % 10) as u8;
        Some([
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(month / 10),
            digit(month),
            b'-',
            digit(day / 10),
            digit(day),
        ])
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The fast text of a date is its `Display` text, wherever it has one.
        #[test]
        fn iso_bytes_are_the_display_text(days in -800_000i32..3_000_000) {
            let date = Date(days);
            let shown = date.to_string();
            match date.iso_bytes() {
                Some(bytes) => prop_assert_eq!(&bytes[..], shown.as_bytes()),
                None => prop_assert!(shown.starts_with('-') || shown.len() > 10, "{}", shown),
            }
        }
    }

    #[test]
    fn known_dates() {
        assert_eq!(Date::parse("1970-01-01"), Some(Date(0)));
        assert_eq!(
            Date::parse("2019-01-28").map(|d| d.to_string()).as_deref(),
            Some("2019-01-28")
        );
        assert_eq!(
            Date::parse("2020-02-29").map(|d| d.0 + 1),
            Date::parse("2020-03-01").map(|d| d.0)
        );
        assert_eq!(Date::parse("2019-02-29"), None);
        assert_eq!(Date::parse("2019-13-01"), None);
        assert_eq!(Date::parse("2019-1-01"), None);
        assert_eq!(Date::parse("+019-01-01"), None);
    }

    proptest! {
        #[test]
        fn text_round_trips(days in -1_000_000i32..1_000_000) {
            let date = Date(days);
            let (y, _, _) = date.ymd();
            prop_assume!((0..=9999).contains(&y));
            prop_assert_eq!(Date::parse(&date.to_string()), Some(date));
        }
    }
}
