//! The reminder and escalation mails (PRODUCT §4), Japanese and English: what the outbox
//! sends and what the progress page previews before an admin sends it. One mail per
//! recipient lists every sheet it is about.

use crate::domain::dates::CalendarDate;
use crate::domain::evaluation::reminders::ReminderKind;
use crate::domain::evaluation::workflow::SheetState;
use crate::i18n::Lang;
use crate::i18n::periods::sheet_state_name;

/// One sheet a reminder is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderLine {
    /// The employee the sheet belongs to.
    pub employee: String,
    pub state: SheetState,
    pub deadline: CalendarDate,
    pub link: String,
}

/// Who a reminder is to, and in which role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addressee<'a> {
    /// The person whose step is due or late.
    Due,
    /// An evaluator of the sheets, sent a copy of the reminder to `late` (by name).
    Copy { late: &'a str },
    /// A late evaluator's own manager (`late`: the evaluator, by name).
    Manager { late: &'a str },
}

fn date(lang: Lang, day: CalendarDate) -> String {
    match lang {
        Lang::Ja => day.long_ja(),
        Lang::En => day.long_en(),
    }
}

/// The subject line.
pub fn subject(lang: Lang, period: &str, kind: ReminderKind, to: Addressee<'_>) -> String {
    match (lang, to) {
        (Lang::Ja, Addressee::Manager { late }) => {
            format!("【考課】{period}: {late} さんの評価が締切を過ぎています")
        }
        (Lang::En, Addressee::Manager { late }) => {
            format!("[Kouka] {period}: {late}'s evaluations are past their deadline")
        }
        (Lang::Ja, Addressee::Copy { late }) => {
            format!("【考課】{period}: {late} さんへのリマインド（写し）")
        }
        (Lang::En, Addressee::Copy { late }) => {
            format!("[Kouka] {period}: copy of a reminder to {late}")
        }
        (Lang::Ja, Addressee::Due) => match kind {
            ReminderKind::Before => format!("【考課】{period}: 評価シートの締切が近づいています"),
            ReminderKind::OnTheDay => format!("【考課】{period}: 本日が評価シートの締切です"),
            ReminderKind::Manual | ReminderKind::Escalation => {
                format!("【考課】{period}: 評価シートの締切を過ぎています")
            }
        },
        (Lang::En, Addressee::Due) => match kind {
            ReminderKind::Before => format!("[Kouka] {period}: a sheet's deadline is near"),
            ReminderKind::OnTheDay => format!("[Kouka] {period}: a sheet is due today"),
            ReminderKind::Manual | ReminderKind::Escalation => {
                format!("[Kouka] {period}: a sheet is past its deadline")
            }
        },
    }
}

/// The body: whom it is to, why, every sheet with its state, deadline and link, and who
/// sent it (`sent_by`: an admin by name; `None`: the period's schedule).
pub fn body(
    lang: Lang,
    recipient: &str,
    period: &str,
    kind: ReminderKind,
    to: Addressee<'_>,
    lines: &[ReminderLine],
    sent_by: Option<&str>,
) -> String {
    let mut text = String::new();
    let listed: String = lines
        .iter()
        .map(|line| {
            let state = sheet_state_name(line.state, lang);
            let deadline = date(lang, line.deadline);
            match lang {
                Lang::Ja => format!(
                    "・{}（{state}、締切 {deadline}）\n  {}\n",
                    line.employee, line.link
                ),
                Lang::En => format!(
                    "- {} ({state}, due {deadline})\n  {}\n",
                    line.employee, line.link
                ),
            }
        })
        .collect();
    match lang {
        Lang::Ja => {
            text.push_str(&format!("{recipient} 様\n\n"));
            let why = match (to, kind) {
                (Addressee::Manager { late }, _) => format!(
                    "評価期間「{period}」で、{late} さんが評価者になっている次のシートが締切を過ぎています。{late} さんへの声かけをお願いします。"
                ),
                (Addressee::Copy { late }, _) => format!(
                    "評価期間「{period}」で、{late} さんに次のシートの締切のリマインドを送りました。あなたはこのシートの評価者のため、写しをお送りしています。"
                ),
                (Addressee::Due, ReminderKind::Before) => format!(
                    "評価期間「{period}」で、あなたの番になっている次のシートの締切が近づいています。"
                ),
                (Addressee::Due, ReminderKind::OnTheDay) => format!(
                    "評価期間「{period}」で、あなたの番になっている次のシートは本日が締切です。"
                ),
                (Addressee::Due, _) => format!(
                    "評価期間「{period}」で、あなたの番になっている次のシートが締切を過ぎています。早めの対応をお願いします。"
                ),
            };
            text.push_str(&why);
            text.push_str("\n\n");
            text.push_str(&listed);
            text.push('\n');
            match sent_by {
                Some(name) => text.push_str(&format!(
                    "このメールは人事担当の {name} さんが考課から送りました。\n"
                )),
                None => text
                    .push_str("このメールは評価期間の設定により考課から自動で送られています。\n"),
            }
        }
        Lang::En => {
            text.push_str(&format!("Dear {recipient},\n\n"));
            let why = match (to, kind) {
                (Addressee::Manager { late }, _) => format!(
                    "In the evaluation period \"{period}\", these sheets that {late} evaluates are past their deadline. Please follow up with {late}."
                ),
                (Addressee::Copy { late }, _) => format!(
                    "In the evaluation period \"{period}\", {late} was reminded of these sheets' deadline. You evaluate them, so this is a copy for you."
                ),
                (Addressee::Due, ReminderKind::Before) => format!(
                    "In the evaluation period \"{period}\", the deadline of these sheets, which wait for you, is near."
                ),
                (Addressee::Due, ReminderKind::OnTheDay) => format!(
                    "In the evaluation period \"{period}\", these sheets, which wait for you, are due today."
                ),
                (Addressee::Due, _) => format!(
                    "In the evaluation period \"{period}\", these sheets, which wait for you, are past their deadline. Please take your step soon."
                ),
            };
            text.push_str(&why);
            text.push_str("\n\n");
            text.push_str(&listed);
            text.push('\n');
            match sent_by {
                Some(name) => text.push_str(&format!(
                    "{name} of your HR team sent this mail from Kouka.\n"
                )),
                None => text.push_str(
                    "Kouka sent this mail by itself, as the evaluation period is set to.\n",
                ),
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mail_lists_every_sheet_with_its_deadline_and_link_in_the_readers_language() {
        let lines = vec![ReminderLine {
            employee: "山田 太郎".into(),
            state: SheetState::SelfEvaluation,
            deadline: CalendarDate::new(2026, 10, 31).unwrap(),
            link: "https://kouka.example/evaluation/sheets/1".into(),
        }];
        let ja = body(
            Lang::Ja,
            "山田 太郎",
            "2026年度上期",
            ReminderKind::Manual,
            Addressee::Due,
            &lines,
            Some("人事 花子"),
        );
        assert!(ja.contains("締切を過ぎています"));
        assert!(ja.contains("2026年10月31日"), "{ja}");
        assert!(ja.contains("https://kouka.example/evaluation/sheets/1"));
        assert!(ja.contains("人事 花子"));
        let en = body(
            Lang::En,
            "Taro",
            "FY2026 H1",
            ReminderKind::Escalation,
            Addressee::Manager { late: "Jiro" },
            &lines,
            None,
        );
        assert!(en.contains("Please follow up with Jiro"));
        assert!(en.contains("by itself"));
        assert_eq!(
            subject(Lang::En, "P", ReminderKind::OnTheDay, Addressee::Due),
            "[Kouka] P: a sheet is due today"
        );
    }
}
