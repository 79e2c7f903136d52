//! Reminder mails around a period's deadlines (リマインド, PRODUCT §4): what a period may
//! send on its own ([`ReminderPlan`]: N days before each deadline, on the day, and an
//! escalation to a late evaluator's own manager M days after), and which of those is due
//! for a sheet today ([`due_occasion`]). Each mail is sent once per person and
//! [`Occasion`]: the backend keeps the occasion's key with the recipient under a unique
//! key, so a restart or a second server process finds it taken and sends nothing.

use crate::domain::dates::CalendarDate;
use crate::domain::evaluation::progress::{Waiting, waiting_on};
use crate::domain::evaluation::workflow::{Phase, SheetState};
use crate::domain::stored_names::stored_names;
use serde::{Deserialize, Serialize};

/// The longest a reminder may come before a deadline, or an escalation after it, in days.
pub const MAX_DAYS: u8 = 30;
/// Scheduled mails go out from this hour of the tenant's day on, never in the night.
pub const SEND_FROM_HOUR: u32 = 9;

/// What a period sends by itself. All off by default: an admin turns them on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderPlan {
    /// A reminder this many days before each deadline (1..=[`MAX_DAYS`]).
    pub days_before: Option<u8>,
    /// A reminder on the deadline's day.
    pub on_the_day: bool,
    /// This many days after a deadline, a mail to a late evaluator's own manager.
    pub escalate_after: Option<u8>,
}

impl ReminderPlan {
    /// What the page proposes when the reminders are turned on.
    pub const PROPOSED: ReminderPlan = ReminderPlan {
        days_before: Some(3),
        on_the_day: true,
        escalate_after: Some(3),
    };

    /// Whether it sends anything at all.
    pub fn is_on(&self) -> bool {
        self.days_before.is_some() || self.on_the_day || self.escalate_after.is_some()
    }

    /// Why it cannot be kept, if a number is out of range.
    pub fn problem(&self) -> Option<ReminderProblem> {
        let out = |days: Option<u8>| days.is_some_and(|d| d == 0 || d > MAX_DAYS);
        (out(self.days_before) || out(self.escalate_after))
            .then_some(ReminderProblem::DaysOutOfRange)
    }
}

/// Why a reminder setting or sending is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReminderProblem {
    /// Days before or after must be 1 to [`MAX_DAYS`].
    DaysOutOfRange,
    /// Nobody chosen is late.
    NobodyLate,
}

stored_names! {
    /// Stored in `evaluation_reminders.kind`.
    pub enum ReminderKind {
        /// Sent by hand from the progress page to late people.
        Manual = "manual",
        /// Days before a deadline.
        Before = "before",
        /// On the deadline's day.
        OnTheDay = "on_the_day",
        /// To a late evaluator's own manager, days after the deadline.
        Escalation = "escalation",
    }
}

/// What a reminder sent by hand did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemindDone {
    /// Late sheets reminded of.
    pub sheets: usize,
    /// Mails queued (one per person, listing their sheets).
    pub mails: usize,
}

/// One thing a reminder is sent about: a kind, for the deadline of one phase. A deadline
/// extended for the sheet is a new occasion, reminded of again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occasion {
    pub kind: ReminderKind,
    pub phase: Phase,
    pub deadline: CalendarDate,
}

impl Occasion {
    /// The key kept with each recipient: `before:evaluation_1:2026-10-31`.
    pub fn key(&self) -> String {
        format!(
            "{}:{}:{}",
            self.kind.as_str(),
            self.phase.as_stored(),
            self.deadline.iso()
        )
    }
}

