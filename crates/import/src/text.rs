//! Helpers shared by the parsers: decoding bytes to text, error building,
//! status-name heuristics, key hints.

use std::borrow::Cow;

use crate::model::{Category, ImportError};

pub(crate) fn error(file: &str, line: Option<u64>, message: impl Into<String>) -> ImportError {
    ImportError { file: file.to_string(), line, record: None, field: None, message: message.into() }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(bytes: &[u8], offset: usize) -> u64 {
    let end = offset.min(bytes.len());
    1 + bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64
}

/// Decodes a whole file to text: UTF-8 (with or without BOM) or UTF-16 LE/BE
/// (with BOM, or without BOM when the first character is ASCII). The BOM is
/// removed. Errors name the byte offset and line of the first bad byte.
pub(crate) fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<Cow<'a, str>, ImportError> {
    if bytes.is_empty() {
        return Err(error(file, None, "the file is empty"));
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return decode_utf8(file, bytes, 3).map(Cow::Borrowed);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return decode_utf16(file, &bytes[2..], 2, false).map(Cow::Owned);
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return decode_utf16(file, &bytes[2..], 2, true).map(Cow::Owned);
    }
    // UTF-16 without BOM: an ASCII first character followed/preceded by NUL.
    if bytes.len() >= 2 {
        if bytes[0] != 0 && bytes[0] < 0x80 && bytes[1] == 0 {
            return decode_utf16(file, bytes, 0, false).map(Cow::Owned);
        }
        if bytes[0] == 0 && bytes[1] != 0 && bytes[1] < 0x80 {
            return decode_utf16(file, bytes, 0, true).map(Cow::Owned);
        }
    }
    decode_utf8(file, bytes, 0).map(Cow::Borrowed)
}

fn decode_utf8<'a>(file: &str, bytes: &'a [u8], skip: usize) -> Result<&'a str, ImportError> {
    let body = &bytes[skip..];
    match std::str::from_utf8(body) {
        Ok(text) => Ok(text),
        Err(e) => {
            let offset = skip + e.valid_up_to();
            let line = line_of(bytes, offset);
            let message = match e.error_len() {
                None => format!(
                    "the file ends in the middle of a UTF-8 character (byte offset {offset}); \
                     it looks cut off"
                ),
                Some(_) => format!(
                    "not valid UTF-8: byte 0x{:02X} at byte offset {offset}; save the file as \
                     UTF-8 (or UTF-16 with a byte-order mark) and try again",
                    bytes[offset]
                ),
            };
            Err(error(file, Some(line), message))
        }
    }
}

fn decode_utf16(file: &str, body: &[u8], skip: usize, big_endian: bool) -> Result<String, ImportError> {
    let units = body.chunks(2).map(|pair| {
        if pair.len() < 2 {
            None
        } else if big_endian {
            Some(u16::from_be_bytes([pair[0], pair[1]]))
        } else {
            Some(u16::from_le_bytes([pair[0], pair[1]]))
        }
    });
    let mut out = String::with_capacity(body.len() / 2);
    let mut line: u64 = 1;
    let mut pending: Option<u16> = None; // high surrogate waiting for its pair
    for (index, unit) in units.enumerate() {
        let offset = skip + index * 2;
        let Some(unit) = unit else {
            return Err(error(
                file,
                Some(line),
                format!(
                    "the file ends in the middle of a UTF-16 character (byte offset {offset}); \
                     it looks cut off"
                ),
            ));
        };
        if let Some(high) = pending.take() {
            if (0xDC00..0xE000).contains(&unit) {
                let code = 0x10000 + (((high as u32) - 0xD800) << 10) + ((unit as u32) - 0xDC00);
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                continue;
            }
            return Err(error(
                file,
                Some(line),
                format!("not valid UTF-16: unpaired surrogate at byte offset {}", offset - 2),
            ));
        }
        match unit {
            0xD800..=0xDBFF => pending = Some(unit),
            0xDC00..=0xDFFF => {
                return Err(error(
                    file,
                    Some(line),
                    format!("not valid UTF-16: unpaired surrogate at byte offset {offset}"),
                ));
            }
            _ => {
                let c = char::from_u32(unit as u32).unwrap_or('\u{FFFD}');
                if c == '\n' {
                    line += 1;
                }
                out.push(c);
            }
        }
    }
    if pending.is_some() {
        return Err(error(file, Some(line), "the file ends in the middle of a UTF-16 character; it looks cut off"));
    }
    Ok(out)
}

/// A short description of what the bytes look like when they are clearly not
/// the expected format (used to make "wrong file" errors helpful).
pub(crate) fn sniff_other_format(text: &str) -> Option<&'static str> {
    let start = text.trim_start();
    if start.starts_with("PK\u{3}\u{4}") {
        Some("a ZIP archive (an .xlsx spreadsheet?)")
    } else if start.starts_with("<?xml") || start.starts_with("<html") || start.starts_with("<!DOCTYPE") {
        Some("an XML/HTML document")
    } else {
        None
    }
}

