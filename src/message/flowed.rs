//! Plain text as RFC 3676 `format=flowed` (DelSp=No): long lines are wrapped near
//! [`WIDTH`] characters at spaces, each wrapped line ending in a space (a "soft" break), so
//! that a phone reflows the text to its width and every other reader still sees short lines.
//! A quoted line ("> …") and a word longer than the width (a link) are kept whole; the
//! signature separator "-- " stays as it is; a line that would start with a space, "From "
//! or ">" after wrapping is space-stuffed. Trailing spaces of typed lines go (they would read
//! as soft breaks). [`unflow`] reads it back.

/// Where lines are wrapped: RFC 3676 §4.2 recommends 66–72 characters.
pub const WIDTH: usize = 72;

/// The signature separator (RFC 3676 §4.3).
const SIG: &str = "-- ";

/// `text` (line breaks `\n` or `\r\n`) as flowed lines joined by `\n`.
pub fn flow(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / WIDTH * 2);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line == SIG {
            out.push_str(SIG);
            continue;
        }
        let line = line.trim_end_matches(' ');
        if line.starts_with('>') {
            // A quote: kept whole, as it was written.
            out.push_str(line);
            continue;
        }
        wrap(line, &mut out);
    }
    out
}

/// Appends `line` to `out`, wrapped at spaces into soft-broken lines of at most [`WIDTH`]
/// characters (a longer word stays whole), each stuffed when it must be.
fn wrap(line: &str, out: &mut String) {
    let mut rest = line;
    loop {
        let cut = if rest.chars().count() <= WIDTH {
            None
        } else {
            break_at(rest)
        };
        let (piece, next) = match cut {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        if piece.starts_with([' ', '>']) || piece.starts_with("From ") {
            out.push(' ');
        }
        out.push_str(piece);
        if next.is_empty() {
            return;
        }
        out.push('\n');
        rest = next;
    }
}

/// The byte offset just after the space where `line` is best broken: the last one within
/// [`WIDTH`] characters that a word follows, else the first after it; `None` when there is
/// none (one long word).
fn break_at(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let breaks = line
        .char_indices()
        .filter(|&(i, c)| c == ' ' && bytes.get(i + 1).is_some_and(|&b| b != b' '))
        .map(|(i, _)| i + 1);
    let mut best = None;
    for (at, chars) in breaks.map(|at| (at, line[..at].chars().count())) {
        if chars <= WIDTH || best.is_none() {
            best = Some(at);
        }
        if chars > WIDTH {
            break;
        }
    }
    best.filter(|&at| at < line.len())
}

/// Flowed text (lines joined by `\n` or `\r\n`) back as it was written: soft-broken lines
/// joined, space-stuffing removed, quote markers kept.
pub fn unflow(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Option<usize> = None; // quote depth of a paragraph still flowing
    let mut first = true;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let depth = line.chars().take_while(|&c| c == '>').count();
        let (quote, body) = line.split_at(depth);
        let body = body.strip_prefix(' ').unwrap_or(body);
        let stuffed = depth == 0 && line.starts_with(' ');
        let continues = open == Some(depth);
        if !continues {
            if !first {
                out.push('\n');
            }
            out.push_str(quote);
            if depth > 0 && line.len() > depth && line[depth..].starts_with(' ') {
                out.push(' ');
            }
        }
        first = false;
        let body = if depth == 0 && !stuffed { line } else { body };
        out.push_str(body);
        let soft = line.ends_with(' ') && line != SIG;
        open = soft.then_some(depth);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_paragraph_is_wrapped_near_72_with_soft_breaks_and_reads_back_whole() {
        let text = "Outpost keeps what you write. ".repeat(10);
        let text = text.trim_end();
        let flowed = flow(text);
        let lines: Vec<&str> = flowed.split('\n').collect();
        assert!(lines.len() > 3, "{flowed}");
        for l in &lines[..lines.len() - 1] {
            assert!(l.ends_with(' '), "soft break: {l:?}");
            assert!(l.chars().count() <= WIDTH, "{l:?}");
        }
        assert!(!lines.last().unwrap().ends_with(' '));
        assert_eq!(unflow(&flowed), text);
    }

    #[test]
    fn quotes_links_and_the_signature_are_kept_whole() {
        let url = format!("https://example.org/{}", "a".repeat(100));
        let quote = format!("> {}", "quoted words ".repeat(10).trim_end());
        let text = format!("See {url} for more.\n{quote}\n\n-- \nAnn");
        let flowed = flow(&text);
        assert!(flowed.contains(&format!("\n{url} \n")), "{flowed}");
        assert!(flowed.contains(&format!("\n{quote}\n")), "{flowed}");
        assert!(flowed.ends_with("\n-- \nAnn"), "{flowed:?}");
        assert_eq!(unflow(&flowed), text);
    }

    #[test]
    fn lines_that_would_start_with_from_or_a_quote_mark_are_stuffed() {
        let text = format!("{}From here on >this is no quote.", "word ".repeat(14));
        let flowed = flow(&text);
        assert!(
            flowed.contains("\n From ") || flowed.contains("\n >"),
            "{flowed}"
        );
        assert_eq!(unflow(&flowed), text);
        assert_eq!(flow(" indented"), "  indented");
        assert_eq!(unflow("  indented"), " indented");
    }

    #[test]
    fn trailing_spaces_go_and_umlauts_count_as_one_character() {
        assert_eq!(flow("Hallo   \nWelt "), "Hallo\nWelt");
        let text = "Grüße aus Köln, wo die Straßen breit und die Häuser älter sind als man denkt.";
        let flowed = flow(text);
        assert_eq!(flowed.split('\n').count(), 2, "{flowed}");
        assert_eq!(unflow(&flowed), text);
    }

    #[test]
    fn short_text_is_unchanged() {
        assert_eq!(flow("Hi Bob,\n\nsee you.\n"), "Hi Bob,\n\nsee you.\n");
        assert_eq!(unflow("Hi Bob,\n\nsee you.\n"), "Hi Bob,\n\nsee you.\n");
    }
}
