use super::*;
use crate::domain::ids::TenantId;
use crate::i18n::Lang;

fn dept_id(name: &str) -> DepartmentId {
    DepartmentId::from_stored(name.into())
}

fn user(name: &str) -> UserId {
    UserId::from_stored(name.into())
}

fn read(kind: CsvKind, text: &str) -> ParsedFile {
    read_file(text.as_bytes(), kind).expect("readable file")
}

fn counter_ids<T>(prefix: &'static str, wrap: fn(String) -> T) -> impl FnMut() -> T {
    let mut n = 0;
    move || {
        n += 1;
        wrap(format!("{prefix}{n}"))
    }
}

fn no_progress() -> impl FnMut(usize) {
    |_| {}
}

fn existing(id: &str, code: &str, parent: Option<&str>, sort_order: i64) -> ExistingDepartment {
    ExistingDepartment {
        id: dept_id(id),
        code: code.into(),
        name: format!("{code}の部署"),
        parent: parent.map(dept_id),
        sort_order,
    }
}

fn plan_depts(
    text: &str,
    stored: &[ExistingDepartment],
) -> Result<DepartmentPlan, Vec<ImportProblem>> {
    let file = read(CsvKind::Departments, text);
    plan_departments(
        &file,
        stored,
        &mut counter_ids("new", DepartmentId::from_stored),
        &mut no_progress(),
    )
}

/// Checks each problem's line, column and the start of its Japanese reason, in order.
#[track_caller]
fn assert_problems(problems: &[ImportProblem], expected: &[(usize, Option<&str>, &str)]) {
    let found: Vec<_> = problems
        .iter()
        .map(|p| (p.line, p.column.as_deref(), p.reason(Lang::Ja)))
        .collect();
    let matches = found.len() == expected.len()
        && found
            .iter()
            .zip(expected)
            .all(|(f, e)| f.0 == e.0 && f.1 == e.1 && f.2.starts_with(e.2));
    assert!(matches, "found {found:#?}\nexpected {expected:#?}");
}

#[test]
fn file_level_problems_name_the_line() {
    let empty = read_file(b"", CsvKind::Departments).unwrap_err();
    assert!(empty.reason(Lang::Ja).contains("空"));
    let header_only = read_file("部署コード,部署名\r\n".as_bytes(), CsvKind::Departments);
    assert!(
        header_only
            .unwrap_err()
            .reason(Lang::En)
            .contains("no data rows")
    );
    let unknown = read_file(
        "部署コード,部署名,色\r\nA,B,C\r\n".as_bytes(),
        CsvKind::Departments,
    );
    assert!(unknown.unwrap_err().reason(Lang::Ja).contains("「色」"));
    let broken = read_file(
        "部署コード,部署名\r\nA,B\r\nC,D,E\r\n".as_bytes(),
        CsvKind::Departments,
    )
    .unwrap_err();
    assert_eq!(broken.line, 3);
    let missing = read_file("部署名\r\nB\r\n".as_bytes(), CsvKind::Departments).unwrap_err();
    assert!(missing.reason(Lang::Ja).contains("部署コード"));
}

#[test]
fn a_new_tree_is_written_parents_first_whatever_the_file_order() {
    let plan = plan_depts(
        "部署コード,部署名,上位部署コード,表示順\r\n\
         S11,営業一課,S10,\r\n\
         S10,営業部,H,20\r\n\
         H,本社,,\r\n\
         D10,開発部,H,10\r\n",
        &[],
    )
    .unwrap();
    let order: Vec<&str> = plan.writes.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(order, ["H", "S10", "D10", "S11"], "by depth, then by line");
    let find = |code: &str| plan.writes.iter().find(|w| w.code == code).unwrap();
    assert_eq!(find("S11").parent, Some(find("S10").id.clone()));
    assert_eq!(find("H").parent, None);
    assert_eq!(find("S10").sort_order, 20);
    assert_eq!(find("D10").sort_order, 10);
    assert_eq!(find("S11").sort_order, 10, "first under S10");
    assert_eq!(find("H").sort_order, 10);
    assert_eq!(plan.counts.added, 4);
    assert_eq!(find("S11").line, 2);
}

