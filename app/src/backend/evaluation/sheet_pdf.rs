//! A sheet as a PDF (評価シート, WP 19): what its reader may see of it — exactly the
//! [`SheetView`] its page shows, cut by `visibility::visible_parts` — laid out on A4 by
//! `backend::pdf`: the people and the term, each section's goals or items with every
//! visible rating and reason, the comments, each stage's score with the sum that makes it,
//! the result, the interview and the history. Taking it is audited.

use crate::backend::evaluation::sheets::open_sheet_as;
use crate::backend::pdf::{Column, Fonts, Layout, PdfError};
use crate::backend::write::WriteContext;
use crate::domain::audit::AuditAction;
use crate::domain::evaluation::Stage;
use crate::domain::evaluation::scoring::{Rating, percent, points};
use crate::domain::evaluation::sheet::{SheetContent, Work, score_work};
use crate::domain::evaluation::sheet_view::SheetView;
use crate::domain::evaluation::template::SectionKind;
use crate::domain::evaluation::workflow::Relation;
use crate::domain::ids::SheetId;
use crate::error::AppError;
use crate::i18n::periods::sheet_state_name;
use crate::i18n::sheets::step_name;
use crate::i18n::{Lang, in_lang, stage_name};

fn pick(lang: Lang, ja: &str, en: &str) -> String {
    if lang == Lang::Ja { ja } else { en }.to_owned()
}

/// The raters whose work the reader sees: the employee's, then each stage's.
fn raters(view: &SheetView, lang: Lang) -> Vec<(String, &Work)> {
    let mut raters = Vec::new();
    if let Some(work) = &view.self_work {
        raters.push((pick(lang, "本人", "Self"), work));
    }
    for (n, work) in view.stage_work.iter().enumerate() {
        if let (Some(work), Some(stage)) = (work, Stage::new(n as u8 + 1)) {
            raters.push((in_lang(stage_name(stage), lang), work));
        }
    }
    raters
}

fn rating_text(lang: Lang, work: &Work, section: usize, entry: usize) -> String {
    let rating = match work.rating(section, entry) {
        Some(Rating::Level(label)) => label.clone(),
        Some(Rating::NotApplicable { reason }) => {
            format!("{}（{reason}）", pick(lang, "対象外", "N/A"))
        }
        None => String::new(),
    };
    let reason = work.entry_comment(section, entry).trim();
    if reason.is_empty() {
        rating
    } else {
        format!("{rating}\n{reason}")
    }
}

