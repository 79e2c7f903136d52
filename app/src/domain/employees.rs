//! Employees (PRODUCT §3): a user of the tenant with HR fields, placed in departments by
//! posts. The field rules are here, shared by the admin forms and the CSV import, and so is
//! the reporting line, derived from the org tree and its managers.

use crate::domain::account_status::AccountStatus;
use crate::domain::codes::DepartmentCode;
use crate::domain::dates::CalendarDate;
use crate::domain::email::Email;
use crate::domain::ids::{DepartmentId, UserId};
use crate::domain::org_chart::PersonRef;
use crate::domain::org_tree::OrgTree;
use crate::domain::text::{fold_width, refuse_forbidden};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One post of an employee, as their page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostView {
    pub department: DepartmentId,
    pub code: DepartmentCode,
    pub name: String,
    pub primary: bool,
    pub manager: bool,
}

/// The HR fields only some readers may see (`Action::ViewEmployeeDetails`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct EmployeeDetails {
    pub grade: Option<String>,
    pub employment_type: Option<String>,
    pub hire_date: Option<CalendarDate>,
}

/// An employee's page: who they are, where they work, whom they report to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeView {
    pub person: PersonRef,
    pub kana: Option<String>,
    pub email: Email,
    pub job_title: Option<String>,
    pub status: AccountStatus,
    /// The primary post first.
    pub posts: Vec<PostView>,
    /// The 1st evaluator the org chart proposes, and the 2nd.
    pub manager: Option<PersonRef>,
    pub second_manager: Option<PersonRef>,
    /// `None` when the reader may not see them.
    pub details: Option<EmployeeDetails>,
    /// Whether the reader may edit this employee.
    pub can_edit: bool,
}

/// One line of the employee directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeListItem {
    pub person: PersonRef,
    pub kana: Option<String>,
    pub job_title: Option<String>,
    /// (code, name) of the primary department.
    pub department: Option<(String, String)>,
    pub status: AccountStatus,
}

/// Values the tenant already uses for the free-text labels, suggested in the forms.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelsInUse {
    pub grades: Vec<String>,
    pub employment_types: Vec<String>,
    pub job_titles: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeList {
    pub items: Vec<EmployeeListItem>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

use crate::domain::problem::Problem;

/// A field's parser: the value to store (`None`: empty), or why not.
pub type FieldParser<T = String> = fn(&str) -> Result<Option<T>, Problem>;

pub const NAME_MAX_CHARS: usize = 100;
pub const KANA_MAX_CHARS: usize = 100;
pub const LABEL_MAX_CHARS: usize = 50;

/// 氏名 / 部署名: trimmed, 1 to 100 characters, none of them a control or direction
/// character. Not folded: a name is written as its owner writes it. Every name field (users,
/// employees, departments, the first admin) goes through here.
pub fn parse_name(input: &str) -> Result<String, Problem> {
    let name = input.trim_matches(|c: char| c.is_whitespace()).to_owned();
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
        return Err(Problem::NameLength);
    }
    refuse_forbidden(&name)?;
    Ok(name)
}

/// Trimmed free text with its width folded (see `text::fold_width`).
fn folded(input: &str) -> Result<String, Problem> {
    let text = fold_width(input.trim_matches(|c: char| c.is_whitespace()));
    refuse_forbidden(&text)?;
    Ok(text)
}

/// フリガナ: optional; half-width katakana (ｼﾒｲ) becomes full-width (シメイ).
pub fn parse_kana(input: &str) -> Result<Option<String>, Problem> {
    let kana = folded(input)?;
    if kana.chars().count() > KANA_MAX_CHARS {
        return Err(Problem::TooLong {
            max: KANA_MAX_CHARS,
        });
    }
    Ok((!kana.is_empty()).then_some(kana))
}

/// 役職, 等級, 雇用区分: optional free text of up to 50 characters, width folded (so
/// "等級１" and "等級1" are the same grade when evaluation periods pick employees by grade).
pub fn parse_label(input: &str) -> Result<Option<String>, Problem> {
    let label = folded(input)?;
    if label.chars().count() > LABEL_MAX_CHARS {
        return Err(Problem::TooLong {
            max: LABEL_MAX_CHARS,
        });
    }
    Ok((!label.is_empty()).then_some(label))
}

/// Where the reporting line starts for each department: its manager, if it has one.
pub type Managers = HashMap<DepartmentId, UserId>;

