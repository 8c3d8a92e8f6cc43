//! Normalisation of Japanese text for storage and search.

use unicode_normalization::UnicodeNormalization;

/// Half-width katakana (as the official code list publishes them, ﾎｯｶｲﾄﾞｳ) to full width
/// (ホッカイドウ), composing voiced marks. NFKC does exactly this for kana; it also folds
/// full-width ASCII to half width, which is what we want for names and codes too.
pub fn to_full_width_kana(s: &str) -> String {
    s.nfkc().collect::<String>().trim().to_string()
}

/// Hiragana as katakana (だんじり → ダンジリ, ゝ → ヽ), everything else as it is: searches then
/// find a word whichever of the two it was written in.
pub fn hiragana_to_katakana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => {
                char::from_u32(c as u32 + 0x60).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hiragana_becomes_katakana_and_nothing_else_changes() {
        assert_eq!(hiragana_to_katakana("だんじり祭り"), "ダンジリ祭リ");
        assert_eq!(hiragana_to_katakana("ゔぁゝゞ"), "ヴァヽヾ");
        assert_eq!(
            hiragana_to_katakana("ダンジリ abc 123 防災"),
            "ダンジリ abc 123 防災"
        );
        assert_eq!(hiragana_to_katakana("ー・「」"), "ー・「」");
    }

    #[test]
    fn half_width_kana_becomes_full_width() {
        assert_eq!(to_full_width_kana("ﾎｯｶｲﾄﾞｳ"), "ホッカイドウ");
        assert_eq!(to_full_width_kana("ｷｼﾜﾀﾞｼ"), "キシワダシ");
        assert_eq!(to_full_width_kana("ｵｵｻｶﾌﾟ"), "オオサカプ");
        assert_eq!(to_full_width_kana(" ｶﾜｻｷｼ "), "カワサキシ");
    }
}