/// The PDF of `view` for its reader.
pub fn render(
    view: &SheetView,
    tenant_name: &str,
    printed_at: &str,
    lang: Lang,
) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::get()?;
    let mut doc = Layout::new(fonts);
    let title = match lang {
        Lang::Ja => format!("評価シート — {}", view.period_name),
        Lang::En => format!("Evaluation sheet — {}", view.period_name),
    };
    doc.title(&title);

    // Who and when.
    let label_width = 120.0;
    let facts = [
        Column { width: label_width },
        Column {
            width: crate::backend::pdf::CONTENT_WIDTH - label_width,
        },
    ];
    let code = view
        .employee
        .employee_code
        .as_ref()
        .map(|c| format!("（{c}）"))
        .unwrap_or_default();
    doc.row(
        &facts,
        &[
            pick(lang, "氏名", "Employee"),
            format!("{}{code}", view.employee.name),
        ],
        false,
    );
    let term = match (view.term_start, view.term_end) {
        (Some(a), Some(b)) => format!("{} – {}", a.iso(), b.iso()),
        _ => String::new(),
    };
    doc.row(&facts, &[pick(lang, "対象期間", "Term"), term], false);
    doc.row(
        &facts,
        &[
            pick(lang, "状態", "State"),
            sheet_state_name(view.state, lang),
        ],
        false,
    );
    for (n, evaluator) in view.evaluators.iter().enumerate() {
        if let Some(stage) = Stage::new(n as u8 + 1) {
            let who = evaluator
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "—".into());
            doc.row(
                &facts,
                &[
                    format!(
                        "{}{}",
                        in_lang(stage_name(stage), lang),
                        pick(lang, "者", "")
                    ),
                    who,
                ],
                false,
            );
        }
    }

    let raters = raters(view, lang);
    let content = SheetContent {
        goals: view.goals.clone(),
        ..SheetContent::default()
    };
    for (s, section) in view.template.sections.iter().enumerate() {
        let heading = match section.weight {
            Some(weight) => format!(
                "{}（{} {}%）",
                section.title,
                pick(lang, "ウェイト", "weight"),
                percent(weight)
            ),
            None => section.title.clone(),
        };
        doc.gap(6.0);
        doc.heading(&heading);
        // The entries: the employee's goals, or the template's items.
        let entries: Vec<(String, String)> = match &section.kind {
            SectionKind::Goals { .. } => view
                .goals
                .get(&s)
                .map(|goals| {
                    goals
                        .iter()
                        .map(|g| {
                            let mut text = g.title.clone();
                            for extra in [&g.description, &g.measure] {
                                if !extra.trim().is_empty() {
                                    text.push('\n');
                                    text.push_str(extra.trim());
                                }
                            }
                            if let Some(link) = &g.aligned_to {
                                text.push_str(&format!(
                                    "\n{}: {}（{}）",
                                    pick(lang, "上位目標", "Serves"),
                                    link.title,
                                    link.owner
                                ));
                            }
                            (text, percent(g.weight))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            SectionKind::Items { items } => items
                .iter()
                .map(|item| {
                    let mut text = item.title.clone();
                    if !item.description.trim().is_empty() {
                        text.push('\n');
                        text.push_str(item.description.trim());
                    }
                    (text, percent(item.weight))
                })
                .collect(),
            SectionKind::Comment => Vec::new(),
        };
        if !matches!(section.kind, SectionKind::Comment) {
            if entries.is_empty() {
                doc.paragraph(&pick(lang, "（目標はまだありません）", "(no goals yet)"));
            } else {
                let rater_width = 78.0_f32;
                let weight_width = 44.0_f32;
                let title_width = crate::backend::pdf::CONTENT_WIDTH
                    - weight_width
                    - rater_width * raters.len() as f32;
                let mut columns = vec![
                    Column { width: title_width },
                    Column {
                        width: weight_width,
                    },
                ];
                columns.extend(raters.iter().map(|_| Column { width: rater_width }));
                let mut head = vec![
                    pick(lang, "目標・項目", "Goal or item"),
                    pick(lang, "ウェイト", "Weight"),
                ];
                head.extend(raters.iter().map(|(name, _)| name.clone()));
                doc.row(&columns, &head, true);
                for (e, (text, weight)) in entries.iter().enumerate() {
                    let mut cells = vec![text.clone(), format!("{weight}%")];
                    cells.extend(raters.iter().map(|(_, work)| rating_text(lang, work, s, e)));
                    doc.row(&columns, &cells, false);
                }
            }
        }
        for (name, work) in &raters {
            if let Some(comment) = work.comments.get(&s).filter(|c| !c.trim().is_empty()) {
                doc.paragraph(&format!(
                    "{name}{}: {}",
                    pick(lang, "のコメント", " comment"),
                    comment.trim()
                ));
            }
        }
    }

    // Each visible stage's score, with its sum.
    let scores: Vec<(String, String)> = raters
        .iter()
        .filter_map(|(name, work)| {
            let score = score_work(&view.template, &content, work).ok()?;
            Some((
                name.clone(),
                format!("{} = {}", points(score.score), score.formula()),
            ))
        })
        .collect();
    if !scores.is_empty() || view.result.is_some() {
        doc.gap(6.0);
        doc.heading(&pick(lang, "点数と評価結果", "Scores and result"));
        for (name, line) in scores {
            doc.row(&facts, &[name, line], false);
        }
        if let Some(result) = &view.result {
            if let Some(computed) = &result.computed {
                doc.row(
                    &facts,
                    &[pick(lang, "最終点数", "Final score"), computed.headline()],
                    false,
                );
            }
            if let Some(grade) = &result.grade {
                doc.row(
                    &facts,
                    &[pick(lang, "最終評語", "Final grade"), grade.clone()],
                    false,
                );
            }
            if let Some(adjusted) = &result.adjusted {
                doc.row(
                    &facts,
                    &[
                        pick(lang, "調整の理由", "Calibration reason"),
                        adjusted.reason.clone(),
                    ],
                    false,
                );
            }
        }
    }
    if let Some(day) = view.interview {
        doc.row(
            &facts,
            &[
                pick(lang, "フィードバック面談", "Feedback interview"),
                day.iso(),
            ],
            false,
        );
    }

    // The history.
    if !view.history.is_empty() {
        doc.gap(6.0);
        doc.heading(&pick(lang, "評価履歴", "History"));
        // The time on one line: `2026-12-08 11:00 (JST, +09:00)`.
        let columns = [
            Column { width: 148.0 },
            Column { width: 112.0 },
            Column { width: 84.0 },
            Column {
                width: crate::backend::pdf::CONTENT_WIDTH - 344.0,
            },
        ];
        doc.row(
            &columns,
            &[
                pick(lang, "日時", "When"),
                pick(lang, "操作", "Step"),
                pick(lang, "実行者", "By"),
                pick(lang, "コメント", "Comment"),
            ],
            true,
        );
        for event in &view.history {
            doc.row(
                &columns,
                &[
                    event.at.clone(),
                    step_name(event.step, lang).to_owned(),
                    event.by.clone(),
                    event.comment.clone().unwrap_or_default(),
                ],
                false,
            );
        }
    }
    let footer = match lang {
        Lang::Ja => format!("印刷: {printed_at}"),
        Lang::En => format!("Printed {printed_at}"),
    };
    doc.finish(tenant_name, &footer, &title)
}

/// The tenant's name (every page's header) and time zone (the print time).
pub async fn tenant_name_and_zone(
    db: &crate::backend::db::Db,
    tenant: &crate::domain::ids::TenantId,
) -> Result<(String, String), AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let row: (String, String) = sqlx::query_as("SELECT name, time_zone FROM tenants WHERE id = $1")
        .bind(tenant.as_str())
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row)
}

/// The PDF of sheet `id` for the writer `w` (their `relations` to it looked up already),
/// in `lang`; audited as taken.
#[tracing::instrument(skip_all)]
pub async fn sheet_pdf(
    w: &WriteContext<'_>,
    id: &SheetId,
    relations: Vec<Relation>,
    lang: Lang,
) -> Result<Vec<u8>, AppError> {
    let view = open_sheet_as(w.db, w.by, id, relations, w.now).await?;
    let (tenant_name, zone) = tenant_name_and_zone(w.db, w.tenant()).await?;
    let printed = w.now.format_in_zone(&zone);
    // Laying out and compressing is CPU work: off the request threads.
    let bytes = tokio::task::spawn_blocking(move || render(&view, &tenant_name, &printed, lang))
        .await
        .map_err(|error| AppError::internal("sheet PDF", error))?
        .map_err(|error| AppError::internal("sheet PDF", error))?;
    let entry = w.audit_entry(
        AuditAction::SheetPdf,
        "evaluation_sheet",
        id.as_str(),
        None,
        Some(serde_json::json!({ "bytes": bytes.len() })),
    );
    let tx = w.begin().await?;
    w.audit_and_commit(tx, entry).await?;
    Ok(bytes)
}
