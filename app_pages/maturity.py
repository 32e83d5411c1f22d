"""Alliance maturity: a suggested stage from the alliance's own data, beside the leaders'
own judgement — a prompt for discussion, not a score."""

from datetime import date

import streamlit as st

import ui
from brokering.dashboard import maturity
from brokering.errors import BrokeringError
from brokering.exporting import to_csv_bytes
from brokering.viewer import ROLE_LABELS

#: How a strand with no suggested stage reads (too few figures, or too few people to show).
NO_STAGE = "not enough data"

viewer = st.session_state["viewer"]
con = ui.connection()

st.title("Alliance maturity")
st.markdown(
    f"The stages here follow {maturity.MODEL}. The suggested stage comes from your own data "
    "with the thresholds shown; it is a prompt for discussion, not a judgement. Record your "
    "own view beside it: the alliance's is recorded by the alliance administrator or the hub "
    "school's headteacher, a school's by its own headteacher."
)
st.caption(maturity.COMBINE)
schools = ui.schools()
scope = st.selectbox(
    "Looking at",
    ["alliance", *schools["school_id"]],
    format_func=lambda s: "The whole alliance" if s == "alliance" else ui.school_label(s),
)
frame = maturity.indicators(con, viewer, None if scope == "alliance" else scope, date.today())
suggested = maturity.suggested_stages(frame)

for strand in maturity.STRANDS:
    st.header(strand.capitalize())
    stage = suggested[strand]
    st.markdown(f"**Suggested stage: {stage or NO_STAGE}**")
    cols = st.columns(4)
    for col, name in zip(cols, maturity.STAGES, strict=True):
        text = maturity.DESCRIPTORS[strand][name]
        if name == stage:
            col.success(f"**{name}** — {text}")
        else:
            col.caption(f"**{name}** — {text}")
    part = frame[frame["strand"] == strand].drop(columns=["strand", "key"])
    percent = "%.0f%%"
    st.dataframe(
        part,
        hide_index=True,
        width="stretch",
        column_config={
            "indicator": "Indicator",
            "value": st.column_config.ProgressColumn(
                "Value", min_value=0.0, max_value=100.0, format=percent
            ),
            "based on": st.column_config.NumberColumn("Based on (people or records)"),
            "Developing from": st.column_config.NumberColumn("Developing from", format=percent),
            "Embedding from": st.column_config.NumberColumn("Embedding from", format=percent),
            "Leading from": st.column_config.NumberColumn("Leading from", format=percent),
            "stage": "Stage it supports",
            "how it is worked out": "How it is worked out",
        },
    )
    if maturity.may_record(con, viewer, scope):
        with st.form(f"judge_{strand}"):
            judged = st.selectbox(
                "Your judgement",
                maturity.STAGES,
                index=maturity.STAGES.index(stage) if stage else 0,
            )
            note = st.text_area("Why (optional)", max_chars=2000)
            if st.form_submit_button("Record judgement"):
                try:
                    maturity.record_judgement(con, viewer, scope, strand, judged, note, stage)
                    st.success("Recorded. Earlier judgements are kept below.")
                except BrokeringError as exc:
                    ui.show_error(exc)
    history = maturity.judgements(con, viewer, scope, strand)
    if history.empty:
        st.caption("No judgement recorded yet for this strand.")
    else:
        shown = history.assign(
            role=history["role"].map(lambda r: ROLE_LABELS.get(r, r)),
            suggested=history["suggested"].fillna(NO_STAGE),
            note=history["note"].fillna(""),
        )
        ui.table(
            shown,
            hide_index=True,
            width="stretch",
            column_config={
                "recorded_at": st.column_config.DatetimeColumn(
                    "Recorded", format="D MMM YYYY, HH:mm"
                ),
                "strand": "Strand",
                "stage": "Judged stage",
                "suggested": "Suggested at the time",
                "note": st.column_config.TextColumn("Why", width="large"),
                "recorded_by": "Recorded by",
                "role": "Their role",
            },
        )

st.header("School by school")
overview = maturity.by_school(con, viewer, date.today())
st.dataframe(
    overview.drop(columns=["school_id"]).fillna(NO_STAGE),
    hide_index=True,
    width="stretch",
    column_config={
        "school": "School",
        **{strand: f"{strand.capitalize()}: suggested stage" for strand in maturity.STRANDS},
    },
)
ui.download("Download (CSV)", to_csv_bytes(overview), "maturity_by_school.csv")
