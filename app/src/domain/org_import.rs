//! The organization import, decided before anything is written (PRODUCT §3).
//!
//! [`read_file`] decodes and parses a CSV file; [`plan_departments`] and [`plan_employees`]
//! check every row against the rules and a snapshot of what is stored, and answer either
//! the complete list of problems (by line, column and reason) or the plan of what to write.
//! Pure: the backend loads the snapshot, runs the plan for the preview, and runs it again
//! inside the write transaction against a fresh snapshot, so what is written is exactly
//! what was checked.
//!
//! Upsert rules, the same for both files: a row whose code is stored updates that record,
//! a new code adds one, and stored records the file does not mention are left alone. An
//! optional column missing from the file leaves that field as it is; present but empty, it
//! clears it.

use crate::domain::codes::{DepartmentCode, EmployeeCode, split_code_list};
use crate::domain::csv_codec::{self, ColumnMap, CsvError, Encoding, Table};
use crate::domain::dates::{CalendarDate, parse_date};
use crate::domain::email::Email;
use crate::domain::employees::{FieldParser, parse_kana, parse_label, parse_name};
use crate::domain::ids::{DepartmentId, UserId};
use crate::domain::org_csv::{CsvKind, ImportCounts, ImportProblem};
use crate::domain::org_tree::SORT_STEP;
use crate::domain::permissions::{SignInField, Subject, sign_in_change_refused};
pub use crate::domain::posts::PostSpec;
use crate::domain::posts::{Holder, ManagerSeats, posts_from};
use crate::domain::problem::{Problem, Repeated};
use crate::domain::roles::Role;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Called with the number of rows done, every so often.
pub type Progress<'a> = &'a mut dyn FnMut(usize);

/// How often (in rows) progress is reported.
const PROGRESS_EVERY: usize = 500;

fn problem(line: usize, column: Option<&str>, value: &str, reason: Problem) -> ImportProblem {
    ImportProblem {
        line,
        column: column.map(str::to_owned),
        value: value.to_owned(),
        problem: reason,
    }
}

/// A problem with the file as a whole (encoding, header, a broken record).
pub fn file_problem(error: &CsvError) -> ImportProblem {
    let line = match error {
        CsvError::UnclosedQuote { line }
        | CsvError::WrongCellCount { line, .. }
        | CsvError::NotRepresentable { line, .. } => *line,
        _ => 1,
    };
    problem(line, None, "", Problem::Csv(error.clone()))
}

/// A file read as far as CSV goes: its encoding, its records and which column is where.
#[derive(Clone, Debug)]
pub struct ParsedFile {
    pub encoding: Encoding,
    pub table: Table,
    pub columns: ColumnMap,
}

impl ParsedFile {
    fn cell<'a>(&self, row: &'a csv_codec::Row, key: &str) -> Option<&'a str> {
        self.columns.get(row, key)
    }

    /// Orders problems as a reader goes through the file: by line, then left to right
    /// (problems of a whole row first).
    fn sort(&self, problems: &mut [ImportProblem]) {
        problems.sort_by_key(|p| {
            let column = p.column.as_deref().and_then(|key| self.columns.index(key));
            (p.line, column.map_or(0, |i| i + 1))
        });
    }
}

/// Decodes (UTF-8 with or without BOM, or Shift_JIS), parses, and maps the header.
pub fn read_file(bytes: &[u8], kind: CsvKind) -> Result<ParsedFile, ImportProblem> {
    let (text, encoding) = csv_codec::decode(bytes).map_err(|e| file_problem(&e))?;
    let table = csv_codec::parse(&text).map_err(|e| file_problem(&e))?;
    if table.headers.is_empty() {
        return Err(problem(1, None, "", Problem::EmptyFile));
    }
    let columns =
        csv_codec::map_columns(&table.headers, kind.columns()).map_err(|e| file_problem(&e))?;
    if table.rows.is_empty() {
        return Err(problem(1, None, "", Problem::NoDataRows));
    }
    Ok(ParsedFile {
        encoding,
        table,
        columns,
    })
}

