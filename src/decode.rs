//! Bytes to text: BOM, then the caller's (HTTP) charset, then `<meta>` in the first
//! 1024 bytes, then detection. Output is always UTF-8.
//!
//! One correction to that order, because servers and templates get it wrong so often:
//! bytes that are valid UTF-8 and contain multi-byte sequences are decoded as UTF-8
//! even when a legacy single-byte charset was declared.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use std::borrow::Cow;

/// How far into the document `<meta charset>` is looked for (the HTML spec's prescan limit).
const META_PRESCAN_BYTES: usize = 1024;
/// How many bytes feed the charset detector: enough for a verdict, bounded for speed.
const DETECT_BYTES: usize = 64 * 1024;

/// Where the chosen encoding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A byte-order mark.
    Bom,
    /// The charset the caller passed (an HTTP `Content-Type`).
    Declared,
    /// `<meta charset>` or `<meta http-equiv=content-type>`.
    Meta,
    /// The bytes were valid UTF-8 (overriding a legacy declaration, or with none).
    Utf8Valid,
    /// Statistical detection (chardetng).
    Detected,
}

/// A decoded document.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The text, borrowed when the input was already UTF-8.
    pub text: Cow<'a, str>,
    /// The encoding used.
    pub encoding: &'static Encoding,
    /// Why that encoding was used.
    pub source: Source,
    /// Whether malformed sequences were replaced by U+FFFD.
    pub had_errors: bool,
}

/// Decodes `bytes` to UTF-8. `declared` is a charset label from outside the document
/// (an HTTP header), or a whole `Content-Type` value; unknown labels are ignored.
pub fn decode<'a>(bytes: &'a [u8], declared: Option<&str>) -> Decoded<'a> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return finish(enc, &bytes[bom_len..], Source::Bom);
    }
    let declared = declared
        .and_then(|d| Encoding::for_label(charset_param(d).as_bytes()))
        .map(|e| (e, Source::Declared));
    let chosen = declared.or_else(|| meta_charset(bytes).map(|e| (e, Source::Meta)));
    match chosen {
        Some((enc, src)) if enc == UTF_8 => match std::str::from_utf8(bytes) {
            Ok(s) => ok(s, src),
            // Declared UTF-8 but not quite: mostly UTF-8 with stray legacy bytes is
            // repaired byte by byte; anything else is detected from the bytes.
            Err(_) => mixed_utf8(bytes).unwrap_or_else(|| detect(bytes)),
        },
        Some((enc, src)) => {
            // A UTF-16 label in an ASCII-compatible document is always wrong (the spec
            // maps it to UTF-8 for <meta>); valid multi-byte UTF-8 beats a legacy label.
            if is_utf8_with_multibyte(bytes) {
                return ok(
                    std::str::from_utf8(bytes).expect("checked"),
                    Source::Utf8Valid,
                );
            }
            let enc = enc.output_encoding();
            finish(enc, bytes, src)
        }
        None => match std::str::from_utf8(bytes) {
            Ok(s) => ok(s, Source::Utf8Valid),
            Err(_) => mixed_utf8(bytes).unwrap_or_else(|| detect(bytes)),
        },
    }
}

fn ok(s: &str, source: Source) -> Decoded<'_> {
    Decoded {
        text: Cow::Borrowed(s),
        encoding: UTF_8,
        source,
        had_errors: false,
    }
}

fn finish<'a>(enc: &'static Encoding, bytes: &'a [u8], source: Source) -> Decoded<'a> {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    Decoded {
        text,
        encoding: enc,
        source,
        had_errors,
    }
}

fn detect(bytes: &[u8]) -> Decoded<'_> {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let sample = &bytes[..bytes.len().min(DETECT_BYTES)];
    det.feed(sample, sample.len() == bytes.len());
    let enc = det.guess(None, chardetng::Utf8Detection::Allow);
    let enc = if enc == encoding_rs::UTF_16BE || enc == encoding_rs::UTF_16LE {
        WINDOWS_1252
    } else {
        enc
    };
    finish(enc, bytes, Source::Detected)
}

/// Lowest ratio of valid multi-byte UTF-8 characters to invalid bytes at which a
/// document is taken as UTF-8 with stray legacy bytes (templates in UTF-8, content
/// pasted from a Windows-1252 source), rather than as a legacy document.
const MIXED_UTF8_MIN_RATIO: usize = 2;

/// Decodes mostly-UTF-8 bytes, reading each invalid byte as Windows-1252; `None` when
/// the invalid bytes are too many for the document to be UTF-8 at heart.
fn mixed_utf8(bytes: &[u8]) -> Option<Decoded<'_>> {
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += chunk.invalid().len();
    }
    if multibyte < invalid * MIXED_UTF8_MIN_RATIO {
        return None;
    }
    let mut out = String::with_capacity(bytes.len() + invalid * 2);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(std::slice::from_ref(b));
            out.push_str(&text);
        }
    }
    Some(Decoded {
        text: Cow::Owned(out),
        encoding: UTF_8,
        source: Source::Utf8Valid,
        had_errors: true,
    })
}

/// True when `bytes` is valid UTF-8 and has at least one non-ASCII character.
fn is_utf8_with_multibyte(bytes: &[u8]) -> bool {
    !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok()
}

