//! The languages Renkei speaks: Japanese (the language of the correspondence, and the
//! default everywhere) and English. A page's language comes from `?lang=` or its cookie; a
//! mail's from its recipient (an account's choice, a proposal's language at intake).

/// A language of the message catalogues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub const ALL: [Self; 2] = [Self::Ja, Self::En];

    /// The code stored and used in `?lang=` (`ja`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Ja => "ja",
            Self::En => "en",
        }
    }

    /// The other language (the language switch links to it).
    pub fn other(self) -> Self {
        match self {
            Self::Ja => Self::En,
            Self::En => Self::Ja,
        }
    }

    /// Exactly `ja` or `en`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ja" => Some(Self::Ja),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The language an HTTP `Accept-Language` header asks for (RFC 9110 §12.5.4): of the
    /// languages listed with a weight above zero, the one with the highest weight that Renkei
    /// speaks (`en`, `en-US`, … are English; `ja`, `ja-JP` Japanese; the first listed wins a
    /// tie). Anything else (no header, only other languages, `*`, a malformed entry) is
    /// Japanese.
    pub fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(u16, Self)> = None;
        // A header of hundreds of entries is not a browser's; the first few decide.
        for entry in header.split(',').take(32) {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let primary = tag.split('-').next().unwrap_or_default();
            let lang = if primary.eq_ignore_ascii_case("en") {
                Self::En
            } else if primary.eq_ignore_ascii_case("ja") {
                Self::Ja
            } else {
                continue;
            };
            let mut weight = Some(1000);
            for param in parts {
                let Some((name, value)) = param.split_once('=') else {
                    weight = None;
                    break;
                };
                if name.trim().eq_ignore_ascii_case("q") {
                    weight = quality(value.trim());
                }
            }
            match weight {
                Some(w) if w > 0 && best.is_none_or(|(b, _)| w > b) => best = Some((w, lang)),
                _ => {}
            }
        }
        best.map(|(_, lang)| lang).unwrap_or_default()
    }
}

/// A weight (`qvalue`: `0`, `0.5`, `1.000`, at most three decimals) in thousandths.
fn quality(s: &str) -> Option<u16> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{frac:0<3}").parse::<u16>().ok()?;
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for l in Lang::ALL {
            assert_eq!(Lang::parse(l.code()), Some(l));
            assert_eq!(l.other().other(), l);
        }
        assert_eq!(Lang::parse("EN"), None);
        assert_eq!(Lang::parse(""), None);
        assert_eq!(Lang::default(), Lang::Ja);
    }

    #[test]
    fn english_when_asked_for() {
        for h in [
            "en",
            "en-US",
            "EN-gb",
            "en-US,en;q=0.9",
            " en ; q=1 ",
            "fr, en;q=0.5",
            "ja;q=0.5, en;q=0.9",
            "ja;q=0.8,en-US;q=0.81",
            "*;q=0.1, en",
            "en;q=1.000",
            "en;q=0.5, ja;q=0.5",
        ] {
            assert_eq!(Lang::from_accept_language(h), Lang::En, "{h:?}");
        }
    }

    #[test]
    fn japanese_otherwise() {
        for h in [
            "",
            "ja",
            "ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7",
            "ja, en",
            "ja;q=0.5, en;q=0.5",
            "fr",
            "de-DE,fr;q=0.9",
            "*",
            "en;q=0",
            "en;q=0.000",
            "en;q=2",
            "en;q=1.5",
            "en;q=abc",
            "en;q=0.1234",
            "en;q",
            "english",
            "eng",
            ";;;,,,",
            "日本語",
            "en\u{0}",
        ] {
            assert_eq!(Lang::from_accept_language(h), Lang::Ja, "{h:?}");
        }
    }

    #[test]
    fn weights() {
        assert_eq!(quality("1"), Some(1000));
        assert_eq!(quality("1.0"), Some(1000));
        assert_eq!(quality("0.5"), Some(500));
        assert_eq!(quality("0.05"), Some(50));
        assert_eq!(quality("0"), Some(0));
        assert_eq!(quality("0."), Some(0));
        assert_eq!(quality("1.001"), None);
        assert_eq!(quality("-0.5"), None);
        assert_eq!(quality(".5"), None);
        assert_eq!(quality("0.+5"), None);
    }
}
