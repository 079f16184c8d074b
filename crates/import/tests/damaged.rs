//! Damaged and re-encoded copies of the real files, written to a temp dir and
//! read back: clear errors naming file and line, never a panic, and
//! re-encodings that parse to the same batch.

mod common;

use common::*;
use keel_import::{ImportBatch, ImportError, jira_csv, trello};

fn parse_any(relative: &str, name: &str, bytes: &[u8]) -> Result<ImportBatch, ImportError> {
    if relative.ends_with(".csv") { jira_csv::parse(name, bytes) } else { trello::parse(name, bytes) }
}

fn lines_before(bytes: &[u8], offset: usize) -> u64 {
    1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64
}

fn assert_names_file_and_line(err: &ImportError, name: &str) {
    assert_eq!(err.file, name);
    let line = err.line.unwrap_or_else(|| panic!("no line in {err}"));
    assert!(err.to_string().starts_with(&format!("{name}, line {line}: ")), "{err}");
}

/// Same content, whatever the file name.
fn same(a: &ImportBatch, b: &ImportBatch) {
    assert_eq!(a.projects, b.projects);
    assert_eq!(a.people, b.people);
    assert_eq!(a.warnings, b.warnings);
    assert_eq!(a.skipped, b.skipped);
}

#[test]
fn trello_files_cut_in_half() {
    for relative in TRELLO_FILES {
        let bytes = read_real(relative);
        let half = bytes.len() / 2;
        let (name, cut) = via_temp_file("cut.json", &bytes[..half]);
        let err = trello::parse(&name, &cut).expect_err(relative);
        assert_names_file_and_line(&err, &name);
        assert!(err.message.contains("cut off"), "{relative}: {err}");
        // The error is on the last line of what is left (or on the line of a
        // UTF-8 character cut in two).
        assert_eq!(err.line, Some(lines_before(&cut, cut.len())), "{relative}: {err}");
    }
}

#[test]
fn jira_files_cut_in_half() {
    for relative in JIRA_FILES {
        let bytes = read_real(relative);
        let half = bytes.len() / 2;
        let (name, cut) = via_temp_file("cut.csv", &bytes[..half]);
        let last_line = lines_before(&cut, cut.len());
        match jira_csv::parse(&name, &cut) {
            Err(err) => {
                assert_names_file_and_line(&err, &name);
                assert!(err.message.contains("cut off"), "{relative}: {err}");
            }
            Ok(batch) => {
                assert_consistent(&batch);
                let full = jira_csv::parse(&name, &bytes).unwrap();
                assert!(all_tasks(&batch).len() <= all_tasks(&full).len());
                // The half row at the end is reported on its line.
                assert!(
                    batch
                        .warnings
                        .iter()
                        .any(|w| w.record.as_deref() == Some(&format!("line {last_line}"))
                            && w.message.contains("cut off")),
                    "{relative}: {:?}",
                    batch.warnings
                );
            }
        }
    }
}

#[test]
fn spanish_header_cut_inside_a_quoted_header_cell() {
    let relative = "jira/jira-cloud-export-spanish-358cols-head.csv";
    let bytes = read_real(relative);
    // Cut in the middle of the first quoted header (which contains a comma).
    let quote = bytes.iter().position(|&b| b == b'"').expect("a quoted header");
    let (name, cut) = via_temp_file("spanish.csv", &bytes[..quote + 5]);
    let err = jira_csv::parse(&name, &cut).unwrap_err();
    assert_names_file_and_line(&err, &name);
    assert_eq!(err.line, Some(1));
    assert!(err.message.contains("quoted cell"), "{err}");
}

#[test]
fn invalid_utf8_byte_in_the_middle() {
    for relative in TRELLO_FILES.iter().chain(JIRA_FILES) {
        let bytes = read_real(relative);
        let mut at = bytes.len() / 2;
        while at < bytes.len() && (bytes[at] & 0xC0) == 0x80 {
            at += 1; // a character boundary, so the 0xFF is the first bad byte
        }
        let mut damaged = bytes[..at].to_vec();
        damaged.push(0xFF);
        damaged.extend_from_slice(&bytes[at..]);
        let (name, damaged) = via_temp_file(file_name(relative), &damaged);
        let err = parse_any(relative, &name, &damaged).expect_err(relative);
        assert_names_file_and_line(&err, &name);
        assert_eq!(err.line, Some(lines_before(&damaged, at)), "{relative}: {err}");
        assert!(err.message.contains("not valid UTF-8"), "{err}");
        assert!(err.message.contains(&format!("byte offset {at}")), "{err}");
    }
}

