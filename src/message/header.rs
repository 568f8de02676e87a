//! A message's header as the mending and re-encoding steps read it: where it ends, its
//! fields with their physical lines, and their unfolded values.

/// The header (its lines with their CRLF, without the empty line) and the body.
pub(super) fn split(text: &[u8]) -> (&[u8], &[u8]) {
    if text.starts_with(b"\r\n") {
        return (&[], &text[2..]);
    }
    match text.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(at) => (&text[..at + 2], &text[at + 4..]),
        None => (text, &[]),
    }
}

/// Each header field's name and its physical lines (continuations included).
pub(super) fn physical_fields(header: &[u8]) -> Vec<(String, &[u8])> {
    let mut out: Vec<(String, &[u8])> = vec![];
    let mut start = 0;
    let lines: Vec<(usize, usize)> = header
        .split_inclusive(|&b| b == b'\n')
        .scan(0, |at, l| {
            let range = (*at, *at + l.len());
            *at += l.len();
            Some(range)
        })
        .collect();
    let mut name = String::new();
    for (i, (from, to)) in lines.iter().enumerate() {
        let line = &header[*from..*to];
        if i > 0 && !line.starts_with(b" ") && !line.starts_with(b"\t") {
            out.push((std::mem::take(&mut name), &header[start..*from]));
            start = *from;
        }
        if start == *from {
            name = String::from_utf8_lossy(line.split(|&b| b == b':').next().unwrap_or_default())
                .trim()
                .to_string();
        }
    }
    if start < header.len() {
        out.push((name, &header[start..]));
    }
    out
}

/// Each header field's name and unfolded value.
pub(super) fn fields(header: &[u8]) -> Vec<(String, String)> {
    physical_fields(header)
        .into_iter()
        .map(|(name, lines)| {
            let text = String::from_utf8_lossy(lines);
            let value = text.split_once(':').map_or("", |(_, v)| v);
            let unfolded: Vec<&str> = value.split("\r\n").map(str::trim).collect();
            (name, unfolded.join(" ").trim().to_string())
        })
        .collect()
}

/// The unfolded value of the field `name` (case ignored), if there is one.
pub(super) fn field(header: &[u8], name: &str) -> Option<String> {
    fields(header)
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}
