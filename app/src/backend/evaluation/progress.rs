//! A period's progress in storage (進捗, PRODUCT §4): the sheets a reader may follow,
//! counted per phase and per department by `domain::evaluation::progress`, with the late
//! ones named and the reminders already sent. Reading only; the reminders themselves are
//! `reminders`'.

use crate::backend::db::Db;
use crate::backend::evaluation::population::load_facts;
use crate::backend::evaluation::sheets::{Tx, people, person_ref, stored};
use crate::domain::evaluation::calibration::{distribution, final_grade};
use crate::domain::evaluation::period::{Deadline, PeriodPlan, PeriodState, deadline_for};
use crate::domain::evaluation::progress::{
    DepartmentProgress, LATE_SHOWN, LateSheet, ProgressView, SENT_SHOWN, SentReminder,
    SheetProgress, Tally, Waiting, roll_up, waiting_on,
};
use crate::domain::evaluation::reminders::ReminderKind;
use crate::domain::evaluation::sheet::SheetContent;
use crate::domain::evaluation::template::Template;
use crate::domain::evaluation::workflow::{Phase, SheetState};
use crate::domain::ids::{DepartmentId, PeriodId, SheetId, TenantId, UserId};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use std::collections::{HashMap, HashSet};

/// Who follows a period's progress, and so which of its sheets they see: admins all of
/// them, a business admin the people of their scope, anyone the sheets they evaluate.
#[derive(Clone, Debug)]
pub struct ProgressReader {
    pub user: UserId,
    /// System and evaluation admins.
    pub whole_period: bool,
    /// A business admin's people (`None`: not one).
    pub scope: Option<HashSet<UserId>>,
    /// HR staff (admins, business admins) send reminders; evaluators only follow.
    pub may_remind: bool,
}

impl ProgressReader {
    /// Whether the reader follows this sheet.
    pub(super) fn sees(&self, employee: &UserId, chain: &[Option<UserId>]) -> bool {
        self.whole_period
            || self.scope.as_ref().is_some_and(|s| s.contains(employee))
            || chain.iter().flatten().any(|e| *e == self.user)
    }

    /// Whether the reader may send reminders about this sheet: HR staff, for the people
    /// they are responsible for.
    pub(super) fn may_remind_of(&self, employee: &UserId) -> bool {
        self.may_remind
            && (self.whole_period || self.scope.as_ref().is_some_and(|s| s.contains(employee)))
    }
}

/// The period as progress reads it.
pub(super) struct PeriodFacts {
    pub name: String,
    pub state: PeriodState,
    pub version: i64,
    pub plan: PeriodPlan,
    /// The template snapshot (`None` for a draft).
    pub template: Option<Template>,
    pub closed: Vec<Phase>,
}

impl PeriodFacts {
    /// Whether `phase` is open now: the period runs and an admin has not closed it.
    pub fn is_open(&self, phase: Phase) -> bool {
        self.state == PeriodState::Running && !self.closed.contains(&phase)
    }
}

#[derive(sqlx::FromRow)]
struct PeriodFactsRow {
    name: String,
    state: PeriodState,
    version: i64,
    definition: String,
    template_snapshot: Option<String>,
    closed_phases: String,
}