#[test]
fn upserts_by_code_and_counts_what_changes() {
    let stored = [
        existing("h", "H", None, 10),
        existing("s", "S10", Some("h"), 10),
        existing("d", "D10", Some("h"), 20),
        existing("x", "X", None, 20),
    ];
    let plan = plan_depts(
        "部署コード,部署名,上位部署コード\r\n\
         S10,S10の部署,H\r\n\
         D10,開発本部,\r\n\
         N1,新規,D10\r\n",
        &stored,
    )
    .unwrap();
    assert_eq!(
        plan.counts,
        ImportCounts {
            added: 1,
            changed: 1,
            unchanged: 1,
            not_in_file: 2,
            invitations: 0
        }
    );
    let d10 = plan.writes.iter().find(|w| w.code == "D10").unwrap();
    assert_eq!(d10.id, dept_id("d"), "the stored id is kept");
    assert_eq!((d10.name.as_str(), d10.parent.clone()), ("開発本部", None));
    assert_eq!(d10.sort_order, 20, "no sort order column: kept");
    assert_eq!(d10.before, Some(stored[2].clone()));
    let n1 = plan.writes.iter().find(|w| w.code == "N1").unwrap();
    assert_eq!(n1.parent, Some(dept_id("d")));
    assert!(n1.before.is_none());
}

#[test]
fn without_a_parent_column_stored_parents_stay() {
    let stored = [
        existing("h", "H", None, 10),
        existing("s", "S", Some("h"), 10),
    ];
    let plan = plan_depts("部署コード,部署名\r\nS,営業部\r\n", &stored).unwrap();
    assert_eq!(plan.writes[0].parent, Some(dept_id("h")));
    assert_eq!(plan.counts.changed, 1);
}

#[test]
fn every_bad_row_is_listed_with_its_column() {
    let stored = [existing("h", "H", None, 10)];
    let problems = plan_depts(
        "部署コード,部署名,上位部署コード,表示順\r\n\
         A,部署A,H,10\r\n\
         営業,部署B,H,x\r\n\
         A,部署A2,H,\r\n\
         C,,NOPE,\r\n\
         D,部署D,D,-1\r\n",
        &stored,
    )
    .unwrap_err();
    assert_problems(
        &problems,
        &[
            (3, Some("code"), "英数字"),
            (3, Some("sort_order"), "0以上"),
            (4, Some("code"), "部署コード A がファイル内で重複"),
            (5, Some("name"), "1〜100文字"),
            (5, Some("parent_code"), "上位部署コード NOPE"),
            (6, Some("parent_code"), "自分自身"),
            (6, Some("sort_order"), "0以上"),
        ],
    );
    assert_eq!(problems[4].value, "NOPE");
}

#[test]
fn cycles_are_refused_in_the_file_and_against_storage() {
    let problems = plan_depts(
        "部署コード,部署名,上位部署コード\r\nA,a,B\r\nB,b,C\r\nC,c,A\r\nD,d,\r\n",
        &[],
    )
    .unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 2);
    assert!(
        problems[0].reason(Lang::Ja).contains("A → B → C → A"),
        "{}",
        problems[0].reason(Lang::Ja)
    );

    // Stored: H ← S ← T. The file moves H under T.
    let stored = [
        existing("h", "H", None, 10),
        existing("s", "S", Some("h"), 10),
        existing("t", "T", Some("s"), 10),
    ];
    let problems =
        plan_depts("部署コード,部署名,上位部署コード\r\nH,本社,T\r\n", &stored).unwrap_err();
    assert_eq!(problems[0].line, 2);
    assert!(problems[0].reason(Lang::En).contains("cycle"));
}

#[test]
fn new_departments_without_an_order_go_last_among_their_siblings() {
    let stored = [
        existing("h", "H", None, 10),
        existing("a", "A", Some("h"), 10),
        existing("b", "B", Some("h"), 35),
    ];
    let plan = plan_depts(
        "部署コード,部署名,上位部署コード\r\nN1,n1,H\r\nN2,n2,H\r\nR,r,\r\n",
        &stored,
    )
    .unwrap();
    let order = |code: &str| {
        plan.writes
            .iter()
            .find(|w| w.code == code)
            .unwrap()
            .sort_order
    };
    assert_eq!((order("N1"), order("N2"), order("R")), (45, 55, 20));
}

// ---- employees ----

const EMPLOYEE_HEADER: &str = "社員番号,氏名,フリガナ,メールアドレス,所属部署コード,兼務部署コード,責任者部署コード,役職,等級,雇用区分,入社日\r\n";

fn record(code: &str, name: &str, email: &str) -> EmployeeRecord {
    EmployeeRecord {
        employee_code: Some(code.into()),
        display_name: name.into(),
        email: email.into(),
        ..EmployeeRecord::default()
    }
}

