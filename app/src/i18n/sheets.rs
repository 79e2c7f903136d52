//! The words of the evaluation sheets — the sheet page, 自分の評価 and 評価する, and the
//! mails a step sends — Japanese and English side by side: a part of `Texts`
//! (`t().sheet.…`).

use crate::domain::evaluation::sheet_view::SheetStep;
use crate::domain::evaluation::workflow::SheetState;
use crate::i18n::Lang;
use crate::i18n::periods::sheet_state_name;

/// Screen and mail text of the sheets.
#[derive(Debug)]
pub struct SheetTexts {
    pub my_nav: &'static str,
    pub ratings_heading: &'static str,
    pub self_rater: &'static str,
    pub entry: &'static str,
    pub not_applicable: fn(&str) -> String,
    pub desk_heading: &'static str,
    pub desk_waiting: fn(usize) -> String,
    pub desk_nearest: fn(&str) -> String,
    pub my_title: &'static str,
    pub my_lead: &'static str,
    pub my_none: &'static str,
    pub reviews_nav: &'static str,
    pub reviews_title: &'static str,
    pub reviews_lead: &'static str,
    pub reviews_none: &'static str,
    pub filter_state: &'static str,
    pub filter_department: &'static str,
    pub filter_all: &'static str,
    pub filter_my_turn: &'static str,
    pub filter_none: &'static str,
    pub your_turn: &'static str,
    pub late: &'static str,
    pub stage_name: fn(u8) -> String,
    pub sheet_title: fn(&str, &str) -> String,
    pub back_mine: &'static str,
    pub back_reviews: &'static str,
    pub pdf_link: &'static str,
    pub state_line: fn(&str) -> String,
    pub deadline_line: fn(&str) -> String,
    pub evaluators_line: fn(&str) -> String,
    pub nobody: &'static str,
    pub goals_heading: fn(&str) -> String,
    pub goals_rule: fn(u32, u32) -> String,
    pub goal_n: fn(usize) -> String,
    pub goal_title: &'static str,
    pub goal_description: &'static str,
    pub goal_measure: &'static str,
    pub goal_weight: &'static str,
    pub goal_due: &'static str,
    pub goal_due_hint: fn(&str, &str) -> String,
    pub upper_goal: &'static str,
    pub upper_goal_none: &'static str,
    pub upper_goal_hint: &'static str,
    pub upper_goal_shown: fn(&str, &str) -> String,
    pub goals_below: &'static str,
    pub add_goal: &'static str,
    pub remove_goal: fn(usize) -> String,
    pub weight_total: fn(&str) -> String,
    pub no_goals: &'static str,
    pub saved_at: fn(&str) -> String,
    pub saving: &'static str,
    pub unsaved: &'static str,
    pub offline: &'static str,
    pub conflict: &'static str,
    pub conflict_theirs: &'static str,
    pub conflict_keep_mine: &'static str,
    pub conflict_take_theirs: &'static str,
    pub steps_heading: &'static str,
    pub no_steps: &'static str,
    pub comment: &'static str,
    pub comment_required_hint: &'static str,
    pub step_done: fn(&str) -> String,
    pub history_heading: &'static str,
    pub history_empty: &'static str,
    pub history_line: fn(&str, &str, &str, &str) -> String,
    pub items_heading: fn(&str) -> String,
    pub comment_section: fn(&str) -> String,
    pub save_refused: fn(&str) -> String,
    pub work_heading_self: &'static str,
    pub work_lead: &'static str,
    pub rating: &'static str,
    pub rating_none: &'static str,
    pub rating_not_applicable: &'static str,
    pub not_applicable_reason: &'static str,
    pub entry_comment: &'static str,
    pub section_comment: &'static str,
    pub earlier_ratings: fn(&str) -> String,
    pub score_now: fn(&str, &str) -> String,
    pub score_missing: fn(usize) -> String,
    pub unrated: &'static str,
    pub interview_heading: &'static str,
    pub interview_on: fn(&str) -> String,
    pub interview_none: &'static str,
    pub interview_day: &'static str,
    pub interview_record: &'static str,
    pub interview_done: fn(&str) -> String,
    pub needs_heading: &'static str,
    pub need_no_departments: &'static str,
    pub need_org_chart: &'static str,
    pub need_org_import: &'static str,
    pub need_draft: fn(&str) -> String,
    pub need_without_evaluator: fn(usize) -> String,
    pub need_late: fn(&str, usize) -> String,
    pub need_calibration: fn(&str, usize) -> String,
}

