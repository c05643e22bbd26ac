//! The HTML report (a placeholder until the page is written).

use super::Analysis;

/// A self-contained page for the analysis.
pub fn page(a: &Analysis, title: &str) -> String {
    let mut s = String::from("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>");
    s.push_str(&escape(title));
    s.push_str("</title></head><body><pre>");
    s.push_str(&escape(&super::report::text(a)));
    s.push_str("</pre></body></html>\n");
    s
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