pub(super) async fn period_facts(
    tx: &mut Tx,
    tenant: &TenantId,
    period: &PeriodId,
) -> Result<PeriodFacts, AppError> {
    let row: PeriodFactsRow = sqlx::query_as(
        "SELECT name, state, version, definition, template_snapshot, closed_phases \
         FROM evaluation_periods WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.as_str())
    .bind(period.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(PeriodFacts {
        name: row.name,
        state: row.state,
        version: row.version,
        plan: stored("stored period plan", &row.definition)?,
        template: row
            .template_snapshot
            .as_deref()
            .map(|t| stored("stored template snapshot", t))
            .transpose()?,
        closed: stored("stored closed phases", &row.closed_phases)?,
    })
}

/// One sheet as progress and the reminders read it.
#[derive(sqlx::FromRow)]
pub(super) struct ProgressRow {
    pub id: SheetId,
    pub employee_id: UserId,
    state: String,
    evaluator_1: Option<UserId>,
    evaluator_2: Option<UserId>,
    evaluator_3: Option<UserId>,
    extended_deadlines: String,
    /// Read only for the sheets that have a grade to show (calibration on): at 10,000
    /// sheets the others' contents would be most of what is read, for nothing.
    content: Option<String>,
}

impl ProgressRow {
    pub fn state(&self) -> Result<SheetState, AppError> {
        SheetState::from_stored(&self.state)
            .ok_or_else(|| AppError::internal("stored sheet state", self.state.clone()))
    }

    pub fn chain(&self, stages: u8) -> Vec<Option<UserId>> {
        [&self.evaluator_1, &self.evaluator_2, &self.evaluator_3]
            .into_iter()
            .take(usize::from(stages))
            .cloned()
            .collect()
    }

    pub fn extended(&self) -> Result<Vec<Deadline>, AppError> {
        stored("stored extensions", &self.extended_deadlines)
    }

    /// The person whose step the sheet waits on (`None`: the admins, or nobody holds the
    /// stage), and who that is to the sheet.
    pub fn waiting_person(&self, state: SheetState, stages: u8) -> Option<(Waiting, UserId)> {
        match waiting_on(state)? {
            Waiting::Employee => Some((Waiting::Employee, self.employee_id.clone())),
            Waiting::Evaluator(stage) => self
                .chain(stages)
                .get(usize::from(stage.number() - 1))
                .cloned()
                .flatten()
                .map(|e| (Waiting::Evaluator(stage), e)),
            Waiting::Admins => None,
        }
    }
}

/// Every sheet of the period, the contents of graded ones only.
pub(super) async fn progress_rows(
    tx: &mut Tx,
    tenant: &TenantId,
    period: &PeriodId,
) -> Result<Vec<ProgressRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, employee_id, state, evaluator_1, evaluator_2, evaluator_3, \
         extended_deadlines, CASE WHEN state IN \
         ('calibration', 'finalized', 'disclosed', 'acknowledged') \
         THEN content ELSE NULL END AS content \
         FROM evaluation_sheets WHERE tenant_id = $1 AND period_id = $2",
    )
    .bind(tenant.as_str())
    .bind(period.as_str())
    .fetch_all(&mut **tx)
    .await?)
}

#[derive(sqlx::FromRow)]
struct SentRow {
    sheet_id: SheetId,
    recipient_id: UserId,
    kind: String,
    sent_at: i64,
    sent_by: Option<UserId>,
}