/// The button (and history) name of a step.
pub fn step_name(step: SheetStep, lang: Lang) -> &'static str {
    let (ja, en) = match step {
        SheetStep::SubmitGoals => ("目標を提出する", "Submit goals"),
        SheetStep::WithdrawGoals => ("目標の提出を取り下げる", "Withdraw goals"),
        SheetStep::ApproveGoals => ("目標を承認する", "Approve goals"),
        SheetStep::ReviseGoals => ("目標を修正する", "Revise goals"),
        SheetStep::SendBack => ("差し戻す", "Send back"),
        SheetStep::StartSelfEvaluation => ("自己評価を始める", "Begin self-evaluation"),
        SheetStep::SubmitSelfEvaluation => ("自己評価を提出する", "Submit self-evaluation"),
        SheetStep::WithdrawSelfEvaluation => {
            ("自己評価の提出を取り下げる", "Withdraw self-evaluation")
        }
        SheetStep::SubmitEvaluation => ("評価を提出する", "Submit evaluation"),
        SheetStep::WithdrawEvaluation => ("評価の提出を取り下げる", "Withdraw evaluation"),
        SheetStep::Finalize => ("確定する", "Finalize"),
        SheetStep::Disclose => ("開示する", "Disclose"),
        SheetStep::Acknowledge => ("確認した", "Acknowledge"),
        SheetStep::Calibrate => ("評語を調整した", "Grade adjusted"),
        SheetStep::Interview => (
            "フィードバック面談を記録した",
            "Feedback interview recorded",
        ),
        SheetStep::Remind => ("リマインドを送った", "Reminder sent"),
        SheetStep::AutoRemind => ("自動リマインドを送った", "Scheduled reminder sent"),
        SheetStep::Escalate => (
            "遅れを評価者の上長に知らせた",
            "Delay reported to the evaluator's manager",
        ),
    };
    if lang == Lang::Ja { ja } else { en }
}

/// The subject of the mail a step sends to whoever's turn it now is.
pub fn mail_subject(lang: Lang, period: &str, employee: &str, to: SheetState) -> String {
    let state = sheet_state_name(to, lang);
    match lang {
        Lang::Ja => {
            format!("【考課】{period}: {employee} さんの評価シートが「{state}」になりました")
        }
        Lang::En => format!("[Kouka] {period}: {employee}'s sheet is now \"{state}\""),
    }
}

/// The mail's body: who did what, the comment if any, and the link to the sheet.
#[allow(clippy::too_many_arguments)]
pub fn mail_body(
    lang: Lang,
    recipient: &str,
    period: &str,
    employee: &str,
    step: SheetStep,
    to: SheetState,
    by: &str,
    comment: Option<&str>,
    link: &str,
) -> String {
    let done = step_name(step, lang);
    let state = sheet_state_name(to, lang);
    match lang {
        Lang::Ja => {
            let comment = comment
                .map(|c| format!("\nコメント:\n{c}\n"))
                .unwrap_or_default();
            format!(
                "{recipient} 様\n\n\
                 評価期間「{period}」の {employee} さんの評価シートで、{by} さんが「{done}」を行いました。\n\
                 シートは「{state}」になり、次はあなたの番です。\n{comment}\n\
                 {link}\n"
            )
        }
        Lang::En => {
            let comment = comment
                .map(|c| format!("\nComment:\n{c}\n"))
                .unwrap_or_default();
            format!(
                "Dear {recipient},\n\n\
                 On {employee}'s sheet of the period \"{period}\", {by} took the step \"{done}\".\n\
                 The sheet is now \"{state}\", and the next step is yours.\n{comment}\n\
                 {link}\n"
            )
        }
    }
}

