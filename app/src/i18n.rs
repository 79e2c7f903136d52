//! Japanese first, English second.
//!
//! Every user-facing string lives in [`Texts`]; [`JA`] and [`EN`] must both fill every
//! field, so a string missing in one language is a compile error, not a blank on screen.
//! The language comes from the `kouka_lang` cookie, else `Accept-Language`, else Japanese.

pub mod calibration;
pub mod evaluation;
pub mod periods;
mod problems;
pub mod progress;
pub mod reminder_mails;
pub mod sheets;
pub use problems::{phase_name, stage_name};

/// The half of a (Japanese, English) pair in `lang`.
pub fn in_lang((ja, en): (String, String), lang: Lang) -> String {
    if lang == Lang::Ja { ja } else { en }
}

use crate::domain::account_status::AccountStatus;
use crate::domain::form_field::FormField;
use serde::{Deserialize, Serialize};

/// Name of the cookie that remembers the reader's language choice.
pub const LANG_COOKIE: &str = "kouka_lang";

/// On the wire (forms, server functions, records) and in storage as its code, `ja` or `en`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
    pub page_code_missing_title: &'static str,
    pub page_code_missing_body: &'static str,
    pub page_code_missing_retry: &'static str,
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
    pub error_busy: &'static str,
    pub user_roles_saved: &'static str,
    pub scope_saved: &'static str,
    pub user_deactivated: &'static str,
    pub user_reactivated: &'static str,
    pub user_resent: &'static str,
    pub user_signed_out: &'static str,
    pub user_deactivate_confirm: &'static str,
    pub field_required: &'static str,
    pub field_optional: &'static str,
    pub employee_no_first_no_posts: &'static str,
    pub employee_no_first_no_manager: &'static str,
    pub employee_no_second: &'static str,
    pub link_invalid_invitation: &'static str,
    /// Punctuation, which differs between the languages: between list items, after a
    /// label, around an aside.
    pub punct_list: &'static str,
    pub punct_colon: &'static str,
    pub punct_open: &'static str,
    pub punct_close: &'static str,
    pub table_region: &'static str,
    pub no_access_title: &'static str,
    pub no_access_need: fn(&str) -> String,
    pub no_access_home: &'static str,
    pub sign_in_needed: &'static str,
    pub mail_queue_waiting: &'static str,
    pub mail_queue_retrying: &'static str,
    pub error_file_too_large: &'static str,
    pub error_link_invalid: &'static str,
    pub error_link_expired: &'static str,
    pub error_seat_limit: &'static str,
    pub error_last_system_admin: &'static str,
    pub users_title: &'static str,
    pub users_search: &'static str,
    pub users_search_submit: &'static str,
    pub users_seats: fn(i64, i64) -> String,
    pub users_count: &'static str,
    pub users_none: &'static str,
    pub users_new: &'static str,
    pub users_create_submit: &'static str,
    pub users_created: &'static str,
    pub users_prev: &'static str,
    pub users_next: &'static str,
    pub users_page: fn(i64, i64) -> String,
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
    pub welcome: fn(&str) -> String,
    pub welcome_lead: &'static str,
    pub nav_org: &'static str,
    pub nav_employees: &'static str,
    pub nav_org_import: &'static str,
    pub nav_manual: &'static str,
    pub org_title: &'static str,
    pub org_lead_edit: &'static str,
    pub org_lead_view: &'static str,
    pub org_keys_title: &'static str,
    pub org_keys_view: &'static str,
    pub org_keys_edit: &'static str,
    pub org_search: &'static str,
    pub org_search_none: &'static str,
    pub org_search_results: &'static str,
    pub org_empty: &'static str,
    pub org_tree_label: &'static str,
    pub org_members_count: &'static str,
    pub org_manager: &'static str,
    pub org_no_manager: &'static str,
    pub org_add_root: &'static str,
    pub org_add_child: &'static str,
    pub org_add_submit: &'static str,
    pub org_added: &'static str,
    pub org_rename: &'static str,
    pub org_save: &'static str,
    pub org_saved: &'static str,
    pub org_set_manager: &'static str,
    pub org_manager_code: &'static str,
    pub org_make_manager: &'static str,
    pub org_move_to: &'static str,
    pub org_move_parent_code: &'static str,
    pub org_move_submit: &'static str,
    pub org_moved: fn(&str) -> String,
    pub org_delete: &'static str,
    pub org_delete_confirm: fn(&str) -> String,
    pub org_deleted: &'static str,
    pub org_members: &'static str,
    pub org_no_members: &'static str,
    pub org_primary: &'static str,
    pub org_concurrent: &'static str,
    pub org_select_prompt: &'static str,
    pub org_reloaded: &'static str,
    pub org_parent: &'static str,
    pub org_top_level: &'static str,
    pub org_expand: &'static str,
    pub org_collapse: &'static str,
    pub org_live_lost: &'static str,
    pub employees_title: &'static str,
    pub employees_search: &'static str,
    pub employees_none: &'static str,
    pub employees_new: &'static str,
    pub employees_create_submit: &'static str,
    pub employees_invite: &'static str,
    pub employees_created: &'static str,
    pub employee_title: &'static str,
    pub employee_posts: &'static str,
    pub employee_no_posts: &'static str,
    pub employee_reporting: &'static str,
    pub employee_first_evaluator: &'static str,
    pub employee_second_evaluator: &'static str,
    pub employee_none: &'static str,
    pub employee_edit: &'static str,
    pub employee_hr: &'static str,
    pub employee_account: &'static str,
    pub back_to_employees: &'static str,
    pub back_to_org: &'static str,
    pub field_kana: &'static str,
    pub field_job_title: &'static str,
    pub field_grade: &'static str,
    pub field_employment_type: &'static str,
    pub field_hire_date: &'static str,
    pub picker_search_departments: &'static str,
    pub picker_search_employees: &'static str,
    pub picker_remove: fn(&str) -> String,
    pub picker_found: &'static str,
    pub picker_none: &'static str,
    pub picker_unpicked: fn(&str) -> String,
    pub picker_chosen: &'static str,
    pub date_understood: fn(&str) -> String,
    pub date_pick: &'static str,
    pub date_hint: &'static str,
    pub field_primary_department: &'static str,
    pub field_concurrent_codes: &'static str,
    pub field_manages_codes: &'static str,
    pub field_department_name: &'static str,
    pub field_department_code: &'static str,
    pub col_department: &'static str,
    pub import_title: &'static str,
    pub import_lead: &'static str,
    pub import_kind: &'static str,
    pub kind_departments: &'static str,
    pub kind_employees: &'static str,
    pub import_file: &'static str,
    pub import_invite: &'static str,
    pub import_check: &'static str,
    pub import_uploading: &'static str,
    pub phase_parse: &'static str,
    pub phase_validate: &'static str,
    pub phase_write: &'static str,
    pub import_progress: fn(usize, usize) -> String,
    pub import_problems: &'static str,
    pub import_problems_download: &'static str,
    pub import_problems_more: &'static str,
    pub import_warnings: &'static str,
    pub import_warnings_more: &'static str,
    pub col_line: &'static str,
    pub col_column: &'static str,
    pub col_value: &'static str,
    pub col_reason: &'static str,
    pub import_ready: &'static str,
    pub import_added: &'static str,
    pub import_changed: &'static str,
    pub import_unchanged: &'static str,
    pub import_not_in_file: &'static str,
    pub import_invitations: &'static str,
    pub import_commit: &'static str,
    pub import_done: &'static str,
    pub import_again: &'static str,
    pub export_title: &'static str,
    pub export_lead: &'static str,
    pub export_encoding: &'static str,
    pub encoding_sjis: &'static str,
    pub encoding_utf8: &'static str,
    pub export_submit: &'static str,
    pub templates_title: &'static str,
    pub templates_lead: &'static str,
    /// A template's download button; `{kind}`: 部署 or 社員.
    pub template_of: fn(&str) -> String,
    pub manual_title: &'static str,
    pub manual_org_title: &'static str,
    pub manual_org_body: &'static str,
    pub manual_csv_title: &'static str,
    pub manual_csv_body: &'static str,
    pub manual_csv_export_note: &'static str,
    pub manual_column: &'static str,
    pub manual_column_other: &'static str,
    pub manual_required: &'static str,
    pub manual_optional: &'static str,
    pub manual_description: &'static str,
    pub manual_example: &'static str,
    pub field_template: &'static str,
    pub field_period: &'static str,
    pub field_sheet: &'static str,
    pub field_reminders: &'static str,
    pub field_evaluators: &'static str,
    /// The evaluation pages (`i18n/evaluation.rs`).
    pub eval: &'static evaluation::EvalTexts,
    pub period: &'static periods::PeriodTexts,
    pub sheet: &'static sheets::SheetTexts,
    pub calibration: &'static calibration::CalibrationTexts,
    pub progress: &'static progress::ProgressTexts,
}