fn snapshot() -> EmployeeSnapshot {
    EmployeeSnapshot {
        departments: vec![
            (dept_id("h"), "H".into()),
            (dept_id("s"), "S10".into()),
            (dept_id("d"), "D10".into()),
        ],
        employees: vec![
            (
                user("admin"),
                EmployeeRecord {
                    employee_code: None,
                    display_name: "人事 花子".into(),
                    email: "hr@example.jp".into(),
                    ..EmployeeRecord::default()
                },
            ),
            (
                user("boss"),
                EmployeeRecord {
                    job_title: Some("部長".into()),
                    grade: Some("M3".into()),
                    ..record("E1", "部長 一郎", "boss@example.jp")
                },
            ),
        ],
        posts: vec![(
            user("boss"),
            PostSpec {
                department: dept_id("s"),
                primary: true,
                manager: true,
            },
        )],
        roles: HashMap::from([(user("admin"), BTreeSet::from([Role::SystemAdmin]))]),
        seats_in_use: 2,
        seat_limit: 10,
        actor: Some(Subject {
            tenant: TenantId::from_stored("t1".into()),
            user: user("admin"),
            roles: BTreeSet::from([Role::SystemAdmin]),
            password_set: true,
        }),
    }
}

fn plan_emps(text: &str, snapshot: &EmployeeSnapshot) -> Result<EmployeePlan, Vec<ImportProblem>> {
    let file = read(CsvKind::Employees, text);
    plan_employees(
        &file,
        snapshot,
        &mut counter_ids("newuser", UserId::from_stored),
        &mut no_progress(),
    )
}

#[test]
fn new_employees_with_posts_and_fields() {
    let plan = plan_emps(
        &format!(
            "{EMPLOYEE_HEADER}\
             E2,山田 太郎,ﾔﾏﾀﾞ ﾀﾛｳ,ＴＡＲＯ@Example.jp,D10,S10;H,D10,課長,等級１,正社員,2024/4/1\r\n"
        ),
        &snapshot(),
    )
    .unwrap();
    assert_eq!(plan.counts.added, 1);
    let write = &plan.writes[0];
    assert!(write.is_new());
    assert_eq!(write.id, user("newuser1"));
    assert_eq!(
        write.record,
        EmployeeRecord {
            employee_code: Some("E2".into()),
            display_name: "山田 太郎".into(),
            email: "taro@example.jp".into(),
            kana: Some("ヤマダ タロウ".into()),
            job_title: Some("課長".into()),
            grade: Some("等級1".into()),
            employment_type: Some("正社員".into()),
            hire_date: CalendarDate::new(2024, 4, 1),
        }
    );
    let mut expected = vec![
        PostSpec {
            department: dept_id("d"),
            primary: true,
            manager: true,
        },
        PostSpec {
            department: dept_id("s"),
            primary: false,
            manager: false,
        },
        PostSpec {
            department: dept_id("h"),
            primary: false,
            manager: false,
        },
    ];
    expected.sort();
    assert_eq!(write.posts, expected);
}

#[test]
fn existing_employees_update_by_code_and_absent_columns_keep_their_values() {
    let plan = plan_emps(
        "社員番号,氏名,メールアドレス\r\nE1,部長 一郎,boss@example.jp\r\n",
        &snapshot(),
    )
    .unwrap();
    assert_eq!(
        plan.counts.unchanged, 1,
        "same name and e-mail, the rest kept"
    );
    assert!(plan.writes.is_empty());

    let plan = plan_emps(
        "社員番号,氏名,メールアドレス,役職,所属部署コード\r\nE1,部長 一郎,boss@example.jp,,D10\r\n",
        &snapshot(),
    )
    .unwrap();
    let write = &plan.writes[0];
    assert_eq!(write.id, user("boss"));
    assert_eq!(write.record.job_title, None, "an empty cell clears");
    assert_eq!(write.record.grade.as_deref(), Some("M3"), "no column: kept");
    // The manager flag on S10 goes with the post; the stored manager flag for the new
    // primary is not implied.
    assert_eq!(
        write.posts,
        [PostSpec {
            department: dept_id("d"),
            primary: true,
            manager: false
        }]
    );
    assert!(write.record_changed() && write.posts_changed());
    assert_eq!(plan.counts.changed, 1);
}

fn importer(roles: &[Role]) -> Option<Subject> {
    Some(Subject {
        tenant: TenantId::from_stored("t1".into()),
        user: user("importer"),
        roles: roles.iter().copied().collect(),
        password_set: true,
    })
}