pub static JA: SheetTexts = SheetTexts {
    my_nav: "自分の評価",
    ratings_heading: "評価",
    self_rater: "本人",
    entry: "目標・項目",
    not_applicable: |reason| format!("対象外（{reason}）"),
    desk_heading: "いまやること",
    desk_waiting: |n| format!("あなたの評価・承認を待っているシート: {n}件"),
    desk_nearest: |d| format!("最も近い締切: {d}"),
    my_title: "自分の評価",
    my_lead: "あなたの評価シートです。次にすることと締切を確認してください。",
    my_none: "あなたの評価シートはまだありません。評価期間が始まるとここに表示されます。",
    reviews_nav: "評価する",
    reviews_title: "評価する",
    reviews_lead: "あなたが評価者になっている評価シートです。あなたの番のものが先頭に並びます。",
    reviews_none: "あなたが評価するシートはありません。",
    filter_state: "状態で絞り込む",
    filter_department: "部署で絞り込む",
    filter_all: "すべて",
    filter_my_turn: "あなたの番のものだけ",
    filter_none: "条件に合うシートはありません。",
    your_turn: "あなたの番",
    late: "期限超過",
    stage_name: |n| match n {
        1 => "一次評価".to_owned(),
        2 => "二次評価".to_owned(),
        3 => "三次評価".to_owned(),
        n => format!("{n}次評価"),
    },
    sheet_title: |period, name| format!("{period} — {name} の評価シート"),
    back_mine: "自分の評価へ戻る",
    back_reviews: "評価するへ戻る",
    pdf_link: "PDFで開く（印刷・保存）",
    state_line: |state| format!("状態: {state}"),
    deadline_line: |deadline| format!("次の締切: {deadline}"),
    evaluators_line: |names| format!("評価者: {names}"),
    nobody: "（なし）",
    goals_heading: |title| format!("{title}（目標）"),
    goals_rule: |min, max| format!("目標は {min}〜{max} 件、ウェイトの合計は 100 にしてください。"),
    goal_n: |n| format!("目標 {n}"),
    goal_title: "目標",
    goal_description: "内容",
    goal_measure: "達成基準",
    goal_weight: "ウェイト（%）",
    goal_due: "期限",
    goal_due_hint: |start, end| format!("{start} 〜 {end} の日付"),
    upper_goal: "上位目標",
    upper_goal_none: "つなげない",
    upper_goal_hint: "一次評価者の承認済みの目標から、この目標が支えるものを選べます。",
    upper_goal_shown: |title, owner| format!("上位目標: {title}（{owner}）"),
    goals_below: "あなたの目標につながるメンバーの目標",
    add_goal: "目標を追加する",
    remove_goal: |n| format!("目標 {n} を削除する"),
    weight_total: |total| format!("ウェイトの合計: {total} / 100"),
    no_goals: "目標はまだありません。",
    saved_at: |at| format!("保存しました（{at}）"),
    saving: "保存しています…",
    unsaved: "未保存の変更があります",
    offline: "サーバーに届きません。入力はこのブラウザに残してあり、つながりしだい保存します。",
    conflict: "ほかの画面または別の人が先にこのシートを保存しました。あなたの入力はそのまま残しています。どちらを残すか選んでください。",
    conflict_theirs: "先に保存された内容",
    conflict_keep_mine: "自分の入力で上書きする",
    conflict_take_theirs: "先に保存された内容を使う",
    steps_heading: "操作",
    no_steps: "いまあなたが行う操作はありません。",
    comment: "コメント",
    comment_required_hint: "差し戻すとき、承認済みの目標を修正するときは理由をコメントに書いてください。",
    step_done: |step| format!("「{step}」を行いました。"),
    history_heading: "評価履歴",
    history_empty: "まだ履歴はありません。",
    history_line: |at, by, step, state| format!("{at} {by}: {step}（→ {state}）"),
    items_heading: |title| format!("{title}（評価項目）"),
    comment_section: |title| format!("{title}（コメント）"),
    save_refused: |why| {
        format!("保存できませんでした: {why}（入力はこのブラウザに残してあります）")
    },
    work_heading_self: "自己評価",
    work_lead: "各目標・項目を評価し、理由を書いてください。入力は自動で保存されます。点数は提出時にサーバーが計算するものと同じです。",
    rating: "評価",
    rating_none: "（未評価）",
    rating_not_applicable: "対象外",
    not_applicable_reason: "対象外の理由",
    entry_comment: "評価の理由・コメント",
    section_comment: "セクションのコメント",
    earlier_ratings: |list| format!("これまでの評価: {list}"),
    score_now: |score, formula| format!("現在の点数: {score}（= {formula}）"),
    score_missing: |n| {
        format!("未評価があと{n}件あります。すべて評価するか対象外にすると点数が出ます。")
    },
    unrated: "未評価",
    interview_heading: "フィードバック面談",
    interview_on: |day| format!("{day} に実施しました。"),
    interview_none: "まだ記録されていません。",
    interview_day: "実施日",
    interview_record: "面談を記録する",
    interview_done: |day| format!("フィードバック面談（{day}）を記録しました。"),
    needs_heading: "管理者としての対応",
    need_no_departments: "まだ部署がありません。組織図で作るか、CSVで取り込んでください。",
    need_org_chart: "組織図で部署を作る",
    need_org_import: "CSVファイルで取り込む",
    need_draft: |name| format!("{name}: 開始を待っています"),
    need_without_evaluator: |n| format!("評価者のいない対象者が{n}人います"),
    need_late: |name, n| format!("{name}: 締切を過ぎたシートが{n}件あります"),
    need_calibration: |name, n| format!("{name}: 評価調整を待つシートが{n}件あります"),
};