// ---- departments -------------------------------------------------------------------------

/// A stored department, as the import compares against it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ExistingDepartment {
    pub id: DepartmentId,
    pub code: String,
    pub name: String,
    pub parent: Option<DepartmentId>,
    pub sort_order: i64,
}

/// One department to insert (`before` is `None`) or update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepartmentWrite {
    pub line: usize,
    pub id: DepartmentId,
    pub code: String,
    pub name: String,
    pub parent: Option<DepartmentId>,
    pub sort_order: i64,
    pub before: Option<ExistingDepartment>,
}

/// What a department import writes, parents before children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepartmentPlan {
    pub writes: Vec<DepartmentWrite>,
    pub counts: ImportCounts,
}

/// A department as the file leaves it, keyed by code.
struct Planned {
    id: DepartmentId,
    line: Option<usize>,
    name: String,
    parent_code: Option<String>,
    sort_order: Option<i64>,
    before: Option<usize>,
}

pub fn plan_departments(
    file: &ParsedFile,
    existing: &[ExistingDepartment],
    new_id: &mut dyn FnMut() -> DepartmentId,
    progress: Progress<'_>,
) -> Result<DepartmentPlan, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let code_of_id: HashMap<&DepartmentId, &str> =
        existing.iter().map(|d| (&d.id, d.code.as_str())).collect();
    // Start from what is stored, then lay the file over it.
    let mut planned: HashMap<String, Planned> = existing
        .iter()
        .enumerate()
        .map(|(index, d)| {
            let parent_code = d
                .parent
                .as_ref()
                .and_then(|p| code_of_id.get(p))
                .map(|c| (*c).to_owned());
            (
                d.code.clone(),
                Planned {
                    id: d.id.clone(),
                    line: None,
                    name: d.name.clone(),
                    parent_code,
                    sort_order: Some(d.sort_order),
                    before: Some(index),
                },
            )
        })
        .collect();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut file_codes: Vec<String> = Vec::new();

    for (done, row) in file.table.rows.iter().enumerate() {
        if done % PROGRESS_EVERY == 0 {
            progress(done);
        }
        let line = row.line;
        let raw_code = file.cell(row, "code").unwrap_or_default();
        let code = match DepartmentCode::parse(raw_code) {
            Ok(code) => Some(code.as_str().to_owned()),
            Err(reason) => {
                problems.push(problem(line, Some("code"), raw_code, reason));
                None
            }
        };
        let raw_name = file.cell(row, "name").unwrap_or_default();
        let name = parse_name(raw_name)
            .map_err(|reason| problems.push(problem(line, Some("name"), raw_name, reason)))
            .ok();
        // Some(None): the column says "top level"; None: the file does not say.
        let parent_code: Option<Option<String>> = match file.cell(row, "parent_code") {
            None => None,
            Some(raw) if raw.trim().is_empty() => Some(None),
            Some(raw) => match DepartmentCode::parse(raw) {
                Ok(parent) => Some(Some(parent.as_str().to_owned())),
                Err(reason) => {
                    problems.push(problem(line, Some("parent_code"), raw, reason));
                    None
                }
            },
        };
        let sort_order = match file.cell(row, "sort_order").map(str::trim) {
            None | Some("") => None,
            Some(raw) => match crate::domain::codes::normalize(raw).parse::<i64>() {
                Ok(order) if (0..=1_000_000_000).contains(&order) => Some(order),
                _ => {
                    problems.push(problem(
                        line,
                        Some("sort_order"),
                        raw,
                        Problem::NotASortOrder,
                    ));
                    None
                }
            },
        };
        let Some(code) = code else { continue };
        if let Some(first) = first_line.get(&code) {
            problems.push(problem(
                line,
                Some("code"),
                &code,
                Problem::TwiceInFile {
                    value: Repeated::DepartmentCode(code.clone()),
                    first_line: *first,
                },
            ));
            continue;
        }
        first_line.insert(code.clone(), line);
        file_codes.push(code.clone());
        let entry = planned.entry(code).or_insert_with(|| Planned {
            id: new_id(),
            line: None,
            name: String::new(),
            parent_code: None,
            sort_order: None,
            before: None,
        });
        entry.line = Some(line);
        if let Some(name) = name {
            entry.name = name;
        }
        if let Some(parent_code) = parent_code {
            entry.parent_code = parent_code;
        }
        if sort_order.is_some() {
            entry.sort_order = sort_order;
        }
    }

    // Every parent must exist, in the file or in storage, and not be the department itself.
    for code in &file_codes {
        let Some(entry) = planned.get(code) else {
            continue;
        };
        let (Some(parent), Some(line)) = (&entry.parent_code, entry.line) else {
            continue;
        };
        if parent == code {
            problems.push(problem(
                line,
                Some("parent_code"),
                parent,
                Problem::OwnParent,
            ));
        } else if !planned.contains_key(parent) {
            problems.push(problem(
                line,
                Some("parent_code"),
                parent,
                Problem::UnknownParentInFile {
                    code: parent.to_string(),
                },
            ));
        }
    }
    if problems.is_empty() {
        problems.extend(cycle_problems(&planned));
    }
    if !problems.is_empty() {
        file.sort(&mut problems);
        return Err(problems);
    }

    assign_missing_sort_orders(&mut planned, &file_codes);
    let depth = depths(&planned);
    let mut counts = ImportCounts::default();
    let mut writes = Vec::new();
    for code in &file_codes {
        let Some(entry) = planned.get(code) else {
            continue;
        };
        let parent = entry
            .parent_code
            .as_ref()
            .and_then(|p| planned.get(p))
            .map(|p| p.id.clone());
        let write = DepartmentWrite {
            line: entry.line.unwrap_or_default(),
            id: entry.id.clone(),
            code: code.clone(),
            name: entry.name.clone(),
            parent,
            sort_order: entry.sort_order.unwrap_or_default(),
            before: entry.before.map(|index| existing[index].clone()),
        };
        match &write.before {
            None => counts.added += 1,
            Some(before)
                if before.name == write.name
                    && before.parent == write.parent
                    && before.sort_order == write.sort_order =>
            {
                counts.unchanged += 1;
                continue;
            }
            Some(_) => counts.changed += 1,
        }
        writes.push(write);
    }
    counts.not_in_file = existing
        .iter()
        .filter(|d| !first_line.contains_key(&d.code))
        .count();
    // Parents first, so every reference points at a row already written.
    writes.sort_by_key(|w| (depth.get(w.code.as_str()).copied().unwrap_or(0), w.line));
    progress(file.table.rows.len());
    Ok(DepartmentPlan { writes, counts })
}