impl Texts {
    /// The label users know a form field by, for error messages that name it.
    pub fn field_label(&self, field: FormField) -> &'static str {
        match field {
            FormField::Email => self.field_email,
            FormField::Password => self.field_password,
            FormField::PasswordConfirm | FormField::NewPasswordConfirm => {
                self.field_password_confirm
            }
            FormField::NewPassword => self.field_new_password,
            FormField::CurrentPassword => self.field_current_password,
            FormField::CompanyCode => self.field_company_code,
            FormField::DisplayName => self.field_display_name,
            FormField::EmployeeCode => self.col_employee_code,
            FormField::Roles => self.col_roles,
            FormField::Status => self.col_status,
            FormField::DepartmentCodes => self.scope_title,
            FormField::Kana => self.field_kana,
            FormField::JobTitle => self.field_job_title,
            FormField::Grade => self.field_grade,
            FormField::EmploymentType => self.field_employment_type,
            FormField::HireDate => self.field_hire_date,
            FormField::DepartmentCode => self.field_department_code,
            FormField::ConcurrentCodes => self.field_concurrent_codes,
            FormField::ManagesCodes => self.field_manages_codes,
            FormField::DepartmentName => self.field_department_name,
            FormField::Manager => self.org_manager,
            FormField::ParentId => self.org_parent,
            FormField::Department => self.kind_departments,
            FormField::Template => self.field_template,
            FormField::Period => self.field_period,
            FormField::Sheet => self.field_sheet,
            FormField::Reminders => self.field_reminders,
            FormField::Evaluators => self.field_evaluators,
            FormField::Kind => self.import_kind,
            FormField::Encoding => self.export_encoding,
            FormField::Import => self.import_title,
            FormField::Request => self.error_invalid,
        }
    }

    /// How an account's status reads in lists and badges.
    pub fn account_status(&self, status: AccountStatus) -> &'static str {
        match status {
            AccountStatus::Invited => self.status_invited,
            AccountStatus::Active => self.status_active,
            AccountStatus::Deactivated => self.status_deactivated,
        }
    }
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
    page_code_missing_title: "ページを表示できません",
    page_code_missing_body: "このページのプログラムを読み込めませんでした。通信状況を確認して、もう一度お試しください。",
    page_code_missing_retry: "再読み込み",
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
    error_busy: "ただいま混み合っています。少し待ってから、もう一度お試しください。",
    user_roles_saved: "権限を保存しました。",
    scope_saved: "担当する部署を保存しました。",
    user_deactivated: "アカウントを無効にしました。ログイン中のセッションも終了しました。",
    user_reactivated: "アカウントを有効にしました。",
    user_resent: "招待メールを再送しました。以前の招待リンクは使えなくなりました。",
    user_signed_out: "このユーザーのすべてのセッションを終了しました。",
    user_deactivate_confirm: "このユーザーを無効にします。ログイン中のセッションはすぐに終了し、再び有効にするまでログインできません。よろしいですか？",
    field_required: "必須",
    field_optional: "任意",
    employee_no_first_no_posts: "（所属部署がないため、1次評価者を決められません）",
    employee_no_first_no_manager: "（所属部署にも上位の部署にも、本人以外の責任者がいません。組織図で責任者を設定してください）",
    employee_no_second: "（1次評価者の上位の部署に責任者がいません）",
    link_invalid_invitation: "新しい招待メールが送られている場合は、そのメールのリンクを開いてください。見つからない場合は、管理者に招待メールの再送を依頼してください。",
    punct_list: "、",
    punct_colon: "：",
    punct_open: "（",
    punct_close: "）",
    table_region: "表（横にスクロールできます）",
    no_access_title: "この画面を使う権限がありません",
    no_access_need: |roles| {
        format!(
            "この画面は {roles} の権限を持つ人が使えます。必要な場合は、社内のシステム管理者に権限の付与を依頼してください。"
        )
    },
    no_access_home: "ホームに戻る",
    sign_in_needed: "この画面を見るにはログインしてください。",
    mail_queue_waiting: "送信待ちのメールが {n} 件あります（パスワード再設定などの至急のメールは先に送られます）。",
    mail_queue_retrying: "うち {n} 件は送信に失敗したため、時間をおいて再送します。",
    error_file_too_large: "ファイルが大きすぎます。取り込めるファイルの大きさの上限を超えています。",
    error_link_invalid: "このリンクは無効です。すでに使われたか、新しいリンクが発行されています。",
    error_link_expired: "このリンクは有効期限が切れています。管理者に再送を依頼するか、もう一度お手続きください。",
    error_seat_limit: "契約席数（{n}席）の上限に達しているため、ユーザーを追加できません。",
    error_last_system_admin: "有効なシステム管理者が1人もいなくなるため、この操作はできません。",
    users_title: "ユーザー管理",
    users_search: "氏名・メールアドレス・社員番号で検索",
    users_search_submit: "検索",
    users_seats: |used, limit| format!("利用中 {used} / 契約 {limit} 席"),
    users_count: "{n} 人",
    users_none: "該当するユーザーはいません。",
    users_new: "ユーザーを追加",
    users_create_submit: "追加して招待メールを送る",
    users_created: "ユーザーを追加し、招待メールを送りました。",
    users_prev: "前へ",
    users_next: "次へ",
    users_page: |page, pages| format!("{page} / {pages} ページ"),
    col_name: "氏名",
    col_status: "状態",
    col_employee_code: "社員番号",
    field_company: "企業",
    scope_title: "業務管理者の担当範囲",
    scope_label: "担当する部署（配下の部署を含みます）",
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
    field_employee_code: "社員番号",
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
    welcome: |name| format!("ようこそ、{name} さん"),
    welcome_lead: "いまあなたがすることと、その締切をここに表示します。",
    nav_org: "組織図",
    nav_employees: "社員",
    nav_org_import: "CSV取込・出力",
    nav_manual: "管理者マニュアル",
    org_title: "組織図",
    org_lead_edit: "部署は行をドラッグするか、キーボードで移動できます。変更はすぐに保存され、他の管理者の画面にもすぐ反映されます。",
    org_lead_view: "部署を選ぶと、責任者と所属する社員が表示されます。",
    org_keys_title: "キーボード操作",
    org_keys_view: "↑↓ 前後の部署へ　→ 開く　← 閉じる　Home/End 先頭・末尾　Enter 選択",
    org_keys_edit: "F2 名前の変更　Alt+↑↓ 順番を入れ替え　Alt+→ 直前の部署の下へ　Alt+← 一つ上の階層へ",
    org_search: "部署コードまたは部署名で検索",
    org_search_none: "該当する部署はありません。",
    org_search_results: "検索結果",
    org_empty: "部署がまだありません。",
    org_tree_label: "部署の階層",
    org_members_count: "直属 {n}名",
    org_manager: "責任者",
    org_no_manager: "未設定",
    org_add_root: "最上位に部署を追加",
    org_add_child: "下位部署を追加",
    org_add_submit: "追加",
    org_added: "部署を追加しました。",
    org_rename: "名前・コードを変更",
    org_save: "保存",
    org_saved: "保存しました。",
    org_set_manager: "責任者を設定",
    org_manager_code: "責任者（空欄で解除）",
    org_make_manager: "責任者にする",
    org_move_to: "上位部署を変更",
    org_move_parent_code: "新しい上位部署（空欄で最上位）",
    org_move_submit: "移動",
    org_moved: |name| format!("「{name}」を移動しました。"),
    org_delete: "この部署を削除",
    org_delete_confirm: |name| format!("部署「{name}」を削除します。よろしいですか？"),
    org_deleted: "部署を削除しました。",
    org_members: "所属社員",
    org_no_members: "所属している社員はいません。",
    org_primary: "主所属",
    org_concurrent: "兼務",
    org_select_prompt: "部署を選ぶと、ここに詳細が表示されます。",
    org_reloaded: "他の管理者が先に変更していました。最新の組織図を表示しています。",
    org_parent: "上位部署",
    org_top_level: "最上位",
    org_expand: "開く",
    org_collapse: "閉じる",
    org_live_lost: "サーバーとの接続が切れました。再接続しています…",
    employees_title: "社員",
    employees_search: "氏名・フリガナ・メールアドレス・社員番号で検索",
    employees_none: "該当する社員はいません。",
    employees_new: "社員を追加",
    employees_create_submit: "追加",
    employees_invite: "招待メールを送る（送らない場合は、あとでユーザー管理から送れます）",
    employees_created: "社員を追加しました。",
    employee_title: "社員情報",
    employee_posts: "所属",
    employee_no_posts: "所属部署はありません。",
    employee_reporting: "評価者（組織図から）",
    employee_first_evaluator: "1次評価者（上長）",
    employee_second_evaluator: "2次評価者",
    employee_none: "なし",
    employee_edit: "社員情報の編集",
    employee_hr: "人事情報",
    employee_account: "アカウントの管理",
    back_to_employees: "社員一覧へ戻る",
    back_to_org: "組織図へ戻る",
    field_kana: "フリガナ",
    field_job_title: "役職",
    field_grade: "等級",
    field_employment_type: "雇用区分",
    field_hire_date: "入社日",
    picker_search_departments: "部署コードまたは部署名で検索",
    picker_search_employees: "氏名・フリガナ・社員番号で検索",
    picker_remove: |label| format!("{label}を外す"),
    picker_found: "候補{n}件。上下キーで選び、Enterで決定します。",
    picker_none: "該当する候補がありません。",
    picker_unpicked: |text| {
        format!("「{text}」はまだ選ばれていません。候補から選ぶか、消してください。")
    },
    picker_chosen: "選択中",
    date_understood: |date| format!("{date}として登録します"),
    date_pick: "カレンダーから選ぶ",
    date_hint: "2024/4/1、2024年4月1日、令和6年4月1日 なども入力できます",
    field_primary_department: "所属部署",
    field_concurrent_codes: "兼務部署",
    field_manages_codes: "責任者を務める部署",
    field_department_name: "部署名",
    field_department_code: "部署コード",
    col_department: "所属部署",
    import_title: "組織データの取り込み・出力",
    import_lead: "部署と社員をCSVファイルで一括登録・更新します。先に部署、次に社員を取り込んでください。書き込む前に内容を確認でき、問題が1つでもあれば何も書き込みません。",
    import_kind: "ファイルの種類",
    kind_departments: "部署",
    kind_employees: "社員",
    import_file: "CSVファイル（UTF-8 または Shift_JIS。自動で判別します）",
    import_invite: "新しい社員に招待メールを送る",
    import_check: "内容を確認",
    import_uploading: "アップロード中…",
    phase_parse: "ファイルの読み込み",
    phase_validate: "内容の確認",
    phase_write: "書き込み",
    import_progress: |done, total| format!("{done} / {total}"),
    import_problems: "問題が {n} 件あります。修正したファイルを選び直してください。何も書き込まれていません。",
    import_problems_download: "問題の一覧をCSVでダウンロード",
    import_problems_more: "ほか {n} 件はCSVでご確認ください。",
    import_warnings: "取り込めますが、{n} 件の値に Shift_JIS にない文字が含まれています。このデータを出力するときは UTF-8 を選んでください。",
    import_warnings_more: "ほかに {n} 件あります。",
    col_line: "行",
    col_column: "列",
    col_value: "値",
    col_reason: "内容",
    import_ready: "問題はありません。取り込むと次のとおり反映されます。",
    import_added: "追加 {n} 件",
    import_changed: "変更 {n} 件",
    import_unchanged: "変更なし {n} 件",
    import_not_in_file: "ファイルにない登録済みのデータ {n} 件（そのまま残ります）",
    import_invitations: "招待メール {n} 通",
    import_commit: "取り込む",
    import_done: "取り込みました。",
    import_again: "別のファイルを取り込む",
    export_title: "CSVで出力",
    export_lead: "取り込みと同じ形式で出力します。Excel で開くなら Shift_JIS を、Shift_JIS で表せない文字がある場合は UTF-8 を選んでください。",
    export_encoding: "文字コード",
    encoding_sjis: "Shift_JIS（Excel向け）",
    encoding_utf8: "UTF-8（BOM付き）",
    export_submit: "出力",
    templates_title: "テンプレート",
    templates_lead: "見出し行だけのCSVファイルです。列の説明は管理者マニュアルにあります。",
    template_of: |kind| format!("{kind}のテンプレート"),
    manual_title: "管理者マニュアル",
    manual_org_title: "組織図の編集",
    manual_org_body: "組織図の画面では、部署の追加・名前の変更・移動・並べ替え・削除ができます。変更はすぐに保存され、同じ画面を開いている他の管理者にも1秒以内に反映されます。2人が同じ部署を同時に変更した場合、後から保存した方には「他の人が先に変更しました」と表示され、最新の内容が表示されます。部署を自分自身の配下へ移動することはできません。所属社員や下位部署のある部署は削除できません。",
    manual_csv_title: "CSVファイルの形式",
    manual_csv_body: "1行目は見出し行です。見出しは日本語でも英語でもよく、列の順番は自由です。任意の列は省略でき、省略した列の値は変わりません（列があって空欄なら値を消します）。文字コードは UTF-8（BOMの有無どちらも）と Shift_JIS（Excel の「CSV（コンマ区切り）」）を自動で判別します。コードが登録済みなら更新、新しければ追加し、ファイルにない登録済みのデータはそのまま残ります。",
    manual_csv_export_note: "出力では、数式として解釈されうる文字（= + - @ と全角の ＝ ＋ － ＠ など）で始まる値の先頭に「'」を付けます。取り込むときはこの「'」を1つだけ外すので、出力したファイルをそのまま取り込んでもデータは変わりません。Shift_JIS で出力するときは、Shift_JIS にない文字（絵文字、外字、¥ など別の文字に置き換わってしまうもの）を含む値があると、その行・列・文字（U+XXXX）を示して出力を止めます。その場合は UTF-8 で出力してください。取り込みの確認画面でも、そのような値を警告します。改行やタブなどの制御文字を含む値は取り込めません。行番号は Excel の行番号です。社員番号のないアカウント（初期の管理者など）は社員ファイルに出力されません。",
    manual_column: "列名",
    manual_column_other: "英語の列名",
    manual_required: "必須",
    manual_optional: "任意",
    manual_description: "説明",
    manual_example: "例",
    field_template: "評価シートのテンプレート",
    field_period: "評価期間",
    field_sheet: "評価シート",
    field_reminders: "リマインド",
    field_evaluators: "評価者のCSV",
    eval: &evaluation::JA,
    period: &periods::JA,
    sheet: &sheets::JA,
    calibration: &calibration::JA,
    progress: &progress::JA,
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
    page_code_missing_title: "This page cannot be shown",
    page_code_missing_body: "The program for this page could not be loaded. Check your connection and try again.",
    page_code_missing_retry: "Reload",
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
    error_busy: "The server is busy right now. Please wait a moment and try again.",
    user_roles_saved: "Roles saved.",
    scope_saved: "Departments saved.",
    user_deactivated: "The account is deactivated; its sessions have ended.",
    user_reactivated: "The account is active again.",
    user_resent: "The invitation was sent again; the earlier link no longer works.",
    user_signed_out: "Every session of this user has ended.",
    user_deactivate_confirm: "Deactivate this user? Their sessions end at once, and they cannot sign in until reactivated.",
    field_required: "required",
    field_optional: "optional",
    employee_no_first_no_posts: "(no department, so no 1st evaluator can be found)",
    employee_no_first_no_manager: "(no one else manages their department or any department above it: set a manager on the org chart)",
    employee_no_second: "(no manager above the 1st evaluator's department)",
    link_invalid_invitation: "If a newer invitation was sent, open the link in that mail. If you cannot find it, ask your admin to send the invitation again.",
    punct_list: ", ",
    punct_colon: ": ",
    punct_open: " (",
    punct_close: ")",
    table_region: "Table (scrolls sideways)",
    no_access_title: "You cannot use this page",
    no_access_need: |roles| {
        format!(
            "This page is for people with the {roles} role. If you need it, ask your company's system admin to give you the role."
        )
    },
    no_access_home: "Back to the home page",
    sign_in_needed: "Please sign in to see this page.",
    mail_queue_waiting: "{n} {mail is|mails are} waiting to be sent (urgent ones such as password resets go first).",
    mail_queue_retrying: " {n} of them failed and {is|are} retried later.",
    error_file_too_large: "The file is too large: it is over the size limit for imports.",
    error_link_invalid: "This link is not valid: it was used already, or a newer link was sent.",
    error_link_expired: "This link has expired. Ask your administrator to send a new one, or start again.",
    error_seat_limit: "The contract's seat limit ({n} {seat|seats}) is reached: no more users can be added.",
    error_last_system_admin: "This would leave no active system admin, so it is not allowed.",
    users_title: "Users",
    users_search: "Search by name, e-mail or employee code",
    users_search_submit: "Search",
    users_seats: |used, limit| {
        format!(
            "{used} of {limit} {} in use",
            if limit == 1 { "seat" } else { "seats" }
        )
    },
    users_count: "{n} {user|users}",
    users_none: "No users match.",
    users_new: "Add a user",
    users_create_submit: "Add and send invitation",
    users_created: "The user was added and an invitation was sent.",
    users_prev: "Previous",
    users_next: "Next",
    users_page: |page, pages| format!("Page {page} of {pages}"),
    col_name: "Name",
    col_status: "Status",
    col_employee_code: "Employee code",
    field_company: "Company",
    scope_title: "Business admin scope",
    scope_label: "Departments covered (their sub-departments included)",
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
    field_employee_code: "Employee code",
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
    welcome: |name| format!("Welcome, {name}"),
    welcome_lead: "What waits for you, and by when, is shown here.",
    nav_org: "Org chart",
    nav_employees: "Employees",
    nav_org_import: "CSV import/export",
    nav_manual: "Admin manual",
    org_title: "Organization chart",
    org_lead_edit: "Drag a department, or move it with the keyboard. Every change is saved at once and shows on other admins' screens right away.",
    org_lead_view: "Choose a department to see its manager and members.",
    org_keys_title: "Keyboard",
    org_keys_view: "↑↓ previous/next · → expand · ← collapse · Home/End first/last · Enter select",
    org_keys_edit: "F2 rename · Alt+↑↓ reorder · Alt+→ under the previous department · Alt+← one level up",
    org_search: "Search by department code or name",
    org_search_none: "No department matches.",
    org_search_results: "Search results",
    org_empty: "No departments yet.",
    org_tree_label: "Departments",
    org_members_count: "{n} direct {member|members}",
    org_manager: "Manager",
    org_no_manager: "Not set",
    org_add_root: "Add a top-level department",
    org_add_child: "Add a sub-department",
    org_add_submit: "Add",
    org_added: "The department was added.",
    org_rename: "Rename",
    org_save: "Save",
    org_saved: "Saved.",
    org_set_manager: "Set the manager",
    org_manager_code: "Manager (empty to clear)",
    org_make_manager: "Make manager",
    org_move_to: "Move under another department",
    org_move_parent_code: "New parent department (empty for the top level)",
    org_move_submit: "Move",
    org_moved: |name| format!("Moved \"{name}\"."),
    org_delete: "Delete this department",
    org_delete_confirm: |name| format!("Delete the department \"{name}\"?"),
    org_deleted: "The department was deleted.",
    org_members: "Members",
    org_no_members: "Nobody belongs to this department.",
    org_primary: "Primary",
    org_concurrent: "Concurrent",
    org_select_prompt: "Choose a department to see its details here.",
    org_reloaded: "Another admin changed this first. The latest chart is shown.",
    org_parent: "Parent department",
    org_top_level: "Top level",
    org_expand: "Expand",
    org_collapse: "Collapse",
    org_live_lost: "Connection to the server lost. Reconnecting…",
    employees_title: "Employees",
    employees_search: "Search by name, kana, e-mail or employee code",
    employees_none: "No employees match.",
    employees_new: "Add an employee",
    employees_create_submit: "Add",
    employees_invite: "Send an invitation mail (or send it later from user administration)",
    employees_created: "The employee was added.",
    employee_title: "Employee",
    employee_posts: "Posts",
    employee_no_posts: "No department.",
    employee_reporting: "Evaluators (from the org chart)",
    employee_first_evaluator: "1st evaluator (manager)",
    employee_second_evaluator: "2nd evaluator",
    employee_none: "None",
    employee_edit: "Edit employee",
    employee_hr: "HR details",
    employee_account: "Manage the account",
    back_to_employees: "Back to employees",
    back_to_org: "Back to the org chart",
    field_kana: "Kana",
    field_job_title: "Job title",
    field_grade: "Grade",
    field_employment_type: "Employment type",
    field_hire_date: "Hire date",
    picker_search_departments: "Search by department code or name",
    picker_search_employees: "Search by name, kana or employee code",
    picker_remove: |label| format!("Remove {label}"),
    picker_found: "{n} {match|matches}. Up and down arrows choose, Enter picks.",
    picker_none: "Nothing matches.",
    picker_unpicked: |text| {
        format!("“{text}” is not picked yet: choose it from the list, or clear it.")
    },
    picker_chosen: "Chosen",
    date_understood: |date| format!("Saved as {date}"),
    date_pick: "Pick from a calendar",
    date_hint: "2024/4/1, 2024年4月1日 and 令和6年4月1日 work too",
    field_primary_department: "Primary department",
    field_concurrent_codes: "Concurrent departments",
    field_manages_codes: "Departments managed",
    field_department_name: "Department name",
    field_department_code: "Department code",
    col_department: "Department",
    import_title: "Import and export organization data",
    import_lead: "Add and update departments and employees in bulk from CSV files: departments first, then employees. You see what will change before anything is written, and nothing is written while any problem remains.",
    import_kind: "Which file",
    kind_departments: "Departments",
    kind_employees: "Employees",
    import_file: "CSV file (UTF-8 or Shift_JIS, detected automatically)",
    import_invite: "Send invitation mails to new employees",
    import_check: "Check the file",
    import_uploading: "Uploading…",
    phase_parse: "Reading the file",
    phase_validate: "Checking the rows",
    phase_write: "Writing",
    import_progress: |done, total| format!("{done} of {total}"),
    import_problems: "{n} {problem|problems} found. Fix the file and choose it again. Nothing was written.",
    import_problems_download: "Download the problems as CSV",
    import_problems_more: "{n} more {is|are} in the CSV.",
    import_warnings: "This imports, but {n} {value holds|values hold} characters Shift_JIS lacks: export this data as UTF-8.",
    import_warnings_more: "And {n} more.",
    col_line: "Line",
    col_column: "Column",
    col_value: "Value",
    col_reason: "Problem",
    import_ready: "No problems. Importing will do this:",
    import_added: "{n} added",
    import_changed: "{n} changed",
    import_unchanged: "{n} unchanged",
    import_not_in_file: "{n} registered but not in the file (left as they are)",
    import_invitations: "{n} invitation {mail|mails}",
    import_commit: "Import",
    import_done: "Imported.",
    import_again: "Import another file",
    export_title: "Export as CSV",
    export_lead: "The export has the import's format. Choose Shift_JIS to open it in Excel, or UTF-8 if some characters cannot be written in Shift_JIS.",
    export_encoding: "Encoding",
    encoding_sjis: "Shift_JIS (for Excel)",
    encoding_utf8: "UTF-8 (with BOM)",
    export_submit: "Export",
    templates_title: "Templates",
    templates_lead: "CSV files with the header row only. The admin manual explains each column.",
    template_of: |kind| format!("{kind} template"),
    manual_title: "Admin manual",
    manual_org_title: "Editing the org chart",
    manual_org_body: "On the org chart you add, rename, move, reorder and delete departments. Every change is saved at once and reaches other admins looking at the chart within a second. When two admins change the same department at once, the later one is told someone else changed it first and sees the latest version. A department cannot move under itself, and only a department without members or sub-departments can be deleted.",
    manual_csv_title: "CSV file format",
    manual_csv_body: "The first row is the header, in Japanese or English, with the columns in any order. Optional columns may be left out, which leaves those fields as they are (a column that is present but empty clears the field). UTF-8 (with or without BOM) and Shift_JIS (Excel's \"CSV (Comma delimited)\") are detected automatically. A registered code updates that record, a new code adds one, and registered data the file does not mention is left alone.",
    manual_csv_export_note: "On export, values starting with a character a spreadsheet could take as a formula (= + - @, their full-width forms ＝ ＋ － ＠, …) get a leading \"'\". The import takes exactly that one \"'\" off again, so importing an exported file unchanged changes no data. A Shift_JIS export stops at a value holding a character Shift_JIS lacks (emoji, user-defined characters, or ones it would turn into another, such as ¥), naming its row, column and character (U+XXXX); export as UTF-8 then. The import preview warns of such values too. Values with line breaks, tabs or other control characters are not imported. Row numbers are Excel's. Accounts without an employee code (such as the first admin) are not in the employees file.",
    manual_column: "Column",
    manual_column_other: "Column in Japanese",
    manual_required: "Required",
    manual_optional: "Optional",
    manual_description: "Description",
    manual_example: "Example",
    field_template: "Sheet template",
    field_period: "Evaluation period",
    field_sheet: "Evaluation sheet",
    field_reminders: "Reminders",
    field_evaluators: "Evaluators CSV",
    eval: &evaluation::EN,
    period: &periods::EN,
    sheet: &sheets::EN,
    calibration: &calibration::EN,
    progress: &progress::EN,
};

