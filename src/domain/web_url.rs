//! Web addresses people type into content (an online event's link, an external sign-up
//! form): absolute `http`/`https` URLs, stored and delivered in their normalised,
//! percent-encoded form, so that what a frontend puts into `href` is one URL and
//! nothing else (no quotes of any kind, backticks, angle brackets or spaces survive as
//! themselves).

/// The longest URL accepted, after normalising.
const MAX_LEN: usize = 2000;

/// `raw` as a normalised absolute http(s) URL, or what is wrong with it.
pub fn normalise(raw: &str) -> Result<String, String> {
    let example = "must be an http(s) URL like https://example.org/register";
    let trimmed = raw.trim();
    // The URL parser drops tabs and newlines inside a URL silently; typed ones are a
    // mistake (or a trick), not part of the address.
    if trimmed.chars().any(char::is_control) {
        return Err(format!("{example}, without control characters"));
    }
    let url = url::Url::parse(trimmed).map_err(|_| example.to_owned())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(example.to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not hold a user name or password".into());
    }
    // The URL parser leaves `'` and `` ` `` as they are in paths and fragments; an
    // attribute quoted with them would end there.
    let normalised = url.as_str().replace('\'', "%27").replace('`', "%60");
    if normalised.len() > MAX_LEN {
        return Err(format!("must be at most {MAX_LEN} characters"));
    }
    Ok(normalised)
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn urls_are_stored_percent_encoded_and_anything_else_is_refused() {
        assert_eq!(
            normalise(" https://Example.org/a b?q=\"<script>\" ").unwrap(),
            "https://example.org/a%20b?q=%22%3Cscript%3E%22"
        );
        assert_eq!(
            normalise("https://meet.example/j/123#pw").unwrap(),
            "https://meet.example/j/123#pw"
        );
        assert_eq!(
            normalise("https://x.example/a'onmouseover=alert(1)#`b").unwrap(),
            "https://x.example/a%27onmouseover=alert(1)#%60b"
        );
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>",
            "ftp://example.org/",
            "//example.org/path",
            "example.org",
            "https://user:pw@example.org/",
            "https://exa\tmple.org/",
            "\"><script>alert(1)</script>",
        ] {
            assert!(normalise(bad).is_err(), "{bad}");
        }
        assert!(normalise(&format!("https://example.org/{}", "a".repeat(2000))).is_err());
    }
}
