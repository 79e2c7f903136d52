//! Why a CSV file could not be read or written (`csv_codec`, server side). Here, outside
//! the server-only module, so that a [`crate::domain::problem::Problem`] can carry it to the
//! browser; its words are in `i18n::problems`.

use serde::{Deserialize, Serialize};

/// Why a CSV file could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CsvError {
    #[error("the file is neither UTF-8 nor Shift_JIS")]
    UnknownEncoding,
    /// A quoted cell opened on `line` never closes: everything after it would be one cell.
    #[error("line {line}: a quoted cell is never closed")]
    UnclosedQuote { line: usize },
    #[error("line {line}: {found} cells where the header has {expected}")]
    WrongCellCount {
        line: usize,
        expected: usize,
        found: usize,
    },
    #[error("unknown column {name:?}")]
    UnknownHeader { name: String },
    #[error("required column {en:?} is missing")]
    MissingColumn { ja: String, en: String },
    #[error("column {name:?} appears twice")]
    DuplicateHeader { name: String },
    /// A character Shift_JIS cannot hold as it is, in the cell of `column` of the record
    /// on row `line` whose first cell (its code) is `record`.
    #[error("row {line}: {character:?} in {column} cannot be written in Shift_JIS")]
    NotRepresentable {
        line: usize,
        column: String,
        record: String,
        character: char,
    },
}
