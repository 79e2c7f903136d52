//! The one error type that crosses from the server to the user.
//!
//! Internal detail (SQL errors, I/O) is logged on the server and never sent; the browser
//! gets a kind it can translate with [`AppError::message`].

use crate::domain::form_field::FormField;
use crate::domain::problem::Problem;
use crate::i18n::{Lang, texts};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("changed by someone else")]
    Conflict,
    /// Bad input: the field it concerns and why (translated in `i18n::problems`).
    #[error("invalid {field}: {problem:?}")]
    Invalid { field: FormField, problem: Problem },
    /// Login refused. One message for a wrong company code, unknown user, wrong password,
    /// deactivated or locked account: nothing tells an attacker which it was.
    #[error("login failed")]
    LoginFailed,
    /// Too many attempts from one address; try again later.
    #[error("rate limited")]
    RateLimited,
    /// The server has as much of this work under way as it takes (uploads, password
    /// checks); try again in a moment.
    #[error("busy")]
    Busy,
    /// A setup, invitation or reset link that is unknown or already used.
    #[error("link invalid")]
    LinkInvalid,
    #[error("link expired")]
    LinkExpired,
    /// The seat limit of the contract is reached.
    #[error("seat limit reached")]
    SeatLimit { limit: i64 },
    /// The change would leave the tenant without an active system admin.
    #[error("last system admin")]
    LastSystemAdmin,
    /// The browser could not reach the server (client side only).
    #[error("server unreachable")]
    Network,
    #[error("internal error")]
    Internal,
}

impl AppError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict => 409,
            AppError::Invalid { .. } => 422,
            AppError::LoginFailed => 401,
            AppError::RateLimited => 429,
            AppError::Busy => 503,
            AppError::LinkInvalid | AppError::LinkExpired => 410,
            AppError::SeatLimit { .. } => 409,
            AppError::LastSystemAdmin => 409,
            AppError::Network => 503,
            AppError::Internal => 500,
        }
    }

    /// A refusal of `field`, with the reason in Japanese and English.
    pub fn invalid(field: FormField, problem: impl Into<Problem>) -> AppError {
        AppError::Invalid {
            field,
            problem: problem.into(),
        }
    }

    /// The form field a refusal is about, if any.
    pub fn field(&self) -> Option<FormField> {
        match self {
            AppError::Invalid { field, .. } => Some(*field),
            _ => None,
        }
    }

    /// What the user reads, in their language.
    pub fn message(&self, lang: Lang) -> String {
        let t = texts(lang);
        match self {
            AppError::Unauthenticated => t.error_unauthenticated.to_owned(),
            AppError::Forbidden => t.error_forbidden.to_owned(),
            AppError::NotFound => t.error_not_found.to_owned(),
            AppError::Conflict => t.error_conflict.to_owned(),
            AppError::Invalid { field, problem } => {
                let label = t.field_label(*field);
                let reason = problem.text(lang);
                match lang {
                    Lang::Ja => format!("{label}：{reason}"),
                    Lang::En => format!("{label}: {reason}"),
                }
            }
            AppError::LoginFailed => t.error_login_failed.to_owned(),
            AppError::RateLimited => t.error_rate_limited.to_owned(),
            AppError::Busy => t.error_busy.to_owned(),
            AppError::LinkInvalid => t.error_link_invalid.to_owned(),
            AppError::LinkExpired => t.error_link_expired.to_owned(),
            AppError::SeatLimit { limit } => crate::i18n::counted(t.error_seat_limit, *limit),
            AppError::LastSystemAdmin => t.error_last_system_admin.to_owned(),
            AppError::Network => t.error_network.to_owned(),
            AppError::Internal => t.error_internal.to_owned(),
        }
    }

    /// Any failure that is not the user's doing: logged in full, shown as "internal".
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, error: impl std::fmt::Display) -> AppError {
        tracing::error!(%error, "{context}");
        AppError::Internal
    }
}

/// Server functions return `Result<T, AppError>`: the error travels as JSON, and failures of
/// the transport itself become [`AppError::Network`] or [`AppError::Internal`].
impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => AppError::Network,
            ServerFnErrorErr::Args(detail)
            | ServerFnErrorErr::MissingArg(detail)
            | ServerFnErrorErr::Deserialization(detail) => {
                AppError::invalid(FormField::Request, Problem::Unreadable { detail })
            }
            _ => AppError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::backend::db::DbError> for AppError {
    fn from(error: crate::backend::db::DbError) -> Self {
        AppError::internal("database error", error)
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::internal("database error", error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_names_the_field_in_both_languages() {
        let error = AppError::invalid(FormField::Email, Problem::BadEmail);
        assert_eq!(
            error.message(Lang::Ja),
            "メールアドレス：メールアドレスの形式が正しくありません"
        );
        assert_eq!(
            error.message(Lang::En),
            "E-mail address: is not a valid e-mail address"
        );
        assert_eq!(error.status(), 422);
    }

    #[test]
    fn travels_between_server_and_browser_intact() {
        let error = AppError::invalid(
            FormField::ManagesCodes,
            Problem::HasManager {
                code: "S100".into(),
                who: "山田 太郎".into(),
            },
        );
        assert_eq!(AppError::de(error.ser()), error);
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::Request("offline".into())),
            AppError::Network
        );
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::ServerError("boom".into())),
            AppError::Internal
        );
    }

    #[test]
    fn internal_says_nothing_of_the_cause() {
        assert_eq!(
            AppError::Internal.message(Lang::En),
            crate::i18n::EN.error_internal
        );
    }
}
