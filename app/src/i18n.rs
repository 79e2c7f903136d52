//! Japanese first, English second.
//!
//! Every user-facing string lives in [`Texts`]; [`JA`] and [`EN`] must both fill every
//! field, so a string missing in one language is a compile error, not a blank on screen.
//! The language comes from the `kouka_lang` cookie, else `Accept-Language`, else Japanese.

use serde::{Deserialize, Serialize};

/// Name of the cookie that remembers the reader's language choice.
pub const LANG_COOKIE: &str = "kouka_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    /// The BCP 47 tag used in `<html lang>` and in the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// Parses a language tag (`ja`, `ja-JP`, `en-US`…); `None` for languages we do not offer.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the language for a request: the cookie wins, then the best `Accept-Language`
    /// match by quality, then Japanese.
    pub fn negotiate(cookie_header: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = cookie_header.and_then(lang_from_cookie_header) {
            return lang;
        }
        accept_language
            .and_then(lang_from_accept_language)
            .unwrap_or_default()
    }

    /// The name of the language in that language, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Ja => "日本語",
            Lang::En => "English",
        }
    }
}

fn lang_from_cookie_header(header: &str) -> Option<Lang> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name.trim() == LANG_COOKIE)
            .then(|| Lang::from_tag(value.trim()))
            .flatten()
    })
}

fn lang_from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(Lang, f32)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let Some(lang) = parts.next().and_then(Lang::from_tag) else {
            continue;
        };
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
            best = Some((lang, quality));
        }
    }
    best.map(|(lang, _)| lang)
}

/// Every user-facing string of the app. Add a field here, then fill it in both languages.
#[derive(Debug)]
pub struct Texts {
    pub app_name: &'static str,
    pub app_tagline: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_login: &'static str,
    pub menu_open: &'static str,
    pub menu_close: &'static str,
    pub language_label: &'static str,
    pub home_title: &'static str,
    pub home_lead: &'static str,
    pub home_feature_goals_title: &'static str,
    pub home_feature_goals_body: &'static str,
    pub home_feature_eval_title: &'static str,
    pub home_feature_eval_body: &'static str,
    pub home_feature_security_title: &'static str,
    pub home_feature_security_body: &'static str,
    pub home_login_cta: &'static str,
    pub login_title: &'static str,
    pub login_coming: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub back_home: &'static str,
    pub footer_rights: &'static str,
    pub footer_times_note: &'static str,
    pub error_internal: &'static str,
    pub error_not_found: &'static str,
    pub error_forbidden: &'static str,
    pub error_unauthenticated: &'static str,
    pub error_conflict: &'static str,
    pub error_invalid: &'static str,
    pub error_network: &'static str,
    pub error_login_failed: &'static str,
    pub error_rate_limited: &'static str,
    pub error_link_invalid: &'static str,
    pub error_link_expired: &'static str,
    pub error_seat_limit: &'static str,
    pub error_last_system_admin: &'static str,
    pub users_title: &'static str,
    pub users_search: &'static str,
    pub users_search_submit: &'static str,
    pub users_seats: &'static str,
    pub users_count: &'static str,
    pub users_none: &'static str,
    pub users_new: &'static str,
    pub users_create_submit: &'static str,
    pub users_created: &'static str,
    pub users_prev: &'static str,
    pub users_next: &'static str,
    pub users_page: &'static str,
    pub col_name: &'static str,
    pub col_status: &'static str,
    pub col_employee_code: &'static str,
    pub field_company: &'static str,
    pub scope_title: &'static str,
    pub scope_label: &'static str,
    pub scope_save: &'static str,
    pub profile_title: &'static str,
    pub profile_save: &'static str,
    pub profile_saved: &'static str,
    pub sessions_title: &'static str,
    pub session_current: &'static str,
    pub session_end: &'static str,
    pub col_started: &'static str,
    pub col_last_seen: &'static str,
    pub col_ip: &'static str,
    pub col_browser: &'static str,
    pub col_roles: &'static str,
    pub col_last_login: &'static str,
    pub status_invited: &'static str,
    pub status_active: &'static str,
    pub status_deactivated: &'static str,
    pub field_display_name: &'static str,
    pub field_employee_code: &'static str,
    pub field_language: &'static str,
    pub user_edit_title: &'static str,
    pub user_save: &'static str,
    pub user_saved: &'static str,
    pub user_roles_title: &'static str,
    pub user_roles_save: &'static str,
    pub user_actions_title: &'static str,
    pub user_deactivate: &'static str,
    pub user_reactivate: &'static str,
    pub user_delete: &'static str,
    pub user_delete_confirm: &'static str,
    pub user_resend: &'static str,
    pub user_sign_out: &'static str,
    pub user_done: &'static str,
    pub user_deleted: &'static str,
    pub back_to_users: &'static str,
    pub nav_account: &'static str,
    pub nav_logout: &'static str,
    pub nav_users: &'static str,
    pub field_company_code: &'static str,
    pub field_identifier: &'static str,
    pub field_email: &'static str,
    pub field_password: &'static str,
    pub field_new_password: &'static str,
    pub field_password_confirm: &'static str,
    pub field_current_password: &'static str,
    pub password_hint: &'static str,
    pub login_submit: &'static str,
    pub login_forgot: &'static str,
    pub working: &'static str,
    pub setup_title: &'static str,
    pub reset_title: &'static str,
    pub setup_for: &'static str,
    pub setup_submit: &'static str,
    pub forgot_title: &'static str,
    pub forgot_lead: &'static str,
    pub forgot_submit: &'static str,
    pub forgot_sent: &'static str,
    pub account_title: &'static str,
    pub account_roles: &'static str,
    pub account_no_roles: &'static str,
    pub change_password_title: &'static str,
    pub change_password_submit: &'static str,
    pub change_password_done: &'static str,
    pub welcome: &'static str,
    pub welcome_lead: &'static str,
}