/// One problem per cycle the file's parents would make, on the cycle's first line in the
/// file, naming the codes around it.
fn cycle_problems(planned: &HashMap<String, Planned>) -> Vec<ImportProblem> {
    let mut problems = Vec::new();
    let mut settled: HashSet<&str> = HashSet::new();
    let mut codes: Vec<&String> = planned.keys().collect();
    codes.sort();
    for start in codes {
        let mut path: Vec<&str> = Vec::new();
        let mut on_path: HashSet<&str> = HashSet::new();
        let mut current = Some(start.as_str());
        while let Some(code) = current {
            if settled.contains(code) {
                break;
            }
            if !on_path.insert(code) {
                // `code` is where the walk closed a loop: the cycle is from there on.
                let from = path.iter().position(|c| *c == code).unwrap_or(0);
                let cycle = &path[from..];
                let line = cycle
                    .iter()
                    .filter_map(|c| planned.get(*c).and_then(|p| p.line))
                    .min()
                    .unwrap_or(1);
                let mut around: Vec<&str> = cycle.to_vec();
                around.push(code);
                let shown = around.join(" → ");
                problems.push(problem(
                    line,
                    Some("parent_code"),
                    cycle.first().copied().unwrap_or_default(),
                    Problem::ParentCycle { path: shown },
                ));
                break;
            }
            path.push(code);
            current = planned.get(code).and_then(|p| p.parent_code.as_deref());
        }
        settled.extend(path);
    }
    problems
}