#[test]
fn only_a_system_admin_changes_a_login_email_and_never_of_a_higher_account() {
    // The boss (no roles) moves to a new address.
    let moved = "社員番号,氏名,メールアドレス\r\nE1,部長 一郎,new-boss@example.jp\r\n";
    let mut by_org_admin = snapshot();
    by_org_admin.actor = importer(&[Role::OrganizationAdmin]);
    let problems = plan_emps(moved, &by_org_admin).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].column.as_deref(), Some("email"));
    assert!(problems[0].reason(Lang::Ja).contains("システム管理者だけ"));

    let mut by_system_admin = snapshot();
    by_system_admin.actor = importer(&[Role::SystemAdmin]);
    let plan = plan_emps(moved, &by_system_admin).unwrap();
    assert_eq!(plan.writes[0].record.email, "new-boss@example.jp");

    // The boss now holds the audit-admin role, which this system admin lacks.
    by_system_admin
        .roles
        .insert(user("boss"), BTreeSet::from([Role::AuditAdmin]));
    let problems = plan_emps(moved, &by_system_admin).unwrap_err();
    assert!(
        problems[0]
            .reason(Lang::En)
            .contains("role you do not have"),
        "{problems:?}"
    );

    // Nobody known: nothing changes what anyone signs in with.
    let mut anonymous = snapshot();
    anonymous.actor = None;
    assert!(plan_emps(moved, &anonymous).is_err());
}

#[test]
fn an_organization_admin_imports_higher_accounts_without_changing_how_they_sign_in() {
    let mut snapshot = snapshot();
    snapshot.actor = importer(&[Role::OrganizationAdmin]);
    snapshot
        .roles
        .insert(user("boss"), BTreeSet::from([Role::SystemAdmin]));
    // The first admin's first code is no change of how they sign in.
    let plan = plan_emps(
        "社員番号,氏名,メールアドレス\r\nE9,人事 花子,hr@example.jp\r\n",
        &snapshot,
    )
    .unwrap();
    assert_eq!(plan.writes[0].record.employee_code.as_deref(), Some("E9"));
    // Other fields of a higher account stay the organization's to edit.
    let plan = plan_emps(
        "社員番号,氏名,メールアドレス\r\nE1,部長 二郎,boss@example.jp\r\n",
        &snapshot,
    )
    .unwrap();
    assert_eq!(plan.writes[0].record.display_name, "部長 二郎");
}

#[test]
fn an_account_without_an_employee_code_is_adopted_by_its_email() {
    let plan = plan_emps(
        "社員番号,氏名,メールアドレス\r\nE9,人事 花子,HR@example.jp\r\n",
        &snapshot(),
    )
    .unwrap();
    assert_eq!(plan.writes[0].id, user("admin"));
    assert_eq!(plan.writes[0].record.employee_code.as_deref(), Some("E9"));
    assert_eq!(plan.counts.changed, 1);
    assert_eq!(plan.counts.not_in_file, 1, "E1 is not in the file");
}

#[test]
fn every_bad_employee_row_is_listed() {
    let problems = plan_emps(
        &format!(
            "{EMPLOYEE_HEADER}\
             E2,山田 太郎,,taro@example.jp,NOPE,,,,,,2024/2/30\r\n\
             E2,山田 次郎,,jiro@example.jp,,,,,,,\r\n\
             E3,,,not-an-address,,,,,,,\r\n\
             E4,佐藤,,boss@example.jp,,,,,,,\r\n\
             E5,鈴木,,taro@example.jp,H,,S10,,,,\r\n\
             社員,田中,,tanaka@example.jp,H;D10,,,,,,\r\n"
        ),
        &snapshot(),
    )
    .unwrap_err();
    assert_problems(
        &problems,
        &[
            (
                2,
                Some("department_code"),
                "部署コード NOPE の部署が登録されていません",
            ),
            (2, Some("hire_date"), "存在しない日付"),
            (3, Some("employee_code"), "社員番号 E2 がファイル内で重複"),
            (4, Some("name"), "1〜100文字"),
            (4, Some("email"), "メールアドレスの形式"),
            (5, Some("email"), "このメールアドレスは社員番号 E1 の社員"),
            (6, Some("email"), "このメールアドレスはファイル内で重複"),
            (6, Some("manages_codes"), "部署 S10 の責任者にするには"),
            (7, Some("employee_code"), "英数字"),
            (7, Some("department_code"), "所属部署は1つだけ"),
        ],
    );
}

