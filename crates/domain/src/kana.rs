//! Normalisation of Japanese text for storage and search.

use unicode_normalization::UnicodeNormalization;

/// Half-width katakana (as the official code list publishes them, ﾎｯｶｲﾄﾞｳ) to full width
/// (ホッカイドウ), composing voiced marks. NFKC does exactly this for kana; it also folds
/// full-width ASCII to half width, which is what we want for names and codes too.
pub fn to_full_width_kana(s: &str) -> String {
    s.nfkc().collect::<String>().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_width_kana_becomes_full_width() {
        assert_eq!(to_full_width_kana("ﾎｯｶｲﾄﾞｳ"), "ホッカイドウ");
        assert_eq!(to_full_width_kana("ｷｼﾜﾀﾞｼ"), "キシワダシ");
        assert_eq!(to_full_width_kana("ｵｵｻｶﾌﾟ"), "オオサカプ");
        assert_eq!(to_full_width_kana(" ｶﾜｻｷｼ "), "カワサキシ");
    }
}