/// New departments without a sort order go after their siblings, in file order.
fn assign_missing_sort_orders(planned: &mut HashMap<String, Planned>, file_codes: &[String]) {
    let mut last: HashMap<Option<String>, i64> = HashMap::new();
    for entry in planned.values() {
        if let Some(order) = entry.sort_order {
            let slot = last.entry(entry.parent_code.clone()).or_insert(0);
            *slot = (*slot).max(order);
        }
    }
    for code in file_codes {
        if let Some(entry) = planned.get_mut(code)
            && entry.sort_order.is_none()
        {
            let slot = last.entry(entry.parent_code.clone()).or_insert(0);
            *slot = slot.saturating_add(SORT_STEP);
            entry.sort_order = Some(*slot);
        }
    }
}

/// The depth of every department (0 for the top level). The parents are acyclic here.
fn depths(planned: &HashMap<String, Planned>) -> HashMap<&str, usize> {
    let mut depth: HashMap<&str, usize> = HashMap::new();
    for start in planned.keys() {
        let mut path: Vec<&str> = Vec::new();
        let mut current = Some(start.as_str());
        let mut base = 0;
        while let Some(code) = current {
            if let Some(known) = depth.get(code) {
                base = known + 1;
                break;
            }
            path.push(code);
            current = planned.get(code).and_then(|p| p.parent_code.as_deref());
        }
        for code in path.into_iter().rev() {
            depth.insert(code, base);
            base += 1;
        }
    }
    depth
}

// ---- employees ---------------------------------------------------------------------------

/// An employee's own fields, as stored and as the file sets them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct EmployeeRecord {
    pub employee_code: Option<String>,
    pub display_name: String,
    pub email: String,
    pub kana: Option<String>,
    pub job_title: Option<String>,
    pub grade: Option<String>,
    pub employment_type: Option<String>,
    pub hire_date: Option<CalendarDate>,
}

/// What the employee import compares against.
#[derive(Clone, Debug, Default)]
pub struct EmployeeSnapshot {
    /// Every department: id and code.
    pub departments: Vec<(DepartmentId, String)>,
    /// Every user of the tenant, employee or not.
    pub employees: Vec<(UserId, EmployeeRecord)>,
    pub posts: Vec<(UserId, PostSpec)>,
    /// The roles of every user that holds any.
    pub roles: HashMap<UserId, BTreeSet<Role>>,
    pub seats_in_use: i64,
    pub seat_limit: i64,
    /// Who imports: a row may change what a stored user signs in with (e-mail, employee
    /// code) only where `authorize` lets them. `None` lets no such change through.
    pub actor: Option<Subject>,
}

/// One employee to insert (`before` is `None`) or update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmployeeWrite {
    pub line: usize,
    pub id: UserId,
    pub record: EmployeeRecord,
    /// Sorted; replaces all of the employee's posts.
    pub posts: Vec<PostSpec>,
    pub before: Option<(EmployeeRecord, Vec<PostSpec>)>,
}

impl EmployeeWrite {
    pub fn is_new(&self) -> bool {
        self.before.is_none()
    }

    pub fn record_changed(&self) -> bool {
        self.before
            .as_ref()
            .is_none_or(|(record, _)| *record != self.record)
    }

