//! Attachments: the type is decided by the content, never by the file name; only documents
//! and images a desk can open safely are accepted (PDF, PNG, JPEG, GIF, WebP, Office files).

use crate::error::ParseError;

/// Largest accepted attachment, in bytes.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Most attachments per submission.
pub const MAX_ATTACHMENTS: usize = 5;

/// A file type recognised by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Webp,
    Docx,
    Xlsx,
    Pptx,
    /// Legacy .doc/.xls/.ppt (OLE compound file).
    OfficeLegacy,
}

impl FileKind {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            Self::OfficeLegacy => "application/x-ole-storage",
        }
    }

    /// The kind a stored content type names (the type was set from the content at upload).
    pub fn from_mime(mime: &str) -> Option<Self> {
        [
            Self::Pdf,
            Self::Png,
            Self::Jpeg,
            Self::Gif,
            Self::Webp,
            Self::Docx,
            Self::Xlsx,
            Self::Pptx,
            Self::OfficeLegacy,
        ]
        .into_iter()
        .find(|k| k.mime() == mime)
    }

    /// File name extensions that truthfully name this kind; the first is the usual one.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &["pdf"],
            Self::Png => &["png"],
            Self::Jpeg => &["jpg", "jpeg"],
            Self::Gif => &["gif"],
            Self::Webp => &["webp"],
            Self::Docx => &["docx"],
            Self::Xlsx => &["xlsx"],
            Self::Pptx => &["pptx"],
            // An OLE compound file may be any of the old Office formats; which one is
            // not worth guessing, so an untruthful name gets a neutral extension.
            Self::OfficeLegacy => &["doc", "xls", "ppt", "bin"],
        }
    }

    fn usual_extension(self) -> &'static str {
        match self {
            Self::OfficeLegacy => "bin",
            other => other.extensions()[0],
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Recognises the file by its first bytes (and, for Office files, the names inside the ZIP).
pub fn sniff(data: &[u8]) -> Option<FileKind> {
    if data.starts_with(b"%PDF-") {
        Some(FileKind::Pdf)
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(FileKind::Png)
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some(FileKind::Gif)
    } else if data.len() >= 12 && data.starts_with(b"RIFF") && &data[8..12] == b"WEBP" {
        Some(FileKind::Webp)
    } else if data.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some(FileKind::OfficeLegacy)
    } else if data.starts_with(b"PK\x03\x04") && contains(data, b"[Content_Types].xml") {
        if contains(data, b"word/") {
            Some(FileKind::Docx)
        } else if contains(data, b"xl/") {
            Some(FileKind::Xlsx)
        } else if contains(data, b"ppt/") {
            Some(FileKind::Pptx)
        } else {
            None
        }
    } else {
        None
    }
}

/// Characters that reorder text on screen: a name like `report\u{202E}fdp.exe` would show
/// as `reportexe.pdf`.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// A file name safe to show and to put in a header: no path, no control or bidirectional
/// formatting characters, at most 120 characters.
pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| {
            !c.is_control()
                && !is_bidi_control(*c)
                && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':')
        })
        .take(120)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').to_string();
    if trimmed.is_empty() {
        "attachment".to_string()
    } else {
        trimmed
    }
}

/// The name a file of `kind` is stored and downloaded under: cleaned, and with an extension
/// that tells the truth about the content (`x.html` holding a PDF becomes `x.html.pdf`, so
/// nothing opens it as a web page).
pub fn truthful_filename(name: &str, kind: FileKind) -> String {
    let cleaned = clean_filename(name);
    let ext = cleaned
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if kind.extensions().contains(&ext.as_str()) {
        return cleaned;
    }
    let usual = kind.usual_extension();
    // Stay within the length clean_filename promises.
    let keep = 120 - usual.len() - 1;
    let stem: String = cleaned.chars().take(keep).collect();
    format!("{stem}.{usual}")
}

/// Checks one upload: not empty, not too big, of an accepted kind.
pub fn check(data: &[u8]) -> Result<FileKind, ParseError> {
    const FIELD: &str = "attachments";
    if data.is_empty() {
        return Err(ParseError::new(FIELD, "error-attachment-empty"));
    }
    if data.len() > MAX_ATTACHMENT_BYTES {
        return Err(ParseError::new(FIELD, "error-attachment-too-large"));
    }
    sniff(data).ok_or(ParseError::new(FIELD, "error-attachment-type"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_by_content_not_name() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(FileKind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(FileKind::Jpeg));
        assert_eq!(
            sniff(b"PK\x03\x04....[Content_Types].xml....word/document.xml"),
            Some(FileKind::Docx)
        );
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(sniff(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff(b"PK\x03\x04 plain zip"), None);
        assert!(check(b"").is_err());
        assert!(check(b"%PDF-1.4").is_ok());
        assert_eq!(
            check(b"MZ\x90\x00").err().map(|e| e.key),
            Some("error-attachment-type")
        );
    }

    #[test]
    fn filenames_are_cleaned() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\Users\\a\\提案書.pdf"), "提案書.pdf");
        assert_eq!(clean_filename("a\"b\r\n.pdf"), "ab.pdf");
        assert_eq!(clean_filename("..."), "attachment");
        assert_eq!(clean_filename("report\u{202E}fdp.exe"), "reportfdp.exe");
        assert_eq!(
            clean_filename("\u{2067}計画\u{2069}書\u{200F}.pdf"),
            "計画書.pdf"
        );
    }

    #[test]
    fn extensions_tell_the_truth() {
        assert_eq!(truthful_filename("x.html", FileKind::Pdf), "x.html.pdf");
        assert_eq!(truthful_filename("提案書.PDF", FileKind::Pdf), "提案書.PDF");
        assert_eq!(truthful_filename("写真.jpeg", FileKind::Jpeg), "写真.jpeg");
        assert_eq!(
            truthful_filename("写真.png", FileKind::Jpeg),
            "写真.png.jpg"
        );
        assert_eq!(truthful_filename("noext", FileKind::Docx), "noext.docx");
        assert_eq!(
            truthful_filename("old.xls", FileKind::OfficeLegacy),
            "old.xls"
        );
        assert_eq!(
            truthful_filename("old.svg", FileKind::OfficeLegacy),
            "old.svg.bin"
        );
        assert_eq!(
            truthful_filename("a\u{202E}lmth.pdf", FileKind::Pdf),
            "almth.pdf"
        );
        let long = format!("{}.html", "あ".repeat(200));
        let named = truthful_filename(&long, FileKind::Pdf);
        assert!(
            named.ends_with(".pdf") && named.chars().count() <= 120,
            "{named}"
        );
        for kind in [
            FileKind::Pdf,
            FileKind::Png,
            FileKind::OfficeLegacy,
            FileKind::Xlsx,
        ] {
            assert_eq!(FileKind::from_mime(kind.mime()), Some(kind));
        }
        assert_eq!(FileKind::from_mime("text/html"), None);
    }
}
