//! A demo company (`kouka demo`), and the same generator at other sizes for tests and
//! benchmarks: a Japanese company in a four-level tree (本社 → 本部 → 部 → 課) with a
//! manager in every department, people with names and readings, grades, employment types
//! and hire dates, a few concurrent posts (兼務), and the starter sheet template. Three
//! accounts get passwords so that someone can sign in at once: a system admin, a section
//! manager and a member of that section. Deterministic: the same size and seed give the
//! same company. Never reachable from the web; the operator runs it.

use crate::backend::accounts;
use crate::backend::audit::RequestOrigin;
use crate::backend::db::{Db, NamedRow, Value, insert_many};
use crate::backend::evaluation::templates;
use crate::backend::password::hash_password;
use crate::backend::sessions;
use crate::backend::tenants::{self, NewTenantInput, parse_new_tenant};
use crate::backend::tokens::Purpose;
use crate::backend::write::WriteContext;
use crate::domain::account_status::AccountStatus;
use crate::domain::dates::CalendarDate;
use crate::domain::evaluation::template::Template;
use crate::domain::ids::{DepartmentId, TenantId, UserId};
use crate::domain::roles::Role;
use crate::domain::time::Timestamp;
use crate::error::AppError;
use serde::Serialize;

/// How big a company to make.
#[derive(Clone, Copy, Debug)]
pub struct DemoSize {
    pub employees: usize,
    pub departments: usize,
}

impl DemoSize {
    /// About 200 people in about 25 departments: every page has something to show.
    pub const DEMO: DemoSize = DemoSize {
        employees: 200,
        departments: 25,
    };
}

/// An account the demo prints, with its password (for the demo only).
#[derive(Clone, Debug, Serialize)]
pub struct DemoAccount {
    pub role: &'static str,
    pub email: String,
    pub password: String,
}

/// What `kouka demo` made.
#[derive(Clone, Debug, Serialize)]
pub struct DemoCompany {
    pub company_code: String,
    #[serde(skip)]
    pub tenant: TenantId,
    pub employees: usize,
    pub departments: usize,
    pub accounts: Vec<DemoAccount>,
}

/// Why no demo was made.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("企業コード {0} は既に使われています / The company code {0} is already taken")]
    CodeTaken(crate::domain::tenant::CompanyCode),
    #[error("{0}")]
    Invalid(String),
    #[error("the demo could not be written: {0}")]
    Failed(#[from] AppError),
}

impl From<crate::backend::db::DbError> for DemoError {
    fn from(error: crate::backend::db::DbError) -> Self {
        DemoError::Failed(error.into())
    }
}

impl From<sqlx::Error> for DemoError {
    fn from(error: sqlx::Error) -> Self {
        DemoError::Failed(error.into())
    }
}

/// A small deterministic generator (xorshift64*): the same seed, the same company.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, from: &'a [T]) -> &'a T {
        &from[self.below(from.len())]
    }
}

const FAMILY: [(&str, &str); 30] = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
    ("山崎", "ヤマザキ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("阿部", "アベ"),
    ("石川", "イシカワ"),
    ("前田", "マエダ"),
    ("藤田", "フジタ"),
    ("小川", "オガワ"),
    ("岡田", "オカダ"),
];

const GIVEN: [(&str, &str); 30] = [
    ("太郎", "タロウ"),
    ("花子", "ハナコ"),
    ("一郎", "イチロウ"),
    ("美咲", "ミサキ"),
    ("健太", "ケンタ"),
    ("陽菜", "ヒナ"),
    ("翔", "ショウ"),
    ("結衣", "ユイ"),
    ("大輔", "ダイスケ"),
    ("葵", "アオイ"),
    ("拓海", "タクミ"),
    ("さくら", "サクラ"),
    ("直樹", "ナオキ"),
    ("彩", "アヤ"),
    ("誠", "マコト"),
    ("真由美", "マユミ"),
    ("悠斗", "ユウト"),
    ("恵", "メグミ"),
    ("隆", "タカシ"),
    ("優子", "ユウコ"),
    ("蓮", "レン"),
    ("千尋", "チヒロ"),
    ("浩二", "コウジ"),
    ("舞", "マイ"),
    ("修", "オサム"),
    ("理沙", "リサ"),
    ("和也", "カズヤ"),
    ("香織", "カオリ"),
    ("亮", "リョウ"),
    ("奈々", "ナナ"),
];