    pub fn posts_changed(&self) -> bool {
        self.before
            .as_ref()
            .is_none_or(|(_, posts)| *posts != self.posts)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmployeePlan {
    pub writes: Vec<EmployeeWrite>,
    pub counts: ImportCounts,
}

/// Looks up each code of a list cell; unknown ones become problems.
fn departments_of(
    line: usize,
    column: &str,
    raw: &str,
    by_code: &HashMap<&str, &DepartmentId>,
    problems: &mut Vec<ImportProblem>,
) -> Vec<DepartmentId> {
    let mut found = Vec::new();
    for piece in split_code_list(raw) {
        match DepartmentCode::parse(&piece) {
            Err(reason) => problems.push(problem(line, Some(column), &piece, reason)),
            Ok(code) => match by_code.get(code.as_str()) {
                Some(id) => {
                    if !found.contains(*id) {
                        found.push((*id).clone());
                    }
                }
                None => problems.push(problem(
                    line,
                    Some(column),
                    code.as_str(),
                    Problem::UnknownDepartmentImportFirst {
                        code: code.to_string(),
                    },
                )),
            },
        }
    }
    found
}

/// A field from an optional column: parsed when the column is there, else as stored.
fn optional_field<T: Clone>(
    file: &ParsedFile,
    row: &csv_codec::Row,
    key: &str,
    stored: Option<&Option<T>>,
    parse: FieldParser<T>,
    problems: &mut Vec<ImportProblem>,
) -> Option<T> {
    match file.cell(row, key) {
        Some(raw) => parse(raw).unwrap_or_else(|reason| {
            problems.push(problem(row.line, Some(key), raw, reason));
            None
        }),
        None => stored.cloned().flatten(),
    }
}

pub fn plan_employees(
    file: &ParsedFile,
    snapshot: &EmployeeSnapshot,
    new_id: &mut dyn FnMut() -> UserId,
    progress: Progress<'_>,
) -> Result<EmployeePlan, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let department_by_code: HashMap<&str, &DepartmentId> = snapshot
        .departments
        .iter()
        .map(|(id, code)| (code.as_str(), id))
        .collect();
    let code_of_department: HashMap<&DepartmentId, &str> = snapshot
        .departments
        .iter()
        .map(|(id, code)| (id, code.as_str()))
        .collect();
    let by_code: HashMap<&str, usize> = snapshot
        .employees
        .iter()
        .enumerate()
        .filter_map(|(i, (_, r))| r.employee_code.as_deref().map(|c| (c, i)))
        .collect();
    let by_email: HashMap<&str, usize> = snapshot
        .employees
        .iter()
        .enumerate()
        .map(|(i, (_, r))| (r.email.as_str(), i))
        .collect();
    let mut posts_of: HashMap<&UserId, Vec<PostSpec>> = HashMap::new();
    for (user, post) in &snapshot.posts {
        posts_of.entry(user).or_default().push(post.clone());
    }
    for posts in posts_of.values_mut() {
        posts.sort();
    }

    let mut code_lines: HashMap<String, usize> = HashMap::new();
    let mut email_lines: HashMap<String, usize> = HashMap::new();
    let mut matched: HashSet<usize> = HashSet::new();
    let mut writes: Vec<EmployeeWrite> = Vec::new();

    for (done, row) in file.table.rows.iter().enumerate() {
        if done % PROGRESS_EVERY == 0 {
            progress(done);
        }
        let line = row.line;
        let problems_before = problems.len();
        let raw_code = file.cell(row, "employee_code").unwrap_or_default();
        let code = match EmployeeCode::parse(raw_code) {
            Ok(code) => Some(code.as_str().to_owned()),
            Err(reason) => {
                problems.push(problem(line, Some("employee_code"), raw_code, reason));
                None
            }
        };
        if let Some(code) = &code {
            if let Some(first) = code_lines.get(code) {
                problems.push(problem(
                    line,
                    Some("employee_code"),
                    code,
                    Problem::TwiceInFile {
                        value: Repeated::EmployeeCode(code.to_string()),
                        first_line: *first,
                    },
                ));
                continue;
            }
            code_lines.insert(code.clone(), line);
        }
        let raw_name = file.cell(row, "name").unwrap_or_default();
        let name = parse_name(raw_name)
            .map_err(|reason| problems.push(problem(line, Some("name"), raw_name, reason)))
            .ok();
        let raw_email = file.cell(row, "email").unwrap_or_default();
        let email = match Email::parse(raw_email) {
            Ok(email) => Some(email.as_str().to_owned()),
            Err(invalid) => {
                problems.push(problem(line, Some("email"), raw_email, invalid.into()));
                None
            }
        };
        if let Some(email) = &email {
            if let Some(first) = email_lines.get(email) {
                problems.push(problem(
                    line,
                    Some("email"),
                    email,
                    Problem::TwiceInFile {
                        value: Repeated::Email,
                        first_line: *first,
                    },
                ));
            } else {
                email_lines.insert(email.clone(), line);
            }
        }

        // Which stored user this row is: by employee code, else an account of that e-mail
        // address that has no employee code yet (e.g. the first admin).
        let by_own_code = code.as_deref().and_then(|c| by_code.get(c)).copied();
        let holder = email.as_deref().and_then(|e| by_email.get(e)).copied();
        let stored = match (by_own_code, holder) {
            (Some(index), Some(other)) if other != index => {
                let other_code = snapshot.employees[other].1.employee_code.clone();
                problems.push(email_taken(line, email.as_deref(), other_code));
                Some(index)
            }
            (Some(index), _) => Some(index),
            (None, Some(other)) => match &snapshot.employees[other].1.employee_code {
                None => Some(other),
                Some(other_code) => {
                    problems.push(email_taken(
                        line,
                        email.as_deref(),
                        Some(other_code.clone()),
                    ));
                    None
                }
            },
            (None, None) => None,
        };
        let stored_record = stored.map(|i| &snapshot.employees[i].1);
        let record = EmployeeRecord {
            employee_code: code.clone(),
            display_name: name.unwrap_or_default(),
            email: email.unwrap_or_default(),
            kana: optional_field(
                file,
                row,
                "kana",
                stored_record.map(|r| &r.kana),
                parse_kana,
                &mut problems,
            ),
            job_title: optional_field(
                file,
                row,
                "job_title",
                stored_record.map(|r| &r.job_title),
                parse_label,
                &mut problems,
            ),
            grade: optional_field(
                file,
                row,
                "grade",
                stored_record.map(|r| &r.grade),
                parse_label,
                &mut problems,
            ),
            employment_type: optional_field(
                file,
                row,
                "employment_type",
                stored_record.map(|r| &r.employment_type),
                parse_label,
                &mut problems,
            ),
            hire_date: optional_field(
                file,
                row,
                "hire_date",
                stored_record.map(|r| &r.hire_date),
                parse_date,
                &mut problems,
            ),
        };

        let id = stored.map(|i| snapshot.employees[i].0.clone());
        let stored_posts: Vec<PostSpec> = id
            .as_ref()
            .and_then(|id| posts_of.get(id))
            .cloned()
            .unwrap_or_default();
        let posts = plan_posts(
            file,
            row,
            &stored_posts,
            &department_by_code,
            &code_of_department,
            &mut problems,
        );

        if let Some(index) = stored {
            let (id, stored_record) = &snapshot.employees[index];
            problems.extend(sign_in_problems(
                line,
                snapshot.actor.as_ref(),
                id,
                stored_record,
                &record,
                snapshot.roles.get(id),
            ));
        }
        if problems.len() > problems_before {
            continue;
        }
        if let Some(index) = stored {
            matched.insert(index);
        }
        let before = stored.map(|i| (snapshot.employees[i].1.clone(), stored_posts));
        writes.push(EmployeeWrite {
            line,
            id: id.unwrap_or_else(&mut *new_id),
            record,
            posts,
            before,
        });
    }

    problems.extend(manager_clashes(
        &writes,
        snapshot,
        &matched,
        &code_of_department,
    ));
    problems.extend(seat_problem(&writes, snapshot));
    if !problems.is_empty() {
        file.sort(&mut problems);
        return Err(problems);
    }

    let mut counts = ImportCounts::default();
    writes.retain(|write| {
        if write.is_new() {
            counts.added += 1;
            true
        } else if write.record_changed() || write.posts_changed() {
            counts.changed += 1;
            true
        } else {
            counts.unchanged += 1;
            false
        }
    });
    counts.not_in_file = snapshot
        .employees
        .iter()
        .enumerate()
        .filter(|(i, (_, record))| record.employee_code.is_some() && !matched.contains(i))
        .count();
    progress(file.table.rows.len());
    Ok(EmployeePlan { writes, counts })
}

/// The sign-in fields (e-mail, employee code) that `actor` may not change from `stored` to
/// `record`, each as a problem naming why (the rule is `sign_in_change_refused`).
fn sign_in_problems(
    line: usize,
    actor: Option<&Subject>,
    user: &UserId,
    stored: &EmployeeRecord,
    record: &EmployeeRecord,
    roles: Option<&BTreeSet<Role>>,
) -> Vec<ImportProblem> {
    let no_roles = BTreeSet::new();
    let roles = roles.unwrap_or(&no_roles);
    let value = |r: &'_ EmployeeRecord, field| match field {
        SignInField::Email => Some(r.email.clone()),
        SignInField::EmployeeCode => r.employee_code.clone(),
    };
    let mut problems = Vec::new();
    for field in SignInField::ALL {
        let after = value(record, field);
        let refused = sign_in_change_refused(
            actor,
            user,
            roles,
            field,
            value(stored, field).as_deref(),
            after.as_deref(),
        );
        if let Some(refused) = refused {
            let column = Some(field.field().as_str());
            problems.push(problem(line, column, &after.unwrap_or_default(), refused));
        }
    }
    problems
}

