//! The evaluation's storage (PRODUCT §4): SQL and row types, and the writes with their
//! audit rows. The rules themselves are in `domain::evaluation`; these functions look the
//! facts up, ask them, and write what they answer.

pub mod calibration;
pub mod pdf_jobs;
pub mod periods;
pub mod population;
pub mod progress;
pub mod reminders;
pub mod results;
pub mod sheet_pdf;
pub mod sheets;
pub mod templates;
