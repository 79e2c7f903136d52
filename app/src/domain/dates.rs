//! Calendar dates as people type them and Excel saves them, Western and Japanese-era alike:
//! `2024-04-01`, `2024/4/1`, `20240401`, `2024年4月1日`, `令和6年4月1日`, `R6.4.1`,
//! `平成31年4月30日`, `令和元年5月1日`. Stored and sent as `YYYY-MM-DD`. One parser for the
//! forms and the CSV import.

use crate::domain::codes::normalize;
use crate::domain::problem::Problem;

/// A date of the Gregorian calendar, without a time or a zone: a hire date, and next the
/// terms and deadlines of evaluation periods. Stored, sent and exported as `YYYY-MM-DD`;
/// it deserializes only through [`CalendarDate::from_iso`], so an impossible day cannot
/// arrive from a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate {
    pub year: u32,
    pub month: u32,
    pub day: u32,
}

impl CalendarDate {
    pub fn new(year: u32, month: u32, day: u32) -> Option<CalendarDate> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(CalendarDate { year, month, day })
    }

    /// `2024-04-01`: how dates are stored, sent and exported.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Reads exactly `YYYY-MM-DD` (what [`iso`](Self::iso) writes): the stored and the
    /// wire form. People's input goes through [`parse_date`] instead.
    pub fn from_iso(text: &str) -> Option<CalendarDate> {
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| {
            bytes[range.clone()]
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| text[range].parse::<u32>().ok())
                .flatten()
        };
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        CalendarDate::new(digits(0..4)?, digits(5..7)?, digits(8..10)?)
    }

    /// Days since 1970-01-01 (negative before), by Howard Hinnant's civil-days algorithm.
    pub fn day_number(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date of a [`day_number`](Self::day_number).
    pub fn from_day_number(days: i64) -> CalendarDate {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u32;
        CalendarDate { year, month, day }
    }

    /// The day `days` later (earlier when negative).
    pub fn plus_days(self, days: i64) -> CalendarDate {
        CalendarDate::from_day_number(self.day_number() + days)
    }

    /// 0 = Sunday … 6 = Saturday (Sakamoto's method).
    pub fn weekday(self) -> usize {
        const OFFSETS: [u32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
        let year = if self.month < 3 {
            self.year - 1
        } else {
            self.year
        };
        ((year + year / 4 - year / 100 + year / 400 + OFFSETS[self.month as usize - 1] + self.day)
            % 7) as usize
    }

    /// `2024年4月1日（月）`, as a Japanese reader checks what was understood.
    pub fn long_ja(self) -> String {
        const DAYS: [&str; 7] = ["日", "月", "火", "水", "木", "金", "土"];
        format!(
            "{}年{}月{}日（{}）",
            self.year,
            self.month,
            self.day,
            DAYS[self.weekday()]
        )
    }

    /// `Mon 1 April 2024`.
    pub fn long_en(self) -> String {
        const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        format!(
            "{} {} {} {}",
            DAYS[self.weekday()],
            self.day,
            MONTHS[self.month as usize - 1],
            self.year
        )
    }
}

pub fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

/// A Japanese era: the names people write it with, and the dates it covers.
struct Era {
    names: &'static [&'static str],
    /// The Gregorian year of the era's first year (元年).
    first_year: u32,
    first_day: CalendarDate,
    last_day: Option<CalendarDate>,
}

const ERAS: [Era; 4] = [
    Era {
        names: &["令和", "令", "r"],
        first_year: 2019,
        first_day: CalendarDate {
            year: 2019,
            month: 5,
            day: 1,
        },
        last_day: None,
    },
    Era {
        names: &["平成", "平", "h"],
        first_year: 1989,
        first_day: CalendarDate {
            year: 1989,
            month: 1,
            day: 8,
        },
        last_day: Some(CalendarDate {
            year: 2019,
            month: 4,
            day: 30,
        }),
    },
    Era {
        names: &["昭和", "昭", "s"],
        first_year: 1926,
        first_day: CalendarDate {
            year: 1926,
            month: 12,
            day: 25,
        },
        last_day: Some(CalendarDate {
            year: 1989,
            month: 1,
            day: 7,
        }),
    },
    Era {
        names: &["大正", "大", "t"],
        first_year: 1912,
        first_day: CalendarDate {
            year: 1912,
            month: 7,
            day: 30,
        },
        last_day: Some(CalendarDate {
            year: 1926,
            month: 12,
            day: 24,
        }),
    },
];

