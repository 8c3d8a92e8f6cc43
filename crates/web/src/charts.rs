//! Bar charts rendered on the server as inline SVG (no JavaScript): one labelled horizontal
//! bar per value, the label above its bar so long Japanese labels never overflow at 375 px.
//! The SVG scales with its container (`viewBox`, `width="100%"`), is `role="img"` with a
//! `<title>` and `<desc>` (the summary a screen reader reads), and the page puts the same
//! numbers in a table next to it. Colours are CSS classes on the Digital Agency tokens
//! (`renkei.css`: `.chart-bar`, `.chart-text`, `.chart-axis`).

/// One bar: its label, its value (≥ 0; negative values draw as 0) and the text shown at its end.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

/// The width of the drawing in SVG units.
pub const WIDTH: f64 = 400.0;
/// The space right of the longest bar kept for its value text.
const VALUE_ROOM: f64 = 112.0;
/// Each bar's row: the label line and the bar under it.
const ROW: f64 = 48.0;
const BAR_HEIGHT: f64 = 16.0;

/// Escapes text for SVG/XML content and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The length in SVG units of each bar: proportional to its value, `scale` (or, without one,
/// the largest value) filling the room there is; all zero when no value is above zero.
pub fn bar_lengths(bars: &[Bar], room: f64, scale: Option<f64>) -> Vec<f64> {
    let largest = bars
        .iter()
        .map(|b| b.value)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let max = scale
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(largest)
        .max(largest);
    bars.iter()
        .map(|b| {
            if max > 0.0 && b.value.is_finite() && b.value > 0.0 {
                b.value / max * room
            } else {
                0.0
            }
        })
        .collect()
}

/// A horizontal bar chart. `id` must be unique on the page (it names the title and
/// description); `title` names the chart, `summary` says what it shows in words, `empty` is
/// drawn when there are no bars; `scale` is the value a full-length bar stands for (100 % for a
/// share), else the largest value.
pub fn bar_chart(
    id: &str,
    title: &str,
    summary: &str,
    empty: &str,
    bars: &[Bar],
    scale: Option<f64>,
) -> String {
    let id = escape(id);
    let rows = bars.len().max(1) as f64;
    let height = (rows * ROW + 8.0).round();
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" \
         xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(summary)
    );
    if bars.is_empty() {
        svg.push_str(&format!(
            "<text class=\"chart-text\" x=\"0\" y=\"26\">{}</text>",
            escape(empty)
        ));
    }
    let room = WIDTH - VALUE_ROOM;
    for (i, (bar, len)) in bars.iter().zip(bar_lengths(bars, room, scale)).enumerate() {
        let top = i as f64 * ROW;
        let label_y = top + 17.0;
        let bar_y = top + 24.0;
        svg.push_str(&format!(
            "<text class=\"chart-text\" x=\"0\" y=\"{label_y}\">{}</text>\
             <rect class=\"chart-axis\" x=\"0\" y=\"{bar_y}\" width=\"1\" height=\"{BAR_HEIGHT}\"/>\
             <rect class=\"chart-bar\" x=\"0\" y=\"{bar_y}\" width=\"{:.1}\" height=\"{BAR_HEIGHT}\"/>\
             <text class=\"chart-text chart-value\" x=\"{:.1}\" y=\"{}\">{}</text>",
            escape(&bar.label),
            len,
            len + 6.0,
            bar_y + 13.0,
            escape(&bar.text),
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: f64) -> Bar {
        Bar {
            label: label.into(),
            value,
            text: format!("{value}"),
        }
    }

    fn widths(svg: &str) -> Vec<f64> {
        svg.split("class=\"chart-bar\"")
            .skip(1)
            .map(|rest| {
                let w = rest.split("width=\"").nth(1).unwrap_or("");
                w.split('"').next().unwrap_or("").parse().unwrap_or(-1.0)
            })
            .collect()
    }

    #[test]
    fn bars_are_proportional_to_their_values() {
        let bars = [bar("a", 1.0), bar("b", 2.0), bar("c", 4.0), bar("d", 0.0)];
        let svg = bar_chart("c1", "件数", "a 1, b 2, c 4, d 0", "なし", &bars, None);
        let w = widths(&svg);
        assert_eq!(w.len(), 4);
        assert!((w[2] - (WIDTH - VALUE_ROOM)).abs() < 0.1, "{w:?}");
        assert!((w[1] * 2.0 - w[2]).abs() < 0.2, "{w:?}");
        assert!((w[0] * 4.0 - w[2]).abs() < 0.2, "{w:?}");
        assert_eq!(w[3], 0.0);
    }

    #[test]
    fn empty_data_draws_the_message_and_no_bar() {
        let svg = bar_chart(
            "c2",
            "件数",
            "データがありません",
            "データがありません",
            &[],
            None,
        );
        assert!(widths(&svg).is_empty());
        assert!(svg.contains(">データがありません</text>"));
        assert!(svg.contains("viewBox=\"0 0 400 56\""));
        // All zero: bars of length zero, no division by zero.
        assert_eq!(
            bar_lengths(&[bar("a", 0.0), bar("b", 0.0)], 100.0, None),
            [0.0, 0.0]
        );
        assert_eq!(
            bar_lengths(&[bar("a", f64::NAN), bar("b", 2.0)], 100.0, None),
            [0.0, 100.0]
        );
        // A share: 100 % is the full length, whatever the largest value.
        assert_eq!(
            bar_lengths(&[bar("a", 250.0), bar("b", 500.0)], 100.0, Some(1000.0)),
            [25.0, 50.0]
        );
    }

    #[test]
    fn text_alternative_and_escaping() {
        let svg = bar_chart(
            "c3",
            "<b>題</b>",
            "要約 & 説明",
            "",
            &[bar("<script>", 1.0)],
            None,
        );
        assert!(
            svg.starts_with(
                "<svg class=\"chart\" role=\"img\" aria-labelledby=\"c3-title c3-desc\""
            )
        );
        assert!(svg.contains("<title id=\"c3-title\">&lt;b&gt;題&lt;/b&gt;</title>"));
        assert!(svg.contains("<desc id=\"c3-desc\">要約 &amp; 説明</desc>"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("width=\"100%\""));
    }
}
