//! Markdown bodies (CommonMark with tables) to sanitized HTML, with the work bounded
//! by the input.
//!
//! Rendering costs more than the size of a body suggests. Sanitizing parses the
//! rendered HTML as a browser would, and that parser's work grows with the square of
//! the nesting depth (every new element looks through the open ones): 16,000 nested
//! block quotes took a second, 200,000 took minutes. A GitHub table pads every short row
//! to its header's width, so a 20 KB header and a few thousand one-character rows make
//! millions of cells. [`check`] walks the parser's events once, stops at the first
//! bound crossed, and is linear in the input; what it refuses never reaches the
//! sanitizer. A stored body that exceeds the bounds (written before they existed, or
//! with larger ones) renders as escaped plain text instead, which is linear too.

use std::fmt;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, html};

/// How deep and how large a body may be, so that the worst accepted one still renders
/// in a bounded time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Nesting depth: block quotes, lists, list items, emphasis, links, table parts and
    /// HTML elements written in the body all count.
    pub max_depth: usize,
    /// Elements in all: paragraphs, headings, list items, table cells (padded ones too),
    /// links, emphasis, HTML tags.
    pub max_elements: usize,
}

/// Which bound a body crosses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    Depth { max: usize },
    Elements { max: usize },
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exceeded::Depth { max } => write!(
                f,
                "nests deeper than {max} levels (block quotes, lists, emphasis, links and HTML \
                 elements inside each other); flatten it"
            ),
            Exceeded::Elements { max } => write!(
                f,
                "has more than {max} elements (paragraphs, list items, table cells, links, \
                 emphasis, HTML tags); split it"
            ),
        }
    }
}

/// A rendered body, and whether it had to be shown as plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// The bound the body crosses: its HTML is its escaped text, not its Markdown.
    pub exceeded: Option<Exceeded>,
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Whether `markdown` stays within `limits`; linear in its length.
pub fn check(markdown: &str, limits: Limits) -> Result<(), Exceeded> {
    let mut depth = 0usize;
    let mut elements = 0usize;
    let mut html = HtmlNesting::default();
    let mut ampersands = AmpersandCost::default();
    for event in Parser::new_ext(markdown, options()) {
        if !matches!(event, Event::Html(_)) {
            ampersands.end_block();
        }
        match event {
            Event::Start(tag) => {
                depth += 1;
                elements += 1;
                match tag {
                    Tag::Link {
                        dest_url, title, ..
                    }
                    | Tag::Image {
                        dest_url, title, ..
                    } => {
                        ampersands.add(&dest_url);
                        ampersands.add(&title);
                    }
                    Tag::CodeBlock(CodeBlockKind::Fenced(info)) => ampersands.add(&info),
                    _ => {}
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Html(text) => {
                elements += html.read(&text, limits.max_depth);
                ampersands.add_to_block(&text);
            }
            Event::InlineHtml(text) => {
                elements += html.read(&text, limits.max_depth);
                ampersands.add(&text);
            }
            _ => {}
        }
        if depth + html.depth > limits.max_depth {
            return Err(Exceeded::Depth {
                max: limits.max_depth,
            });
        }
        if elements.saturating_add(ampersands.elements()) > limits.max_elements {
            return Err(Exceeded::Elements {
                max: limits.max_elements,
            });
        }
    }
    Ok(())
}

/// What the ampersands the sanitizer sees will cost it, in elements.
///
/// Its parser copies the text node or attribute value it is building again for every
/// `&` in it, so its work is (ampersands × length) for each: a 200 KB link with 100,000
/// of them took half a minute. Text written as Markdown reaches it without ampersands
/// (see [`AMPERSAND`]); raw HTML, link addresses and titles cannot, and count here. The
/// lines of one HTML block count as one text, since they may be.
#[derive(Debug, Default)]
struct AmpersandCost {
    finished: u64,
    block_ampersands: u64,
    block_len: u64,
}

/// (ampersands × length) that counts as one element.
const AMPERSAND_WORK_PER_ELEMENT: u64 = 1024;

impl AmpersandCost {
    fn work(text: &str) -> (u64, u64) {
        let count = text.bytes().filter(|b| *b == b'&').count();
        (count as u64, text.len() as u64)
    }

    /// A text on its own: an attribute, an inline tag.
    fn add(&mut self, text: &str) {
        let (count, len) = Self::work(text);
        self.finished = self.finished.saturating_add(count.saturating_mul(len));
    }

    /// A line of the current HTML block.
    fn add_to_block(&mut self, text: &str) {
        let (count, len) = Self::work(text);
        self.block_ampersands = self.block_ampersands.saturating_add(count);
        self.block_len = self.block_len.saturating_add(len);
    }

    fn end_block(&mut self) {
        let block = self.block_ampersands.saturating_mul(self.block_len);
        self.finished = self.finished.saturating_add(block);
        (self.block_ampersands, self.block_len) = (0, 0);
    }

    fn elements(&self) -> usize {
        let block = self.block_ampersands.saturating_mul(self.block_len);
        let work = self.finished.saturating_add(block);
        usize::try_from(work / AMPERSAND_WORK_PER_ELEMENT).unwrap_or(usize::MAX)
    }
}

/// Renders a body within `limits` as Markdown, one beyond them as escaped text.
pub fn render(markdown: &str, limits: Limits) -> Rendered {
    match check(markdown, limits) {
        Ok(()) => Rendered {
            html: to_safe_html(markdown),
            exceeded: None,
        },
        Err(exceeded) => Rendered {
            html: as_plain_text(markdown),
            exceeded: Some(exceeded),
        },
    }
}

/// Renders Markdown to HTML that is safe to embed: no scripts, event handlers,
/// `javascript:` URLs, iframes or styles survive, whether written as Markdown or as
/// raw HTML inside it. Links get `rel="noopener noreferrer"`. Unbounded: callers pass
/// only bodies that [`check`] accepts (see [`render`]).
fn to_safe_html(markdown: &str) -> String {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    let events = Parser::new_ext(markdown, options()).map(|event| match event {
        Event::Text(text) => Event::Text(hide_ampersands(&text).into()),
        Event::Code(code) => Event::Code(hide_ampersands(&code).into()),
        other => other,
    });
    html::push_html(&mut unsafe_html, events);
    let clean = ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .clean(&unsafe_html)
        .to_string();
    clean.replace(AMPERSAND, "&amp;")
}

/// Stands for `&` in text while the sanitizer parses it. The sanitizer's parser copies
/// a text node's contents again for every ampersand in it (20,000 of them in one
/// paragraph took 15 s), so text reaches it without any (see [`AmpersandCost`] for
/// what cannot be written this way); the placeholder, a private-use
/// character, is turned into `&amp;` afterwards, which is what the text's `&` would have
/// become. A placeholder already in the body is replaced first (it means nothing on the
/// web), so nothing else turns into an ampersand.
const AMPERSAND: char = '\u{E000}';

fn hide_ampersands(text: &str) -> String {
    text.chars()
        .map(|ch| match ch {
            '&' => AMPERSAND,
            AMPERSAND => char::REPLACEMENT_CHARACTER,
            other => other,
        })
        .collect()
}

/// The text itself, escaped, a paragraph per blank-line-separated block.
fn as_plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 8);
    for block in markdown
        .split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        out.push_str("<p>");
        for ch in block.chars() {
            match ch {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                other => out.push(other),
            }
        }
        out.push_str("</p>\n");
    }
    out
}

