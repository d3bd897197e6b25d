//! A mapping's `date` format: strftime notation, checked once when the
//! mapping loads and kept as chrono's parsed items, so that reading a cell
//! does not parse the format again.

use chrono::format::{Item, Parsed, StrftimeItems};

use crate::date::Date;

/// A date format that reads a whole date (year, month and day).
#[derive(Clone, Debug)]
pub(crate) struct DateFormat {
    text: String,
    items: Vec<Item<'static>>,
}

impl DateFormat {
    /// The format `text`, if it reads a whole date: formatting a date with
    /// it and reading the text back gives the same date. Otherwise why not.
    pub(crate) fn new(text: &str) -> Result<DateFormat, String> {
        use std::fmt::Write as _;
        let items = StrftimeItems::new(text)
            .parse_to_owned()
            .map_err(|_| "it has a `%` code chrono does not know".to_string())?;
        let format = DateFormat {
            text: text.to_string(),
            items,
        };
        let Some(sample) =
            chrono::NaiveDate::from_ymd_opt(2019, 9, 15).and_then(|d| d.and_hms_opt(13, 45, 30))
        else {
            return Err("internal: no sample date".into());
        };
        let mut written = String::new();
        if write!(written, "{}", sample.format_with_items(format.items.iter())).is_err() {
            return Err("it cannot be written out".into());
        }
        match format.parse(&written) {
            Some(date) if Date::from_ymd(2019, 9, 15) == Some(date) => Ok(format),
            _ => Err("it does not give a year, a month and a day".into()),
        }
    }

    /// The format as the mapping wrote it.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// The date `text` gives under this format (all of `text` read).
    pub(crate) fn parse(&self, text: &str) -> Option<Date> {
        use chrono::Datelike;
        let mut parsed = Parsed::new();
        chrono::format::parse(&mut parsed, text, self.items.iter()).ok()?;
        let date = parsed.to_naive_date().ok()?;
        Date::from_ymd(date.year(), date.month(), date.day())
    }
}

/// The date `text` gives under the first format that reads it.
pub(crate) fn parse_date(formats: &[DateFormat], text: &str) -> Option<Date> {
    formats.iter().find_map(|f| f.parse(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_formats_must_read_a_whole_date() {
        for good in [
            "%m/%d/%Y",
            "%Y-%m-%d %H:%M:%S",
            "%d.%m.%Y",
            "%Y%m%d",
            "%b %d, %Y",
        ] {
            assert!(DateFormat::new(good).is_ok(), "{good}");
        }
        for bad in ["%m/%Y", "%Q", "%H:%M", "hello"] {
            assert!(DateFormat::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_first_format_that_reads_a_date_wins() {
        let formats = [
            DateFormat::new("%m/%d/%Y").unwrap(),
            DateFormat::new("%Y-%m-%d %H:%M:%S").unwrap(),
        ];
        assert_eq!(
            parse_date(&formats, "09/15/2019"),
            Date::from_ymd(2019, 9, 15)
        );
        assert_eq!(
            parse_date(&formats, "2019-09-15 00:00:00"),
            Date::from_ymd(2019, 9, 15)
        );
        assert_eq!(parse_date(&formats, "15/09/2019"), None);
    }

    #[test]
    fn parsed_items_read_what_chrono_reads_from_the_format_text() {
        let texts = [
            "09/15/2019",
            "9/5/2019",
            "2019-09-15",
            "02/30/2020",
            "12/31/1999 ",
            "",
            "13/01/2020",
        ];
        for format in ["%m/%d/%Y", "%Y-%m-%d", "%d.%m.%Y", "%b %d, %Y"] {
            let parsed = DateFormat::new(format).unwrap();
            for text in texts {
                let expected = chrono::NaiveDate::parse_from_str(text, format).ok();
                let got = parsed.parse(text);
                assert_eq!(
                    got.map(|d| d.0),
                    expected.and_then(|d| {
                        use chrono::Datelike;
                        Date::from_ymd(d.year(), d.month(), d.day()).map(|d| d.0)
                    }),
                    "{format} on {text:?}"
                );
            }
        }
    }
}
