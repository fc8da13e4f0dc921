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

/// Normalise, then collapse internal runs of whitespace to one space.
pub fn clean_name(s: &str) -> String {
    normalize(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn folds_full_width() {
        assert_eq!(normalize("　１２３．４５ "), "123.45");
        assert_eq!(normalize("ＡＢ－０１"), "AB-01");
        assert_eq!(clean_name(" 信发  集团\t项目 "), "信发 集团 项目");
    }
}