/// The nesting of HTML elements written in a body, from its raw HTML chunks in order.
///
/// A tag scanner, not a parser, but it nests as the sanitizer's HTML parser does where
/// that matters for cost: void elements and those a browser closes by itself when a
/// sibling starts (`p`, `li`, table cells...) do not nest; `/>` closes an element only
/// inside SVG or MathML (HTML ignores it: `<div/>` opens a `div`); a closing tag closes
/// the innermost open element of its name, and one that matches none is ignored.
#[derive(Debug, Default)]
struct HtmlNesting {
    open: Vec<String>,
    depth: usize,
    /// How many of `open` are `svg` or `math`.
    foreign: usize,
}

const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param",
];
const SELF_CLOSING: [&str; 13] = [
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot",
    "colgroup",
];

impl HtmlNesting {
    /// Reads one chunk; returns how many tags it holds. Linear in the chunk: the end of
    /// each tag is found by one forward scan shared by all tags, and reading stops once
    /// the nesting passes `max_depth` (the body is refused then anyway).
    fn read(&mut self, chunk: &str, max_depth: usize) -> usize {
        let bytes = chunk.as_bytes();
        let mut tags = 0;
        let mut at = 0;
        // The next `>` at or after a position, found once and reused; `None`: no more.
        let mut next_close: Option<usize> = None;
        let mut no_more_close = false;
        while let Some(found) = chunk[at..].find('<') {
            let start = at + found + 1;
            at = start;
            let closing = bytes.get(start) == Some(&b'/');
            let name_start = start + usize::from(closing);
            let name_len = bytes[name_start.min(bytes.len())..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
                .count();
            if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
                continue;
            }
            let name = chunk[name_start..name_start + name_len].to_ascii_lowercase();
            if !no_more_close && next_close.is_none_or(|close| close < name_start) {
                match chunk[name_start..].find('>') {
                    Some(close) => next_close = Some(name_start + close),
                    None => no_more_close = true,
                }
            }
            let tag_end = if no_more_close {
                bytes.len()
            } else {
                next_close.unwrap_or(bytes.len())
            };
            let self_closed = tag_end > 0 && bytes.get(tag_end - 1) == Some(&b'/');
            tags += 1;
            at = name_start + name_len;
            if VOID.contains(&name.as_str()) || SELF_CLOSING.contains(&name.as_str()) {
                continue;
            }
            if closing {
                if let Some(innermost) = self.open.iter().rposition(|open| *open == name) {
                    let closed = self.open.split_off(innermost);
                    self.foreign -= closed.iter().filter(|n| is_foreign(n)).count();
                }
            } else if !(self_closed && self.foreign > 0) {
                self.foreign += usize::from(is_foreign(&name));
                self.open.push(name);
            }
            self.depth = self.open.len();
            if self.depth > max_depth {
                break;
            }
        }
        tags
    }
}