const DIVISIONS: [&str; 6] = [
    "営業本部",
    "開発本部",
    "製造本部",
    "管理本部",
    "企画本部",
    "品質本部",
];
const UNITS: [&str; 8] = [
    "第一",
    "第二",
    "第三",
    "東日本",
    "西日本",
    "首都圏",
    "関西",
    "九州",
];
const KINDS: [&str; 6] = [
    "営業部",
    "開発部",
    "製造部",
    "総務部",
    "企画部",
    "品質保証部",
];

/// One department to insert.
struct Department {
    id: DepartmentId,
    code: String,
    name: String,
    parent: Option<DepartmentId>,
    level: usize,
}

/// 本社, then 本部 under it, 部 under those and 課 under the 部, about `count` in all.
fn departments(count: usize) -> Vec<Department> {
    let count = count.max(4);
    let mut out = vec![Department {
        id: DepartmentId::generate(),
        code: "HQ".into(),
        name: "本社".into(),
        parent: None,
        level: 0,
    }];
    // Roughly: divisions ≈ count/25 (2..=6), departments ≈ count/5, sections the rest.
    let divisions = (count / 25).clamp(2, DIVISIONS.len());
    let units = ((count - 1 - divisions) / 5).max(divisions);
    let sections = count.saturating_sub(1 + divisions + units);
    for (d, name) in DIVISIONS.iter().take(divisions).enumerate() {
        out.push(Department {
            id: DepartmentId::generate(),
            code: format!("D{:02}", d + 1),
            name: (*name).into(),
            parent: Some(out[0].id.clone()),
            level: 1,
        });
    }
    for u in 0..units {
        let parent = out[1 + u % divisions].id.clone();
        let kind = KINDS[(u % divisions) % KINDS.len()];
        let unit = UNITS[(u / divisions) % UNITS.len()];
        let round = u / (divisions * UNITS.len());
        let name = if round == 0 {
            format!("{unit}{kind}")
        } else {
            format!("{unit}{kind}{}", round + 1)
        };
        out.push(Department {
            id: DepartmentId::generate(),
            code: format!("U{:04}", u + 1),
            name,
            parent: Some(parent),
            level: 2,
        });
    }
    let first_unit = 1 + divisions;
    for s in 0..sections {
        let parent = &out[first_unit + s % units];
        let (parent_id, parent_name) = (parent.id.clone(), parent.name.clone());
        out.push(Department {
            id: DepartmentId::generate(),
            code: format!("S{:05}", s + 1),
            name: format!("{}{}課", parent_name.trim_end_matches('部'), s / units + 1),
            parent: Some(parent_id),
            level: 3,
        });
    }
    out
}

struct Person {
    id: UserId,
    code: String,
    name: String,
    kana: String,
    email: String,
    grade: &'static str,
    employment_type: &'static str,
    job_title: Option<&'static str>,
    hire_date: CalendarDate,
    department: usize,
    manager: bool,
}

