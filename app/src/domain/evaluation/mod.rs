//! The evaluation cycle's pure rules (PRODUCT §4): what a sheet template may be
//! ([`template`]), how ratings become scores and grades in exact decimals ([`scoring`],
//! with the scale and the grade thresholds in [`scale`]), which step of a sheet's workflow
//! each person may take when ([`workflow`]), and who sees which stage's ratings
//! ([`visibility`]). No I/O: the backend looks the facts up and asks these functions, and
//! the browser uses the same ones for its previews.

pub mod calibration;
pub mod goals;
pub mod period;
pub mod population;
pub mod progress;
pub mod reminders;
pub mod scale;
pub mod scoring;
pub mod sheet;
pub mod sheet_view;
pub mod template;
pub mod template_draft;
pub mod visibility;
pub mod workflow;

/// An evaluator stage: 1st, 2nd or 3rd (一次・二次・三次評価).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Stage(u8);

impl Stage {
    pub const MAX: u8 = 3;
    pub const FIRST: Stage = Stage(1);

    /// Stage `n` (1-based); `None` outside 1..=3.
    pub fn new(n: u8) -> Option<Stage> {
        (1..=Stage::MAX).contains(&n).then_some(Stage(n))
    }

    pub fn number(self) -> u8 {
        self.0
    }

    /// The stage before this one; `None` for the 1st.
    pub fn previous(self) -> Option<Stage> {
        Stage::new(self.0 - 1)
    }

    /// The stage after this one, if the period has it.
    pub fn next(self, stages: u8) -> Option<Stage> {
        Stage::new(self.0 + 1).filter(|next| next.0 <= stages)
    }

    /// Stages 1..=`count`.
    pub fn all(count: u8) -> impl Iterator<Item = Stage> {
        (1..=count.min(Stage::MAX)).map(Stage)
    }
}
