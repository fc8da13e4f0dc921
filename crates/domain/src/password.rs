//! Password policy (DESIGN §8): at least 8 characters from at least 3 of the classes
//! lower case, upper case, digits and symbols; changed every 90 days, at most once a day,
//! never back to one of the last five; nothing an attacker tries first (the user's own
//! name, the common passwords of both languages' users, keyboard runs) however dressed
//! up with capitals, digits and symbols.

use crate::error::FieldError;

pub const MIN_LEN: usize = 8;
pub const MAX_AGE_DAYS: i64 = 90;
/// A password the user set stays at least this long (so that the history cannot be
/// cycled through in a minute), unless it must change.
pub const MIN_AGE_MS: i64 = 24 * 60 * 60 * 1000;
/// The passwords a new one must differ from: the current one and the ones before.
pub const HISTORY: usize = 5;

/// What attackers try first, once capitals, digits and symbols are taken off (stems of
/// the lists of most common passwords, in Latin letters and pinyin).
const COMMON: &[&str] = &[
    "password",
    "passwd",
    "admin",
    "administrator",
    "root",
    "welcome",
    "letmein",
    "qwerty",
    "qwertyuiop",
    "asdfgh",
    "asdfghjkl",
    "zxcvbn",
    "zxcvbnm",
    "qazwsx",
    "abc",
    "abcd",
    "abcdef",
    "abcdefg",
    "iloveyou",
    "monkey",
    "dragon",
    "master",
    "login",
    "test",
    "guest",
    "user",
    "changeme",
    "default",
    "secret",
    "system",
    "woaini",
    "aini",
    "nihao",
    "duban",
    "huawei",
    "china",
    "beijing",
    "zhongguo",
    "abcabc",
    "aaaaaa",
    "qwer",
    "asdf",
    "zxcv",
];

/// The letters left when a password is stripped of what dresses it up: lower case, the
/// usual substitutions undone (@→a, 0→o, 1→l/i, 3→e, $→s, 5→s, 7→t, !→i), digits and
/// symbols at either end removed.
fn stem(pw: &str) -> String {
    let lower = pw.to_lowercase();
    let core = lower.trim_matches(|c: char| !c.is_alphabetic() && c != '@' && c != '$');
    let core = core.trim_end_matches(['@', '$']);
    core.chars()
        .map(|c| match c {
            '@' | '4' => 'a',
            '0' => 'o',
            '3' => 'e',
            '$' | '5' => 's',
            '7' => 't',
            '!' | '|' => 'i',
            c => c,
        })
        .collect()
}

fn is_common(pw: &str) -> bool {
    let s = stem(pw);
    let variants = [s.clone(), s.replace('1', "l"), s.replace('1', "i")];
    // Keyboard and counting runs, whatever the case: 1qaz2wsx, 12345678, 1q2w3e4r.
    let lower = pw.to_lowercase();
    let runs = [
        "1qaz2wsx", "1q2w3e4r", "12345678", "87654321", "11111111", "88888888", "66666666",
        "123qwe", "qwe123",
    ];
    variants.iter().any(|v| COMMON.contains(&v.as_str())) || runs.iter().any(|r| lower.contains(r))
}

/// The policy for a user's password: the rules of [`check`], and nothing built on the
/// user's name or from the common passwords.
pub fn check_for(
    field: &str,
    pw: &str,
    username: &str,
    display_name: &str,
) -> Result<(), FieldError> {
    check(field, pw)?;
    let lower = pw.to_lowercase();
    let mine = [
        username.trim().to_lowercase(),
        display_name.trim().to_lowercase(),
    ];
    if mine
        .iter()
        .any(|m| m.chars().count() >= 3 && lower.contains(m.as_str()))
    {
        return Err(FieldError::new(
            field,
            "contains_name",
            "密码不能包含用户名或姓名",
            "a password may not contain the user name or the person's name",
        ));
    }
    if is_common(pw) {
        return Err(FieldError::new(
            field,
            "common_password",
            "该密码过于常见（如 Password1、Admin@123、1qaz2wsx），请换一个",
            "this password is among the first an attacker tries (like Password1, Admin@123, 1qaz2wsx); choose another",
        ));
    }
    Ok(())
}

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

    #[test]
    fn what_attackers_try_first_is_refused() {
        use super::check_for;
        for pw in [
            "Password1",
            "P@ssw0rd!",
            "Admin@123",
            "Admin123!",
            "1qaz2WSX!",
            "Qwerty123!",
            "Woaini1314!",
            "Duban2026!",
            "Welcome#2026",
            "Abcd1234!",
        ] {
            let e = check_for("p", pw, "zhangsan", "张三").unwrap_err();
            assert_eq!(e.code, "common_password", "{pw}");
        }
        assert_eq!(
            check_for("p", "Zhangsan-2026", "zhangsan", "张三")
                .unwrap_err()
                .code,
            "contains_name"
        );
        for pw in ["Hu7#mountain-lake", "Sx9!qT4v", "Test-pass-2025"] {
            assert!(check_for("p", pw, "zhangsan", "张三").is_ok(), "{pw}");
        }
    }
}
