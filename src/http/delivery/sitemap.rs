//! Sitemaps as the sitemaps.org protocol writes them, with `xhtml:link` alternates as
//! search engines read `hreflang`: a `<urlset>`, or past the configured number of URLs
//! per file a `<sitemapindex>` of parts. Only rendering lives here; what is listed is
//! the delivery service's.

use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::escape::escape;

use crate::services::delivery::SitemapEntry;

const HEADER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// A `<urlset>` of `entries`.
pub(super) fn urlset(entries: &[SitemapEntry]) -> String {
    let mut xml = String::with_capacity(256 + entries.len() * 256);
    xml.push_str(HEADER);
    xml.push_str(
        "\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for entry in entries {
        xml.push_str("<url><loc>");
        xml.push_str(&escape(entry.url.as_str()));
        xml.push_str("</loc><lastmod>");
        xml.push_str(&w3c_datetime(entry.lastmod));
        xml.push_str("</lastmod>");
        for (hreflang, url) in &entry.alternates {
            xml.push_str("<xhtml:link rel=\"alternate\" hreflang=\"");
            xml.push_str(&escape(hreflang.as_str()));
            xml.push_str("\" href=\"");
            xml.push_str(&escape(url.as_str()));
            xml.push_str("\"/>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// A `<sitemapindex>` naming each part's URL and its newest `lastmod`.
pub(super) fn index(parts: &[(String, DateTime<Utc>)]) -> String {
    let mut xml = String::with_capacity(256 + parts.len() * 160);
    xml.push_str(HEADER);
    xml.push_str("\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (url, lastmod) in parts {
        xml.push_str("<sitemap><loc>");
        xml.push_str(&escape(url.as_str()));
        xml.push_str("</loc><lastmod>");
        xml.push_str(&w3c_datetime(*lastmod));
        xml.push_str("</lastmod></sitemap>\n");
    }
    xml.push_str("</sitemapindex>\n");
    xml
}

fn w3c_datetime(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_escaped() {
        let at = DateTime::parse_from_rfc3339("2026-05-23T09:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let xml = urlset(&[SitemapEntry {
            url: "https://example.be/fr/news/a?x=1&y=<2>".into(),
            lastmod: at,
            alternates: vec![("fr".into(), "https://example.be/?a&b".into())],
        }]);
        assert!(xml.contains(
            "<url><loc>https://example.be/fr/news/a?x=1&amp;y=&lt;2&gt;</loc><lastmod>2026-05-23T09:30:00Z</lastmod>"
        ));
        assert!(xml.contains(r#"hreflang="fr" href="https://example.be/?a&amp;b"/>"#));
    }
}
