//! What a tenant needs next from its admins, for their desk on the home page: an org chart
//! to build, a period to launch (with the people the chart proposes no evaluator for), a
//! running period with late sheets or sheets waiting for calibration.

use crate::domain::ids::PeriodId;
use serde::{Deserialize, Serialize};

/// One thing the admins should do next, with where to do it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TenantNeed {
    /// No department yet: build the org chart or import it.
    NoDepartments,
    /// A draft period, and how many of its people have a stage without an evaluator.
    DraftPeriod {
        id: PeriodId,
        name: String,
        without_evaluator: usize,
    },
    /// A running period with sheets past their phase's deadline.
    LateSheets {
        id: PeriodId,
        name: String,
        late: usize,
    },
    /// A running period with sheets whose evaluations are in, waiting for calibration.
    Calibration {
        id: PeriodId,
        name: String,
        waiting: usize,
    },
}
