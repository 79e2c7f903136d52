//! Free text as people type it: the characters no stored text may hold, the one width
//! folding applied where a field's meaning needs it, and how a character is named in a
//! message so that an invisible one can still be found.

use unicode_normalization::char::compose;

/// Characters no stored text may hold: control characters (CR, LF, NUL, TAB… break mail
/// headers, lines and exports) and the bidirectional marks, embeddings, overrides and
/// isolates, which make text read otherwise than it is stored (a name that shows as
/// "admin" in a mail).
pub fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// The first forbidden character of `text`, if any.
pub fn first_forbidden(text: &str) -> Option<char> {
    text.chars().find(|&c| is_forbidden(c))
}

/// Refuses a text holding a forbidden character, saying why: (Japanese, English).
pub fn refuse_forbidden(text: &str) -> Result<(), crate::domain::problem::Problem> {
    match first_forbidden(text) {
        None => Ok(()),
        Some(_) => Err(crate::domain::problem::Problem::ForbiddenCharacters),
    }
}

/// A character as messages name it: `「￢」(U+FFE2)`, or only `U+3099` for one that shows
/// nothing by itself (control, format, combining, private use, blank), which would appear as
/// an empty `「」`.
pub fn describe(c: char) -> String {
    let code = format!("U+{:04X}", u32::from(c));
    if shows_nothing(c) {
        code
    } else {
        format!("「{c}」({code})")
    }
}

fn shows_nothing(c: char) -> bool {
    c.is_control()
        || c.is_whitespace()
        || is_forbidden(c)
        // Zero-width and other format characters, the BOM.
        || matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
        // Combining marks (Japanese voiced marks among them).
        || matches!(c, '\u{0300}'..='\u{036F}' | '\u{3099}' | '\u{309A}')
        // Private use: the user-defined characters (外字) of CP932 decode here.
        || matches!(c, '\u{E000}'..='\u{F8FF}')
}

/// Folds width where a field's meaning needs it (kana, job titles, grades): full-width
/// ASCII (`ＡＢＣ１２３`) to ASCII, half-width katakana (`ｼﾒｲ`, `ｶﾞ`) to full-width
/// (`シメイ`, `ガ`), and a voiced mark typed apart (`か` + U+3099, as macOS sends it) joined
/// to its kana. Nothing else changes: not NFKC, which would also turn `￢` into `¬` and
/// `㈱` into `(株)`, characters Shift_JIS cannot hold or that mean something else.
pub fn fold_width(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let folded = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{FF61}'..='\u{FF9D}' => half_width_katakana(c),
            // Half-width voiced marks, and combining ones, join the kana before them when
            // it has a voiced form; otherwise they stand as the spacing marks ゛ ゜.
            '\u{FF9E}' | '\u{3099}' | '\u{FF9F}' | '\u{309A}' => {
                let combining = if matches!(c, '\u{FF9E}' | '\u{3099}') {
                    '\u{3099}'
                } else {
                    '\u{309A}'
                };
                let joined = out
                    .chars()
                    .next_back()
                    .and_then(|base| compose(base, combining));
                if let Some(joined) = joined {
                    out.pop();
                    out.push(joined);
                    continue;
                }
                if combining == '\u{3099}' {
                    '\u{309B}'
                } else {
                    '\u{309C}'
                }
            }
            other => other,
        };
        out.push(folded);
    }
    out
}

/// One half-width katakana or punctuation mark (U+FF61–U+FF9D) as its full-width form.
fn half_width_katakana(c: char) -> char {
    const FULL: [char; 61] = [
        '。', '「', '」', '、', '・', 'ヲ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ', 'ッ',
        'ー', 'ア', 'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ',
        'ソ', 'タ', 'チ', 'ツ', 'テ', 'ト', 'ナ', 'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ',
        'ホ', 'マ', 'ミ', 'ム', 'メ', 'モ', 'ヤ', 'ユ', 'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ',
        'ン',
    ];
    let index = (u32::from(c) - 0xFF61) as usize;
    FULL.get(index).copied().unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_direction_characters_are_forbidden() {
        for c in [
            '\r', '\n', '\0', '\t', '\u{7F}', '\u{202E}', '\u{2066}', '\u{200F}',
        ] {
            assert!(is_forbidden(c), "{c:?}");
        }
        for c in ['山', 'ａ', ' ', '\u{3000}', '髙', '①', '\u{E000}'] {
            assert!(!is_forbidden(c), "{c:?}");
        }
        assert_eq!(first_forbidden("人事\u{202E}nimda"), Some('\u{202E}'));
        assert_eq!(first_forbidden("人事 花子"), None);
    }

    #[test]
    fn invisible_characters_are_named_by_their_code_point() {
        assert_eq!(describe('￢'), "「￢」(U+FFE2)");
        assert_eq!(describe('\u{E000}'), "U+E000");
        assert_eq!(describe('\u{3099}'), "U+3099");
        assert_eq!(describe('\u{200B}'), "U+200B");
        assert_eq!(describe('😀'), "「😀」(U+1F600)");
    }

    #[test]
    fn width_folds_only_what_the_field_means() {
        assert_eq!(fold_width("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダ タロウ");
        assert_eq!(fold_width("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"), "パピプペポ");
        assert_eq!(fold_width("ｳﾞｧｲｵﾘﾝ"), "ヴァイオリン");
        // A voiced mark with no voiced form stands as the spacing mark CP932 holds.
        assert_eq!(fold_width("ｱﾞ"), "ア゛");
        assert_eq!(fold_width("か\u{3099}"), "が");
        assert_eq!(fold_width("等級１　ＡＢ"), "等級1　AB");
        // What NFKC would change, and Shift_JIS could then not hold, stays.
        assert_eq!(fold_width("￢㈱①髙"), "￢㈱①髙");
        assert_eq!(fold_width("ｰ｡｢｣､･"), "ー。「」、・");
    }
}