pub static JA: Texts = Texts {
    app_name: "考課",
    app_tagline: "人事評価クラウド",
    skip_to_content: "本文へスキップ",
    nav_label: "メインメニュー",
    nav_home: "ホーム",
    nav_login: "ログイン",
    menu_open: "メニューを開く",
    menu_close: "メニューを閉じる",
    language_label: "表示言語",
    home_title: "人事評価を、もっと確かに。",
    home_lead: "目標設定から自己評価、1次・2次評価、評価調整、フィードバックまで。組織図と人事部門の運用に沿って、評価のすべてを一つの場所で進めます。",
    home_feature_goals_title: "目標設定（MBO）",
    home_feature_goals_body: "ウェイト付きの目標を上長と合意し、期中の進捗を記録します。",
    home_feature_eval_title: "評価と調整",
    home_feature_eval_body: "自己評価から2次評価、評価調整、確定と開示までをワークフローで管理します。",
    home_feature_security_title: "安心の管理",
    home_feature_security_body: "企業ごとに分離されたデータ、権限管理、すべての操作の記録。",
    home_login_cta: "ログインする",
    login_title: "ログイン",
    login_coming: "ログイン機能は現在準備中です。",
    not_found_title: "ページが見つかりません",
    not_found_body: "お探しのページは移動または削除された可能性があります。",
    back_home: "ホームへ戻る",
    footer_rights: "考課 Kouka",
    footer_times_note: "時刻は日本時間（JST, UTC+09:00）で表示します。",
    error_internal: "システムエラーが発生しました。時間をおいて再度お試しください。",
    error_not_found: "対象が見つかりません。",
    error_forbidden: "この操作を行う権限がありません。",
    error_unauthenticated: "ログインが必要です。",
    error_conflict: "他の人が先に変更しました。最新の内容を確認してから、もう一度お試しください。",
    error_invalid: "入力内容に誤りがあります。",
    error_network: "サーバーに接続できませんでした。通信環境を確認して、もう一度お試しください。",
    error_login_failed: "企業コード、メールアドレス（または社員番号）、パスワードのいずれかが正しくありません。",
    error_rate_limited: "試行回数が多すぎます。しばらく待ってから、もう一度お試しください。",
    error_link_invalid: "このリンクは無効です。すでに使われたか、新しいリンクが発行されています。",
    error_link_expired: "このリンクは有効期限が切れています。管理者に再送を依頼するか、もう一度お手続きください。",
    error_seat_limit: "契約席数（{limit}席）の上限に達しているため、ユーザーを追加できません。",
    error_last_system_admin: "有効なシステム管理者が1人もいなくなるため、この操作はできません。",
    users_title: "ユーザー管理",
    users_search: "氏名・メールアドレス・社員番号で検索",
    users_search_submit: "検索",
    users_seats: "利用中 {used} / 契約 {limit} 席",
    users_count: "{total} 人",
    users_none: "該当するユーザーはいません。",
    users_new: "ユーザーを追加",
    users_create_submit: "追加して招待メールを送る",
    users_created: "ユーザーを追加し、招待メールを送りました。",
    users_prev: "前へ",
    users_next: "次へ",
    users_page: "{page} / {pages} ページ",
    col_name: "氏名",
    col_status: "状態",
    col_employee_code: "社員番号",
    field_company: "企業",
    scope_title: "業務管理者の担当範囲",
    scope_label: "担当する部署の部署コード（カンマ区切り。配下の部署を含みます）",
    scope_save: "担当範囲を保存",
    profile_title: "プロフィール",
    profile_save: "保存",
    profile_saved: "保存しました。",
    sessions_title: "ログイン中の端末",
    session_current: "この端末",
    session_end: "ログアウトさせる",
    col_started: "ログイン日時",
    col_last_seen: "最終操作",
    col_ip: "IPアドレス",
    col_browser: "ブラウザー",
    col_roles: "権限",
    col_last_login: "最終ログイン",
    status_invited: "招待中",
    status_active: "有効",
    status_deactivated: "無効",
    field_display_name: "氏名",
    field_employee_code: "社員番号（任意）",
    field_language: "表示言語",
    user_edit_title: "ユーザーの編集",
    user_save: "保存",
    user_saved: "保存しました。",
    user_roles_title: "権限",
    user_roles_save: "権限を保存",
    user_actions_title: "操作",
    user_deactivate: "無効にする",
    user_reactivate: "有効にする",
    user_delete: "削除する",
    user_delete_confirm: "このユーザーと個人データを削除します。元に戻せません。よろしいですか？",
    user_resend: "招待メールを再送",
    user_sign_out: "すべての端末からログアウトさせる",
    user_done: "完了しました。",
    user_deleted: "ユーザーを削除しました。",
    back_to_users: "ユーザー一覧へ戻る",
    nav_account: "アカウント",
    nav_logout: "ログアウト",
    nav_users: "ユーザー管理",
    field_company_code: "企業コード",
    field_identifier: "メールアドレスまたは社員番号",
    field_email: "メールアドレス",
    field_password: "パスワード",
    field_new_password: "新しいパスワード",
    field_password_confirm: "新しいパスワード（確認）",
    field_current_password: "現在のパスワード",
    password_hint: "12文字以上。記号や数字の組み合わせは不要です。長い文章のようなパスワードがおすすめです。",
    login_submit: "ログイン",
    login_forgot: "パスワードをお忘れの方",
    working: "処理中…",
    setup_title: "パスワードの設定",
    reset_title: "パスワードの再設定",
    setup_for: "次のアカウントのパスワードを設定します。",
    setup_submit: "パスワードを設定してログイン",
    forgot_title: "パスワードをお忘れの方",
    forgot_lead: "企業コードと登録済みのメールアドレスを入力してください。再設定用のリンクをお送りします。",
    forgot_submit: "再設定リンクを送る",
    forgot_sent: "登録があれば、再設定用のリンクをメールでお送りしました。リンクの有効期限は1時間です。",
    account_title: "アカウント",
    account_roles: "権限",
    account_no_roles: "一般ユーザー",
    change_password_title: "パスワードの変更",
    change_password_submit: "パスワードを変更",
    change_password_done: "パスワードを変更しました。他の端末のログインは終了しました。",
    welcome: "ようこそ、{name} さん",
    welcome_lead: "評価の進捗や目標設定は、今後このページからご利用いただけます。",
};

