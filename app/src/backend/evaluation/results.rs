//! A period's results as CSV (PRODUCT §4), for HR staff: one row per sheet
//! ([`results_csv`]: who, the evaluators, each stage's score, the computed and the final
//! grade, the calibration's reason, acknowledged or not), and one row per rating
//! ([`ratings_csv`]), from which a spreadsheet recomputes every score of the first file.
//! Both through the CSV codec (Shift_JIS or UTF-8 with BOM, formula-safe); taking either is
//! audited.

use crate::backend::evaluation::population::load_facts;
use crate::backend::evaluation::progress::{period_facts, progress_rows};
use crate::backend::evaluation::sheets::{people, person_ref, stored};
use crate::backend::write::WriteContext;
use crate::domain::audit::AuditAction;
use crate::domain::csv_codec::{self, Encoding};
use crate::domain::evaluation::Stage;
use crate::domain::evaluation::period::PeriodState;
use crate::domain::evaluation::scoring::{Rating, StageScore, points};
use crate::domain::evaluation::sheet::{SheetContent, Work, score_work, sheet_final};
use crate::domain::evaluation::template::Template;
use crate::domain::evaluation::workflow::SheetState;
use crate::domain::form_field::FormField;
use crate::domain::ids::{DepartmentId, PeriodId, SheetId, UserId};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::i18n::periods::sheet_state_name;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// Which file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultsFile {
    /// One row per sheet.
    Results,
    /// One row per goal or item rated, per stage.
    Ratings,
}

impl ResultsFile {
    pub fn name(self) -> &'static str {
        match self {
            ResultsFile::Results => "results",
            ResultsFile::Ratings => "ratings",
        }
    }
}

/// The stage names of the files: 本人, 一次評価, ….
fn stage_label(stage: Option<Stage>) -> String {
    match stage {
        None => "本人".to_owned(),
        Some(stage) => crate::i18n::stage_name(stage).0,
    }
}

/// A sheet of the period with what the files need of it.
struct Sheet {
    id: SheetId,
    employee: UserId,
    state: SheetState,
    chain: Vec<Option<UserId>>,
    content: SheetContent,
}

/// Every rater's work on a sheet, the self-evaluation first, with its stage score.
fn stage_works<'a>(
    template: &Template,
    content: &'a SheetContent,
    stages: u8,
) -> Vec<(Option<Stage>, Option<&'a Work>, Option<StageScore>)> {
    let score = |work: Option<&Work>| work.and_then(|w| score_work(template, content, w).ok());
    let mut works = vec![(
        None,
        content.self_work.as_ref(),
        score(content.self_work.as_ref()),
    )];
    for stage in Stage::all(stages) {
        let work = content.stage_work.get(usize::from(stage.number() - 1));
        works.push((Some(stage), work, score(work)));
    }
    works
}