/// Elements in whose content `/>` closes a tag, as in XML.
fn is_foreign(name: &str) -> bool {
    name == "svg" || name == "math"
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_depth: 32,
        max_elements: 50_000,
    };

    fn to_html(markdown: &str) -> String {
        let rendered = render(markdown, LIMITS);
        assert_eq!(rendered.exceeded, None, "{markdown}");
        rendered.html
    }

    #[test]
    fn markdown_and_tables_render() {
        let html =
            to_html("# SRPP\n\n| country | date |\n|---|---|\n| LT | 23 May |\n\n**buy social**");
        assert!(html.contains("<h1>SRPP</h1>"), "{html}");
        assert!(
            html.contains("<table>") && html.contains("<td>LT</td>"),
            "{html}"
        );
        assert!(html.contains("<strong>buy social</strong>"), "{html}");
    }

    #[test]
    fn dangerous_html_is_stripped() {
        let html = to_html(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))\n\n\
             <iframe src=\"https://evil.example\"></iframe>\n\n<a href=\"https://ok.example\" onclick=\"x()\">ok</a>",
        );
        for forbidden in ["<script", "onerror", "javascript:", "<iframe", "onclick"] {
            assert!(!html.contains(forbidden), "{forbidden} survived: {html}");
        }
        assert!(html.contains("href=\"https://ok.example\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    }

    #[test]
    fn ampersands_and_private_use_characters_come_out_as_written() {
        let html = to_html("R&D `a && b` \u{E000} <span title=\"x&amp;y\">&lt;b&gt; &amp;</span>");
        assert_eq!(
            html,
            "<p>R&amp;D <code>a &amp;&amp; b</code> \u{FFFD} <span title=\"x&amp;y\">&lt;b&gt; &amp;</span></p>\n"
        );
    }

    #[test]
    fn ordinary_nesting_is_within_the_limits() {
        let body = "> quote\n>\n> - item with *emphasis and [a **link**](https://x.example)*\n>   1. nested\n>      - deeper\n\n\
                    <div class=\"box\"><p>para<p>another<br><img src=\"https://x.example/a.png\"></div>";
        assert_eq!(check(body, LIMITS), Ok(()));
    }

    #[test]
    fn deep_block_quotes_lists_and_html_are_refused() {
        let quotes = ">".repeat(33);
        assert_eq!(
            check(&quotes, LIMITS),
            Err(Exceeded::Depth { max: 32 }),
            "33 block quotes"
        );
        assert_eq!(check(&">".repeat(20), LIMITS), Ok(()));
        let list: String = (0..40)
            .map(|n| format!("{}- x\n", "  ".repeat(n)))
            .collect();
        assert!(matches!(check(&list, LIMITS), Err(Exceeded::Depth { .. })));
        let divs = "<div>".repeat(40);
        assert!(matches!(check(&divs, LIMITS), Err(Exceeded::Depth { .. })));
        let ampersands = format!("[a](https://x.example/?{})", "&a".repeat(10_000));
        assert!(
            matches!(check(&ampersands, LIMITS), Err(Exceeded::Elements { .. })),
            "a link address the sanitizer would take long over"
        );
        let html_block = format!("<p>\n{}\n</p>", "& x\n".repeat(10_000));
        assert!(matches!(
            check(&html_block, LIMITS),
            Err(Exceeded::Elements { .. })
        ));
        for bypass in [
            "<div/>".repeat(40),
            "<div></span>".repeat(40),
            "<rt>".repeat(40),
        ] {
            assert!(
                matches!(check(&bypass, LIMITS), Err(Exceeded::Depth { .. })),
                "{bypass}"
            );
        }
        let svg = format!("<svg>{}</svg>", "<path d=\"M0 0\"/>".repeat(100));
        assert_eq!(check(&svg, LIMITS), Ok(()), "self-closed in SVG");
        let unclosed_tags = format!("<div>{}", "<a".repeat(50_000));
        let started = std::time::Instant::now();
        let _ = check(&unclosed_tags, LIMITS);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "linear"
        );
        let closed = "<div>a</div>".repeat(1000);
        assert_eq!(check(&closed, LIMITS), Ok(()), "siblings do not nest");
    }

    #[test]
    fn padded_table_cells_count_as_elements() {
        let header = format!("{}|\n{}|\n", "|a".repeat(1000), "|-".repeat(1000));
        let table = header + &"x\n".repeat(100);
        assert!(matches!(
            check(&table, LIMITS),
            Err(Exceeded::Elements { .. })
        ));
    }

    #[test]
    fn a_body_beyond_the_limits_renders_as_escaped_text() {
        let rendered = render("<div>".repeat(40).as_str(), LIMITS);
        assert!(matches!(rendered.exceeded, Some(Exceeded::Depth { .. })));
        assert!(
            rendered.html.starts_with("<p>&lt;div&gt;"),
            "{}",
            rendered.html
        );
        assert!(!rendered.html.contains("<div>"));
    }
}