pub static EN: Texts = Texts {
    app_name: "Kouka",
    app_tagline: "Personnel evaluation cloud",
    skip_to_content: "Skip to main content",
    nav_label: "Main menu",
    nav_home: "Home",
    nav_login: "Log in",
    menu_open: "Open menu",
    menu_close: "Close menu",
    language_label: "Language",
    home_title: "Personnel evaluation, done right.",
    home_lead: "From goal setting and self-evaluation through 1st and 2nd evaluation, calibration and feedback: run every step of your evaluation in one place, following your org chart and your HR team's process.",
    home_feature_goals_title: "Goal setting (MBO)",
    home_feature_goals_body: "Agree weighted goals with your manager and record progress through the term.",
    home_feature_eval_title: "Evaluation and calibration",
    home_feature_eval_body: "A workflow from self-evaluation to 2nd evaluation, calibration, finalization and disclosure.",
    home_feature_security_title: "Trustworthy by design",
    home_feature_security_body: "Data isolated per company, role-based access, and a record of every operation.",
    home_login_cta: "Log in",
    login_title: "Log in",
    login_coming: "Login is being prepared.",
    not_found_title: "Page not found",
    not_found_body: "The page you are looking for may have been moved or deleted.",
    back_home: "Back to home",
    footer_rights: "Kouka 考課",
    footer_times_note: "Times are shown in Japan Standard Time (JST, UTC+09:00).",
    error_internal: "A system error occurred. Please try again later.",
    error_not_found: "Not found.",
    error_forbidden: "You are not allowed to do this.",
    error_unauthenticated: "Please log in.",
    error_conflict: "Someone else changed this first. Check the latest version and try again.",
    error_invalid: "Some input is not valid.",
    error_network: "Could not reach the server. Check your connection and try again.",
    error_login_failed: "The company code, e-mail address (or employee code) or password is not correct.",
    error_rate_limited: "Too many attempts. Please wait a while and try again.",
    error_link_invalid: "This link is not valid: it was used already, or a newer link was sent.",
    error_link_expired: "This link has expired. Ask your administrator to send a new one, or start again.",
    error_seat_limit: "The contract's seat limit ({limit} seats) is reached: no more users can be added.",
    error_last_system_admin: "This would leave no active system admin, so it is not allowed.",
    users_title: "Users",
    users_search: "Search by name, e-mail or employee code",
    users_search_submit: "Search",
    users_seats: "{used} of {limit} seats in use",
    users_count: "{total} users",
    users_none: "No users match.",
    users_new: "Add a user",
    users_create_submit: "Add and send invitation",
    users_created: "The user was added and an invitation was sent.",
    users_prev: "Previous",
    users_next: "Next",
    users_page: "Page {page} of {pages}",
    col_name: "Name",
    col_status: "Status",
    col_employee_code: "Employee code",
    field_company: "Company",
    scope_title: "Business admin scope",
    scope_label: "Department codes covered, comma-separated (their sub-departments included)",
    scope_save: "Save scope",
    profile_title: "Profile",
    profile_save: "Save",
    profile_saved: "Saved.",
    sessions_title: "Where you are signed in",
    session_current: "This browser",
    session_end: "Sign out",
    col_started: "Signed in",
    col_last_seen: "Last active",
    col_ip: "IP address",
    col_browser: "Browser",
    col_roles: "Roles",
    col_last_login: "Last login",
    status_invited: "Invited",
    status_active: "Active",
    status_deactivated: "Deactivated",
    field_display_name: "Name",
    field_employee_code: "Employee code (optional)",
    field_language: "Language",
    user_edit_title: "Edit user",
    user_save: "Save",
    user_saved: "Saved.",
    user_roles_title: "Roles",
    user_roles_save: "Save roles",
    user_actions_title: "Actions",
    user_deactivate: "Deactivate",
    user_reactivate: "Reactivate",
    user_delete: "Delete",
    user_delete_confirm: "Delete this user and their personal data? This cannot be undone.",
    user_resend: "Resend invitation",
    user_sign_out: "Sign out everywhere",
    user_done: "Done.",
    user_deleted: "The user was deleted.",
    back_to_users: "Back to users",
    nav_account: "Account",
    nav_logout: "Log out",
    nav_users: "Users",
    field_company_code: "Company code",
    field_identifier: "E-mail address or employee code",
    field_email: "E-mail address",
    field_password: "Password",
    field_new_password: "New password",
    field_password_confirm: "New password (again)",
    field_current_password: "Current password",
    password_hint: "At least 12 characters. No symbols or digits required: a long phrase works best.",
    login_submit: "Log in",
    login_forgot: "Forgot your password?",
    working: "Working…",
    setup_title: "Choose your password",
    reset_title: "Reset your password",
    setup_for: "You are choosing the password of this account.",
    setup_submit: "Set password and log in",
    forgot_title: "Forgot your password",
    forgot_lead: "Enter your company code and your registered e-mail address. We will send you a link to reset your password.",
    forgot_submit: "Send reset link",
    forgot_sent: "If the account exists, a reset link is on its way by e-mail. It is valid for one hour.",
    account_title: "Your account",
    account_roles: "Roles",
    account_no_roles: "General user",
    change_password_title: "Change password",
    change_password_submit: "Change password",
    change_password_done: "Your password is changed. Your other sessions have ended.",
    welcome: "Welcome, {name}",
    welcome_lead: "Your evaluations and goals will appear here.",
};