/// A warning for each written value that Shift_JIS cannot hold as it is (a user-defined
/// character, an emoji, ¥…): the import takes it, but the Shift_JIS export will refuse it,
/// so the preview says so before anything is written.
fn shift_jis_warning(line: usize, column: &str, value: &str) -> Option<ImportProblem> {
    let c = csv_codec::shift_jis_lacks(value)?;
    Some(problem(
        line,
        Some(column),
        value,
        Problem::NotInShiftJis { character: c },
    ))
}

/// The Shift_JIS warnings of a department plan (see [`shift_jis_warning`]).
pub fn department_warnings(plan: &DepartmentPlan) -> Vec<ImportProblem> {
    plan.writes
        .iter()
        .filter_map(|w| shift_jis_warning(w.line, "name", &w.name))
        .collect()
}

/// The Shift_JIS warnings of an employee plan (see [`shift_jis_warning`]).
pub fn employee_warnings(plan: &EmployeePlan) -> Vec<ImportProblem> {
    let mut warnings = Vec::new();
    for write in &plan.writes {
        let r = &write.record;
        let fields = [
            ("name", Some(&r.display_name)),
            ("kana", r.kana.as_ref()),
            ("job_title", r.job_title.as_ref()),
            ("grade", r.grade.as_ref()),
            ("employment_type", r.employment_type.as_ref()),
        ];
        for (column, value) in fields {
            if let Some(warning) = value.and_then(|v| shift_jis_warning(write.line, column, v)) {
                warnings.push(warning);
            }
        }
    }
    warnings
}