/// Everyone: one manager per department first (higher grades up the tree), then members
/// spread over the sections (or the departments, in a small company).
fn people(departments: &[Department], count: usize, dice: &mut Dice, domain: &str) -> Vec<Person> {
    let count = count.max(departments.len());
    let mut out = Vec::with_capacity(count);
    let leaves: Vec<usize> = {
        let deepest = departments.iter().map(|d| d.level).max().unwrap_or(0);
        (0..departments.len())
            .filter(|&i| departments[i].level == deepest)
            .collect()
    };
    for n in 0..count {
        let (department, manager) = if n < departments.len() {
            (n, true)
        } else {
            (*dice.pick(&leaves), false)
        };
        let level = departments[department].level;
        let (family, family_kana) = *dice.pick(&FAMILY);
        let (given, given_kana) = *dice.pick(&GIVEN);
        let (grade, job_title) = match (manager, level) {
            (true, 0) => ("G8", Some("代表取締役")),
            (true, 1) => ("G7", Some("本部長")),
            (true, 2) => ("G6", Some("部長")),
            (true, _) => ("G5", Some("課長")),
            (false, _) => (
                *dice.pick(&["G1", "G2", "G2", "G3", "G3", "G3", "G4"]),
                None,
            ),
        };
        let employment_type = if manager || dice.below(10) < 8 {
            "正社員"
        } else {
            *dice.pick(&["契約社員", "嘱託"])
        };
        let years_ago = if manager {
            10 + dice.below(20)
        } else {
            dice.below(15)
        };
        let hire_date =
            CalendarDate::new((2026 - years_ago) as u32, 4, 1).expect("April 1st exists");
        out.push(Person {
            id: UserId::generate(),
            code: format!("E{:06}", n + 1),
            name: format!("{family} {given}"),
            kana: format!("{family_kana} {given_kana}"),
            email: format!("e{:06}@{domain}", n + 1),
            grade,
            employment_type,
            job_title,
            hire_date,
            department,
            manager,
        });
    }
    out
}