/// Does `phrase` occur in `name` (already lower-case)? ASCII phrases must sit
/// on word boundaries ("done" matches "Done ✓" but not "undone"); other
/// phrases (CJK, accented) match as substrings.
fn has_phrase(name: &str, phrase: &str) -> bool {
    if !phrase.is_ascii() {
        return name.contains(phrase);
    }
    let bytes = name.as_bytes();
    let mut from = 0;
    while let Some(pos) = name[from..].find(phrase) {
        let start = from + pos;
        let end = start + phrase.len();
        let before_ok = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let after_ok = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
        if before_ok && after_ok {
            return true;
        }
        from = start + 1;
        while !name.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

const DONE_WORDS: &[&str] = &[
    "done",
    "complete",
    "completed",
    "finished",
    "shipped",
    "released",
    "closed",
    "resolved",
    "cerrada",
    "cerrado",
    "finalizada",
    "finalizado",
    "hecho",
    "listo",
    "completado",
    "completada",
    "完了",
    "完成",
    "已完成",
    "済",
    "クローズ",
    "已关闭",
    "已解决",
];
const DOING_WORDS: &[&str] = &[
    "doing",
    "in progress",
    "progress",
    "wip",
    "review",
    "in review",
    "testing",
    "en curso",
    "en progreso",
    "en revisión",
    "en revision",
    "進行中",
    "进行中",
    "作業中",
    "対応中",
    "处理中",
    "処理中",
];

/// Category from a status/list name.
pub(crate) fn category_from_name(name: &str) -> Category {
    let lower = name.trim().to_lowercase();
    if DONE_WORDS.iter().any(|w| has_phrase(&lower, w)) {
        Category::Done
    } else if DOING_WORDS.iter().any(|w| has_phrase(&lower, w)) {
        Category::Doing
    } else {
        Category::Todo
    }
}

/// Keeps A–Z/0–9 of `raw` (upper-cased), at most 10; `None` when fewer than 2 remain.
pub(crate) fn sanitize_key(raw: &str) -> Option<String> {
    let key: String =
        raw.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).take(10).collect();
    (key.len() >= 2).then_some(key)
}

/// Project key hint from a free name: the initials of its words (ASCII
/// letters only, upper-case, 2–10 of them); for a one-word name the word's
/// first 3 ASCII letters; else `fallback`.
pub(crate) fn key_from_name(name: &str, fallback: &str) -> String {
    let words: Vec<&str> = name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let initials: String = words
        .iter()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_uppercase())
        .take(10)
        .collect();
    if initials.len() >= 2 {
        return initials;
    }
    if words.len() == 1 {
        let letters: String =
            words[0].chars().filter(|c| c.is_ascii_alphabetic()).map(|c| c.to_ascii_uppercase()).take(3).collect();
        if letters.len() >= 2 {
            return letters;
        }
    }
    fallback.to_string()
}

/// A value for a message, shortened.
pub(crate) fn quote(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() > MAX {
        let short: String = value.chars().take(MAX).collect();
        format!("\"{short}…\"")
    } else {
        format!("\"{value}\"")
    }
}

/// A task whose parent is not among `tasks` stays, at the top, with a warning.
pub(crate) fn detach_missing_parents(tasks: &mut [crate::model::ImportTask], warnings: &mut Vec<crate::model::Notice>) {
    let ids: std::collections::HashSet<String> = tasks.iter().map(|t| t.external_id.clone()).collect();
    for task in tasks.iter_mut() {
        if let Some(parent) = task.parent_external_id.take_if(|p| !ids.contains(p.as_str())) {
            warnings.push(crate::model::Notice {
                record: Some(format!("task {}", task.external_key.as_deref().unwrap_or(&task.external_id))),
                field: Some("parent".into()),
                message: format!("its parent {} is not in the file; imported as a top-level task", quote(&parent)),
            });
        }
    }
}

/// A whole file as one JSON value: decoded (any byte-order mark dropped),
/// refused when blank, and a syntax error told as [`json_error`] tells it.
pub(crate) fn json_document(file: &str, bytes: &[u8], what: &str) -> Result<serde_json::Value, ImportError> {
    let decoded = decode(file, bytes)?;
    let text: &str = decoded.strip_prefix('\u{FEFF}').unwrap_or(&decoded);
    if text.trim().is_empty() {
        return Err(error(file, Some(1), "the file holds only white space, no JSON"));
    }
    serde_json::from_str(text).map_err(|e| json_error(file, text, &e, what))
}

/// A JSON syntax or shape error as the person can act on it: where the
/// file is cut off, or what it looks like instead. `what` names the
/// expected export ("a Trello export").
pub(crate) fn json_error(file: &str, text: &str, e: &serde_json::Error, what: &str) -> ImportError {
    use serde_json::error::Category as C;
    let line = (e.line() > 0).then_some(e.line() as u64);
    let message = match e.classify() {
        C::Eof => {
            format!("the file ends in the middle of {} (column {}); it looks cut off", eof_context(text), e.column())
        }
        C::Syntax if e.line() == 1 && e.column() <= 1 => {
            let first = text.trim_start().chars().next().unwrap_or(' ');
            match sniff_other_format(text) {
                Some(kind) => format!("not JSON: the file looks like {kind}"),
                None if first.is_alphabetic() || first == '"' => {
                    let first_line = text.lines().next().unwrap_or("");
                    if first_line.contains(',') || first_line.contains('\t') || first_line.contains(';') {
                        "not JSON: the file looks like a CSV file (a Jira CSV export goes to the \
                         Jira importer)"
                            .to_string()
                    } else {
                        format!("not JSON: {e}")
                    }
                }
                None => format!("not valid JSON: {e}"),
            }
        }
        C::Data => format!("unexpected content in {what}: {e}"),
        _ => format!("not valid JSON: {e}"),
    };
    ImportError { file: file.to_string(), line, record: None, field: None, message }
}

