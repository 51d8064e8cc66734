//! Lexical `/` paths, shared by includes (relative to the repository root) and links
//! (relative to the linking lesson): neither may climb out of its root.

use unicode_normalization::UnicodeNormalization;

/// Joins `path` onto the folder `base` (`""` for the root), resolving `.` and `..`; `None` if
/// it climbs above the root.
pub(crate) fn join(base: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|part| !part.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// The folder of a file path (`""` at the root).
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// Percent-decodes a link path or anchor (editors and GitHub encode Hangul) and normalises it
/// to NFC like the text it must match. Malformed escapes are kept as written.
pub(crate) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(decoded) if byte == b'%' => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_within_the_root() {
        assert_eq!(
            join("part2", "../part1/./a.md").as_deref(),
            Some("part1/a.md")
        );
        assert_eq!(join("", "a//b/../c").as_deref(), Some("a/c"));
        assert_eq!(join("part2", "../../x.md"), None);
        assert_eq!(parent("part2/2-1.md"), "part2");
        assert_eq!(parent("README.md"), "");
    }

    #[test]
    fn decodes_percent_escapes_leniently() {
        assert_eq!(decode("%ED%99%98%EA%B2%BD"), "환경");
        assert_eq!(decode("a%20b"), "a b");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%E"), "%zz%E");
    }
}