/// Makes the demo company under `code`: refused (like any tenant creation) when the code
/// is taken. `seed` decides the names and numbers.
#[tracing::instrument(skip_all)]
pub async fn create_demo(
    db: &Db,
    base_url: &str,
    code: &str,
    size: DemoSize,
    seed: u64,
) -> Result<DemoCompany, DemoError> {
    let domain = format!("{}.demo.example", code.to_ascii_lowercase());
    let admin_email = format!("admin@{domain}");
    let input = NewTenantInput {
        code: code.to_owned(),
        name: "デモ商事株式会社".into(),
        seats: (size.employees as i64 + 10).max(50),
        admin_email: admin_email.clone(),
        admin_name: "人事 花子".into(),
        contract_start: None,
        contract_end: None,
        time_zone: "Asia/Tokyo".into(),
        contact_email: None,
    };
    let now = Timestamp::now();
    let new = parse_new_tenant(input, now.date_in_zone("Asia/Tokyo"))
        .map_err(|problems| DemoError::Invalid(problems.join("\n")))?;
    let notice = tenants::create_tenant(db, base_url, new)
        .await
        .map_err(|error| match error {
            tenants::TenantError::CodeTaken(code) => DemoError::CodeTaken(code),
            tenants::TenantError::Invalid(text) => DemoError::Invalid(text),
            tenants::TenantError::Db(error) => error.into(),
        })?;
    let tenant = notice.tenant_id.clone();
    let origin = RequestOrigin::default();
    let admin_password = "デモの管理者のパスワード".to_owned();
    let session = accounts::set_password_with_link(
        db,
        &notice.setup_code,
        Purpose::Setup,
        admin_password.clone(),
        &origin,
        now,
    )
    .await?;

    let mut dice = Dice(seed | 1);
    let departments = departments(size.departments);
    let people = people(&departments, size.employees, &mut dice, &domain);
    let member_password = "デモの社員のパスワード".to_owned();
    let hash = hash_password(member_password.clone()).await?;
    // The manager and member who can sign in: the first section's manager and a member of it.
    let section = departments
        .iter()
        .position(|d| d.level == 3)
        .unwrap_or(departments.len() - 1);
    let manager = people
        .iter()
        .position(|p| p.manager && p.department == section);
    let member = people
        .iter()
        .position(|p| !p.manager && p.department == section);

    let micros = now.as_micros();
    let mut tx = db.begin_write_for_tenant(&tenant).await?;
    let department_rows: Vec<NamedRow> = departments
        .iter()
        .enumerate()
        .map(|(order, d)| {
            vec![
                ("tenant_id", Value::from(tenant.as_str())),
                ("id", Value::from(d.id.as_str())),
                ("code", Value::from(d.code.as_str())),
                ("name", Value::from(d.name.as_str())),
                (
                    "parent_id",
                    Value::from(d.parent.as_ref().map(|p| p.as_str().to_owned())),
                ),
                ("sort_order", Value::from((order as i64 + 1) * 10)),
                ("version", Value::from(1_i64)),
                ("created_at", Value::from(micros)),
                ("updated_at", Value::from(micros)),
            ]
        })
        .collect();
    insert_many(&mut tx, "departments", department_rows).await?;
    let signs_in = |index: usize| Some(index) == manager || Some(index) == member;
    let user_rows: Vec<NamedRow> = people
        .iter()
        .enumerate()
        .map(|(index, p)| {
            vec![
                ("tenant_id", Value::from(tenant.as_str())),
                ("id", Value::from(p.id.as_str())),
                ("email", Value::from(p.email.as_str())),
                ("display_name", Value::from(p.name.as_str())),
                ("language", Value::from("ja")),
                ("status", Value::from(AccountStatus::Active.as_str())),
                ("created_at", Value::from(micros)),
                ("updated_at", Value::from(micros)),
                ("employee_code", Value::from(p.code.as_str())),
                ("kana", Value::from(p.kana.as_str())),
                ("job_title", Value::from(p.job_title.map(str::to_owned))),
                ("grade", Value::from(p.grade)),
                ("employment_type", Value::from(p.employment_type)),
                ("hire_date", Value::from(p.hire_date.iso())),
                (
                    "password_hash",
                    Value::from(signs_in(index).then(|| hash.clone())),
                ),
                (
                    "password_set_at",
                    Value::Int(signs_in(index).then_some(micros)),
                ),
            ]
        })
        .collect();
    insert_many(&mut tx, "users", user_rows).await?;
    let mut post_rows: Vec<NamedRow> = Vec::with_capacity(people.len() + people.len() / 30);
    for (index, p) in people.iter().enumerate() {
        let post = |department: &DepartmentId, primary: bool, manager: bool| -> NamedRow {
            vec![
                ("tenant_id", Value::from(tenant.as_str())),
                ("user_id", Value::from(p.id.as_str())),
                ("department_id", Value::from(department.as_str())),
                ("is_primary", Value::from(i64::from(primary))),
                ("is_manager", Value::from(i64::from(manager))),
                ("created_at", Value::from(micros)),
            ]
        };
        post_rows.push(post(&departments[p.department].id, true, p.manager));
        // About one in thirty also works in a sibling section (兼務).
        if !p.manager && index % 30 == 7 {
            let other = (p.department + 1) % departments.len();
            if other != p.department && departments[other].level == departments[p.department].level
            {
                post_rows.push(post(&departments[other].id, false, false));
            }
        }
    }
    insert_many(&mut tx, "posts", post_rows).await?;
    tx.commit().await?;

    // The starter template, saved by the demo's admin (audited like any).
    let admin = sessions::resolve(db, &session, now)
        .await?
        .ok_or_else(|| AppError::internal("demo", "the admin's session is gone"))?;
    let w = WriteContext::new(db, &admin, origin, now);
    templates::create_template(&w, Template::starter()).await?;

    let mut accounts = vec![DemoAccount {
        role: Role::SystemAdmin.as_str(),
        email: admin_email,
        password: admin_password,
    }];
    for (index, role) in [(manager, "manager"), (member, "employee")] {
        if let Some(index) = index {
            accounts.push(DemoAccount {
                role,
                email: people[index].email.clone(),
                password: member_password.clone(),
            });
        }
    }
    Ok(DemoCompany {
        company_code: notice.code.to_string(),
        tenant,
        employees: people.len(),
        departments: departments.len(),
        accounts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_company_has_four_levels_and_a_manager_in_every_department() {
        let departments = departments(25);
        assert_eq!(departments.len(), 25);
        assert_eq!(departments.iter().map(|d| d.level).max(), Some(3));
        let codes: std::collections::HashSet<&str> =
            departments.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes.len(), 25, "codes are unique");
        let names: std::collections::HashSet<&str> =
            departments.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names.len(), 25, "names are unique");
        let people = people(&departments, 200, &mut Dice(7), "demo.example");
        assert_eq!(people.len(), 200);
        for (index, _) in departments.iter().enumerate() {
            assert_eq!(
                people
                    .iter()
                    .filter(|p| p.manager && p.department == index)
                    .count(),
                1
            );
        }
        let big = self::departments(5000);
        assert!((4990..=5010).contains(&big.len()), "{}", big.len());
    }
}