/// The period's results file for the sheets of `only`'s people (`None`: all), audited as
/// taken by `w`.
#[tracing::instrument(skip_all)]
pub async fn results_file(
    w: &WriteContext<'_>,
    period: &PeriodId,
    only: Option<&HashSet<UserId>>,
    file: ResultsFile,
    encoding: Encoding,
) -> Result<Vec<u8>, AppError> {
    let tenant = w.tenant();
    // Read apart from the audit's write: the file is made without holding the write lock.
    let mut tx = w.db.begin_for_tenant(tenant).await?;
    let facts = period_facts(&mut tx, tenant, period).await?;
    let Some(template) = facts.template.clone() else {
        return Err(super::periods::wrong_state(PeriodState::Draft));
    };
    let stages = facts.plan.stages;
    // Every sheet's content: the exports are rare, and need all of it.
    let contents: HashMap<SheetId, String> = sqlx::query_as::<_, (SheetId, String)>(
        "SELECT id, content FROM evaluation_sheets WHERE tenant_id = $1 AND period_id = $2",
    )
    .bind(tenant.as_str())
    .bind(period.as_str())
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let mut sheets = Vec::new();
    for row in progress_rows(&mut tx, tenant, period).await? {
        if only.is_some_and(|only| !only.contains(&row.employee_id)) {
            continue;
        }
        let content = contents
            .get(&row.id)
            .map(|c| stored("stored sheet content", c))
            .transpose()?
            .unwrap_or_default();
        sheets.push(Sheet {
            state: row.state()?,
            chain: row.chain(stages),
            id: row.id,
            employee: row.employee_id,
            content,
        });
    }
    let org = load_facts(&mut tx, tenant).await?;
    let names: HashMap<DepartmentId, String> = sqlx::query_as::<_, (DepartmentId, String)>(
        "SELECT id, name FROM departments WHERE tenant_id = $1",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let mut ids: Vec<UserId> = sheets
        .iter()
        .flat_map(|s| std::iter::once(s.employee.clone()).chain(s.chain.iter().flatten().cloned()))
        .collect();
    ids.sort();
    ids.dedup();
    let people = people(&mut tx, tenant, &ids).await?;
    tx.commit().await?;
    let grades: HashMap<&UserId, &String> = org
        .people
        .iter()
        .filter_map(|c| c.grade.as_ref().map(|g| (&c.id, g)))
        .collect();
    // People in employee-code order, as every list of the product.
    sheets.sort_by_key(|s| {
        (
            person_ref(&people, &s.employee)
                .employee_code
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            s.id.clone(),
        )
    });
    let code = |id: &UserId| {
        person_ref(&people, id)
            .employee_code
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default()
    };
    let name = |id: &UserId| person_ref(&people, id).name;

    let (headers, rows): (Vec<String>, Vec<Vec<String>>) = match file {
        ResultsFile::Results => {
            let mut headers: Vec<String> = ["社員番号", "氏名", "部署", "等級", "状態"]
                .map(str::to_owned)
                .to_vec();
            for stage in Stage::all(stages) {
                headers.push(format!("{}者", stage_label(Some(stage))));
            }
            headers.push("本人評価の点数".to_owned());
            for stage in Stage::all(stages) {
                headers.push(format!("{}の点数", stage_label(Some(stage))));
            }
            headers.extend(
                [
                    "最終点数",
                    "計算上の評語",
                    "最終評語",
                    "調整の理由",
                    "本人確認",
                ]
                .map(str::to_owned),
            );
            let rows = sheets
                .iter()
                .map(|s| {
                    let mut cells = vec![
                        code(&s.employee),
                        name(&s.employee),
                        org.primary
                            .get(&s.employee)
                            .and_then(|d| names.get(d))
                            .cloned()
                            .unwrap_or_default(),
                        grades
                            .get(&s.employee)
                            .map(|g| (*g).clone())
                            .unwrap_or_default(),
                        sheet_state_name(s.state, Lang::Ja),
                    ];
                    for evaluator in &s.chain {
                        cells.push(evaluator.as_ref().map(&name).unwrap_or_default());
                    }
                    for (_, _, score) in stage_works(&template, &s.content, stages) {
                        cells.push(score.map(|s| points(s.score)).unwrap_or_default());
                    }
                    let computed = sheet_final(&template, &s.content).ok();
                    let last =
                        crate::domain::evaluation::calibration::final_grade(&template, &s.content);
                    cells.push(
                        computed
                            .as_ref()
                            .map(|f| points(f.score))
                            .unwrap_or_default(),
                    );
                    cells.push(computed.map(|f| f.grade).unwrap_or_default());
                    cells.push(last.unwrap_or_default());
                    cells.push(
                        s.content
                            .adjusted
                            .as_ref()
                            .map(|a| a.reason.clone())
                            .unwrap_or_default(),
                    );
                    cells.push(
                        if s.state == SheetState::Acknowledged {
                            "済"
                        } else {
                            ""
                        }
                        .to_owned(),
                    );
                    cells
                })
                .collect();
            (headers, rows)
        }
        ResultsFile::Ratings => {
            let headers = [
                "社員番号",
                "氏名",
                "評価段階",
                "セクション",
                "セクションのウェイト",
                "目標・項目",
                "ウェイト",
                "算入ウェイト",
                "評語",
                "点数",
                "対象外",
                "点数への寄与",
                "セクションの点数",
                "段階の点数",
            ]
            .map(str::to_owned)
            .to_vec();
            let mut rows = Vec::new();
            for s in &sheets {
                for (stage, work, score) in stage_works(&template, &s.content, stages) {
                    let (Some(work), Some(score)) = (work, score) else {
                        continue;
                    };
                    let labels = ratings_by_title(&template, &s.content, work);
                    let mut at = 0;
                    for section in &score.sections {
                        for entry in &section.entries {
                            let (label, not_applicable) = match labels.get(at) {
                                Some(Some(Rating::Level(label))) => (label.clone(), ""),
                                Some(Some(Rating::NotApplicable { .. })) => {
                                    (String::new(), "対象外")
                                }
                                _ => (String::new(), ""),
                            };
                            at += 1;
                            // Its part of the stage score before the rounding of the
                            // section and the stage to two decimals.
                            let share = entry.points.map(|p| {
                                (section.counted_weight * entry.counted_weight * p
                                    / Decimal::from(10_000))
                                .normalize()
                                .to_string()
                            });
                            rows.push(vec![
                                code(&s.employee),
                                name(&s.employee),
                                stage_label(stage),
                                section.title.clone(),
                                section.counted_weight.normalize().to_string(),
                                entry.title.clone(),
                                entry.weight.normalize().to_string(),
                                entry.counted_weight.normalize().to_string(),
                                label,
                                entry
                                    .points
                                    .map(|p| p.normalize().to_string())
                                    .unwrap_or_default(),
                                not_applicable.to_owned(),
                                share.unwrap_or_default(),
                                section.score.map(points).unwrap_or_default(),
                                points(score.score),
                            ]);
                        }
                    }
                }
            }
            (headers, rows)
        }
    };
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let bytes = csv_codec::write(&header_refs, &rows, encoding)
        .map_err(|error| AppError::invalid(FormField::Encoding, error))?;
    let entry = w.audit_entry(
        AuditAction::PeriodResultsExport,
        "evaluation_period",
        period.as_str(),
        None,
        Some(serde_json::json!({
            "file": file.name(),
            "rows": rows.len(),
            "scope": if only.is_some() { "business_scope" } else { "all" },
        })),
    );
    let tx = w.begin().await?;
    w.audit_and_commit(tx, entry).await?;
    Ok(bytes)
}

/// Every scored entry's rating, in the order `score_work` lists the entries.
fn ratings_by_title<'a>(
    template: &'a Template,
    content: &'a SheetContent,
    work: &'a Work,
) -> Vec<Option<&'a Rating>> {
    crate::domain::evaluation::sheet::sections_to_score(template, content, work)
        .into_iter()
        .flat_map(|section| section.entries.into_iter().map(|e| e.rating))
        .collect()
}
