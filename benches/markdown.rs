//! The worst bodies an editor (or anyone holding a preview link) can make buysocial
//! render: pathological Markdown at the size limit, each timed through the limits
//! check and the render that publishing and previews use. Prints, per input, whether it
//! is accepted, the check's time and the render's time (the plain-text fallback for
//! refused ones, as a stored body beyond the limits gets). Run:
//! `cargo bench --bench markdown` (`BENCH_MARKDOWN_BYTES` sets the size, default the
//! configured `content.max_body_bytes`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use buysocial::domain::content::markdown::{self, Limits};

fn main() {
    let defaults = buysocial::settings::Settings::defaults().expect("default settings");
    let size = std::env::var("BENCH_MARKDOWN_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(defaults.content.max_body_bytes);
    let limits = defaults.content.markdown_limits();
    println!(
        "markdown: bodies of {size} bytes, limits depth {} elements {}",
        limits.max_depth, limits.max_elements
    );
    println!(
        "{:<44} {:>9} {:>10} {:>10} {:>10}",
        "input", "accepted", "check ms", "render ms", "html KB"
    );
    let mut worst_accepted = Duration::ZERO;
    let mut worst_any = Duration::ZERO;
    for (name, body) in inputs(size, limits) {
        let started = Instant::now();
        let checked = markdown::check(&body, limits);
        let check_time = started.elapsed();
        let started = Instant::now();
        let rendered = markdown::render(&body, limits);
        let render_time = started.elapsed();
        if checked.is_ok() {
            worst_accepted = worst_accepted.max(render_time);
        }
        worst_any = worst_any.max(render_time);
        println!(
            "{name:<44} {:>9} {:>10.2} {:>10.2} {:>10}",
            if checked.is_ok() { "yes" } else { "no" },
            check_time.as_secs_f64() * 1000.0,
            render_time.as_secs_f64() * 1000.0,
            rendered.html.len() / 1024,
        );
    }
    println!(
        "worst render: accepted body {:.1} ms, any body {:.1} ms",
        worst_accepted.as_secs_f64() * 1000.0,
        worst_any.as_secs_f64() * 1000.0
    );
}

/// `unit` repeated to fill `size` bytes.
fn fill(unit: &str, size: usize) -> String {
    unit.repeat(size / unit.len().max(1))
}

/// Nested `depth` deep with `open`, then the nesting closed, repeated to fill `size`.
fn nested(open: &str, close: &str, depth: usize, size: usize) -> String {
    let unit = format!("{}x{}\n\n", open.repeat(depth), close.repeat(depth));
    fill(&unit, size)
}

fn inputs(size: usize, limits: Limits) -> Vec<(String, String)> {
    let max = limits.max_depth;
    let mut inputs = vec![
        ("'>' × size (refused)".to_owned(), fill(">", size)),
        ("'<div>' × size/5 (refused)".to_owned(), fill("<div>", size)),
        (
            "'<div/>' × size/6 (refused)".to_owned(),
            fill("<div/>", size),
        ),
        (
            "'<div></span>' × size/12 (refused)".to_owned(),
            fill("<div></span>", size),
        ),
        (
            "nested list, size deep (refused)".to_owned(),
            (0..size / 40)
                .map(|n| format!("{}- x\n", " ".repeat(n.min(400))))
                .collect(),
        ),
        ("'*' × size".to_owned(), fill("*", size)),
        ("'*a' × size/2".to_owned(), fill("*a", size)),
        ("'**a' × size/3".to_owned(), fill("**a", size)),
        ("'[' × size".to_owned(), fill("[", size)),
        ("'[a](' × size/4".to_owned(), fill("[a](", size)),
        ("'![[' × size/3".to_owned(), fill("![[", size)),
        ("'`' × size".to_owned(), fill("`", size)),
        ("'<' × size".to_owned(), fill("<", size)),
        ("'<a ' × size/3".to_owned(), fill("<a ", size)),
        ("'&#' × size/2".to_owned(), fill("&#", size)),
        ("'& ' × size/2".to_owned(), fill("& ", size)),
        (
            "HTML block of '& ' × size/2".to_owned(),
            format!("<p>\n{}\n</p>", fill("& ", size - 20)),
        ),
        (
            "link URL of '&a' × size/2".to_owned(),
            format!("[a](https://example.eu/?{})", fill("&a", size - 40)),
        ),
        (
            "a link URL of 4,900 '&a' (just accepted)".to_owned(),
            format!("[a](https://example.eu/?{})\n\n", "&a".repeat(4_900))
                + &fill("x ", size - 10_000),
        ),
        (
            "HTML block of 4,900 '& ' (just accepted)".to_owned(),
            format!("<p>\n{}\n</p>\n\n", "& ".repeat(4_900)) + &fill("x ", size - 10_000),
        ),
        ("'- ' lines × size/3".to_owned(), fill("- a\n", size)),
        (
            "table 2,000 columns, padded rows".to_owned(),
            format!("{}|\n{}|\n", "|a".repeat(2000), "|-".repeat(2000)) + &fill("x\n", size),
        ),
        (
            "prose paragraphs".to_owned(),
            fill(
                "Socially responsible public procurement (SRPP) means **buying** with [care](https://example.eu/a) and *attention*.\n\n",
                size,
            ),
        ),
    ];
    for (name, open, close) in [
        ("block quotes", ">", ""),
        ("<div>", "<div>", "</div>"),
        ("<span>", "<span>", "</span>"),
        ("<b>", "<b>", "</b>"),
        ("emphasis", "*a ", " a*"),
    ] {
        inputs.push((
            format!("{name} {max} deep, repeated"),
            nested(open, close, max - 2, size),
        ));
        inputs.push((
            format!("{name} unclosed, {max} deep, repeated"),
            nested(open, "", max - 2, size),
        ));
    }
    inputs.push((
        format!("list items {max} deep, repeated"),
        fill(
            &((0..max - 2)
                .map(|n| format!("{}- x\n", "  ".repeat(n)))
                .collect::<String>()
                + "\n\n"),
            size,
        ),
    ));
    inputs
}
