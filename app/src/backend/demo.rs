//! A demo company (`kouka demo`), and the same generator at other sizes for tests and
//! benchmarks: a Japanese company in a four-level tree (本社 → 本部 → 部 → 課) with a
//! manager in every department, people with names and readings, grades, employment types
//! and hire dates, a few concurrent posts (兼務), and the starter sheet template. Four
//! accounts get passwords so that someone can sign in at once: a system admin, a section
//! manager (the member's 1st evaluator), the manager above them (the 2nd, also the business
//! admin of their division) and a member of that section. Deterministic: the same size and
//! seed give the same company. Never reachable from the web; the operator runs it.

use crate::backend::accounts;
use crate::backend::audit::RequestOrigin;
use crate::backend::db::{Db, NamedRow, Value, insert_many};
use crate::backend::evaluation::templates;
use crate::backend::password::hash_password;
use crate::backend::sessions::{self, SessionUser};
use crate::backend::tenants::{self, NewTenantInput, parse_new_tenant};
use crate::backend::tokens::Purpose;
use crate::backend::write::WriteContext;
use crate::domain::account_status::AccountStatus;
use crate::domain::dates::CalendarDate;
use crate::domain::evaluation::Stage;
use crate::domain::evaluation::sheet::SheetContent;
use crate::domain::evaluation::template::Template;
use crate::domain::evaluation::workflow::{Command, SheetState};
use crate::domain::ids::{DepartmentId, SheetId, TenantId, UserId};
use crate::domain::roles::Role;
use crate::domain::time::Timestamp;
use crate::error::AppError;
use serde::Serialize;
use std::collections::HashMap;

/// How big a company to make.
#[derive(Clone, Copy, Debug)]
pub struct DemoSize {
    pub employees: usize,
    pub departments: usize,
    /// With the running period whose sheets are spread over the workflow (the demo, the
    /// tests); benchmarks that launch their own leave it out.
    pub period: bool,
}

