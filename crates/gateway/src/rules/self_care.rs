//! The USSD self-care menu (MC_ATTR_19, 20 and 32 for subscribers without the app): what a
//! subscriber who dials the operator's service code (`*123#`) can do — see the SPs they
//! consented to and revoke one (with a confirmation), see the latest accesses to their data,
//! report an SP. A state machine without I/O: the flow reads the subscriber's consents and
//! accesses into a [`View`], this says the next screen and what to do, the flow does it.
//! Screens are laid out by `assent_prompt::menu` within one USSD interaction.

use assent_prompt::DeviceKind;
use assent_prompt::menu::{self, MenuError, Screen};
use serde::{Deserialize, Serialize};

/// Where the subscriber is in the menu (kept with the screen they were shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub enum State {
    Main,
    /// The SPs with a consent in force, from `offset`; the screen showed `shown` of them.
    Consents {
        offset: usize,
        shown: usize,
    },
    /// One SP: revoke, or back.
    Consent {
        client_id: String,
    },
    ConfirmRevoke {
        client_id: String,
    },
    /// The SPs the subscriber may report, from `offset`.
    Report {
        offset: usize,
        shown: usize,
    },
    ConfirmReport {
        client_id: String,
    },
}

/// What the menu shows of the subscriber, read fresh for every step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    /// The SPs with a long-lived consent in force: (client_id, name), oldest first.
    pub consents: Vec<(String, String)>,
    /// The latest accesses to the subscriber's data: (SP name, when, in ms), newest first.
    pub recent: Vec<(String, i64)>,
    /// The SPs the subscriber may report: those they consented to or that read their data,
    /// (client_id, name).
    pub reportable: Vec<(String, String)>,
}

/// What the flow does before it shows the next screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// End the subscriber's consents to this SP (as a revocation in the app does).
    Revoke {
        client_id: String,
    },
    /// Report this SP (the flag queue the app's "Report this SP" feeds).
    Report {
        client_id: String,
    },
}

/// The next screen: its text, the state it leaves the subscriber in (`None`: the session
/// ends with it), and what to do first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Next {
    pub screen: Screen,
    pub state: Option<State>,
    pub action: Action,
}

/// The last screen after a USSD consent prompt was answered over a real USSD gateway (the
/// dialogue must end with a screen, SMPP's PSSR response).
pub const ANSWER_TAKEN: &str = "Thank you, your answer is recorded.";
/// The last screen when an answer comes for a dialogue that has ended (timed out, answered).
pub const DIALOGUE_ENDED: &str = "This session has ended.";
/// The last screen when a code is dialled that this gateway does not serve, or by a number
/// that is no subscriber's.
pub const NO_SERVICE: &str = "This service is not available.";

const MORE: &str = "9 More";
const BACK: &str = "0 Back";
const YES_NO: [&str; 2] = ["1 Yes", "2 No"];

/// The first screen, for a dialled code.
pub fn start() -> Result<Next, MenuError> {
    main_menu()
}

fn main_menu() -> Result<Next, MenuError> {
    Ok(Next {
        screen: menu::fit_text(
            "Assent",
            &["1 My consents", "2 Recent access", "3 Report an SP"],
            DeviceKind::Ussd,
        )?,
        state: Some(State::Main),
        action: Action::None,
    })
}

fn ending(text: &str, action: Action) -> Result<Next, MenuError> {
    Ok(Next {
        screen: menu::fit_text(text, &[], DeviceKind::Ussd)?,
        state: None,
        action,
    })
}

/// A page of SPs from `offset`, numbered from 1.
fn sp_page(
    title: &str,
    sps: &[(String, String)],
    offset: usize,
    state: impl Fn(usize, usize) -> State,
) -> Result<Next, MenuError> {
    let offset = offset.min(sps.len());
    // At most 8 on a screen: 9 is "more" and 0 is "back".
    let choices: Vec<String> = sps[offset..]
        .iter()
        .take(8)
        .enumerate()
        .map(|(i, (_, name))| format!("{} {name}", i + 1))
        .collect();
    let more_follow = sps.len() - offset > choices.len();
    let screen = menu::fit(
        title,
        &choices,
        MORE,
        more_follow,
        &[BACK],
        DeviceKind::Ussd,
    )?;
    Ok(Next {
        state: Some(state(offset, screen.shown)),
        screen,
        action: Action::None,
    })
}

fn find<'a>(sps: &'a [(String, String)], client_id: &str) -> Option<&'a str> {
    sps.iter()
        .find(|(id, _)| id == client_id)
        .map(|(_, name)| name.as_str())
}

/// `1 1 Mar`: a date as a USSD screen has room for.
fn day(at_ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000))
        .map(|t| {
            let month = &t.month().to_string()[..3];
            format!("{} {month}", t.day())
        })
        .unwrap_or_default()
}

