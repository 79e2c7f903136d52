//! The mails the account flows send: Japanese first, then the same in English. Links are
//! built from `KOUKA_BASE_URL`, never from the request's Host header.

use crate::backend::mail::{MailPriority, OutgoingMail};
use crate::domain::email::Email;
use crate::domain::time::Timestamp;

const SEPARATOR: &str = "------------------------------------------------------------";

/// An admin created the account: choose a password through the link (72 hours, once).
pub fn invitation(
    to: &Email,
    name: &str,
    company: &str,
    company_code: &str,
    link: &str,
    expires: Timestamp,
    zone: &str,
) -> OutgoingMail {
    let expires = expires.format_in_zone(zone);
    OutgoingMail {
        to: to.to_string(),
        subject: format!("【考課】{company} からの招待 / Invitation to Kouka"),
        body_text: format!(
            "{name} 様\n\n\
             {company} の人事評価システム「考課」のアカウントが作成されました。\n\
             次のリンクを開いて、ご自身のパスワードを設定してください。\n\n\
             {link}\n\n\
             企業コード: {company_code}\n\
             有効期限: {expires}（一度だけ使えます）\n\n\
             お心当たりのない場合は、このメールを破棄してください。\n\n\
             {SEPARATOR}\n\n\
             Dear {name},\n\n\
             An account on Kouka, the personnel evaluation system of {company}, was created for you.\n\
             Open this link to choose your own password:\n\n\
             {link}\n\n\
             Company code: {company_code}\n\
             Valid until: {expires} (it works once)\n\n\
             If you did not expect this mail, please discard it.\n"
        ),
        priority: MailPriority::Normal,
    }
}

/// A password reset was asked for (1 hour, once).
pub fn password_reset(
    to: &Email,
    name: &str,
    link: &str,
    expires: Timestamp,
    zone: &str,
) -> OutgoingMail {
    let expires = expires.format_in_zone(zone);
    OutgoingMail {
        to: to.to_string(),
        subject: "【考課】パスワード再設定のご案内 / Password reset".into(),
        body_text: format!(
            "{name} 様\n\n\
             パスワード再設定のお申し込みを受け付けました。次のリンクから新しいパスワードを設定してください。\n\n\
             {link}\n\n\
             有効期限: {expires}（一度だけ使えます）\n\
             お申し込みに心当たりのない場合は、このメールを破棄してください。パスワードは変わりません。\n\n\
             {SEPARATOR}\n\n\
             Dear {name},\n\n\
             We received a request to reset your password. Choose a new one through this link:\n\n\
             {link}\n\n\
             Valid until: {expires} (it works once)\n\
             If you did not ask for this, discard this mail: your password stays as it is.\n"
        ),
        priority: MailPriority::Urgent,
    }
}

/// Repeated failed logins locked the account for a while.
pub fn account_locked(to: &Email, name: &str, until: Timestamp, zone: &str) -> OutgoingMail {
    let until = until.format_in_zone(zone);
    OutgoingMail {
        to: to.to_string(),
        subject: "【考課】アカウントを一時的にロックしました / Account temporarily locked".into(),
        body_text: format!(
            "{name} 様\n\n\
             ログインの失敗が続いたため、アカウントを {until} まで一時的にロックしました。\n\
             ご本人の操作でない場合は、第三者がログインを試みている可能性があります。\n\
             ロック解除後にパスワードを変更し、管理者にご連絡ください。\n\n\
             {SEPARATOR}\n\n\
             Dear {name},\n\n\
             After repeated failed logins, your account is locked until {until}.\n\
             If this was not you, someone may be trying to sign in as you: once the lock ends,\n\
             change your password and tell your administrator.\n"
        ),
        priority: MailPriority::Urgent,
    }
}

/// The address a user signs in with was changed: told to the old address, so that a change
/// the owner did not expect (a taken-over account) is noticed.
pub fn login_email_changed(
    old: &Email,
    name: &str,
    new: &Email,
    when: Timestamp,
    zone: &str,
) -> OutgoingMail {
    let when = when.format_in_zone(zone);
    OutgoingMail {
        to: old.to_string(),
        subject: "【考課】ログイン用メールアドレスの変更 / Your sign-in e-mail address was changed"
            .into(),
        body_text: format!(
            "{name} 様\n\n\
             考課のアカウントのログイン用メールアドレスが、管理者によって {when} に変更されました。\n\n\
             変更前: {old}\n\
             変更後: {new}\n\n\
             今後のお知らせとパスワード再設定のメールは変更後のアドレスに届きます。\n\
             お心当たりのない場合は、すぐに社内のシステム管理者にご連絡ください。\n\n\
             {SEPARATOR}\n\n\
             Dear {name},\n\n\
             An administrator changed the e-mail address your Kouka account signs in with, at {when}.\n\n\
             Before: {old}\n\
             After: {new}\n\n\
             Notices and password resets now go to the new address.\n\
             If you did not expect this, tell your system administrator at once.\n"
        ),
        priority: MailPriority::Urgent,
    }
}