#[test]
fn a_department_has_one_manager() {
    // S10's stored manager is E1, who is not in the file.
    let problems = plan_emps(
        &format!("{EMPLOYEE_HEADER}E2,二郎,,e2@example.jp,S10,,S10,,,,\r\n"),
        &snapshot(),
    )
    .unwrap_err();
    assert!(
        problems[0]
            .reason(Lang::Ja)
            .contains("既に責任者（部長 一郎 (E1)）"),
        "{problems:?}"
    );

    // Moving the role in one file is fine.
    let plan = plan_emps(
        &format!(
            "{EMPLOYEE_HEADER}E1,部長 一郎,,boss@example.jp,S10,,,,,,\r\nE2,二郎,,e2@example.jp,S10,,S10,,,,\r\n"
        ),
        &snapshot(),
    )
    .unwrap();
    assert_eq!(plan.counts.changed + plan.counts.added, 2);

    // Two rows claiming one department.
    let problems = plan_emps(
        &format!(
            "{EMPLOYEE_HEADER}E7,a,,a@example.jp,D10,,D10,,,,\r\nE8,b,,b@example.jp,D10,,D10,,,,\r\n"
        ),
        &snapshot(),
    )
    .unwrap_err();
    assert_problems(
        &problems,
        &[(3, Some("manages_codes"), "部署 D10 の責任者が2行目と重複")],
    );
}

#[test]
fn the_seat_limit_is_named_on_the_first_row_that_does_not_fit() {
    let mut tight = snapshot();
    tight.seat_limit = 4;
    let rows: String = (1..=4)
        .map(|n| format!("N{n},新人 {n},n{n}@example.jp\r\n"))
        .collect();
    let text = format!("社員番号,氏名,メールアドレス\r\n{rows}");
    let problems = plan_emps(&text, &tight).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!((problems[0].line, problems[0].value.as_str()), (4, "N3"));
    assert!(problems[0].reason(Lang::Ja).contains("契約席数（4席）"));
    tight.seat_limit = 6;
    assert_eq!(plan_emps(&text, &tight).unwrap().counts.added, 4);
}

#[test]
fn shift_jis_files_are_read_like_utf8_ones() {
    let text = format!("{EMPLOYEE_HEADER}E2,山田 太郎,ヤマダ,taro@example.jp,S10,,,課長,,,\r\n");
    let (sjis, _, bad) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!bad);
    let file = read_file(&sjis, CsvKind::Employees).unwrap();
    assert_eq!(file.encoding, Encoding::ShiftJis);
    let plan = plan_employees(
        &file,
        &snapshot(),
        &mut counter_ids("u", UserId::from_stored),
        &mut no_progress(),
    )
    .unwrap();
    assert_eq!(plan.writes[0].record.display_name, "山田 太郎");
    assert_eq!(plan.writes[0].record.job_title.as_deref(), Some("課長"));
}

#[test]
fn progress_is_reported_up_to_the_row_count() {
    let rows: String = (0..1200).map(|n| format!("D{n},部署{n},\r\n")).collect();
    let file = read(
        CsvKind::Departments,
        &format!("部署コード,部署名,上位部署コード\r\n{rows}"),
    );
    let mut seen = Vec::new();
    let plan = plan_departments(
        &file,
        &[],
        &mut counter_ids("n", DepartmentId::from_stored),
        &mut |done| seen.push(done),
    )
    .unwrap();
    assert_eq!(plan.counts.added, 1200);
    assert_eq!(seen, [0, 500, 1000, 1200]);
}

#[test]
fn problems_name_the_row_as_excel_numbers_it() {
    // Row 2's job title holds two line breaks (Alt+Enter in Excel; refused, since a label is
    // one line); the bad e-mail is on row 3, which a text editor shows as line 5.
    let problems = plan_emps(
        "社員番号,氏名,メールアドレス,役職\r\n\
         N1,一 人,n1@example.jp,\"課長\r\n兼\r\n部長\"\r\n\
         N2,二 人,not-an-address,\r\n",
        &snapshot(),
    )
    .unwrap_err();
    let found: Vec<(usize, Option<&str>)> = problems
        .iter()
        .map(|p| (p.line, p.column.as_deref()))
        .collect();
    assert_eq!(found, [(2, Some("job_title")), (3, Some("email"))]);
}

#[test]
fn values_shift_jis_cannot_hold_import_with_a_warning() {
    let plan = plan_emps(
        "社員番号,氏名,メールアドレス,役職\r\nN1,\u{E000}田 一,n1@example.jp,¥課長\r\nN2,普通 二,n2@example.jp,主任\r\n",
        &snapshot(),
    )
    .unwrap();
    let warnings = employee_warnings(&plan);
    let found: Vec<(usize, Option<&str>)> = warnings
        .iter()
        .map(|w| (w.line, w.column.as_deref()))
        .collect();
    assert_eq!(found, [(2, Some("name")), (2, Some("job_title"))]);
    assert!(
        warnings[0].reason(Lang::Ja).contains("U+E000"),
        "{warnings:?}"
    );
    assert!(
        warnings[1].reason(Lang::En).contains("「¥」(U+00A5)"),
        "{warnings:?}"
    );
}
