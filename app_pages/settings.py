"""Alliance settings (administrator only): how long a school has to answer a request, when a
pairing is quiet, hours in a release day, e-mail reminders on or off. Laid out here; the
rules and the validation are `brokering.alliance_settings`'s, shared with
`python -m brokering settings`."""

import pandas as pd
import streamlit as st

import ui
from brokering import alliance_settings
from brokering.errors import BrokeringError

viewer = st.session_state["viewer"]
con = ui.connection()

st.title("Alliance settings")
st.caption(
    "The alliance's own policy, changed here or with `python -m brokering settings`. Every "
    "change is kept in the audit trail with who made it."
)

rows = alliance_settings.current(con)


def _shown(value: object) -> str:
    if value == "":
        return "not set"
    return f"{value:g}" if isinstance(value, float) else str(value)


st.dataframe(
    pd.DataFrame(
        {
            "Setting": [r["label"] for r in rows],
            "Value": [_shown(r["value"]) for r in rows],
            "Default": [_shown(r["default"]) for r in rows],
            "Changed by": [r["changed_by"] or "—" for r in rows],
        }
    ),
    hide_index=True,
    width="stretch",
)

st.subheader("Change the settings")
with st.form("alliance_settings"):
    wanted: dict[str, object] = {}
    for r in rows:
        spec = alliance_settings.SETTINGS[str(r["name"])]
        key = f"setting_{spec.name}"
        if spec.choices:
            wanted[spec.name] = st.selectbox(
                spec.label, spec.choices, index=spec.choices.index(str(r["value"])), key=key
            )
        elif isinstance(spec.default, str):
            wanted[spec.name] = st.text_input(spec.label, value=str(r["value"]), key=key)
        elif isinstance(spec.default, int):
            wanted[spec.name] = st.number_input(spec.label, value=int(r["value"]), step=1, key=key)
        else:
            wanted[spec.name] = st.number_input(
                spec.label, value=float(r["value"]), step=0.5, format="%g", key=key
            )
    saved = st.form_submit_button("Save changes", type="primary")

if saved:
    changed = {
        name: value
        for name, value in wanted.items()
        if str(value) != str(next(r["value"] for r in rows if r["name"] == name))
    }
    try:
        # Every value is checked before any is written: a refusal saves nothing.
        for name, value in changed.items():
            alliance_settings.SETTINGS[name].parse(value)
        for name, value in changed.items():
            alliance_settings.put(con, viewer, name, value)
    except BrokeringError as exc:
        ui.show_error(exc)
    else:
        if changed:
            st.success(
                "Saved: "
                + "; ".join(
                    f"{alliance_settings.SETTINGS[n].label} — {_shown(v)}"
                    for n, v in changed.items()
                )
                + "."
            )
        else:
            st.info("Nothing to save: every setting is as it was.")
