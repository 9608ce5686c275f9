//! Markdown bodies (CommonMark with tables) to sanitized HTML.

use pulldown_cmark::{Options, Parser, html};

/// Renders Markdown to HTML that is safe to embed: no scripts, event handlers,
/// `javascript:` URLs, iframes or styles survive, whether written as Markdown or as
/// raw HTML inside it. Links get `rel="noopener noreferrer"`.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::to_safe_html;

    #[test]
    fn markdown_and_tables_render() {
        let html = to_safe_html(
            "# SRPP\n\n| country | date |\n|---|---|\n| LT | 23 May |\n\n**buy social**",
        );
        assert!(html.contains("<h1>SRPP</h1>"), "{html}");
        assert!(
            html.contains("<table>") && html.contains("<td>LT</td>"),
            "{html}"
        );
        assert!(html.contains("<strong>buy social</strong>"), "{html}");
    }

    #[test]
    fn dangerous_html_is_stripped() {
        let html = to_safe_html(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))\n\n\
             <iframe src=\"https://evil.example\"></iframe>\n\n<a href=\"https://ok.example\" onclick=\"x()\">ok</a>",
        );
        for forbidden in ["<script", "onerror", "javascript:", "<iframe", "onclick"] {
            assert!(!html.contains(forbidden), "{forbidden} survived: {html}");
        }
        assert!(html.contains("href=\"https://ok.example\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    }
}
