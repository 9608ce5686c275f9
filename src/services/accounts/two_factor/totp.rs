//! Time-based one-time codes (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one
//! step of clock drift either way), computed by `totp-rs`; here only what it does not
//! do: which step a code matched (so that it is accepted once), the `otpauth://` URI
//! authenticator apps read, and its QR code as SVG, drawn here (no outside service).

use rand::Rng as _;
use totp_rs::{Builder, Secret, Totp};

/// Seconds per step.
const STEP: u64 = 30;
/// Steps of clock drift accepted either way.
const DRIFT: u16 = 1;
const DIGITS: u8 = 6;

/// A new secret: 160 random bits (RFC 4226's recommendation), base32 as apps show it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    Secret::from(bytes).to_base32()
}

fn totp(secret: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret).ok()?;
    Builder::new()
        .with_digits(DIGITS)
        .with_skew(DRIFT)
        .with_step_duration(STEP)
        .with_secret(secret)
        .build()
        .ok()
}

/// The step a Unix time falls in.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP as i64)
}

/// The code of `secret` for `step`.
pub fn code_at(secret: &str, step: i64) -> Option<String> {
    let time = u64::try_from(step).ok()?.checked_mul(STEP)?;
    Some(totp(secret)?.generate(time).to_string())
}

/// The step whose code `code` is, within the drift around `now`, if it is later than
/// `last_used`: a code already accepted, or an older one, is not accepted again.
pub fn matching_step(
    secret: &str,
    code: &str,
    unix_seconds: i64,
    last_used: Option<i64>,
) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let time = u64::try_from(unix_seconds).ok()?;
    let step = i64::try_from(totp(secret)?.check(&code, time)?).ok()?;
    last_used.is_none_or(|last| step > last).then_some(step)
}

/// The URI an authenticator app reads from the QR code: the issuer and the account
/// name label the entry in the app.
pub fn otpauth_uri(secret: &str, issuer: &str, account: &str) -> String {
    format!(
        "otpauth://totp/{}?secret={secret}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP}",
        encode(&format!("{issuer}:{account}")),
        encode(issuer),
    )
}

/// Percent-encodes everything but unreserved characters (spaces as `%20`, as apps expect).
fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// The QR code of `text` as an SVG image: dark modules on white, with the quiet zone
/// scanners need, and a title for screen readers.
pub fn qr_svg(text: &str, title: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // The renderer writes no title; add one so the image has an accessible name.
    let escaped = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    // After the opening `<svg …>` tag (an XML declaration may come first).
    let open_end = svg
        .find("<svg")
        .and_then(|start| svg[start..].find('>').map(|end| start + end + 1))?;
    Some(format!(
        "{}<title>{escaped}</title>{}",
        &svg[..open_end],
        &svg[open_end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's test vector for SHA-1 (secret "12345678901234567890", 8 digits) at
    /// 59 s is 94287082; its last six digits are the 6-digit code.
    #[test]
    fn codes_follow_rfc_6238() {
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        assert_eq!(code_at(&secret, step_at(59)).unwrap(), "287082");
        assert_eq!(code_at(&secret, step_at(1_111_111_109)).unwrap(), "081804");
    }

    #[test]
    fn a_code_matches_within_one_step_of_drift_and_only_once() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, step_at(now)).unwrap();
        assert_eq!(
            matching_step(&secret, &code, now + 30, None),
            Some(step_at(now))
        );
        assert_eq!(
            matching_step(&secret, &code, now + 90, None),
            None,
            "too late"
        );
        assert_eq!(
            matching_step(&secret, &code, now, Some(step_at(now))),
            None,
            "accepted once"
        );
        assert_eq!(matching_step(&secret, "12345", now, None), None);
        assert_eq!(matching_step(&secret, "abcdef", now, None), None);
    }

    #[test]
    fn the_uri_names_issuer_and_account() {
        let uri = otpauth_uri("JBSWY3DPEHPK3PXP", "buysocial", "ona@example.lt");
        assert!(uri.starts_with("otpauth://totp/buysocial%3Aona%40example.lt?secret=JBSWY3DPEHPK3PXP&issuer=buysocial"), "{uri}");
    }

    #[test]
    fn the_qr_code_is_an_svg_with_a_title() {
        let svg = qr_svg("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP", "QR code").unwrap();
        assert!(svg.contains("<svg") && svg.contains("<title>QR code</title>"));
        assert!(!svg.contains("<script"));
    }
}