/// Reads a date; an empty input is `None` (the field is optional wherever a date is).
pub fn parse_date(input: &str) -> Result<Option<CalendarDate>, Problem> {
    // NFKC makes full-width digits ASCII and the era ligatures (㋿, ㍻) their two kanji.
    let text = normalize(input).to_lowercase();
    if text.is_empty() {
        return Ok(None);
    }
    let era = ERAS.iter().find_map(|era| {
        era.names
            .iter()
            .find_map(|name| text.strip_prefix(name))
            .map(|rest| (era, rest))
    });
    let date = match era {
        Some((era, rest)) => {
            let rest = rest.trim_start();
            let (year, rest) = match rest.strip_prefix('元') {
                Some(rest) => (1, rest),
                None => {
                    let digits = rest.chars().take_while(char::is_ascii_digit).count();
                    (
                        number(&rest[..digits], 2).ok_or(Problem::NotADate)?,
                        &rest[digits..],
                    )
                }
            };
            let rest = rest
                .strip_prefix(['年', '.', '/', '-'])
                .ok_or(Problem::NotADate)?;
            let [month, day] = month_and_day(rest)?;
            let date = CalendarDate::new(era.first_year + year - 1, month, day)
                .ok_or(Problem::NoSuchDay)?;
            if year == 0 || date < era.first_day || era.last_day.is_some_and(|last| date > last) {
                return Err(Problem::OutsideEra);
            }
            date
        }
        None => {
            let (year, month, day) = if text.len() == 8 && text.chars().all(|c| c.is_ascii_digit())
            {
                (&text[0..4], &text[4..6], &text[6..8])
            } else {
                let parts: Vec<&str> = text
                    .trim_end_matches('日')
                    .split(['-', '/', '.', '年', '月'])
                    .collect();
                let [year, month, day] = parts[..] else {
                    return Err(Problem::NotADate);
                };
                (year, month, day)
            };
            let (Some(year), Some(month), Some(day)) =
                (number(year, 4), number(month, 2), number(day, 2))
            else {
                return Err(Problem::NotADate);
            };
            if !(1900..=2999).contains(&year) || !(1..=12).contains(&month) {
                return Err(Problem::NotADate);
            }
            CalendarDate::new(year, month, day).ok_or(Problem::NoSuchDay)?
        }
    };
    Ok(Some(date))
}

impl std::fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.iso())
    }
}

impl serde::Serialize for CalendarDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.iso())
    }
}

impl<'de> serde::Deserialize<'de> for CalendarDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        CalendarDate::from_iso(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a date (YYYY-MM-DD)")))
    }
}

/// `4月1日`, `4.1`, `4/1`, `04-01` after the year.
fn month_and_day(rest: &str) -> Result<[u32; 2], Problem> {
    let parts: Vec<&str> = rest
        .trim_end_matches('日')
        .split(['-', '/', '.', '月'])
        .collect();
    let [month, day] = parts[..] else {
        return Err(Problem::NotADate);
    };
    match (number(month, 2), number(day, 2)) {
        (Some(month), Some(day)) if (1..=12).contains(&month) => Ok([month, day]),
        _ => Err(Problem::NotADate),
    }
}