/// Describes where a truncated JSON document stops: "a string in cards[3].desc".
pub(crate) fn eof_context(text: &str) -> String {
    enum Frame {
        Object { key: Option<String>, expecting_key: bool },
        Array { index: usize },
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut in_string = false;
    let mut escape = false;
    let mut string_is_key = false;
    let mut key = String::new();
    for c in text.chars() {
        if in_string {
            if escape {
                escape = false;
            } else if c == '\\' {
                escape = true;
            } else if c == '"' {
                in_string = false;
                if string_is_key && let Some(Frame::Object { key: k, .. }) = stack.last_mut() {
                    *k = Some(std::mem::take(&mut key));
                }
            } else if string_is_key && key.chars().count() < 60 {
                key.push(c);
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                key.clear();
                string_is_key = matches!(stack.last(), Some(Frame::Object { expecting_key: true, .. }));
            }
            '{' => stack.push(Frame::Object { key: None, expecting_key: true }),
            '[' => stack.push(Frame::Array { index: 0 }),
            '}' | ']' => {
                stack.pop();
            }
            ':' => {
                if let Some(Frame::Object { expecting_key, .. }) = stack.last_mut() {
                    *expecting_key = false;
                }
            }
            ',' => match stack.last_mut() {
                Some(Frame::Object { key, expecting_key }) => {
                    *expecting_key = true;
                    *key = None;
                }
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(k), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    let what = if in_string {
        if string_is_key { "a key" } else { "a string" }
    } else {
        match stack.last() {
            Some(Frame::Object { .. }) => "an object",
            Some(Frame::Array { .. }) => "an array",
            None => "the document",
        }
    };
    if path.is_empty() { what.to_string() } else { format!("{what} in {path}") }
}

/// "boards/My Board.json" → "My Board"; `fallback` for a name with no stem.
pub(crate) fn file_stem(file: &str, fallback: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = match base.rfind('.') {
        Some(dot) if dot > 0 => &base[..dot],
        _ => base,
    };
    if stem.trim().is_empty() { fallback.to_string() } else { stem.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories() {
        assert_eq!(category_from_name("Done"), Category::Done);
        assert_eq!(category_from_name("完了"), Category::Done);
        assert_eq!(category_from_name("クローズ"), Category::Done);
        assert_eq!(category_from_name("作業中"), Category::Doing);
        assert_eq!(category_from_name("In Progress"), Category::Doing);
        assert_eq!(category_from_name("En revisión"), Category::Doing);
        assert_eq!(category_from_name("Undone ideas"), Category::Todo);
        assert_eq!(category_from_name("Do it"), Category::Todo);
        assert_eq!(category_from_name("Tareas por hacer"), Category::Todo);
        assert_eq!(category_from_name("Cerrada"), Category::Done);
    }

    #[test]
    fn keys() {
        assert_eq!(key_from_name("Test Board Name", "TRL"), "TBN");
        assert_eq!(key_from_name("Kanban", "TRL"), "KAN");
        assert_eq!(key_from_name("看板", "TRL"), "TRL");
        assert_eq!(key_from_name("Q3 roadmap - 製品", "TRL"), "QR");
        assert_eq!(sanitize_key("lipu"), Some("LIPU".into()));
        assert_eq!(sanitize_key("x"), None);
        assert_eq!(sanitize_key("ABCDEFGHIJKLMN"), Some("ABCDEFGHIJ".into()));
    }

    #[test]
    fn utf16_round_trip() {
        let text = "Summary,Issue key\n日本,A-1\n😀,B-2";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in text.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode("f", &le).unwrap(), text);
        assert_eq!(decode("f", &be).unwrap(), text);
        assert_eq!(decode("f", &le[2..]).unwrap(), text);
        let cut = &le[..le.len() - 1];
        let err = decode("f", cut).unwrap_err();
        assert!(err.message.contains("cut off"), "{err}");
        assert_eq!(err.line, Some(3));
    }

    #[test]
    fn utf8_errors_name_line_and_offset() {
        let err = decode("x.csv", b"a\nb\n\xFFc").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("byte offset 4"), "{err}");
        let err = decode("x.csv", "a\n日".as_bytes().split_at(4).0).unwrap_err();
        assert!(err.message.contains("cut off"), "{err}");
        assert!(decode("x.csv", b"").unwrap_err().message.contains("empty"));
        assert_eq!(decode("x", b"\xEF\xBB\xBFabc").unwrap(), "abc");
    }
}
