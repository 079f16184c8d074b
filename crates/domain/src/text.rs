//! Text limits that count characters (not bytes), so a Chinese title gets the
//! same room as an English one and a 4-byte emoji is never cut in half.

use crate::DomainError;

/// Trim and check a required single-line text such as a title or a name.
pub fn required(field: &'static str, value: &str, max_chars: usize) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    limit(field, trimmed, max_chars)?;
    Ok(trimmed.to_string())
}

/// Check the length of a free text (description, note) without altering it.
pub fn limit(field: &'static str, value: &str, max_chars: usize) -> Result<(), DomainError> {
    let count = value.chars().count();
    if count > max_chars {
        return Err(DomainError::invalid(
            field,
            format!("is {count} characters long; at most {max_chars} are allowed"),
        ));
    }
    Ok(())
}

pub const TITLE_MAX: usize = 500;
pub const NAME_MAX: usize = 200;
pub const BODY_MAX: usize = 100_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_characters_not_bytes() {
        // 5 characters, 20 bytes: four-byte emoji and CJK must count as one each.
        let text = "😀留存率🎯";
        assert_eq!(text.len(), 4 + 9 + 4);
        assert!(limit("title", text, 5).is_ok());
        assert!(limit("title", text, 4).is_err());
    }

    #[test]
    fn required_trims_and_rejects_blank() {
        assert_eq!(required("title", "  提升用户留存率 ", 10).unwrap(), "提升用户留存率");
        assert_eq!(required("title", " \t ", 10).unwrap_err().field(), "title");
    }
}