/// The subscriber answered `input` on the screen of `state`. An answer that is no choice of
/// the screen shows it again.
pub fn step(state: &State, input: &str, view: &View) -> Result<Next, MenuError> {
    let choice: Option<usize> = input.trim().parse().ok();
    let again = || show(state, view);
    match (state, choice) {
        (State::Main, Some(1)) => {
            if view.consents.is_empty() {
                return ending("You have no consents in force.", Action::None);
            }
            sp_page("My consents", &view.consents, 0, |offset, shown| {
                State::Consents { offset, shown }
            })
        }
        (State::Main, Some(2)) => {
            if view.recent.is_empty() {
                return ending("No service read your data lately.", Action::None);
            }
            let lines: Vec<String> = view
                .recent
                .iter()
                .map(|(name, at)| format!("{name} {}", day(*at)))
                .collect();
            Ok(Next {
                screen: menu::fit("Recent access", &lines, "", false, &[], DeviceKind::Ussd)?,
                state: None,
                action: Action::None,
            })
        }
        (State::Main, Some(3)) => {
            if view.reportable.is_empty() {
                return ending(
                    "No service holds your consent or read your data.",
                    Action::None,
                );
            }
            sp_page("Report which SP?", &view.reportable, 0, |offset, shown| {
                State::Report { offset, shown }
            })
        }
        (State::Consents { .. } | State::Report { .. }, Some(0)) => main_menu(),
        (State::Consents { offset, shown }, Some(9)) if offset + shown < view.consents.len() => {
            sp_page(
                "My consents",
                &view.consents,
                offset + shown,
                |offset, shown| State::Consents { offset, shown },
            )
        }
        (State::Report { offset, shown }, Some(9)) if offset + shown < view.reportable.len() => {
            sp_page(
                "Report which SP?",
                &view.reportable,
                offset + shown,
                |offset, shown| State::Report { offset, shown },
            )
        }
        (State::Consents { offset, shown }, Some(n)) if (1..=*shown).contains(&n) => {
            match view.consents.get(offset + n - 1) {
                Some((client_id, _)) => show(
                    &State::Consent {
                        client_id: client_id.clone(),
                    },
                    view,
                ),
                None => again(),
            }
        }
        (State::Report { offset, shown }, Some(n)) if (1..=*shown).contains(&n) => {
            match view.reportable.get(offset + n - 1) {
                Some((client_id, _)) => show(
                    &State::ConfirmReport {
                        client_id: client_id.clone(),
                    },
                    view,
                ),
                None => again(),
            }
        }
        (State::Consent { client_id }, Some(1)) => show(
            &State::ConfirmRevoke {
                client_id: client_id.clone(),
            },
            view,
        ),
        (State::Consent { .. }, Some(0)) => {
            sp_page("My consents", &view.consents, 0, |offset, shown| {
                State::Consents { offset, shown }
            })
        }
        (State::ConfirmRevoke { client_id }, Some(1)) => match find(&view.consents, client_id) {
            Some(name) => ending(
                &format!("{name} can no longer read your data."),
                Action::Revoke {
                    client_id: client_id.clone(),
                },
            ),
            None => ending("This consent has ended already.", Action::None),
        },
        (State::ConfirmRevoke { client_id }, Some(2)) => show(
            &State::Consent {
                client_id: client_id.clone(),
            },
            view,
        ),
        (State::ConfirmReport { client_id }, Some(1)) => match find(&view.reportable, client_id) {
            Some(name) => ending(
                &format!("Thank you: your report on {name} was recorded."),
                Action::Report {
                    client_id: client_id.clone(),
                },
            ),
            None => main_menu(),
        },
        (State::ConfirmReport { .. }, Some(2)) => {
            sp_page("Report which SP?", &view.reportable, 0, |offset, shown| {
                State::Report { offset, shown }
            })
        }
        _ => again(),
    }
}