pub static EN: SheetTexts = SheetTexts {
    my_nav: "My evaluation",
    ratings_heading: "Ratings",
    self_rater: "Self",
    entry: "Goal or item",
    not_applicable: |reason| format!("Not applicable ({reason})"),
    desk_heading: "Waiting for you",
    desk_waiting: |n| {
        if n == 1 {
            "1 sheet waits for your evaluation or approval".to_owned()
        } else {
            format!("{n} sheets wait for your evaluation or approval")
        }
    },
    desk_nearest: |d| format!("Nearest deadline: {d}"),
    my_title: "My evaluation",
    my_lead: "Your evaluation sheets: what to do next, and by when.",
    my_none: "You have no evaluation sheet yet. It shows here once a period begins.",
    reviews_nav: "Reviews",
    reviews_title: "Reviews",
    reviews_lead: "The sheets you evaluate. Those waiting for you come first.",
    reviews_none: "You evaluate no sheet.",
    filter_state: "Filter by state",
    filter_department: "Filter by department",
    filter_all: "All",
    filter_my_turn: "Only those waiting for me",
    filter_none: "No sheet matches.",
    your_turn: "Your turn",
    late: "Late",
    stage_name: |n| match n {
        1 => "1st evaluation".to_owned(),
        2 => "2nd evaluation".to_owned(),
        3 => "3rd evaluation".to_owned(),
        n => format!("Evaluation {n}"),
    },
    sheet_title: |period, name| format!("{period} — {name}'s sheet"),
    back_mine: "Back to My evaluation",
    back_reviews: "Back to Reviews",
    pdf_link: "Open as PDF (print or save)",
    state_line: |state| format!("State: {state}"),
    deadline_line: |deadline| format!("Next deadline: {deadline}"),
    evaluators_line: |names| format!("Evaluators: {names}"),
    nobody: "(none)",
    goals_heading: |title| format!("{title} (goals)"),
    goals_rule: |min, max| format!("Set {min} to {max} goals whose weights total 100."),
    goal_n: |n| format!("Goal {n}"),
    goal_title: "Goal",
    goal_description: "Description",
    goal_measure: "Measure of achievement",
    goal_weight: "Weight (%)",
    goal_due: "Due",
    goal_due_hint: |start, end| format!("A date from {start} to {end}"),
    upper_goal: "Upper goal",
    upper_goal_none: "None",
    upper_goal_hint: "Choose which of your 1st evaluator's approved goals this one serves.",
    upper_goal_shown: |title, owner| format!("Upper goal: {title} ({owner})"),
    goals_below: "Your members' goals that serve yours",
    add_goal: "Add a goal",
    remove_goal: |n| format!("Remove goal {n}"),
    weight_total: |total| format!("Weights total: {total} / 100"),
    no_goals: "No goals yet.",
    saved_at: |at| format!("Saved ({at})"),
    saving: "Saving…",
    unsaved: "Unsaved changes",
    offline: "The server cannot be reached. Your input is kept in this browser and saved as soon as it can be.",
    conflict: "Another tab or another person saved this sheet first. Your input is still here. Choose which to keep.",
    conflict_theirs: "What was saved first",
    conflict_keep_mine: "Save mine over it",
    conflict_take_theirs: "Use what was saved first",
    steps_heading: "Steps",
    no_steps: "There is nothing for you to do on this sheet now.",
    comment: "Comment",
    comment_required_hint: "Sending back, or revising approved goals, needs a comment saying why.",
    step_done: |step| format!("Done: {step}."),
    history_heading: "History",
    history_empty: "No history yet.",
    history_line: |at, by, step, state| format!("{at} {by}: {step} (→ {state})"),
    items_heading: |title| format!("{title} (items)"),
    comment_section: |title| format!("{title} (comments)"),
    save_refused: |why| format!("Could not save: {why} (your input is kept in this browser)"),
    work_heading_self: "Self-evaluation",
    work_lead: "Rate each goal and item and give your reasons. Your input saves itself. The score is the one the server computes on submission.",
    rating: "Rating",
    rating_none: "(not rated)",
    rating_not_applicable: "Not applicable",
    not_applicable_reason: "Why not applicable",
    entry_comment: "Reason / comment",
    section_comment: "Comment on this section",
    earlier_ratings: |list| format!("Earlier ratings: {list}"),
    score_now: |score, formula| format!("Score now: {score} (= {formula})"),
    score_missing: |n| {
        format!("{n} still to rate. Rate each or mark it not applicable to see the score.")
    },
    unrated: "Not rated",
    interview_heading: "Feedback interview",
    interview_on: |day| format!("Held on {day}."),
    interview_none: "Not recorded yet.",
    interview_day: "Day held",
    interview_record: "Record the interview",
    interview_done: |day| format!("Feedback interview ({day}) recorded."),
    needs_heading: "For you as an admin",
    need_no_departments: "There are no departments yet. Build the org chart, or import it from CSV.",
    need_org_chart: "Build departments in the org chart",
    need_org_import: "Import them from a CSV file",
    need_draft: |name| format!("{name}: waiting to be launched"),
    need_without_evaluator: |n| format!("{n} people have no evaluator"),
    need_late: |name, n| format!("{name}: {n} sheets are past their deadline"),
    need_calibration: |name, n| format!("{name}: {n} sheets wait for calibration"),
};