/// The progress of `period` as `reader` may follow it, looking at `department` (with its
/// subtree; `None`: everything the reader sees).
#[tracing::instrument(skip_all)]
pub async fn progress_view(
    db: &Db,
    tenant: &TenantId,
    period: &PeriodId,
    reader: &ProgressReader,
    department: Option<&DepartmentId>,
    now: Timestamp,
) -> Result<ProgressView, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let facts = period_facts(&mut tx, tenant, period).await?;
    if facts.state == PeriodState::Draft {
        return Err(super::periods::wrong_state(PeriodState::Draft));
    }
    let zone = crate::backend::users::tenant_zone(&mut tx, tenant).await?;
    let today = now.date_in_zone(&zone);
    let rows = progress_rows(&mut tx, tenant, period).await?;
    let population = load_facts(&mut tx, tenant).await?;
    let names: HashMap<DepartmentId, String> = sqlx::query_as::<_, (DepartmentId, String)>(
        "SELECT id, name FROM departments WHERE tenant_id = $1",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    if department.is_some_and(|d| population.tree.get(d).is_none()) {
        return Err(AppError::NotFound);
    }
    let stages = facts.plan.stages;
    let template = facts.template.as_ref();

    // The sheets the reader follows, as progress counts them.
    struct Seen<'a> {
        row: &'a ProgressRow,
        state: SheetState,
        deadline: Option<(Phase, crate::domain::dates::CalendarDate)>,
        progress: SheetProgress,
    }
    let mut seen: Vec<Seen> = Vec::new();
    for row in &rows {
        if !reader.sees(&row.employee_id, &row.chain(stages)) {
            continue;
        }
        let state = row.state()?;
        let deadline = deadline_for(&facts.plan, state, &row.extended()?);
        let late = deadline.is_some_and(|(_, d)| today > d);
        let grade = match (&row.content, template) {
            (Some(content), Some(template)) => {
                let content: SheetContent = stored("stored sheet content", content)?;
                final_grade(template, &content)
            }
            _ => None,
        };
        seen.push(Seen {
            row,
            state,
            deadline,
            progress: SheetProgress {
                state,
                late,
                department: population.primary.get(&row.employee_id).cloned(),
                final_grade: grade,
            },
        });
    }
    let all: Vec<SheetProgress> = seen.iter().map(|s| s.progress.clone()).collect();
    let rollup = roll_up(&population.tree, &all, stages);

    // What is looked at: a department's subtree, or everything.
    let subtree: Option<HashSet<&DepartmentId>> = department.map(|d| {
        std::iter::once(d)
            .chain(population.tree.descendants(d))
            .collect()
    });
    let looked_at: Vec<&Seen> = seen
        .iter()
        .filter(|s| {
            subtree.as_ref().is_none_or(|sub| {
                s.progress
                    .department
                    .as_ref()
                    .is_some_and(|d| sub.contains(d))
            })
        })
        .collect();
    let tally = match department {
        Some(d) => rollup
            .by_department
            .get(&Some(d.clone()))
            .cloned()
            .unwrap_or_else(|| roll_up(&population.tree, &[], stages).all),
        None => rollup.all.clone(),
    };
    let name_of = |d: &DepartmentId| names.get(d).cloned().unwrap_or_default();
    let mut below: Vec<DepartmentProgress> = population
        .tree
        .children(department)
        .into_iter()
        .filter_map(|child| {
            let tally: &Tally = rollup.by_department.get(&Some(child.clone()))?;
            let has_below = population
                .tree
                .children(Some(child))
                .into_iter()
                .any(|c| rollup.by_department.contains_key(&Some(c.clone())));
            Some(DepartmentProgress {
                department: Some(child.clone()),
                name: name_of(child),
                has_below,
                tally: tally.clone(),
            })
        })
        .collect();
    if department.is_none()
        && let Some(tally) = rollup.by_department.get(&None)
    {
        below.push(DepartmentProgress {
            department: None,
            name: String::new(),
            has_below: false,
            tally: tally.clone(),
        });
    }
    let path: Vec<(DepartmentId, String)> = match department {
        Some(d) => {
            let mut up: Vec<&DepartmentId> = population.tree.ancestors(d);
            up.reverse();
            up.push(d);
            up.into_iter().map(|d| (d.clone(), name_of(d))).collect()
        }
        None => Vec::new(),
    };
    let grades = match template {
        Some(template) => {
            let grades: Vec<String> = template
                .grades
                .grades
                .iter()
                .map(|g| g.grade.clone())
                .collect();
            let finals: Vec<Option<&str>> = looked_at
                .iter()
                .filter(|s| s.state != SheetState::Excluded)
                .map(|s| s.progress.final_grade.as_deref())
                .collect();
            distribution(&grades, &finals, &facts.plan.calibration)
        }
        None => Vec::new(),
    };

    // The late sheets, longest late first; names only for those shown.
    let mut late: Vec<(&Seen, crate::domain::dates::CalendarDate)> = looked_at
        .iter()
        .filter(|s| s.progress.late)
        .filter_map(|s| s.deadline.map(|(_, d)| (*s, d)))
        .collect();
    late.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.row.id.cmp(&b.0.row.id)));
    let late_total = late.len();
    late.truncate(LATE_SHOWN);

    let looked_at_ids: HashSet<&SheetId> = looked_at.iter().map(|s| &s.row.id).collect();
    let sent_rows: Vec<SentRow> = sqlx::query_as(
        "SELECT sheet_id, recipient_id, kind, sent_at, sent_by FROM evaluation_reminders \
         WHERE tenant_id = $1 AND period_id = $2 ORDER BY sent_at DESC, id LIMIT 1000",
    )
    .bind(tenant.as_str())
    .bind(period.as_str())
    .fetch_all(&mut *tx)
    .await?;
    let sent_rows: Vec<SentRow> = sent_rows
        .into_iter()
        .filter(|r| looked_at_ids.contains(&r.sheet_id))
        .take(SENT_SHOWN)
        .collect();
    let employee_of: HashMap<&SheetId, &UserId> = seen
        .iter()
        .map(|s| (&s.row.id, &s.row.employee_id))
        .collect();

    let mut ids: Vec<UserId> = Vec::new();
    for (s, _) in &late {
        ids.push(s.row.employee_id.clone());
        if let Some((_, person)) = s.row.waiting_person(s.state, stages) {
            ids.push(person);
        }
    }
    for r in &sent_rows {
        ids.push(r.recipient_id.clone());
        ids.extend(r.sent_by.clone());
        ids.extend(employee_of.get(&r.sheet_id).map(|e| (*e).clone()));
    }
    ids.sort();
    ids.dedup();
    let people = people(&mut tx, tenant, &ids).await?;
    tx.commit().await?;

    let department_name = |employee: &UserId| {
        population
            .primary
            .get(employee)
            .map(&name_of)
            .unwrap_or_default()
    };
    let late = late
        .into_iter()
        .map(|(s, deadline)| {
            let waiting = waiting_on(s.state).unwrap_or(Waiting::Admins);
            LateSheet {
                sheet: s.row.id.clone(),
                employee: person_ref(&people, &s.row.employee_id),
                department: department_name(&s.row.employee_id),
                state: s.state,
                waiting,
                late_person: s
                    .row
                    .waiting_person(s.state, stages)
                    .map(|(_, p)| person_ref(&people, &p)),
                deadline,
                days_late: today.day_number() - deadline.day_number(),
            }
        })
        .collect();
    let sent = sent_rows
        .into_iter()
        .filter_map(|r| {
            Some(SentReminder {
                sent_at: Timestamp::from_micros(r.sent_at).format_in_zone(&zone),
                employee: person_ref(&people, employee_of.get(&r.sheet_id)?),
                sheet: r.sheet_id,
                recipient: person_ref(&people, &r.recipient_id),
                kind: ReminderKind::parse(&r.kind)?,
                sent_by: r.sent_by.map(|by| person_ref(&people, &by)),
            })
        })
        .collect();
    Ok(ProgressView {
        period: period.clone(),
        period_name: facts.name.clone(),
        period_state: facts.state,
        version: facts.version,
        stages,
        today,
        deadlines: facts.plan.deadlines.clone(),
        department: department.cloned(),
        path,
        tally,
        below,
        grades,
        late,
        late_total,
        may_remind: reader.may_remind && facts.state == PeriodState::Running,
        may_export: reader.may_remind,
        reminders: facts.plan.reminders,
        sent,
        whole_period: reader.whole_period,
    })
}