/// The screen of `state` itself (shown again after an answer that is no choice of it).
fn show(state: &State, view: &View) -> Result<Next, MenuError> {
    let stay = |screen: Screen| Next {
        screen,
        state: Some(state.clone()),
        action: Action::None,
    };
    match state {
        State::Main => main_menu(),
        State::Consents { offset, .. } => {
            sp_page("My consents", &view.consents, *offset, |offset, shown| {
                State::Consents { offset, shown }
            })
        }
        State::Report { offset, .. } => sp_page(
            "Report which SP?",
            &view.reportable,
            *offset,
            |offset, shown| State::Report { offset, shown },
        ),
        State::Consent { client_id } => match find(&view.consents, client_id) {
            Some(name) => Ok(stay(menu::fit_text(
                &format!("{name} may read your data."),
                &["1 Revoke access", BACK],
                DeviceKind::Ussd,
            )?)),
            None => main_menu(),
        },
        State::ConfirmRevoke { client_id } => match find(&view.consents, client_id) {
            Some(name) => Ok(stay(menu::fit_text(
                &format!("Revoke {name}'s access to your data?"),
                &YES_NO,
                DeviceKind::Ussd,
            )?)),
            None => main_menu(),
        },
        State::ConfirmReport { client_id } => match find(&view.reportable, client_id) {
            Some(name) => Ok(stay(menu::fit_text(
                &format!("Report {name} to your operator?"),
                &YES_NO,
                DeviceKind::Ussd,
            )?)),
            None => main_menu(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(n: usize) -> View {
        let sps: Vec<(String, String)> = (1..=n)
            .map(|i| (format!("sp-{i}"), format!("Service {i:02}")))
            .collect();
        View {
            consents: sps.clone(),
            recent: vec![
                ("Service 01".into(), 1_796_558_400_000),
                ("Service 02".into(), 1_796_472_000_000),
            ],
            reportable: sps,
        }
    }

    fn go(state: &State, input: &str, view: &View) -> Next {
        step(state, input, view).unwrap()
    }

    #[test]
    fn revoking_takes_a_choice_and_a_confirmation() {
        let view = view(3);
        let main = start().unwrap();
        assert_eq!(
            main.screen.text,
            "Assent\n1 My consents\n2 Recent access\n3 Report an SP"
        );
        let list = go(main.state.as_ref().unwrap(), "1", &view);
        assert_eq!(
            list.screen.text,
            "My consents\n1 Service 01\n2 Service 02\n3 Service 03\n0 Back"
        );
        let one = go(list.state.as_ref().unwrap(), "2", &view);
        assert_eq!(
            one.screen.text,
            "Service 02 may read your data.\n1 Revoke access\n0 Back"
        );
        let confirm = go(one.state.as_ref().unwrap(), "1", &view);
        assert_eq!(confirm.action, Action::None);
        assert_eq!(
            confirm.screen.text,
            "Revoke Service 02's access to your data?\n1 Yes\n2 No"
        );
        // "No" goes back; "Yes" revokes and ends the session.
        let back = go(confirm.state.as_ref().unwrap(), "2", &view);
        assert_eq!(back.state, one.state);
        let done = go(confirm.state.as_ref().unwrap(), "1", &view);
        assert_eq!(
            done.action,
            Action::Revoke {
                client_id: "sp-2".into()
            }
        );
        assert_eq!(done.state, None);
        assert_eq!(done.screen.text, "Service 02 can no longer read your data.");
    }

    #[test]
    fn long_lists_page_and_every_screen_fits_ussd() {
        let view = view(30);
        let mut next = go(&State::Main, "1", &view);
        let mut seen = Vec::new();
        loop {
            assert!(next.screen.measure.units <= 182, "{}", next.screen.text);
            let Some(State::Consents { offset, shown }) = next.state.clone() else {
                panic!("{:?}", next.state)
            };
            assert!(shown <= 8);
            seen.extend(offset..offset + shown);
            if offset + shown == 30 {
                assert!(!next.screen.text.contains(MORE));
                break;
            }
            assert!(next.screen.text.ends_with("9 More\n0 Back"));
            next = go(next.state.as_ref().unwrap(), "9", &view);
        }
        assert_eq!(seen, (0..30).collect::<Vec<_>>());
        // The choice on a later page is that page's.
        let second = go(&go(&State::Main, "1", &view).state.unwrap(), "9", &view);
        let Some(State::Consents { offset, .. }) = second.state.clone() else {
            panic!()
        };
        let picked = go(second.state.as_ref().unwrap(), "1", &view);
        assert_eq!(
            picked.state,
            Some(State::Consent {
                client_id: format!("sp-{}", offset + 1)
            })
        );
    }

    #[test]
    fn recent_access_reporting_and_wrong_answers() {
        let view = view(2);
        let recent = go(&State::Main, "2", &view);
        assert_eq!(recent.state, None);
        assert_eq!(
            recent.screen.text,
            "Recent access\nService 01 6 Dec\nService 02 5 Dec"
        );
        let report = go(&State::Main, "3", &view);
        let confirm = go(report.state.as_ref().unwrap(), "1", &view);
        assert_eq!(
            confirm.screen.text,
            "Report Service 01 to your operator?\n1 Yes\n2 No"
        );
        let done = go(confirm.state.as_ref().unwrap(), "1", &view);
        assert_eq!(
            done.action,
            Action::Report {
                client_id: "sp-1".into()
            }
        );
        // An answer that is no choice shows the same screen again.
        for wrong in ["7", "x", "", "12"] {
            let same = go(report.state.as_ref().unwrap(), wrong, &view);
            assert_eq!(same.screen.text, report.screen.text, "{wrong:?}");
            assert_eq!(same.action, Action::None);
        }
        // Nothing to show ends the session with a sentence.
        let empty = View::default();
        assert_eq!(go(&State::Main, "1", &empty).state, None);
        assert_eq!(
            go(&State::Main, "2", &empty).screen.text,
            "No service read your data lately."
        );
    }
}
