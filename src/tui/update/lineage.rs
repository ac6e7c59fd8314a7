//! `<`, "what led here": the view becomes the earlier events of the cursor's host related
//! to its event (`detect::lineage`: process lineage, logon session, user, address), worked
//! out on a worker like a filter and shown as one (`F` clears it).

use crate::tui::action::Effect;
use crate::tui::state::{Pending, State};

pub fn led_here(st: &mut State) -> Vec<Effect> {
    let Some(ev) = st.cursor_event() else {
        st.info("no event");
        return Vec::new();
    };
    let host = st.timeline.host(ev).into_owned();
    let when = st
        .timeline
        .events
        .get(ev)
        .map(|e| crate::model::format_display(e.ts, &st.zone().1))
        .unwrap_or_default();
    st.query.job += 1;
    st.query.filter_warning = None;
    st.query.filter_pending = Some(Pending {
        job: st.query.job,
        // Not a query: what the status line says the view is.
        text: format!("led here: {host} {when} (lineage, logon, user, ip)"),
        filter: None,
        for_index: false,
    });
    st.query.filter_progress = 0;
    vec![Effect::LedHere {
        job: st.query.job,
        timeline: st.timeline.clone(),
        event: ev,
    }]
}