/// The scheduled reminder due today for a sheet in `state` whose next step is due by
/// `deadline` (the sheet's own, see `period::deadline_for`), if any. Nothing is due for a
/// closed phase (nobody can act), for the admins' own steps, or outside the days the plan
/// names; an escalation only for a late evaluator.
pub fn due_occasion(
    plan: &ReminderPlan,
    state: SheetState,
    deadline: Option<(Phase, CalendarDate)>,
    phase_open: bool,
    today: CalendarDate,
) -> Option<Occasion> {
    let (phase, deadline) = deadline?;
    let waiting = waiting_on(state)?;
    if !phase_open || waiting == Waiting::Admins {
        return None;
    }
    let occasion = |kind| {
        Some(Occasion {
            kind,
            phase,
            deadline,
        })
    };
    let days_to_go = deadline.day_number() - today.day_number();
    if days_to_go == 0 && plan.on_the_day {
        return occasion(ReminderKind::OnTheDay);
    }
    if let Some(before) = plan.days_before
        && (1..=i64::from(before)).contains(&days_to_go)
    {
        return occasion(ReminderKind::Before);
    }
    if let Some(after) = plan.escalate_after
        && matches!(waiting, Waiting::Evaluator(_))
        && -days_to_go >= i64::from(after)
    {
        return occasion(ReminderKind::Escalation);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::evaluation::Stage;

    fn day(d: u32) -> CalendarDate {
        CalendarDate::new(2026, 10, d).unwrap()
    }

    fn due(plan: &ReminderPlan, state: SheetState, today: u32) -> Option<ReminderKind> {
        let deadline = Some((state.due_phase().unwrap(), day(20)));
        due_occasion(plan, state, deadline, true, day(today)).map(|o| o.kind)
    }

    #[test]
    fn reminders_come_in_the_days_before_on_the_day_and_escalate_after() {
        let plan = ReminderPlan::PROPOSED;
        let evaluating = SheetState::Evaluation(Stage::FIRST);
        assert_eq!(due(&plan, evaluating, 16), None);
        for today in 17..=19 {
            assert_eq!(due(&plan, evaluating, today), Some(ReminderKind::Before));
        }
        assert_eq!(due(&plan, evaluating, 20), Some(ReminderKind::OnTheDay));
        assert_eq!(due(&plan, evaluating, 21), None);
        assert_eq!(due(&plan, evaluating, 23), Some(ReminderKind::Escalation));
        assert_eq!(due(&plan, evaluating, 30), Some(ReminderKind::Escalation));
        // An employee late is reminded, not escalated over.
        assert_eq!(
            due(&plan, SheetState::SelfEvaluation, 19),
            Some(ReminderKind::Before)
        );
        assert_eq!(due(&plan, SheetState::SelfEvaluation, 25), None);
    }

    #[test]
    fn nothing_is_due_when_off_closed_done_or_the_admins_turn() {
        let off = ReminderPlan::default();
        assert!(!off.is_on());
        assert_eq!(due(&off, SheetState::GoalDrafting, 20), None);
        let plan = ReminderPlan::PROPOSED;
        assert_eq!(due(&plan, SheetState::Calibration, 20), None);
        assert_eq!(
            due_occasion(&plan, SheetState::Disclosed, None, true, day(20)),
            None
        );
        let deadline = Some((Phase::GoalSetting, day(20)));
        assert_eq!(
            due_occasion(&plan, SheetState::GoalDrafting, deadline, false, day(20)),
            None
        );
    }

    #[test]
    fn the_key_names_the_kind_the_phase_and_the_deadline() {
        let occasion = Occasion {
            kind: ReminderKind::Before,
            phase: Phase::Evaluation(Stage::FIRST),
            deadline: day(31),
        };
        assert_eq!(occasion.key(), "before:evaluation_1:2026-10-31");
    }

    #[test]
    fn days_must_be_one_to_thirty() {
        let mut plan = ReminderPlan::PROPOSED;
        assert_eq!(plan.problem(), None);
        plan.days_before = Some(0);
        assert_eq!(plan.problem(), Some(ReminderProblem::DaysOutOfRange));
        plan.days_before = Some(MAX_DAYS + 1);
        assert_eq!(plan.problem(), Some(ReminderProblem::DaysOutOfRange));
    }
}
