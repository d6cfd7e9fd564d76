//! The demo subscribers (`--demo`), as plain records: seeded by [`crate::flows::demo`], and
//! the same people the rules' tests and the fuzz targets answer about.

use crate::base::model::User;
use time::Date;

fn user(id: &str, msisdn: &str) -> User {
    User {
        id: id.into(),
        msisdn: msisdn.into(),
        ..User::default()
    }
}

/// Today minus `years`, on the same month and day (28 Feb for 29 Feb in a common year).
fn years_before(today: Date, years: i32) -> Date {
    let year = today.year() - years;
    Date::from_calendar_date(year, today.month(), today.day())
        .or_else(|_| Date::from_calendar_date(year, today.month(), 28))
        .unwrap_or(today)
}

/// Marie (an adult, every attribute known), Tom (15 on `today`) and Ana (a given name only).
pub fn users(today: Date) -> Vec<User> {
    vec![
        User {
            given_name: Some("Marie".into()),
            family_name: Some("Curie".into()),
            birthdate: Some("1967-11-07".into()),
            email: Some("marie.curie@example.org".into()),
            street_address: Some("1 Rue Pierre".into()),
            postal_code: Some("75005".into()),
            locality: Some("Paris".into()),
            country: Some("FR".into()),
            sim_change: Some("2026-01-30T18:39:50Z".into()),
            ..user("u-demo-marie", "447700900001")
        },
        User {
            given_name: Some("Tom".into()),
            family_name: Some("Young".into()),
            birthdate: Some(years_before(today, 15).to_string()),
            ..user("u-demo-tom", "447700900002")
        },
        User {
            given_name: Some("Ana".into()),
            ..user("u-demo-ana", "447700900003")
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn tom_is_fifteen_today_even_on_a_leap_day() {
        assert_eq!(
            years_before(date!(2026 - 11 - 21), 15),
            date!(2011 - 11 - 21)
        );
        assert_eq!(
            years_before(date!(2028 - 02 - 29), 15),
            date!(2013 - 02 - 28)
        );
    }
}
