//! `/api/docs`: Swagger UI over the served OpenAPI document, with a Content-Security-
//! Policy that fits it.
//!
//! poem-openapi writes Swagger UI as one page with its script, stylesheet and start-up
//! code inline, so the policy allows exactly those blocks by their SHA-256 hashes and
//! nothing else: no other script can run on the admin origin through this page, and no
//! other site may frame it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use poem::http::{HeaderValue, header};
use poem::{Endpoint, IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The page and its policy, worked out once.
pub fn endpoint(html: String) -> impl Endpoint<Output = Response> {
    let csp = policy_for(&html);
    poem::endpoint::make_sync(move |_| {
        let mut response = poem::web::Html(html.clone()).into_response();
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        response
    })
}

/// The Content-Security-Policy for `html`: its inline scripts and styles by hash.
pub fn policy_for(html: &str) -> String {
    let hashes = |tag: &str| {
        inline_blocks(html, tag)
            .map(|block| {
                format!(
                    "'sha256-{}'",
                    BASE64.encode(Sha256::digest(block.as_bytes()))
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "default-src 'none'; script-src {}; style-src {}; img-src 'self' data:; \
         font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'",
        hashes("script"),
        hashes("style")
    )
}

/// The contents of every `<tag ...>...</tag>` in `html`, in order.
fn inline_blocks<'a>(html: &'a str, tag: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut rest = html;
    std::iter::from_fn(move || {
        let start = rest.find(&open)?;
        let after_open = &rest[start..];
        let body_start = after_open.find('>')? + 1;
        let body = &after_open[body_start..];
        let end = body.find(&close)?;
        rest = &body[end + close.len()..];
        Some(&body[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_inline_block_is_allowed_by_its_hash_and_nothing_else() {
        let html = "<style charset=\"UTF-8\">a{}</style><script charset=\"UTF-8\">x()</script>\
                    <body><script>\n y() \n</script></body>";
        let csp = policy_for(html);
        let hash = |s: &str| format!("'sha256-{}'", BASE64.encode(Sha256::digest(s.as_bytes())));
        assert!(
            csp.contains(&format!(
                "script-src {} {};",
                hash("x()"),
                hash("\n y() \n")
            )),
            "{csp}"
        );
        assert!(
            csp.contains(&format!("style-src {};", hash("a{}"))),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