impl DemoSize {
    /// About 200 people in about 25 departments: every page has something to show.
    pub const DEMO: DemoSize = DemoSize {
        employees: 200,
        departments: 25,
        period: true,
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
    // The member's 2nd evaluator: the manager of the section's parent department (the
    // section manager's own manager, as the period's reporting line proposes).
    let parent = departments[section]
        .parent
        .as_ref()
        .and_then(|parent| departments.iter().position(|d| &d.id == parent));
    let second_evaluator = parent.and_then(|parent| {
        people
            .iter()
            .position(|p| p.manager && p.department == parent)
    });

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
    let signs_in = |index: usize| [manager, second_evaluator, member].contains(&Some(index));
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
    // The member's 2nd evaluator also runs their division's evaluation as its business
    // admin (部門の業務管理者): the demo shows a reader whose share is a subtree.
    if let (Some(index), Some(parent)) = (second_evaluator, parent) {
        sqlx::query(
            "INSERT INTO user_roles (tenant_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(tenant.as_str())
        .bind(people[index].id.as_str())
        .bind(Role::BusinessAdmin.as_str())
        .bind(micros)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO business_admin_scopes (tenant_id, user_id, department_id) \
             VALUES ($1, $2, $3)",
        )
        .bind(tenant.as_str())
        .bind(people[index].id.as_str())
        .bind(departments[parent].id.as_str())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    db.refresh_statistics(&["departments", "users", "posts"])
        .await?;

    // The starter template, saved by the demo's admin (audited like any).
    let admin = sessions::resolve(db, &session, now)
        .await?
        .ok_or_else(|| AppError::internal("demo", "the admin's session is gone"))?;
    let w = WriteContext::new(db, &admin, origin, now);
    let template = templates::create_template(&w, Template::starter()).await?;
    // Executives (the president and the division heads) are not evaluated here.
    let executives: Vec<UserId> = people
        .iter()
        .filter(|p| p.manager && departments[p.department].level <= 1)
        .map(|p| p.id.clone())
        .collect();
    let member_id = member.map(|index| people[index].id.clone());
    if size.period {
        demo_period(
            &w,
            base_url,
            &template,
            departments[0].id.clone(),
            executives,
            member_id.as_ref(),
            &mut dice,
        )
        .await?;
    }

    let mut accounts = vec![DemoAccount {
        role: Role::SystemAdmin.as_str(),
        email: admin_email,
        password: admin_password,
    }];
    for (index, role) in [
        (manager, "manager"),
        (second_evaluator, "second_evaluator"),
        (member, "employee"),
    ] {
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

/// The goals people of the demo set themselves: (title, description, measure).
const DEMO_GOALS: &[(&str, &str, &str)] = &[
    (
        "担当エリアの売上 1億2,000万円",
        "既存顧客への提案を増やし、上期の売上目標を達成する",
        "達成率100%でA、110%以上でS、90%未満でC",
    ),
    (
        "新規顧客 15社の開拓",
        "展示会とセミナーからの紹介で新しい取引先を開く",
        "契約に至った社数",
    ),
    (
        "業務マニュアルの整備",
        "属人化している受注処理の手順を文書にし、チームで共有する",
        "9月末までに全12手順を公開",
    ),
    (
        "顧客満足度 4.2 以上",
        "問い合わせへの初回回答を24時間以内にする",
        "半期の満足度調査の平均点",
    ),
    (
        "後輩2名の育成（OJT）",
        "新人が一人で見積もりを作れるように指導する",
        "10月の独り立ち判定に2名とも合格",
    ),
    (
        "月の残業を20時間以内に",
        "会議を減らし、定型作業を自動化する",
        "毎月の勤怠集計",
    ),
];

/// What evaluators write, by how well it went.
const DEMO_COMMENTS: &[&str] = &[
    "期初の目標を上回る成果でした。周囲を巻き込む力も伸びています。",
    "おおむね目標どおりの成果です。下期は提案の質をさらに高めてください。",
    "目標には届きませんでしたが、取り組みの姿勢は評価できます。",
];

/// The employee's goals: three of the pool, weights 50/30/20, due at the term's end.
fn demo_goals(dice: &mut Dice, due: CalendarDate) -> Vec<crate::domain::evaluation::sheet::Goal> {
    use crate::domain::evaluation::sheet::Goal;
    let first = dice.below(DEMO_GOALS.len());
    [50, 30, 20]
        .iter()
        .enumerate()
        .map(|(i, weight)| {
            let (title, description, measure) = DEMO_GOALS[(first + i) % DEMO_GOALS.len()];
            Goal {
                title: title.to_owned(),
                description: description.to_owned(),
                measure: measure.to_owned(),
                weight: rust_decimal::Decimal::from(*weight),
                due: Some(due),
                id: None,
                aligned_to: None,
            }
        })
        .collect()
}

/// One rater's work on the starter template: the goals and four items rated around
/// `centre` (a level index, 0 = S), and a comment.
fn demo_work(
    dice: &mut Dice,
    centre: usize,
    comment: &str,
) -> crate::domain::evaluation::sheet::Work {
    use crate::domain::evaluation::scoring::Rating;
    const LEVELS: [&str; 5] = ["S", "A", "B", "C", "D"];
    let rate = |dice: &mut Dice| {
        let level = (centre + dice.below(3)).saturating_sub(1).min(4);
        Some(Rating::Level(LEVELS[level].to_owned()))
    };
    let goals = (0..3).map(|_| rate(dice)).collect();
    let items = (0..4).map(|_| rate(dice)).collect();
    crate::domain::evaluation::sheet::Work {
        ratings: std::collections::BTreeMap::from([(0, goals), (1, items)]),
        entry_comments: std::collections::BTreeMap::new(),
        comments: std::collections::BTreeMap::from([(2, comment.to_owned())]),
    }
}

/// The sheet of the member who signs in, written so that a person can check its score by
/// hand: the 2nd evaluator (whose stage is final) rated the goals A, B, S and the items
/// B, B, A and 対象外 — "A (3.67)".
pub fn demo_member_sheet(due: CalendarDate) -> crate::domain::evaluation::sheet::SheetContent {
    use crate::domain::evaluation::scoring::Rating;
    use crate::domain::evaluation::sheet::{SheetContent, Work};
    use std::collections::BTreeMap;
    let level = |l: &str| Some(Rating::Level(l.to_owned()));
    let goals = demo_goals(&mut Dice(1), due);
    let work = |goals: [&str; 3], items: [Option<Rating>; 4], comment: &str| Work {
        ratings: BTreeMap::from([
            (0, goals.iter().map(|g| level(g)).collect()),
            (1, items.to_vec()),
        ]),
        entry_comments: BTreeMap::new(),
        comments: BTreeMap::from([(2, comment.to_owned())]),
    };
    let not_applicable = || {
        Some(Rating::NotApplicable {
            reason: "上期は規程の改定がなく、評価の機会がなかった".to_owned(),
        })
    };
    SheetContent {
        goals: BTreeMap::from([(0, goals)]),
        self_work: Some(work(
            ["A", "A", "A"],
            [level("A"), level("B"), level("A"), level("B")],
            "売上は目標を達成できました。マニュアルは下期に仕上げます。",
        )),
        stage_work: vec![
            work(
                ["A", "B", "A"],
                [level("B"), level("A"), level("A"), not_applicable()],
                DEMO_COMMENTS[1],
            ),
            work(
                ["A", "B", "S"],
                [level("B"), level("B"), level("A"), not_applicable()],
                DEMO_COMMENTS[0],
            ),
        ],
        adjusted: None,
        interview: None,
    }
}

/// The demo's running period, 2026年度上期 or whichever half ended last: launched for
/// everyone but the executives through the real launch, then its sheets taken through the
/// workflow by their people with the backend functions the pages call (a tenth left in
/// each state or so): goals aligned to the manager's, send-backs, ratings and comments,
/// calibrated grades, interviews and acknowledgements. Its steps mail nobody.
async fn demo_period(
    w: &WriteContext<'_>,
    base_url: &str,
    template: &crate::domain::ids::TemplateId,
    root: DepartmentId,
    executives: Vec<UserId>,
    member: Option<&UserId>,
    dice: &mut Dice,
) -> Result<(), AppError> {
    use crate::backend::evaluation::periods;
    use crate::domain::evaluation::Stage;
    use crate::domain::evaluation::period::PeriodPlan;
    use crate::domain::evaluation::workflow::{Phase, SheetState};
    use crate::domain::ids::SheetId;
    use std::collections::HashMap;
    // The half year that ended last (上期 April–September, 下期 October–March), its
    // evaluation under way now: the self-evaluation just due, the evaluators' next.
    let today = w.now.date_in_zone("Asia/Tokyo");
    let date = |y: u32, m: u32, d: u32| CalendarDate::new(y, m, d).expect("a real day");
    let (fiscal_year, half, term_start, term_end) = match today.month {
        10..=12 => (
            today.year,
            "上期",
            date(today.year, 4, 1),
            date(today.year, 9, 30),
        ),
        4..=9 => (
            today.year - 1,
            "下期",
            date(today.year - 1, 10, 1),
            date(today.year, 3, 31),
        ),
        _ => (
            today.year - 1,
            "上期",
            date(today.year - 1, 4, 1),
            date(today.year - 1, 9, 30),
        ),
    };
    let name = format!("{fiscal_year}年度{half}");
    let id = periods::create_period(
        w,
        name.clone(),
        Some(term_start),
        Some(term_end),
        Some(template.clone()),
    )
    .await?;
    let stored = periods::get_period(w.db, w.tenant(), &id).await?;
    let mut plan: PeriodPlan = stored.plan;
    plan.population.departments = vec![root];
    plan.population.excluded = executives;
    for deadline in &mut plan.deadlines {
        let days = match deadline.phase {
            Phase::SelfEvaluation => -3,
            Phase::Evaluation(stage) => 7 * i64::from(stage.number()),
            Phase::Calibration => 28,
            Phase::Disclosure => 35,
            Phase::GoalSetting | Phase::GoalApproval => continue,
        };
        deadline.date = Some(today.plus_days(days));
    }
    let mut tx = w.begin().await?;
    sqlx::query("UPDATE evaluation_periods SET definition = $1 WHERE tenant_id = $2 AND id = $3")
        .bind(serde_json::to_string(&plan).expect("plain JSON"))
        .bind(w.tenant().as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    periods::launch_period(w, &id, base_url).await?;

    // Each sheet with its people, a manager's before those they evaluate first, so that
    // their goals stand when their people align to them (上位目標).
    #[derive(sqlx::FromRow)]
    struct SheetPeople {
        id: SheetId,
        employee_id: UserId,
        evaluator_1: Option<UserId>,
        evaluator_2: Option<UserId>,
    }
    let (sheets, actors) = {
        let mut tx = w.db.begin_for_tenant(w.tenant()).await?;
        let sheets: Vec<SheetPeople> = sqlx::query_as(
            "SELECT id, employee_id, evaluator_1, evaluator_2 FROM evaluation_sheets \
             WHERE tenant_id = $1 AND period_id = $2 ORDER BY employee_id",
        )
        .bind(w.tenant().as_str())
        .bind(id.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let people: Vec<(UserId, String, crate::domain::email::Email)> =
            sqlx::query_as("SELECT id, display_name, email FROM users WHERE tenant_id = $1")
                .bind(w.tenant().as_str())
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;
        // The demo acts as each person through the same backend functions their pages call,
        // without signing anybody in.
        let actors: HashMap<UserId, SessionUser> = people
            .into_iter()
            .map(|(user, display_name, email)| {
                let actor = SessionUser {
                    subject: crate::domain::permissions::Subject {
                        tenant: w.tenant().clone(),
                        user: user.clone(),
                        roles: Default::default(),
                        password_set: true,
                    },
                    display_name,
                    email,
                    language: crate::i18n::Lang::Ja,
                    session_hash: String::new(),
                };
                (user, actor)
            })
            .collect();
        (sheets, actors)
    };
    let position: HashMap<&UserId, usize> = sheets
        .iter()
        .enumerate()
        .map(|(index, sheet)| (&sheet.employee_id, index))
        .collect();
    let depth = |mut index: usize| {
        let mut depth = 0;
        while let Some(above) = sheets[index]
            .evaluator_1
            .as_ref()
            .and_then(|first| position.get(first))
        {
            depth += 1;
            index = *above;
            if depth > sheets.len() {
                break;
            }
        }
        depth
    };
    let mut order: Vec<usize> = (0..sheets.len()).collect();
    order.sort_by_key(|index| depth(*index));

    let second = Stage::new(2).expect("two stages");
    let spread = [
        SheetState::GoalDrafting,
        SheetState::GoalsSubmitted,
        SheetState::GoalsApproved,
        SheetState::SelfEvaluation,
        SheetState::Evaluation(Stage::FIRST),
        SheetState::Evaluation(second),
        SheetState::Calibration,
        SheetState::Finalized,
        SheetState::Disclosed,
        SheetState::Acknowledged,
    ];
    // The member's own manager is evaluating themselves: their goals stand, so the member
    // has upper goals to align to.
    let members_manager = sheets
        .iter()
        .find(|sheet| Some(&sheet.employee_id) == member)
        .and_then(|sheet| sheet.evaluator_1.clone());
    for index in order {
        let sheet = &sheets[index];
        let is_member = Some(&sheet.employee_id) == member;
        let target = if is_member {
            SheetState::Disclosed
        } else if Some(&sheet.employee_id) == members_manager.as_ref() {
            SheetState::SelfEvaluation
        } else {
            spread[index % spread.len()]
        };
        let content = if is_member {
            demo_member_sheet(term_end)
        } else {
            let centre = dice.below(3);
            SheetContent {
                goals: std::collections::BTreeMap::from([(0, demo_goals(dice, term_end))]),
                self_work: Some(demo_work(dice, centre, "目標に向けて取り組みました。")),
                stage_work: vec![
                    demo_work(dice, centre, DEMO_COMMENTS[centre]),
                    demo_work(dice, centre, DEMO_COMMENTS[centre]),
                ],
                adjusted: None,
                interview: None,
            }
        };
        let walk = DemoWalk {
            admin: w,
            actors: &actors,
            sheet: &sheet.id,
            owner: &sheet.employee_id,
            chain: [sheet.evaluator_1.as_ref(), sheet.evaluator_2.as_ref()],
            base_url,
            // The member's result is the one worked out by hand: never calibrated.
            lowered_in_calibration: !is_member && index % 7 == 3,
        };
        walk.to(target, content, index, &spread).await?;
    }
    Ok(())
}

/// One demo sheet taken through the workflow, each step by the person whose step it is.
struct DemoWalk<'a> {
    admin: &'a WriteContext<'a>,
    actors: &'a HashMap<UserId, SessionUser>,
    sheet: &'a SheetId,
    owner: &'a UserId,
    /// The 1st and 2nd evaluators.
    chain: [Option<&'a UserId>; 2],
    base_url: &'a str,
    /// Whether calibration sets the grade one below the computed one, with its reason.
    lowered_in_calibration: bool,
}

impl DemoWalk<'_> {
    fn actor(&self, user: Option<&UserId>) -> Result<&SessionUser, AppError> {
        user.and_then(|user| self.actors.get(user))
            .ok_or_else(|| AppError::internal("demo walk", "a step's person is missing"))
    }

    /// A write as `user`, now, mailing nobody.
    fn as_user<'b>(&'b self, user: &'b SessionUser) -> WriteContext<'b> {
        WriteContext::new(self.admin.db, user, Default::default(), Timestamp::now())
            .telling_nobody()
    }

    /// One step as `who`.
    async fn step(
        &self,
        who: &SessionUser,
        command: Command,
        version: i64,
    ) -> Result<i64, AppError> {
        let w = self.as_user(who);
        crate::backend::evaluation::sheets::take_step(
            &w,
            self.sheet,
            version,
            command,
            self.base_url,
        )
        .await
    }

    /// Takes the sheet from goal drafting up to `target` (or as near as the chain allows):
    /// goals written (the first aligned to the manager's first goal where theirs stand),
    /// every fourth sent back once before approval, ratings and comments from `content`,
    /// the grade lowered in calibration where the walk says so, the interview recorded
    /// before the acknowledgement.
    async fn to(
        &self,
        target: SheetState,
        content: SheetContent,
        index: usize,
        spread: &[SheetState],
    ) -> Result<(), AppError> {
        use crate::backend::evaluation::{calibration, sheets};
        let rank = |state: SheetState| spread.iter().position(|s| *s == state).unwrap_or(0);
        let owner = self.actor(Some(self.owner))?;
        let first = || self.actor(self.chain[0]);
        let opened = sheets::open_sheet(self.admin.db, owner, self.sheet, Timestamp::now()).await?;
        let mut version = opened.version;
        let mut goals = content.goals.clone();
        if let (Some(upper), Some(goal)) = (
            opened.upper_goals.first(),
            goals.get_mut(&0).and_then(|g| g.first_mut()),
        ) {
            goal.aligned_to = Some(upper.clone());
        }
        // Half the sheets still drafting have goals begun.
        if target == SheetState::GoalDrafting && index % 2 == 1 {
            return Ok(());
        }
        version = match sheets::save_goals(&self.as_user(owner), self.sheet, version, goals).await?
        {
            crate::domain::evaluation::sheet_view::GoalsSaved::Saved { version, .. } => version,
            crate::domain::evaluation::sheet_view::GoalsSaved::Conflict { version, .. } => version,
        };
        let mut state = SheetState::GoalDrafting;
        let mut sent_back = false;
        while rank(state) < rank(target) {
            let (next_version, next_state) = match state {
                SheetState::GoalDrafting => (
                    self.step(owner, Command::SubmitGoals, version).await?,
                    SheetState::GoalsSubmitted,
                ),
                SheetState::GoalsSubmitted if index % 4 == 2 && !sent_back => {
                    sent_back = true;
                    let comment = "達成基準を数字で書いてください。".to_owned();
                    (
                        self.step(first()?, Command::SendBack { comment }, version)
                            .await?,
                        SheetState::GoalDrafting,
                    )
                }
                SheetState::GoalsSubmitted => (
                    self.step(first()?, Command::ApproveGoals, version).await?,
                    SheetState::GoalsApproved,
                ),
                SheetState::GoalsApproved | SheetState::SelfEvaluation => {
                    let work = content.self_work.clone().unwrap_or_default();
                    let saved =
                        sheets::save_work(&self.as_user(owner), self.sheet, version, work).await?;
                    let crate::domain::evaluation::sheet_view::WorkSaved::Saved { version, .. } =
                        saved
                    else {
                        return Err(AppError::Conflict);
                    };
                    if target == SheetState::SelfEvaluation {
                        return Ok(());
                    }
                    (
                        self.step(owner, Command::SubmitSelfEvaluation, version)
                            .await?,
                        SheetState::Evaluation(Stage::FIRST),
                    )
                }
                SheetState::Evaluation(stage) => {
                    let n = usize::from(stage.number() - 1);
                    let evaluator = self.actor(self.chain.get(n).copied().flatten())?;
                    let work = content.stage_work.get(n).cloned().unwrap_or_default();
                    let saved =
                        sheets::save_work(&self.as_user(evaluator), self.sheet, version, work)
                            .await?;
                    let crate::domain::evaluation::sheet_view::WorkSaved::Saved { version, .. } =
                        saved
                    else {
                        return Err(AppError::Conflict);
                    };
                    (
                        self.step(evaluator, Command::SubmitEvaluation, version)
                            .await?,
                        stage
                            .next(2)
                            .filter(|next| self.chain[usize::from(next.number() - 1)].is_some())
                            .map_or(SheetState::Calibration, SheetState::Evaluation),
                    )
                }
                SheetState::Calibration => {
                    if self.lowered_in_calibration {
                        // One grade below the computed one (the period's template is the
                        // starter's).
                        let template = Template::starter();
                        let computed = crate::domain::evaluation::calibration::final_grade(
                            &template, &content,
                        );
                        let grades = &template.grades.grades;
                        let lower = grades
                            .iter()
                            .position(|g| Some(&g.grade) == computed.as_ref())
                            .and_then(|at| grades.get(at + 1))
                            .map(|g| g.grade.clone());
                        if let Some(lower) = lower {
                            version = calibration::adjust_grade(
                                &self.as_user(self.admin.by),
                                self.sheet,
                                version,
                                &lower,
                                "他部署の同等の成果と比べ、一段階下げるのが妥当と判断した。",
                            )
                            .await?;
                        }
                    }
                    (
                        self.step(self.admin.by, Command::Finalize, version).await?,
                        SheetState::Finalized,
                    )
                }
                SheetState::Finalized => (
                    self.step(self.admin.by, Command::Disclose, version).await?,
                    SheetState::Disclosed,
                ),
                SheetState::Disclosed => {
                    let day = self.admin.now.date_in_zone("Asia/Tokyo");
                    let version =
                        sheets::record_interview(&self.as_user(first()?), self.sheet, version, day)
                            .await?;
                    let comment = "面談で説明を受け、納得しました。".to_owned();
                    (
                        self.step(owner, Command::Acknowledge { comment }, version)
                            .await?,
                        SheetState::Acknowledged,
                    )
                }
                SheetState::Acknowledged | SheetState::Excluded => break,
            };
            version = next_version;
            state = next_state;
        }
        Ok(())
    }
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
