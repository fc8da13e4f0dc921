//! Normalisation of the text users type or paste: full-width digits and letters,
//! ideographic spaces, stray whitespace.

/// Fold full-width ASCII (Ｕ+FF01..FF5E) to ASCII, the ideographic space to a space,
/// and trim. Other characters are kept as they are.
pub fn normalize(s: &str) -> String {
    let folded: String = s
        .chars()
        .map(|c| match c {
            '\u{3000}' | '\u{a0}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '。' => '.',
            _ => c,
        })
        .collect();
    folded.trim().to_string()
}

/// A name as people write it: full-width digits and letters folded, whitespace runs
/// collapsed to one space, trimmed. Full-width punctuation (（）、：) is kept: it is
/// how Chinese names are spelled (项目（一期）).
pub fn clean_name(s: &str) -> String {
    let folded: String = s
        .chars()
        .map(|c| match c {
            '\u{3000}' | '\u{a0}' => ' ',
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                char::from_u32(c as u32 - 0xfee0).unwrap_or(c)
            }
            _ => c,
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A free-text field: trimmed (prose keeps its Chinese punctuation as typed), at most
/// `max` characters, and non-empty when `required`.
pub fn field(
    name: &str,
    s: &str,
    max: usize,
    required: bool,
) -> Result<String, crate::error::FieldError> {
    use crate::error::FieldError;
    let t = s.trim().to_string();
    if required && t.is_empty() {
        return Err(FieldError::required(name));
    }
    if t.chars().count() > max {
        return Err(FieldError::new(
            name,
            "too_long",
            format!("不能超过{max}个字"),
            format!("at most {max} characters"),
        ));
    }
    Ok(t)
}

/// A calendar date as users type it: 2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日.
pub fn date(name: &str, s: &str) -> Result<chrono::NaiveDate, crate::error::FieldError> {
    let t = normalize(s)
        .replace(['/', '.', '年', '月'], "-")
        .replace('日', "");
    chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d")
        .ok()
        .filter(|d| (1900..=9999).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| {
            crate::error::FieldError::new(
                name,
                "date",
                format!("“{s}”不是有效日期，请写作 2025-03-01"),
                format!("'{s}' is not a valid date; write it as 2025-03-01"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn folds_full_width() {
        assert_eq!(normalize("　１２３．４５ "), "123.45");
        assert_eq!(normalize("ＡＢ－０１"), "AB-01");
        assert_eq!(clean_name(" 信发  集团\t项目 "), "信发 集团 项目");
        assert_eq!(
            clean_name("冷链物流园（一期）　２号"),
            "冷链物流园（一期） 2号"
        );
        assert_eq!(field("f", " 　a ", 3, true).unwrap(), "a");
        assert_eq!(
            field("f", "已签约，附合同", 20, true).unwrap(),
            "已签约，附合同"
        );
        assert_eq!(field("f", " ", 3, true).unwrap_err().code, "required");
        assert_eq!(
            field("f", "四个字呀", 3, false).unwrap_err().code,
            "too_long"
        );
        for ok in [
            "2025-03-01",
            "2025/3/1",
            "2025.3.1",
            "2025年3月1日",
            "２０２５-０３-０１",
        ] {
            assert_eq!(date("d", ok).unwrap().to_string(), "2025-03-01", "{ok}");
        }
        for bad in ["2025-02-30", "yesterday", "", "0001-01-01"] {
            assert!(date("d", bad).is_err(), "{bad}");
        }
    }
}
