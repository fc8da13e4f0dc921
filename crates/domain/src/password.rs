//! Password policy (DESIGN §8): at least 8 characters from at least 3 of the classes
//! lower case, upper case, digits and symbols; changed every 90 days.

use crate::error::FieldError;

pub const MIN_LEN: usize = 8;
pub const MAX_AGE_DAYS: i64 = 90;

pub fn check(field: &str, pw: &str) -> Result<(), FieldError> {
    let classes = [
        pw.chars().any(|c| c.is_ascii_lowercase()),
        pw.chars().any(|c| c.is_ascii_uppercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    if pw.chars().count() < MIN_LEN || classes < 3 {
        return Err(FieldError::new(
            field,
            "weak_password",
            "密码至少8位，且须包含大写字母、小写字母、数字、符号中的至少三类",
            "a password needs at least 8 characters from at least 3 of: upper case, lower case, digits, symbols",
        ));
    }
    if pw.chars().count() > 128 {
        return Err(FieldError::new(
            field,
            "too_long",
            "密码不能超过128位",
            "a password is at most 128 characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn policy() {
        assert!(super::check("p", "Abcdefg1").is_ok());
        assert!(super::check("p", "abcdefg1!").is_ok());
        assert!(super::check("p", "abcdefgh1").is_err());
        assert!(super::check("p", "Ab1!").is_err());
    }
}