/// The sheets of `period` that `reader` follows in `department`'s subtree (`None`: all
/// they follow), excluded ones left out, in employee-code order: a bulk PDF's selection.
#[tracing::instrument(skip_all)]
pub async fn followed_sheets(
    db: &Db,
    tenant: &TenantId,
    period: &PeriodId,
    reader: &ProgressReader,
    department: Option<&DepartmentId>,
) -> Result<Vec<SheetId>, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let facts = period_facts(&mut tx, tenant, period).await?;
    if facts.state == PeriodState::Draft {
        return Err(super::periods::wrong_state(PeriodState::Draft));
    }
    let rows = progress_rows(&mut tx, tenant, period).await?;
    let population = load_facts(&mut tx, tenant).await?;
    tx.commit().await?;
    if department.is_some_and(|d| population.tree.get(d).is_none()) {
        return Err(AppError::NotFound);
    }
    let subtree: Option<HashSet<&DepartmentId>> = department.map(|d| {
        std::iter::once(d)
            .chain(population.tree.descendants(d))
            .collect()
    });
    let order: HashMap<&UserId, usize> = population
        .people
        .iter()
        .enumerate()
        .map(|(n, c)| (&c.id, n))
        .collect();
    let mut chosen: Vec<&ProgressRow> = Vec::new();
    for row in &rows {
        if row.state()? == SheetState::Excluded
            || !reader.sees(&row.employee_id, &row.chain(facts.plan.stages))
        {
            continue;
        }
        let inside = subtree.as_ref().is_none_or(|sub| {
            population
                .primary
                .get(&row.employee_id)
                .is_some_and(|d| sub.contains(d))
        });
        if inside {
            chosen.push(row);
        }
    }
    chosen.sort_by_key(|row| order.get(&row.employee_id).copied().unwrap_or(usize::MAX));
    Ok(chosen.into_iter().map(|row| row.id.clone()).collect())
}

/// `NotFound` unless `period` is one of the tenant's periods.
pub async fn period_exists(db: &Db, tenant: &TenantId, period: &PeriodId) -> Result<(), AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM evaluation_periods WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(period.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    found.map(|_| ()).ok_or(AppError::NotFound)
}