/// The label users know a form field by, for error messages that name it. Unknown names
/// (which would be a programming slip) fall back to the generic "input" wording.
pub fn field_label(field: &str, lang: Lang) -> &'static str {
    let t = texts(lang);
    match field {
        "email" => t.field_email,
        "password" => t.field_password,
        "password_confirm" | "new_password_confirm" => t.field_password_confirm,
        "new_password" => t.field_new_password,
        "current_password" => t.field_current_password,
        "company_code" => t.field_company_code,
        "display_name" => t.field_display_name,
        "employee_code" => t.col_employee_code,
        "roles" => t.col_roles,
        "status" => t.col_status,
        "department_codes" => t.scope_title,
        _ => t.error_invalid,
    }
}

/// The dictionary of a language.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_wins_over_accept_language() {
        assert_eq!(
            Lang::negotiate(Some("a=b; kouka_lang=en"), Some("ja-JP,ja;q=0.9")),
            Lang::En
        );
    }

    #[test]
    fn accept_language_by_quality() {
        assert_eq!(
            Lang::negotiate(None, Some("fr;q=1.0, en-US;q=0.8, ja;q=0.5")),
            Lang::En
        );
        assert_eq!(
            Lang::negotiate(None, Some("en;q=0.3, ja-JP;q=0.9")),
            Lang::Ja
        );
        assert_eq!(Lang::negotiate(None, Some("en;q=0, de")), Lang::Ja);
    }

    #[test]
    fn japanese_by_default_and_on_garbage() {
        assert_eq!(Lang::negotiate(None, None), Lang::Ja);
        assert_eq!(
            Lang::negotiate(Some("kouka_lang=xx"), Some(";;,")),
            Lang::Ja
        );
    }

    #[test]
    fn every_text_is_filled_in_both_languages() {
        // Debug output lists every field; an empty string in either language is a gap.
        for lang in Lang::ALL {
            let dump = format!("{:?}", texts(lang));
            assert!(
                !dump.contains(": \"\""),
                "{lang:?} has an empty text: {dump}"
            );
        }
    }
}