/// The manager of `employee`: the manager of their primary department, or, where that is
/// the employee themself or nobody, of the nearest department above that has another one.
/// `None` without a primary department or when no one above manages.
pub fn manager_of(
    tree: &OrgTree,
    managers: &Managers,
    primary_department_of: &HashMap<UserId, DepartmentId>,
    employee: &UserId,
) -> Option<UserId> {
    let start = primary_department_of.get(employee)?;
    std::iter::once(start)
        .chain(tree.ancestors(start))
        .filter_map(|department| managers.get(department))
        .find(|manager| *manager != employee)
        .cloned()
}

/// The reporting line (PRODUCT §1): the 1st evaluator proposed for `employee` (their
/// manager) and the 2nd (the manager's manager), as far as the org chart says.
pub fn reporting_line(
    tree: &OrgTree,
    managers: &Managers,
    primary_department_of: &HashMap<UserId, DepartmentId>,
    employee: &UserId,
) -> (Option<UserId>, Option<UserId>) {
    let first = manager_of(tree, managers, primary_department_of, employee);
    let second = first
        .as_ref()
        .and_then(|manager| manager_of(tree, managers, primary_department_of, manager))
        .filter(|second| second != employee);
    (first, second)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::org_tree::Node;

    #[test]
    fn names_kana_and_labels() {
        assert_eq!(parse_name("  山田 太郎　").unwrap(), "山田 太郎");
        assert!(parse_name(" ").is_err());
        assert!(parse_name(&"あ".repeat(101)).is_err());
        assert_eq!(
            parse_kana("ﾔﾏﾀﾞ ﾀﾛｳ").unwrap().as_deref(),
            Some("ヤマダ タロウ")
        );
        assert_eq!(parse_kana("").unwrap(), None);
        assert_eq!(parse_label("等級１").unwrap().as_deref(), Some("等級1"));
        assert!(parse_label(&"x".repeat(51)).is_err());
        // What Shift_JIS holds stays so: no NFKC into ¬ or a lone combining mark.
        assert_eq!(parse_label("￢A").unwrap().as_deref(), Some("￢A"));
        assert_eq!(parse_kana("ｱﾞ").unwrap().as_deref(), Some("ア゛"));
        // Nothing that breaks a mail line or turns text around, in any name or label.
        for bad in [
            "人事\r\nBcc: x@example.jp",
            "a\0b",
            "人事\u{202E}nimda",
            "a\tb",
        ] {
            assert!(parse_name(bad).is_err(), "{bad:?}");
            assert!(parse_kana(bad).is_err(), "{bad:?}");
            assert!(parse_label(bad).is_err(), "{bad:?}");
        }
    }

    fn id(name: &str) -> DepartmentId {
        DepartmentId::from_stored(name.into())
    }

    fn user(name: &str) -> UserId {
        UserId::from_stored(name.into())
    }

    /// 本社 (manager: ceo) → 営業本部 (vp) → 営業部 (no manager) → 営業一課 (lead).
    fn chart() -> (OrgTree, Managers, HashMap<UserId, DepartmentId>) {
        let node = |name: &str, parent: Option<&str>| Node {
            id: id(name),
            parent: parent.map(id),
            sort_order: 10,
        };
        let tree = OrgTree::new(vec![
            node("hq", None),
            node("sales", Some("hq")),
            node("dept", Some("sales")),
            node("team", Some("dept")),
        ])
        .unwrap();
        let managers: Managers = [
            (id("hq"), user("ceo")),
            (id("sales"), user("vp")),
            (id("team"), user("lead")),
        ]
        .into_iter()
        .collect();
        let primary = [
            ("ceo", "hq"),
            ("vp", "sales"),
            ("lead", "team"),
            ("member", "team"),
            ("clerk", "dept"),
        ]
        .into_iter()
        .map(|(u, d)| (user(u), id(d)))
        .collect();
        (tree, managers, primary)
    }

    #[test]
    fn the_reporting_line_walks_up_past_oneself_and_empty_departments() {
        let (tree, managers, primary) = chart();
        let line = |who: &str| reporting_line(&tree, &managers, &primary, &user(who));
        assert_eq!(line("member"), (Some(user("lead")), Some(user("vp"))));
        // The lead manages their own team: their manager is found above it.
        assert_eq!(line("lead"), (Some(user("vp")), Some(user("ceo"))));
        // 営業部 has no manager: the line skips it.
        assert_eq!(line("clerk"), (Some(user("vp")), Some(user("ceo"))));
        assert_eq!(line("vp"), (Some(user("ceo")), None));
        assert_eq!(line("ceo"), (None, None));
        assert_eq!(line("nobody"), (None, None), "no primary department");
    }
}
