//! The report's charts: horizontal bar charts drawn by `plotters` into an
//! SVG string (its SVG backend only). A chart holds no text from the
//! records or the rule set: only bars and their counts. The labels are in
//! the table beside it (escaped by the HTML sink's one rule), one row per
//! bar, rows as tall as the bars, so that they line up.

use plotters::backend::SVGBackend;
use plotters::drawing::IntoDrawingArea;
use plotters::element::{Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, IntoFont, RGBColor, TextStyle, WHITE};

/// The height of one bar's row, in pixels (the table's rows use it too).
pub(crate) const ROW: u32 = 24;

/// The chart's width, in pixels.
const WIDTH: u32 = 420;

/// The room kept right of the longest bar for its count.
const COUNT_ROOM: u32 = 70;

/// One bar.
pub(crate) struct Bar {
    /// How many.
    pub count: u64,
    /// Its colour (red, green, blue).
    pub colour: (u8, u8, u8),
}

/// The colour of a severity (in `Severity::ALL` order), and of bars with
/// none.
pub(crate) const SEVERITY_COLOURS: [(u8, u8, u8); 4] =
    [(153, 27, 27), (194, 65, 12), (161, 98, 7), (71, 85, 105)];

/// The colour of bars that are not by severity.
pub(crate) const PLAIN: (u8, u8, u8) = (30, 64, 175);

/// The bars as an SVG document, top to bottom, each as long as its count
/// relative to the largest. `None` when plotters fails (it does not when
/// drawing into a string).
pub(crate) fn bars(bars: &[Bar]) -> Option<String> {
    let height = ROW * (bars.len() as u32).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let max = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1);
        let room = f64::from(WIDTH - COUNT_ROOM);
        let style =
            TextStyle::from(("sans-serif", 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        for (i, bar) in bars.iter().enumerate() {
            let top = (i as u32 * ROW + 4) as i32;
            let bottom = ((i as u32 + 1) * ROW - 4) as i32;
            // Proportional, and at least a pixel for any count above zero.
            let length = (bar.count as f64 / max as f64 * room).round() as i32;
            let length = if bar.count > 0 { length.max(1) } else { 0 };
            let (r, g, b) = bar.colour;
            root.draw(&Rectangle::new(
                [(0, top), (length, bottom)],
                RGBColor(r, g, b).filled(),
            ))
            .ok()?;
            root.draw(&Text::new(
                bar.count.to_string(),
                (length + 6, (top + bottom) / 2),
                style.clone(),
            ))
            .ok()?;
        }
        root.present().ok()?;
    }
    // Inline SVG in HTML needs no namespace; without it the report holds
    // no address at all.
    Some(svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_rectangles_proportional_to_their_counts() {
        let svg = bars(&[
            Bar {
                count: 10,
                colour: PLAIN,
            },
            Bar {
                count: 5,
                colour: PLAIN,
            },
        ])
        .unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(!svg.contains("http"), "{svg}");
        let widths: Vec<&str> = svg
            .split("<rect")
            .skip(1)
            .filter_map(|r| r.split("width=\"").nth(1)?.split('"').next())
            .collect();
        // The background, then the bars.
        assert_eq!(widths, [WIDTH.to_string().as_str(), "350", "175"]);
    }
}