fn email_taken(line: usize, email: Option<&str>, holder_code: Option<String>) -> ImportProblem {
    let email = email.unwrap_or_default();
    match holder_code {
        Some(code) => problem(
            line,
            Some("email"),
            email,
            Problem::EmailOfEmployee { code },
        ),
        None => problem(line, Some("email"), email, Problem::UsedByAnotherUser),
    }
}

/// The posts a row leaves the employee with: each list from its column when the file has
/// it, else as stored; the rules are those of [`posts_from`].
fn plan_posts(
    file: &ParsedFile,
    row: &csv_codec::Row,
    stored: &[PostSpec],
    by_code: &HashMap<&str, &DepartmentId>,
    code_of: &HashMap<&DepartmentId, &str>,
    problems: &mut Vec<ImportProblem>,
) -> Vec<PostSpec> {
    let line = row.line;
    let mut list = |key: &str, keep: fn(&PostSpec) -> bool| match file.cell(row, key) {
        Some(raw) => departments_of(line, key, raw, by_code, problems),
        None => stored
            .iter()
            .filter(|p| keep(p))
            .map(|p| p.department.clone())
            .collect(),
    };
    let primary = list("department_code", |p| p.primary);
    let concurrent = list("concurrent_codes", |p| !p.primary);
    let mut managed = list("manages_codes", |p| p.manager);
    if file.cell(row, "manages_codes").is_none() {
        // A stored manager flag goes with its post when the file moves the employee away.
        managed.retain(|d| primary.contains(d) || concurrent.contains(d));
    }
    posts_from(&primary, &concurrent, &managed).unwrap_or_else(|found| {
        for post_problem in found {
            let code = post_problem
                .department()
                .and_then(|d| code_of.get(d).copied())
                .unwrap_or_default();
            let field = post_problem.field().as_str();
            let value = if code.is_empty() {
                file.cell(row, field).unwrap_or_default()
            } else {
                code
            };
            let reason = Problem::Post {
                problem: post_problem.clone(),
                code: code.to_owned(),
            };
            problems.push(problem(line, Some(field), value, reason));
        }
        Vec::new()
    })
}