/// The dictionary of a language.
/// A text that counts something: `{n}` becomes the number, and each `{one|other}` the form
/// for that number (`"{n} {member|members}"` → "1 member", "3 members"). Japanese texts need
/// no forms and have none.
pub fn counted(text: &str, n: impl Into<i64>) -> String {
    let n: i64 = n.into();
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = &after[..close];
        match inner.split_once('|') {
            _ if inner == "n" => out.push_str(&n.to_string()),
            Some((one, other)) => out.push_str(if n == 1 { one } else { other }),
            // Another placeholder: left for its own replacement.
            None => {
                out.push('{');
                out.push_str(inner);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

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
    fn a_language_travels_as_its_code() {
        assert_eq!(serde_json::to_string(&Lang::En).expect("json"), "\"en\"");
        assert_eq!(
            serde_json::from_str::<Lang>("\"ja\"").expect("ja"),
            Lang::Ja
        );
        assert!(serde_json::from_str::<Lang>("\"fr\"").is_err());
    }

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
    fn counts_take_the_form_of_their_number() {
        assert_eq!(counted("{n} {member|members}", 1), "1 member");
        assert_eq!(counted("{n} {member|members}", 0), "0 members");
        assert_eq!(counted("{n} {member|members}", 12), "12 members");
        assert_eq!(counted("{n}名", 3), "3名");
        assert_eq!(counted("{used} of {n}", 2), "{used} of 2");
        // Every English text that counts says it in both forms.
        for text in [
            EN.org_members_count,
            EN.import_problems,
            EN.import_invitations,
            EN.mail_queue_waiting,
        ] {
            assert!(text.contains('|'), "{text}");
        }
    }

    #[test]
    fn texts_with_values_put_them_in_place() {
        assert_eq!((EN.users_seats)(1, 1), "1 of 1 seat in use");
        assert_eq!((EN.users_seats)(3, 50), "3 of 50 seats in use");
        assert_eq!((JA.users_seats)(3, 50), "利用中 3 / 契約 50 席");
        assert_eq!((JA.users_page)(2, 7), "2 / 7 ページ");
        assert_eq!((EN.users_page)(2, 7), "Page 2 of 7");
        for t in [&JA, &EN] {
            assert!((t.welcome)("山田").contains("山田"));
            assert!((t.org_moved)("営業部").contains("営業部"));
            assert!((t.import_progress)(3, 9).contains('9'));
        }
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

/// The language of the request being answered: its cookie, else the browser's.
#[cfg(feature = "ssr")]
pub fn request_lang() -> Lang {
    initial_lang()
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