fn number(text: &str, max_len: usize) -> Option<u32> {
    (!text.is_empty() && text.len() <= max_len && text.chars().all(|c| c.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_form_round_trips_and_nothing_else_reads_as_it() {
        let day = CalendarDate::new(2024, 2, 29).unwrap();
        assert_eq!(CalendarDate::from_iso(&day.iso()), Some(day));
        assert_eq!(serde_json::to_string(&day).unwrap(), "\"2024-02-29\"");
        assert_eq!(
            serde_json::from_str::<CalendarDate>("\"2024-02-29\"").unwrap(),
            day
        );
        for wrong in [
            "2023-02-29",
            "2024-2-29",
            "2024/02/29",
            "２０２４-02-29",
            "2024-02-29x",
            "",
        ] {
            assert_eq!(CalendarDate::from_iso(wrong), None, "{wrong}");
            assert!(serde_json::from_str::<CalendarDate>(&format!("{wrong:?}")).is_err());
        }
    }

    fn iso(input: &str) -> String {
        parse_date(input).unwrap().unwrap().iso()
    }

    #[test]
    fn western_dates_in_the_forms_people_and_excel_write() {
        for input in [
            "2024-04-01",
            "2024/4/1",
            "2024.04.01",
            "20240401",
            "2024年4月1日",
            "２０２４／４／１",
            "２０２４年４月１日",
        ] {
            assert_eq!(iso(input), "2024-04-01", "{input}");
        }
        assert_eq!(parse_date(" ").unwrap(), None);
        assert_eq!(iso("2024-02-29"), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-04-31",
            "1/4/2024",
            "昨日",
            "2024-4",
            "2024-04-01-01",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert!(parse_date("1900-02-29").is_err(), "1900 is not a leap year");
        assert!(parse_date("2000-02-29").is_ok(), "2000 is");
    }

    #[test]
    fn japanese_era_dates() {
        for (input, expected) in [
            ("令和6年4月1日", "2024-04-01"),
            ("令和６年４月１日", "2024-04-01"),
            ("R6.4.1", "2024-04-01"),
            ("r06/04/01", "2024-04-01"),
            ("令6.4.1", "2024-04-01"),
            ("㋿6年4月1日", "2024-04-01"),
            ("令和元年5月1日", "2019-05-01"),
            ("平成31年4月30日", "2019-04-30"),
            ("H31.4.30", "2019-04-30"),
            ("㍻元年1月8日", "1989-01-08"),
            ("昭和64年1月7日", "1989-01-07"),
            ("S50.10.10", "1975-10-10"),
            ("大正15年12月24日", "1926-12-24"),
        ] {
            assert_eq!(iso(input), expected, "{input}");
        }
        // Days outside their era, and days that do not exist.
        for bad in [
            "平成31年5月1日",
            "令和元年4月30日",
            "昭和64年1月8日",
            "平成元年1月7日",
            "令和0年5月1日",
        ] {
            assert_eq!(parse_date(bad), Err(Problem::OutsideEra), "{bad}");
        }
        assert_eq!(parse_date("令和5年2月29日"), Err(Problem::NoSuchDay));
        for bad in ["令和", "令和6年", "R6", "令和6年4月", "令和六年四月一日"] {
            assert_eq!(parse_date(bad), Err(Problem::NotADate), "{bad}");
        }
    }

    #[test]
    fn weekdays_and_long_forms() {
        let date = CalendarDate::new(2024, 4, 1).unwrap();
        assert_eq!(date.long_ja(), "2024年4月1日（月）");
        assert_eq!(date.long_en(), "Mon 1 April 2024");
        // Checked against a calendar: 2000-01-01 was a Saturday, 2026-12-01 a Tuesday.
        assert_eq!(CalendarDate::new(2000, 1, 1).unwrap().weekday(), 6);
        assert_eq!(CalendarDate::new(2026, 12, 1).unwrap().weekday(), 2);
    }
    #[test]
    fn days_count_across_months_years_and_leap_days() {
        let d = |s: &str| CalendarDate::from_iso(s).unwrap();
        assert_eq!(d("1970-01-01").day_number(), 0);
        assert_eq!(d("2024-02-28").plus_days(1), d("2024-02-29"));
        assert_eq!(d("2024-02-29").plus_days(1), d("2024-03-01"));
        assert_eq!(d("2026-09-30").plus_days(42), d("2026-11-11"));
        assert_eq!(d("2026-12-31").plus_days(1), d("2027-01-01"));
        assert_eq!(d("2027-01-01").plus_days(-1), d("2026-12-31"));
        let mut day = d("1999-12-25");
        for _ in 0..20_000 {
            let next = day.plus_days(1);
            assert!(next > day);
            assert_eq!(CalendarDate::from_day_number(next.day_number()), next);
            day = next;
        }
    }
}