/// A department has one manager ([`ManagerSeats`]): two rows naming the same one, or a row
/// naming one whose stored manager the file does not rewrite, is a problem.
fn manager_clashes(
    writes: &[EmployeeWrite],
    snapshot: &EmployeeSnapshot,
    matched: &HashSet<usize>,
    code_of: &HashMap<&DepartmentId, &str>,
) -> Vec<ImportProblem> {
    let in_file: HashSet<&UserId> = matched.iter().map(|i| &snapshot.employees[*i].0).collect();
    let stored_managers = snapshot
        .posts
        .iter()
        .filter(|(_, post)| post.manager)
        .map(|(user, post)| (user, &post.department));
    let mut seats = ManagerSeats::new(stored_managers, |user| in_file.contains(user));
    let record_of: HashMap<&UserId, &EmployeeRecord> =
        snapshot.employees.iter().map(|(id, r)| (id, r)).collect();
    let mut problems = Vec::new();
    for write in writes {
        for post in write.posts.iter().filter(|p| p.manager) {
            let code = code_of.get(&post.department).copied().unwrap_or_default();
            let reason = match seats.claim(&post.department, write.line) {
                Ok(()) => continue,
                Err(Holder::Claimed(first_line)) => Problem::ManagerTwiceInFile {
                    code: code.to_owned(),
                    first_line,
                },
                Err(Holder::Stored(holder)) => Problem::HasManagerOutsideFile {
                    code: code.to_owned(),
                    who: record_of
                        .get(&holder)
                        .map(|r| match &r.employee_code {
                            Some(c) => format!("{} ({c})", r.display_name),
                            None => r.display_name.clone(),
                        })
                        .unwrap_or_default(),
                },
            };
            problems.push(problem(write.line, Some("manages_codes"), code, reason));
        }
    }
    problems
}

/// New employees beyond the contract's seats: one problem, on the first row that does not fit.
fn seat_problem(writes: &[EmployeeWrite], snapshot: &EmployeeSnapshot) -> Option<ImportProblem> {
    let free = (snapshot.seat_limit - snapshot.seats_in_use).max(0);
    let new: Vec<&EmployeeWrite> = writes.iter().filter(|w| w.is_new()).collect();
    let first_beyond = new.get(usize::try_from(free).unwrap_or(usize::MAX))?;
    let (limit, used, adding) = (snapshot.seat_limit, snapshot.seats_in_use, new.len());
    Some(problem(
        first_beyond.line,
        None,
        first_beyond
            .record
            .employee_code
            .as_deref()
            .unwrap_or_default(),
        Problem::BeyondSeats {
            limit,
            used,
            adding,
        },
    ))
}

#[cfg(test)]
mod tests;
