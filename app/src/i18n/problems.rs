//! The words of every [`Problem`]: Japanese and English side by side, one arm each, so that
//! neither can be missing. `AppError::message` and the import's report read them here.

use crate::domain::csv_error::CsvError;
use crate::domain::employees::NAME_MAX_CHARS;
use crate::domain::evaluation::goals::{GoalPlace, GoalProblem};
use crate::domain::evaluation::period::{PeriodPlace, PeriodProblem};
use crate::domain::evaluation::template::{TemplatePlace, TemplateProblem};
use crate::domain::evaluation::workflow::{Phase, StepRefusal};
use crate::domain::org_tree::{DeleteRefusal, TreeError};
use crate::domain::password::{MAX_CHARS, MIN_CHARS, PasswordProblem};
use crate::domain::posts::PostProblem;
use crate::domain::problem::{Problem, Repeated};
use crate::i18n::Lang;

/// A text in both languages.
type Both = (String, String);

fn both(ja: &str, en: &str) -> Both {
    (ja.to_owned(), en.to_owned())
}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

impl Problem {
    /// What the user reads, in their language (after the field's label).
    pub fn text(&self, lang: Lang) -> String {
        let (ja, en) = self.reasons();
        match lang {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }

    /// Both languages at once, for a report kept for readers of either.
    pub fn reasons(&self) -> Both {
        match self {
            Problem::Empty => both("入力してください", "must not be empty"),
            Problem::BadCode => both(
                "英数字・ハイフン・アンダースコアの32文字以内で入力してください",
                "must be up to 32 letters, digits, hyphens or underscores",
            ),
            Problem::BadCompanyCode => both(
                "企業コードは英数字・ハイフン・アンダースコアの2〜32文字で指定してください",
                "must be 2 to 32 letters, digits, hyphens or underscores",
            ),
            Problem::NameLength => (
                format!("1〜{NAME_MAX_CHARS}文字で入力してください"),
                format!("must be 1 to {NAME_MAX_CHARS} characters"),
            ),
            Problem::TooLong { max } => (
                format!("{max}文字以内で入力してください"),
                format!("must be at most {max} characters"),
            ),
            Problem::ForbiddenCharacters => both(
                "改行・タブなどの制御文字や、文字の向きを変える記号は使えません",
                "must not contain line breaks, tabs or other control characters, nor direction marks",
            ),
            Problem::NotADate => both(
                "日付は 2024-04-01、2024/4/1、2024年4月1日、令和6年4月1日 のように入力してください",
                "must be a date such as 2024-04-01, 2024/4/1, 2024年4月1日 or 令和6年4月1日",
            ),
            Problem::NoSuchDay => both("存在しない日付です", "is not a date that exists"),
            Problem::OutsideEra => both(
                "その元号の期間外の日付です（平成は2019年4月30日まで、令和は5月1日から）",
                "is outside that era (Heisei ends on 2019-04-30, Reiwa starts on 2019-05-01)",
            ),
            Problem::BadEmail => both(
                "メールアドレスの形式が正しくありません",
                "is not a valid e-mail address",
            ),
            Problem::Password(problem) => password(*problem),
            Problem::PasswordsDiffer => both(
                "確認用のパスワードが一致しません",
                "the two passwords do not match",
            ),
            Problem::WrongCurrentPassword => both(
                "現在のパスワードが正しくありません",
                "the current password is not correct",
            ),
            Problem::UsedByAnotherUser => both(
                "既に他のユーザーに使われています",
                "is already used by another user",
            ),
            Problem::UsedByAnotherDepartment => both(
                "この部署コードは既に使われています",
                "is already used by another department",
            ),
            Problem::UnknownDepartmentCodes { codes } => (
                format!("存在しない部署コードです: {codes}"),
                format!("no department has the code: {codes}"),
            ),
            Problem::UnknownEmployeeCode { code } => (
                format!("社員番号 {code} の社員が見つかりません"),
                format!("no employee has the code {code}"),
            ),
            Problem::UnknownParentCode { code } => (
                format!("部署コード {code} の部署が見つかりません。"),
                format!("No department has the code {code}."),
            ),
            Problem::Post { problem, code } => post(problem, code),
            Problem::HasManager { code, who } => (
                format!(
                    "部署 {code} には既に責任者（{who}）がいます。組織図の部署から責任者を変更してください"
                ),
                format!("{code} already has a manager ({who}); change it on the org chart"),
            ),
            Problem::HasManagerOutsideFile { code, who } => (
                format!(
                    "部署 {code} には既に責任者（{who}）がいます。先にその社員の責任者部署コードから外してください"
                ),
                format!(
                    "{code} already has a manager ({who}); take it off their managed departments first"
                ),
            ),
            Problem::ManagerTwiceInFile { code, first_line } => (
                format!(
                    "部署 {code} の責任者が{first_line}行目と重複しています。責任者は1部署に1人です"
                ),
                format!(
                    "{code} already gets a manager on line {first_line}; a department has one manager"
                ),
            ),
            Problem::LoginEmailOnlyBySystemAdmin => both(
                "ログインに使うメールアドレスを変更できるのはシステム管理者だけです",
                "only a system admin can change the e-mail address a user signs in with",
            ),
            Problem::SignInOfHigherRole => both(
                "この利用者はあなたにない管理者権限を持っているため、ログインに使う項目は変更できません。システム管理者に依頼してください",
                "this user holds an admin role you do not have, so you cannot change what they sign in with; ask a system admin",
            ),
            Problem::Tree(error) => tree(error),
            Problem::Template { at, problem } => {
                let (where_ja, where_en) = template_place(*at);
                let (ja, en) = template(problem);
                (format!("{where_ja}: {ja}"), format!("{where_en}: {en}"))
            }
            Problem::Period { at, problem } => {
                let (where_ja, where_en) = period_place(*at);
                let (ja, en) = period(problem);
                (format!("{where_ja}: {ja}"), format!("{where_en}: {en}"))
            }
            Problem::Goals { at, problem } => {
                let (where_ja, where_en) = goal_place(*at);
                let (ja, en) = goal(problem);
                (format!("{where_ja}: {ja}"), format!("{where_en}: {en}"))
            }
            Problem::Step(refusal) => step(*refusal),
            Problem::Adjust(problem) => adjust(problem),
            Problem::Reminder(problem) => reminder(*problem),
            Problem::OverTarget {
                grade,
                count,
                allowed,
            } => (
                format!(
                    "この期間は目標分布が必須です。{grade}は{count}人で、上限の{allowed}人を超えています。評価を調整してから確定してください"
                ),
                format!(
                    "this period's target distribution is a rule: {count} people have {grade}, more than the {allowed} it allows; adjust grades before finalizing"
                ),
            ),
            Problem::Score(problem) => score(problem),
            Problem::Delete(refusal) => delete(refusal),
            Problem::SeatCount => both(
                "1以上の席数を指定してください",
                "must be a seat count of at least 1",
            ),
            Problem::UnknownTimeZone => both(
                "タイムゾーン名が不明です（例: Asia/Tokyo）",
                "is not a known time zone (e.g. Asia/Tokyo)",
            ),
            Problem::NotAnIsoDate => both(
                "日付は YYYY-MM-DD で指定してください",
                "must be a date as YYYY-MM-DD",
            ),
            Problem::EndBeforeStart => both(
                "契約開始日より後の日付を指定してください",
                "must not be before the contract start",
            ),
            Problem::NotInvited => both(
                "招待中のユーザーにのみ再送できます",
                "only invited users can be sent a new invitation",
            ),
            Problem::FileTooLarge => both("ファイルが大きすぎます", "the file is too large"),
            Problem::NoFileChosen => both("CSVファイルを選んでください。", "Choose a CSV file."),
            Problem::NoFileKind => both(
                "取り込むファイルの種類を選んでください",
                "choose which file this is",
            ),
            Problem::ImportNotWritable => both(
                "この取り込みは書き込めない状態です。ファイルを選び直してください",
                "this import cannot be written; choose the file again",
            ),
            Problem::Csv(error) => csv(error),
            Problem::EmptyFile => both(
                "ファイルが空です。見出し行とデータ行のあるCSVファイルを選んでください",
                "the file is empty; choose a CSV file with a header row and data rows",
            ),
            Problem::NoDataRows => both(
                "データ行がありません",
                "the file has a header but no data rows",
            ),
            Problem::NotASortOrder => both(
                "0以上の整数で入力してください",
                "must be a whole number, 0 or more",
            ),
            Problem::TwiceInFile { value, first_line } => {
                let (ja, en) = match value {
                    Repeated::DepartmentCode(code) => (
                        format!("部署コード {code} が"),
                        format!("department code {code}"),
                    ),
                    Repeated::EmployeeCode(code) => (
                        format!("社員番号 {code} が"),
                        format!("employee code {code}"),
                    ),
                    Repeated::Email => (
                        "このメールアドレスは".to_owned(),
                        "this e-mail address".to_owned(),
                    ),
                };
                (
                    format!("{ja}ファイル内で重複しています（{first_line}行目と同じ）"),
                    format!("{en} appears twice in the file (also on line {first_line})"),
                )
            }
            Problem::UnknownParentInFile { code } => (
                format!("上位部署コード {code} の部署が、ファイルにも登録済みの部署にもありません"),
                format!("no department with code {code}, neither in the file nor registered"),
            ),
            Problem::OwnParent => both(
                "自分自身を上位部署にはできません",
                "a department cannot be its own parent",
            ),
            Problem::ParentCycle { path } => (
                format!("上位部署の指定が循環しています（{path}）"),
                format!("the parent departments form a cycle ({path})"),
            ),
            Problem::UnknownDepartmentImportFirst { code } => (
                format!(
                    "部署コード {code} の部署が登録されていません。部署CSVを先に取り込んでください"
                ),
                format!("no department has the code {code}; import the departments file first"),
            ),
            Problem::NotInShiftJis { character } => {
                let named = crate::domain::text::describe(*character);
                (
                    format!(
                        "{named} は Shift_JIS にない文字です。取り込めますが、このデータを出力するときは UTF-8 を選んでください"
                    ),
                    format!(
                        "{named} is not in Shift_JIS: it imports, but export this data as UTF-8"
                    ),
                )
            }
            Problem::EmailOfEmployee { code } => (
                format!("このメールアドレスは社員番号 {code} の社員が使っています"),
                format!("this e-mail address belongs to employee {code}"),
            ),
            Problem::BeyondSeats {
                limit,
                used,
                adding,
            } => (
                format!(
                    "契約席数（{limit}席）を超えます。利用中 {used} 席に、このファイルで {adding} 名が加わります。この行から先は追加できません"
                ),
                format!(
                    "the contract's seat limit ({limit} seats) is exceeded: {used} in use, and this file adds {adding}; from this row on nobody fits"
                ),
            ),
            Problem::Failed(error) => (error.message(Lang::Ja), error.message(Lang::En)),
            Problem::Unreadable { detail } => (
                format!("リクエストを読み取れません（{detail}）"),
                format!("the request could not be read ({detail})"),
            ),
        }
    }
}

fn password(problem: PasswordProblem) -> Both {
    match problem {
        PasswordProblem::TooShort => (
            format!("{MIN_CHARS}文字以上で入力してください"),
            format!("must be at least {MIN_CHARS} characters"),
        ),
        PasswordProblem::TooLong => (
            format!("{MAX_CHARS}文字以内で入力してください"),
            format!("must be at most {MAX_CHARS} characters"),
        ),
        PasswordProblem::Common => both(
            "よく使われていて推測されやすいため、使用できません",
            "is too common and easy to guess",
        ),
        PasswordProblem::ContainsCompanyCode => both(
            "企業コードを含めないでください",
            "must not contain the company code",
        ),
        PasswordProblem::ContainsEmailName => both(
            "メールアドレスの@より前の部分を含めないでください",
            "must not contain the part of the e-mail address before the @",
        ),
    }
}

/// Where in a template, counted from 1 as the page shows it.
pub fn template_place(at: TemplatePlace) -> Both {
    match at {
        TemplatePlace::Name => both("テンプレート名", "Template name"),
        TemplatePlace::Description => both("説明", "Description"),
        TemplatePlace::Sections => both("セクション", "Sections"),
        TemplatePlace::Section(s) => (format!("セクション{}", s + 1), format!("Section {}", s + 1)),
        TemplatePlace::Item { section, item } => (
            format!("セクション{}の項目{}", section + 1, item + 1),
            format!("Section {}, item {}", section + 1, item + 1),
        ),
        TemplatePlace::Scale => both("評価尺度", "Rating scale"),
        TemplatePlace::ScaleLevel(l) => (
            format!("評価尺度の{}段階目", l + 1),
            format!("Rating scale, level {}", l + 1),
        ),
        TemplatePlace::FinalRule => both("最終評点の算出方法", "Final score rule"),
        TemplatePlace::Grades => both("評語の区分", "Grades"),
        TemplatePlace::Grade(g) => (
            format!("評語の{}行目", g + 1),
            format!("Grades, row {}", g + 1),
        ),
    }
}

/// A period's phase: 目標設定, 一次評価, ….
pub fn phase_name(phase: Phase) -> Both {
    match phase {
        Phase::GoalSetting => both("目標設定", "Goal setting"),
        Phase::GoalApproval => both("目標承認", "Goal approval"),
        Phase::SelfEvaluation => both("自己評価", "Self-evaluation"),
        Phase::Evaluation(stage) => stage_name(stage),
        Phase::Calibration => both("調整（キャリブレーション）", "Calibration"),
        Phase::Disclosure => both("結果開示", "Disclosure"),
    }
}

/// 一次評価者 … as a stage is named on sheets.
pub fn stage_name(stage: crate::domain::evaluation::Stage) -> Both {
    match stage.number() {
        1 => both("一次評価", "1st evaluation"),
        2 => both("二次評価", "2nd evaluation"),
        _ => both("三次評価", "3rd evaluation"),
    }
}

/// Where in a sheet's goals, counted from 1 as the page shows it.
fn goal_place(at: GoalPlace) -> Both {
    match at {
        GoalPlace::Section(s) => (
            format!("セクション{}の目標", s + 1),
            format!("Section {} goals", s + 1),
        ),
        GoalPlace::Goal { section, goal } => (
            format!("セクション{}の目標{}", section + 1, goal + 1),
            format!("Section {}, goal {}", section + 1, goal + 1),
        ),
    }
}

fn goal(problem: &GoalProblem) -> Both {
    match problem {
        GoalProblem::TooFew { min } => (
            format!("目標を{min}件以上にしてください"),
            format!("needs at least {min} goals"),
        ),
        GoalProblem::TooMany { max } => (
            format!("目標は{max}件までです"),
            format!("takes at most {max} goals"),
        ),
        GoalProblem::TitleMissing => both("目標を入力してください", "needs a title"),
        GoalProblem::WeightOutOfRange => both(
            "ウェイトは0より大きく100以下の数で入力してください",
            "needs a weight above 0 and at most 100",
        ),
        GoalProblem::WeightsTotal { total } => (
            format!("ウェイトの合計を100にしてください（いま{total}）"),
            format!("weights must total 100 (now {total})"),
        ),
        GoalProblem::DueOutsideTerm => both(
            "期限は対象期間内の日付にしてください",
            "is due outside the term evaluated",
        ),
        GoalProblem::NotAGoalsSection => both(
            "このセクションには目標を書けません",
            "is not a section that takes goals",
        ),
        GoalProblem::UnknownUpperGoal => both(
            "上位目標は一次評価者の承認済みの目標から選んでください",
            "an upper goal must be one of the 1st evaluator's approved goals",
        ),
    }
}

/// Why a stage's ratings cannot be submitted; positions among the scored sections.
fn score(problem: &crate::domain::evaluation::scoring::ScoreProblem) -> Both {
    use crate::domain::evaluation::scoring::ScoreProblem;
    match problem {
        ScoreProblem::Unrated { section, entry } => (
            format!(
                "{}番目の評価セクションの{}件目が未評価です。評価するか、対象外にして理由を書いてください",
                section + 1,
                entry + 1
            ),
            format!(
                "entry {} of scored section {} is not rated; rate it or mark it not applicable with a reason",
                entry + 1,
                section + 1
            ),
        ),
        ScoreProblem::UnknownLevel {
            section,
            entry,
            label,
        } => (
            format!(
                "{}番目の評価セクションの{}件目の評価「{label}」は尺度にありません",
                section + 1,
                entry + 1
            ),
            format!(
                "entry {} of scored section {}: \"{label}\" is not on the scale",
                entry + 1,
                section + 1
            ),
        ),
        ScoreProblem::NoReason { section, entry } => (
            format!(
                "{}番目の評価セクションの{}件目: 対象外の理由を書いてください",
                section + 1,
                entry + 1
            ),
            format!(
                "entry {} of scored section {}: say why it does not apply",
                entry + 1,
                section + 1
            ),
        ),
        ScoreProblem::NothingToScore => both(
            "すべて対象外のため評点を出せません",
            "everything is marked not applicable: there is nothing to score",
        ),
    }
}

/// Why a final grade cannot be set in calibration.
fn adjust(problem: &crate::domain::evaluation::calibration::AdjustProblem) -> Both {
    use crate::domain::evaluation::calibration::AdjustProblem;
    match problem {
        AdjustProblem::UnknownGrade(grade) => (
            format!("「{grade}」はこのシートの評語にありません"),
            format!("\"{grade}\" is not one of this sheet's grades"),
        ),
        AdjustProblem::NoReason => both(
            "計算された評語と違う評語にするには理由を書いてください",
            "give a reason for a grade other than the computed one",
        ),
        AdjustProblem::NotScored => both(
            "まだ点数が出ていないシートです（未提出の評価があります）",
            "this sheet has no score yet (an evaluation is not submitted)",
        ),
    }
}

fn reminder(problem: crate::domain::evaluation::reminders::ReminderProblem) -> Both {
    use crate::domain::evaluation::reminders::{MAX_DAYS, ReminderProblem};
    match problem {
        ReminderProblem::DaysOutOfRange => (
            format!("日数は 1〜{MAX_DAYS} の整数で入力してください"),
            format!("enter the days as a whole number from 1 to {MAX_DAYS}"),
        ),
        ReminderProblem::NobodyLate => both(
            "選んだ人の中に期限を過ぎている人がいません。画面を読み込み直してください",
            "nobody chosen is late any more; reload the page",
        ),
    }
}

/// Why a step on a sheet is refused, naming the phase and who can open it again.
fn step(refusal: StepRefusal) -> Both {
    match refusal {
        StepRefusal::NotYourStep => both(
            "いまこのシートであなたが行える操作ではありません。画面を読み込み直してください",
            "this is not a step you can take on this sheet now; reload the page",
        ),
        StepRefusal::PhaseClosed(phase) => {
            let (ja, en) = phase_name(phase);
            (
                format!("「{ja}」は締め切られています。再開できるのは評価管理者です"),
                format!("{en} is closed; an evaluation admin can reopen it"),
            )
        }
        StepRefusal::CommentRequired => both(
            "差し戻す理由をコメントに書いてください",
            "write in the comment why you send it back",
        ),
        StepRefusal::RevisionReasonRequired => both(
            "承認済みの目標を修正する理由をコメントに書いてください",
            "write in the comment why the approved goals need revising",
        ),
        StepRefusal::AlreadyStarted => both(
            "次の担当者がすでに作業を始めているため、取り下げられません",
            "the next person has begun, so it can no longer be withdrawn",
        ),
    }
}

/// Where in a period.
pub fn period_place(at: PeriodPlace) -> Both {
    match at {
        PeriodPlace::Name => both("評価期間名", "Period name"),
        PeriodPlace::Term => both("対象期間", "Term"),
        PeriodPlace::Template => both("評価シート", "Sheet template"),
        PeriodPlace::Stages => both("評価者の段階", "Evaluator stages"),
        PeriodPlace::Deadline(phase) => {
            let (ja, en) = phase_name(phase);
            (format!("{ja}の締切"), format!("{en} deadline"))
        }
        PeriodPlace::Distribution => both("評語の目標分布", "Target grade distribution"),
        PeriodPlace::Population => both("対象者", "People"),
        PeriodPlace::Evaluators => both("評価者", "Evaluators"),
        PeriodPlace::Period => both("評価期間", "Period"),
    }
}

fn period(problem: &PeriodProblem) -> Both {
    use crate::domain::evaluation::period::{NAME_MAX, PeriodState};
    use crate::domain::evaluation::scoring::percent;
    match problem {
        PeriodProblem::NameLength => (
            format!("1〜{NAME_MAX}文字で入力してください"),
            format!("must be 1 to {NAME_MAX} characters"),
        ),
        PeriodProblem::NameTaken => both(
            "同じ名前の評価期間がすでにあります",
            "another period has this name",
        ),
        PeriodProblem::TermMissing => both(
            "開始日と終了日を入力してください",
            "needs a start and an end date",
        ),
        PeriodProblem::TermOrder => both("終了日が開始日より前です", "ends before it starts"),
        PeriodProblem::NoTemplate => both(
            "評価シートのテンプレートを選んでください",
            "choose a sheet template",
        ),
        PeriodProblem::Stages => both("評価者は1〜3段階です", "must be 1 to 3 stages"),
        PeriodProblem::DeadlineMissing => both("日付を入力してください", "needs a date"),
        PeriodProblem::DeadlineOrder => both(
            "前のフェーズの締切より前の日付です",
            "is before the deadline of the phase before it",
        ),
        PeriodProblem::DistributionTotal { total } => (
            format!(
                "合計が100%になるようにしてください（いま{}）",
                percent(*total)
            ),
            format!("must total 100 % (now {})", percent(*total)),
        ),
        PeriodProblem::DistributionGrade { grade } => (
            format!("評語「{grade}」はテンプレートにないか、割合が負です"),
            format!("grade \"{grade}\" is not in the template, or its share is negative"),
        ),
        PeriodProblem::NobodySelected => both("対象者が1人もいません", "nobody is selected"),
        PeriodProblem::WithoutEvaluator { count, first } => (
            format!(
                "{first} さんなど{count}人に評価者が決まっていません。開始する前に評価者を選んでください"
            ),
            format!(
                "{count} people ({first} first) have no evaluator for a stage; choose them before launching"
            ),
        ),
        PeriodProblem::SelfEvaluator => {
            both("本人を評価者にはできません", "nobody can evaluate themself")
        }
        PeriodProblem::EvaluatorTwice => both(
            "同じ人を2つの段階の評価者にはできません",
            "the same person cannot evaluate at two stages",
        ),
        PeriodProblem::EvaluatorUnavailable { code } => (
            format!("{code} は評価者にできません（登録がないか、無効化されています）"),
            format!("{code} cannot evaluate (no such employee, or deactivated)"),
        ),
        PeriodProblem::WrongState { state } => {
            let (ja, en) = match state {
                PeriodState::Draft => ("準備中", "a draft"),
                PeriodState::Running => ("実施中", "running"),
                PeriodState::Closed => ("終了", "closed"),
            };
            (
                format!("評価期間が{ja}のため、この操作はできません"),
                format!("cannot be done while the period is {en}"),
            )
        }
        PeriodProblem::AlreadyInPeriod => both(
            "この人のシートはこの評価期間にすでにあります",
            "this person has a sheet in this period already",
        ),
        PeriodProblem::SheetClosed => both(
            "完了または対象外にしたシートは変更できません",
            "a finished or excluded sheet changes no more",
        ),
        PeriodProblem::HandOverClash { employee } => (
            format!("{employee} さんのシートでは、引き継ぎ先が本人か別の段階の評価者です"),
            format!(
                "on {employee}'s sheet the new evaluator is the person or already another stage's evaluator"
            ),
        ),
        PeriodProblem::NothingToHandOver => both(
            "この評価者が担当する未完了のシートはありません",
            "this evaluator has no open sheet in this period",
        ),
        PeriodProblem::ReasonRequired => both("理由を入力してください", "needs a reason"),
        PeriodProblem::NotADate => both(
            "日付として読めません（例: 2026-04-01）",
            "is not a date (e.g. 2026-04-01)",
        ),
        PeriodProblem::NotANumber => both("数値を入力してください", "must be a number"),
    }
}

fn template(problem: &TemplateProblem) -> Both {
    use crate::domain::evaluation::scoring::percent;
    use crate::domain::evaluation::template::{
        DESCRIPTION_MAX, GOALS_MAX, ITEMS_MAX, SECTIONS_MAX, TITLE_MAX,
    };
    match problem {
        TemplateProblem::TitleLength => (
            format!("1〜{TITLE_MAX}文字で入力してください"),
            format!("must be 1 to {TITLE_MAX} characters"),
        ),
        TemplateProblem::DescriptionTooLong => (
            format!("{DESCRIPTION_MAX}文字以内で入力してください"),
            format!("must be at most {DESCRIPTION_MAX} characters"),
        ),
        TemplateProblem::NoScoredSection => both(
            "点数をつけるセクション（目標か評価項目）が1つ以上必要です",
            "needs at least one scored section (goals or items)",
        ),
        TemplateProblem::TooManySections => (
            format!("セクションは{SECTIONS_MAX}個までです"),
            format!("at most {SECTIONS_MAX} sections"),
        ),
        TemplateProblem::TooManyItems => (
            format!("評価項目は1セクション{ITEMS_MAX}個までです"),
            format!("at most {ITEMS_MAX} items in a section"),
        ),
        TemplateProblem::BadWeight => both(
            "ウェイトは0より大きく100以下の数で入力してください",
            "the weight must be a number above 0 and at most 100",
        ),
        TemplateProblem::WeightsTotal { total } => (
            format!(
                "ウェイトの合計を100にしてください（現在 {}）",
                percent(*total)
            ),
            format!("the weights must total 100 (now {})", percent(*total)),
        ),
        TemplateProblem::WeightPrecision => both(
            "ウェイトは小数第2位までで入力してください",
            "weights take at most two decimals",
        ),
        TemplateProblem::CommentWeighted => both(
            "コメント欄は点数をつけないため、ウェイトは不要です",
            "a comment section is not scored and takes no weight",
        ),
        TemplateProblem::NoItems => {
            both("評価項目を1つ以上追加してください", "add at least one item")
        }
        TemplateProblem::GoalCounts => (
            format!("目標の数は 1 以上、最小 ≦ 最大、最大 {GOALS_MAX} までで指定してください"),
            format!("goal counts must be at least 1, minimum ≤ maximum, maximum up to {GOALS_MAX}"),
        ),
        TemplateProblem::ScaleTooSmall => both(
            "評価尺度は2段階以上にしてください",
            "the scale needs at least two levels",
        ),
        TemplateProblem::DuplicateLabel { label } => (
            format!("「{label}」が重複しています"),
            format!("\"{label}\" appears twice"),
        ),
        TemplateProblem::ScaleOrder => both(
            "点数は上の段階ほど高く、重複しないようにしてください",
            "points must fall from each level to the next, without repeats",
        ),
        TemplateProblem::BadPoints => both(
            "0以上、小数第2位までの数で入力してください",
            "must be a number of 0 or more with at most two decimals",
        ),
        TemplateProblem::TooManyStages => both(
            "評価者の段階は3つまでです",
            "at most three evaluator stages",
        ),
        TemplateProblem::GradesOrder => both(
            "下限点は上の評語ほど高く、重複しないようにしてください",
            "thresholds must fall from each grade to the next, without repeats",
        ),
        TemplateProblem::LastGradeOpen => both(
            "最後の評語だけを「それ未満すべて」にし、ほかの評語には下限点を入れてください",
            "only the last grade takes every lower score; give the others a threshold",
        ),
        TemplateProblem::TooFewGrades => both("評語は2つ以上必要です", "needs at least two grades"),
        TemplateProblem::NotANumber => both("数値を入力してください", "enter a number"),
        TemplateProblem::NameTaken => both(
            "同じ名前のテンプレートが既にあります",
            "another template has this name",
        ),
    }
}

fn post(problem: &PostProblem, code: &str) -> Both {
    match problem {
        PostProblem::SeveralPrimary => both(
            "所属部署は1つだけ指定してください。ほかの部署は兼務部署に書きます",
            "give one primary department; put the others under concurrent departments",
        ),
        PostProblem::ManagesWithoutPost(_) => (
            format!("部署 {code} の責任者にするには、所属部署か兼務部署にも指定してください"),
            format!(
                "to manage {code}, the employee must also belong to it (primary or concurrent)"
            ),
        ),
    }
}

const UNKNOWN_DEPARTMENT: (&str, &str) = (
    "部署が見つかりません。他の管理者が削除した可能性があります",
    "the department does not exist; another admin may have deleted it",
);

fn tree(error: &TreeError) -> Both {
    match error {
        TreeError::UnknownParent { .. } => both(
            "上位部署が見つかりません",
            "the parent department does not exist",
        ),
        TreeError::DuplicateId { .. } => both(
            "同じ部署が重複して指定されています",
            "the same department is given twice",
        ),
        TreeError::Cycle { .. } => both(
            "部署の親子関係が循環しています",
            "the departments' parents form a cycle",
        ),
        TreeError::UnknownDepartment { .. } => both(UNKNOWN_DEPARTMENT.0, UNKNOWN_DEPARTMENT.1),
        TreeError::WouldCreateCycle => both(
            "部署を自分自身やその配下の部署の下へ移動することはできません",
            "a department cannot move under itself or one of its own sub-departments",
        ),
    }
}

fn delete(refusal: &DeleteRefusal) -> Both {
    match refusal {
        DeleteRefusal::HasChildren { count } => (
            format!(
                "配下に部署が{count}件あるため削除できません。先に配下の部署を移動または削除してください"
            ),
            format!(
                "it has {count} {}; move or delete {} first",
                plural(*count, "sub-department", "sub-departments"),
                plural(*count, "it", "them"),
            ),
        ),
        DeleteRefusal::HasMembers { count } => (
            format!(
                "所属している社員が{count}名いるため削除できません。先に他の部署へ異動させてください"
            ),
            format!(
                "{count} {} to it; move them to another department first",
                plural(*count, "employee belongs", "employees belong"),
            ),
        ),
        DeleteRefusal::UnknownDepartment { .. } => both(UNKNOWN_DEPARTMENT.0, UNKNOWN_DEPARTMENT.1),
    }
}

fn csv(error: &CsvError) -> Both {
    match error {
            CsvError::UnknownEncoding => (
                "文字コードを判別できません。UTF-8 または Shift_JIS（Excel の「CSV（コンマ区切り）」）で保存してください".to_owned(),
                "the file is neither UTF-8 nor Shift_JIS; save it as UTF-8 or as Excel's \"CSV (Comma delimited)\"".to_owned(),
            ),
            CsvError::UnclosedQuote { line } => (
                format!("{line}行目: 「\"」で始まるセルが閉じられていません"),
                format!("row {line}: a cell opened with '\"' is never closed"),
            ),
            CsvError::WrongCellCount {
                line,
                expected,
                found,
            } => (
                format!(
                    "{line}行目: 列の数が見出しと違います（見出し {expected} 列、この行 {found} 列）"
                ),
                format!("row {line}: {found} cells where the header has {expected}"),
            ),
            CsvError::UnknownHeader { name } => (
                format!("見出し行: 「{name}」という列は使えません"),
                format!("header row: unknown column \"{name}\""),
            ),
            CsvError::MissingColumn { ja, en } => (
                format!("見出し行: 必須の列「{ja}」がありません"),
                format!("header row: the required column \"{en}\" is missing"),
            ),
            CsvError::DuplicateHeader { name } => (
                format!("見出し行: 列「{name}」が重複しています"),
                format!("header row: column \"{name}\" appears twice"),
            ),
            CsvError::NotRepresentable {
                line,
                column,
                record,
                character,
            } => {
                let named = crate::domain::text::describe(*character);
                (
                    format!(
                        "{line}行目（{record}）の「{column}」: {named} は Shift_JIS で保存できないため、そのままでは出力できません。UTF-8 で出力してください"
                    ),
                    format!(
                        "row {line} ({record}), {column}: {named} cannot be written in Shift_JIS as it is; export as UTF-8"
                    ),
                )
            }
        }
}