// --- Leptos glue: the reader's language as reactive context -------------------------------

use leptos::prelude::*;

/// The language of the page, shared by every component through context.
#[derive(Clone, Copy)]
pub struct LangContext(pub RwSignal<Lang>);

/// Provides the language signal. On the server it is negotiated from the request; in the
/// browser it is read back from `<html lang>`, which the server rendered, so hydration
/// starts from the same language.
pub fn provide_lang() -> RwSignal<Lang> {
    let signal = RwSignal::new(initial_lang());
    provide_context(LangContext(signal));
    signal
}

#[cfg(feature = "ssr")]
fn initial_lang() -> Lang {
    use_context::<http::request::Parts>()
        .map(|parts| {
            let header = |name: http::HeaderName| {
                parts
                    .headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            Lang::negotiate(
                header(http::header::COOKIE).as_deref(),
                header(http::header::ACCEPT_LANGUAGE).as_deref(),
            )
        })
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn initial_lang() -> Lang {
    document()
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or_default()
}

/// The current language signal. Panics only when used outside the app (a programming error).
pub fn use_lang() -> RwSignal<Lang> {
    expect_context::<LangContext>().0
}

/// A reactive accessor for the current dictionary: `{move || t().nav_home}`.
pub fn use_texts() -> impl Fn() -> &'static Texts + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || texts(lang.get())
}
