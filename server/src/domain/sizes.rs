//! Sizes as people read them in refusals.

/// A size limit in the largest whole unit that is not zero: a limit under a megabyte, which a
/// deployment may set, is given in kilobytes or bytes rather than as "0 MB".
pub fn limit_text(bytes: u64) -> String {
    match bytes {
        1_000_000.. => format!("{} MB", bytes / 1_000_000),
        1_000.. => format!("{} KB", bytes / 1_000),
        _ => format!("{bytes} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::limit_text;

    #[test]
    fn a_limit_is_never_shown_as_zero() {
        assert_eq!(limit_text(26_214_400), "26 MB");
        assert_eq!(limit_text(1_000_000), "1 MB");
        assert_eq!(limit_text(1_000), "1 KB");
        assert_eq!(limit_text(999), "999 bytes");
    }
}