#[test]
fn flipped_bytes_never_panic() {
    for relative in TRELLO_FILES.iter().chain(JIRA_FILES) {
        let bytes = read_real(relative);
        for step in 1..=16 {
            let mut damaged = bytes.clone();
            let at = bytes.len() * step / 17;
            damaged[at] ^= 0x22; // flips e.g. a quote, a brace or a letter
            if let Ok(batch) = parse_any(relative, "flipped", &damaged) {
                assert_consistent(&batch);
            }
        }
    }
}

#[test]
fn wrong_parser_for_the_file() {
    for relative in TRELLO_FILES {
        let bytes = read_real(relative);
        let (name, bytes) = via_temp_file("export.csv", &bytes);
        let err = jira_csv::parse(&name, &bytes).unwrap_err();
        assert_names_file_and_line(&err, &name);
        assert!(err.message.contains("not a Jira CSV export") && err.message.contains("JSON"), "{err}");
        assert!(err.message.contains("Trello"), "{relative}: {err}");
    }
    for relative in JIRA_FILES {
        let bytes = read_real(relative);
        let (name, bytes) = via_temp_file("export.json", &bytes);
        let err = trello::parse(&name, &bytes).unwrap_err();
        assert_names_file_and_line(&err, &name);
        assert_eq!(err.line, Some(1));
        assert!(err.message.contains("CSV"), "{relative}: {err}");
    }
}

#[test]
fn empty_files() {
    let (name, bytes) = via_temp_file("empty.json", b"");
    let err = trello::parse(&name, &bytes).unwrap_err();
    assert_eq!(err.file, "empty.json");
    assert!(err.to_string().contains("empty"), "{err}");
    let (name, bytes) = via_temp_file("empty.csv", b"");
    let err = jira_csv::parse(&name, &bytes).unwrap_err();
    assert_eq!(err.file, "empty.csv");
    assert!(err.to_string().contains("empty"), "{err}");
    let err = jira_csv::parse("bom-only.csv", &[0xEF, 0xBB, 0xBF]).unwrap_err();
    assert_eq!(err.line, Some(1));
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
    }
    out
}

#[test]
fn re_encoded_copies_parse_the_same() {
    for relative in JIRA_FILES.iter().chain(TRELLO_FILES) {
        let bytes = read_real(relative);
        let text = String::from_utf8(bytes.clone()).unwrap();

        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(&bytes);
        let mut copies = vec![("utf8-bom", bom), ("utf16le", utf16(&text, false)), ("utf16be", utf16(&text, true))];
        if relative.ends_with(".csv") {
            // None of the real CSVs has a line break inside a cell, so CRLF
            // changes no cell.
            copies.push(("crlf", text.replace('\n', "\r\n").into_bytes()));
        }
        for (kind, copy) in copies {
            let (name, copy) = via_temp_file(&format!("{kind}-{}", file_name(relative)), &copy);
            let batch = parse_any(relative, &name, &copy).unwrap_or_else(|e| panic!("{kind} {relative}: {e}"));
            assert_eq!(batch.file_name, name);
            // (A card array's project is named after the file: same name.)
            same(&batch, &parse_any(relative, &name, &bytes).unwrap());
        }
    }
}

#[test]
fn utf16_cut_in_the_middle_of_a_character() {
    let text = String::from_utf8(read_real("jira/jira-cloud-all-fields-export-2024.csv")).unwrap();
    let encoded = utf16(&text, false);
    let err = jira_csv::parse("odd.csv", &encoded[..encoded.len() - 1]).unwrap_err();
    assert_names_file_and_line(&err, "odd.csv");
    assert!(err.message.contains("UTF-16") && err.message.contains("cut off"), "{err}");
}