/// The `charset=` parameter of a Content-Type value, or the value itself when it is a bare label.
pub fn charset_param(value: &str) -> &str {
    let lower_pos = value
        .as_bytes()
        .windows(8)
        .position(|w| w.eq_ignore_ascii_case(b"charset="));
    match lower_pos {
        Some(p) => {
            let rest = &value[p + 8..];
            let rest = rest.trim_start_matches(['"', '\'', ' ']);
            let end = rest
                .find(|c: char| c == ';' || c == '"' || c == '\'' || c.is_whitespace())
                .unwrap_or(rest.len());
            &rest[..end]
        }
        None if value.contains('/') => "",
        None => value.trim(),
    }
}

/// The encoding named by `<meta charset=…>` or `<meta http-equiv … content="…charset=…">`
/// in the first 1024 bytes.
pub fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(META_PRESCAN_BYTES)];
    let mut from = 0;
    while let Some(p) = memchr::memmem::find(&head[from..], b"<meta")
        .or_else(|| memchr::memmem::find(&head[from..], b"<META"))
    {
        let start = from + p + 5;
        let end = head[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(head.len(), |e| start + e);
        let tag = String::from_utf8_lossy(&head[start..end]);
        if let Some(label) = charset_in_tag(&tag) {
            if let Some(enc) = Encoding::for_label(label.as_bytes()) {
                // Per the HTML spec, a meta-declared UTF-16 means UTF-8.
                if enc == encoding_rs::UTF_16BE || enc == encoding_rs::UTF_16LE {
                    return Some(UTF_8);
                }
                return Some(enc);
            }
        }
        from = end.min(head.len());
        if from >= head.len() {
            break;
        }
    }
    None
}

fn charset_in_tag(tag: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let p = lower.find("charset")?;
    let rest = lower[p + 7..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let rest = rest.trim_start_matches(['"', '\'']);
    let end = rest
        .find(|c: char| c == '"' || c == '\'' || c == ';' || c == '/' || c.is_whitespace())
        .unwrap_or(rest.len());
    let label = &rest[..end];
    (!label.is_empty()).then(|| label.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_wins_over_everything() {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("<meta charset=iso-8859-2>é".as_bytes());
        let d = decode(&b, Some("windows-1251"));
        assert_eq!(d.source, Source::Bom);
        assert!(d.text.ends_with('é'));
    }

    #[test]
    fn http_charset_used_for_legacy_bytes() {
        // "Привет" in windows-1251
        let b = [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2];
        let d = decode(&b, Some("text/html; charset=windows-1251"));
        assert_eq!(d.text, "Привет");
        assert_eq!(d.source, Source::Declared);
    }

    #[test]
    fn meta_charset_found_in_prescan() {
        let mut b = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\"></head><body>".to_vec();
        b.push(0xE9); // é in latin1
        let d = decode(&b, None);
        assert_eq!(d.source, Source::Meta);
        assert!(d.text.ends_with('é'));
    }

    #[test]
    fn valid_utf8_beats_wrong_legacy_declaration() {
        let b = "<meta charset=\"iso-8859-1\"><p>Zoë’s café</p>".as_bytes();
        let d = decode(b, None);
        assert_eq!(d.source, Source::Utf8Valid);
        assert!(d.text.contains("Zoë’s café"));
    }

    #[test]
    fn invalid_declared_utf8_falls_back_to_detection() {
        let mut b = b"<meta charset=utf-8><p>".to_vec();
        b.extend_from_slice(&[0x63, 0x61, 0x66, 0xE9, 0x20, 0x64, 0xE9, 0x6A, 0xE0]); // "café déjà" latin1
        let d = decode(&b, None);
        assert_eq!(d.source, Source::Detected);
        assert!(d.text.contains("café déjà"), "{}", d.text);
    }

    #[test]
    fn mostly_utf8_with_stray_latin1_bytes_is_repaired() {
        let mut b = "<meta charset=utf-8><p>Größe, weiß, Äpfel, Übung, schön</p><p>"
            .as_bytes()
            .to_vec();
        b.extend_from_slice(b"K\xfchlschrank"); // "Kühlschrank" pasted in latin1
        let d = decode(&b, None);
        assert_eq!(d.source, Source::Utf8Valid);
        assert!(
            d.text.contains("Größe, weiß") && d.text.contains("Kühlschrank"),
            "{}",
            d.text
        );
    }

    #[test]
    fn undeclared_legacy_is_detected() {
        let text = "Съешь же ещё этих мягких французских булок, да выпей чаю. ".repeat(5);
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
        let d = decode(&bytes, None);
        assert_eq!(d.source, Source::Detected);
        assert_eq!(d.text, text);
    }

    #[test]
    fn charset_param_parsing() {
        assert_eq!(charset_param("text/html; charset=\"UTF-8\""), "UTF-8");
        assert_eq!(charset_param("text/html"), "");
        assert_eq!(charset_param("latin1"), "latin1");
    }

    #[test]
    fn unknown_label_is_ignored() {
        let d = decode(b"plain ascii", Some("x-no-such-charset"));
        assert_eq!(d.text, "plain ascii");
    }
}
