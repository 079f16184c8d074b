//! Spreadsheet downloads of what a page shows (the project table, the OKR
//! tree): CSV with a byte-order mark for Excel, and XLSX with numbers,
//! percentages and dates as such. Text a spreadsheet would run as a formula
//! is defused in both.

use crate::cells::{Shown, Typed};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// A CSV cell that a spreadsheet would read as a formula gets an apostrophe first.
pub fn csv_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() }
}

/// The rows as CSV (CRLF, UTF-8 with a byte-order mark so Excel reads Chinese right).
pub fn csv(header: &[String], rows: &[Vec<Shown>]) -> Result<Vec<u8>, String> {
    let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let failed = |e: csv::Error| format!("writing CSV: {e}");
    out.write_record(header.iter().map(|h| csv_safe(h))).map_err(failed)?;
    for row in rows {
        out.write_record(row.iter().map(|c| csv_safe(&c.text))).map_err(failed)?;
    }
    let body = out.into_inner().map_err(|e| format!("writing CSV: {e}"))?;
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(body);
    Ok(bytes)
}

/// The rows as one XLSX sheet; text is written as text (never a formula).
pub fn xlsx(sheet_name: &str, header: &[String], rows: &[Vec<Shown>]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
    let failed = |e: XlsxError| format!("writing XLSX: {e}");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name).map_err(failed)?;
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let percent = Format::new().set_num_format("0%");
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h, &bold).map_err(failed)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match &cell.typed {
                Typed::Empty => {}
                Typed::Text(s) => {
                    sheet.write_string(r, c, s).map_err(failed)?;
                }
                Typed::Number(n) => {
                    sheet.write_number(r, c, *n).map_err(failed)?;
                }
                Typed::Percent(p) => {
                    sheet.write_number_with_format(r, c, *p, &percent).map_err(failed)?;
                }
                Typed::Date(d) => {
                    use chrono::Datelike;
                    let when =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).map_err(failed)?;
                    sheet.write_datetime_with_format(r, c, &when, &day).map_err(failed)?;
                }
                Typed::DateTime(t) => {
                    use chrono::{Datelike, Timelike};
                    let when = ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)
                        .and_then(|d| d.and_hms(t.hour() as u16, t.minute() as u8, t.second() as f64))
                        .map_err(failed)?;
                    sheet.write_datetime_with_format(r, c, &when, &stamp).map_err(failed)?;
                }
                Typed::Bool(b) => {
                    sheet.write_boolean(r, c, *b).map_err(failed)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    sheet.autofit();
    book.save_to_buffer().map_err(failed)
}

/// A download: its type, file name, and no caching (it holds what the viewer may see).
pub fn attachment(content_type: &'static str, name: String, body: Vec<u8>) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_other_text_kept() {
        for (given, expected) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("留存率 = 45%", "留存率 = 45%"),
            ("", ""),
        ] {
            assert_eq!(csv_safe(given), expected);
        }
    }
}
