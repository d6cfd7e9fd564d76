//! The text of an access notice by SMS (MC_ATTR_19, for subscribers without the app): who
//! read the subscriber's data since the last notice, and where to see more or stop it (the
//! USSD self-care menu). No I/O.

/// How many SPs a notice names before "and N more" (one SMS segment for usual names).
const NAMED: usize = 3;

/// `each`: "Assent: Demo Shop read your data. Dial *123# to see or stop it."; `daily`:
/// "Assent: in the last day, Demo Shop (3) and Acme Bank (1) read your data. …". `sps` are
/// (name, accesses), most recent first.
pub fn text(policy: &str, sps: &[(String, usize)], self_care_code: &str) -> String {
    let daily = policy == "daily";
    let mut names: Vec<String> = sps
        .iter()
        .take(NAMED)
        .map(|(name, n)| {
            if daily {
                format!("{name} ({n})")
            } else {
                name.clone()
            }
        })
        .collect();
    if sps.len() > NAMED {
        names.push(format!("{} more", sps.len() - NAMED));
    }
    let who = match names.as_slice() {
        [] => "A service".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    let when = if daily { "in the last day, " } else { "" };
    format!("Assent: {when}{who} read your data. Dial {self_care_code} to see or stop it.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sps(names: &[(&str, usize)]) -> Vec<(String, usize)> {
        names.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect()
    }

    #[test]
    fn notices_name_the_sps_and_the_way_to_the_menu() {
        assert_eq!(
            text("each", &sps(&[("Demo Shop", 1)]), "*123#"),
            "Assent: Demo Shop read your data. Dial *123# to see or stop it."
        );
        assert_eq!(
            text(
                "daily",
                &sps(&[("Demo Shop", 3), ("Acme Bank", 1)]),
                "*123#"
            ),
            "Assent: in the last day, Demo Shop (3) and Acme Bank (1) read your data. Dial \
             *123# to see or stop it."
        );
        let many = text(
            "each",
            &sps(&[("A", 1), ("B", 1), ("C", 1), ("D", 1), ("E", 1)]),
            "*100#",
        );
        assert_eq!(
            many,
            "Assent: A, B, C and 2 more read your data. Dial *100# to see or stop it."
        );
    }
}
