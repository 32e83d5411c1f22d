"""Reading pairings for a viewer: the list, one pairing in full, its history and its log.

A pairing is shown when the viewer can see at least one of its participants; a participant
the viewer may not see (a partner school's colleague without sharing consent, or a leaver)
appears as "not shared", with no school. Lists are refused to aggregate-only roles.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from brokering import changes, dates
from brokering.db import Connection, query_df
from brokering.errors import NotFoundError
from brokering.importing.parsers import RECORDER_LABELS
from brokering.pairings import lifecycle, store, transfer_rule
from brokering.viewer import Viewer
from brokering.visibility import may_show, visible_staff_sql

HIDDEN = "not shared"
_EVIDENCE_TYPES = "('observation', 'pupil work', 'outcome measure')"


def members_cte(viewer: Viewer) -> tuple[str, list[object]]:
    """CTEs `mem` (current participants with school and a `visible` flag) and `seen`
    (pairings with at least one participant the viewer can see)."""
    vis, params = visible_staff_sql(viewer, "st")
    sql = (
        f"vs AS (SELECT st.staff_ref FROM staff st WHERE {vis}), "  # noqa: S608
        "mem AS (SELECT m.pairing_id, m.staff_ref, m.side, s.school_id, "
        "  m.staff_ref IN (SELECT staff_ref FROM vs) AS visible "
        "  FROM pairing_members m JOIN staff s USING (staff_ref)), "
        "seen AS (SELECT pairing_id FROM mem GROUP BY pairing_id HAVING bool_or(visible))"
    )
    return sql, params


def list_pairings(
    con: Connection, viewer: Viewer, status: str | None = None, today: date | None = None
) -> pd.DataFrame:
    """One row per pairing the viewer can see, newest id last, with its evidence and activity."""
    viewer.require_listing()
    if status is not None:
        lifecycle.check_status(status)
    cte, params = members_cte(viewer)
    sql = f"""
    WITH {cte},
    people AS (
        SELECT mem.pairing_id,
          list(CASE WHEN visible THEN staff_ref ELSE '{HIDDEN}' END ORDER BY NOT visible,
               staff_ref) FILTER (WHERE side = 'donor') AS donors,
          list(CASE WHEN visible THEN staff_ref ELSE '{HIDDEN}' END ORDER BY NOT visible,
               staff_ref) FILTER (WHERE side = 'recipient') AS recipients,
          coalesce(list(DISTINCT sc.name ORDER BY sc.name) FILTER (WHERE side = 'donor'
              AND visible), []) AS donor_schools,
          coalesce(list(DISTINCT sc.name ORDER BY sc.name) FILTER (WHERE side = 'recipient'
              AND visible), []) AS recipient_schools,
          -- told only where the viewer sees everyone in it: else it would name the school
          -- of someone the row calls "a partner school"
          count(DISTINCT mem.school_id) = 1 AND bool_and(visible) AS same_school
        FROM mem JOIN schools sc USING (school_id) GROUP BY mem.pairing_id),
    evid AS (
        SELECT pairing_id, count(*) AS transfer_evidence
        FROM ({transfer_rule.observations_sql("pairing_log", "pairings", "pairing_members")})
        WHERE why_not IS NULL GROUP BY pairing_id),
    act AS (
        SELECT pairing_id, count(*) AS entries, coalesce(sum(hours), 0) AS hours_logged,
          count(*) FILTER (WHERE entry_type IN {_EVIDENCE_TYPES}) AS evidence_items,
          max(date) AS last_activity
        FROM pairing_log GROUP BY pairing_id),
    since AS (
        SELECT v.pairing_id, min(v.changed_at) AS status_since
        FROM pairing_versions v JOIN pairings p USING (pairing_id)
        WHERE v.version > coalesce((SELECT max(w.version) FROM pairing_versions w
                                    WHERE w.pairing_id = v.pairing_id AND w.status <> p.status), 0)
        GROUP BY v.pairing_id)
    SELECT p.pairing_id, coalesce(sk.name, p.skill_id) AS practice, p.skill_id, p.work_kind,
      p.status, pe.donors, pe.recipients, pe.donor_schools, pe.recipient_schools,
      pe.same_school, p.start_date, p.review_date,
      (p.review_date < ?::DATE AND p.status NOT IN ('transferred', 'not transferred',
       'stopped')) AS review_overdue,
      coalesce(ev.transfer_evidence, 0) AS transfer_evidence,
      coalesce(a.evidence_items, 0) AS evidence_items, coalesce(a.entries, 0) AS entries,
      coalesce(a.hours_logged, 0) AS hours_logged, a.last_activity,
      p.planned_sessions, p.planned_hours, p.cover_hours, p.travel_hours,
      p.donor_contribution, p.recipient_contribution, p.reason, p.version,
      si.status_since, p.changed_at AS last_changed
    FROM pairings p JOIN seen USING (pairing_id) JOIN people pe USING (pairing_id)
    JOIN since si USING (pairing_id)
    LEFT JOIN evid ev USING (pairing_id) LEFT JOIN act a USING (pairing_id)
    LEFT JOIN skills sk USING (skill_id)
    WHERE (?::VARCHAR IS NULL OR p.status = ?::VARCHAR)
    ORDER BY p.pairing_id
    """  # noqa: S608
    today = today or date.today()
    return query_df(con, sql, [*params, today, status, status])


def _schools(names: object) -> str:
    """A side's schools as one phrase ("Oakfield & Riverside"); a side whose people the
    viewer may not see is "a partner school" (its school is not named: `list_pairings`
    leaves it out)."""
    shown = [str(n) for n in (names if names is not None else []) if n]
    return " & ".join(shown) if shown else "a partner school"


def describe(row: pd.Series | dict) -> str:
    """A pairing in a leader's words: "Mathematics: Oakfield → Riverside, started 5 Dec
    2026" (within one school: "Mathematics within Oakfield, …"), from a row of
    `list_pairings` — so it names only the schools the viewer may see. A reference such as
    "P0007" means nothing to a head; this is how the pairings page and its choices name
    one."""
    donors, recipients = _schools(row["donor_schools"]), _schools(row["recipient_schools"])
    where = (
        f" within {donors}"
        if row.get("same_school") and donors == recipients
        else f": {donors} → {recipients}"
    )
    started = dates.day(row.get("start_date"))
    return f"{row['practice']}{where}" + (f", started {started}" if started else "")


def descriptions(frame: pd.DataFrame) -> dict[str, str]:
    """pairing_id -> `describe`, for a `list_pairings` frame (a choice's labels)."""
    return {str(r["pairing_id"]): describe(r) for _, r in frame.iterrows()}


#: The pairings and their people by current status, counted afresh: the `pairings` view's
#: current versions joined to their participants directly. What the dashboard's derived
#: totals by status hold (`dashboard.facts`' "by_status", kept current by every write);
#: kept as the statement the tests hold them to.
COUNTS_SQL = """
    SELECT p.status, count(DISTINCT pp.pairing_id) AS pairings,
           count(DISTINCT pp.staff_ref) AS people
    FROM pairings p JOIN pairing_participants pp
      ON pp.pairing_id = p.pairing_id AND pp.version = p.version
    GROUP BY p.status
"""


def counts_by_status(con: Connection) -> pd.DataFrame:
    """Every pairing's current status over all time: (status, pairings, people) for each
    status of the lifecycle, unsuppressed (what an aggregate-only role's counts and
    `dashboard.counts_cover` weigh). Read from the dashboard's derived totals by status
    (a scan of every pairing's participants on each first read after a write cost a
    governor's Transfer page rows a third of their time). One answer per store change:
    callers must not change it."""
    from brokering.dashboard.facts import facts  # the derived totals live with the facts

    key = ("pairings.views.counts_by_status",)
    return changes.remembered(
        changes.mark(con),
        key,
        lambda: _laid_out(
            query_df(con, f"SELECT status, pairings, people FROM {facts(con).by_status}")  # noqa: S608
        ),
    )


def _laid_out(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts read by status (status, pairings, people) as one row per lifecycle status."""
    counts = dict(zip(frame["status"], frame["pairings"], strict=True))
    people = dict(zip(frame["status"], frame["people"], strict=True))
    return pd.DataFrame(
        {
            "status": list(lifecycle.STATUSES),
            "pairings": [int(counts.get(s, 0)) for s in lifecycle.STATUSES],
            "people": [int(people.get(s, 0)) for s in lifecycle.STATUSES],
        }
    )


#: Statuses whose totals over all time a chart adds up to (hours against outcome).
CHARTED = ("transferred", "not transferred")


def status_counts(con: Connection, viewer: Viewer, as_of: date | None = None) -> pd.DataFrame:
    """Pairings per status: the pairings a viewer can see, or — for an aggregate-only role —
    the alliance's totals, each hidden when it rests on fewer than the threshold of people,
    or where the Transfer page hides it as of `as_of` (today by default: an outcome's total
    over all time its headline hides in one term alone, `chart_hiding.totals_unshown`, as
    the hours chart does — one rule), and never exactly one hidden (the total of pairings,
    shown elsewhere, less the shown ones would give it away): then the next smallest is
    hidden too. For an aggregate-only role the counts are read first (remembered:
    `chart_hiding.totals_unshown` weighs them too, `counts_cover`), then the headline's pass."""
    unshown: frozenset[str] = frozenset()
    if viewer.aggregate_only:
        from brokering.dashboard.chart_hiding import totals_unshown  # the dashboard's rule

        out = counts_by_status(con).copy()
        unshown = totals_unshown(con, viewer, as_of)
    else:
        cte, params = members_cte(viewer)
        out = _laid_out(
            query_df(
                con,
                f"WITH {cte} SELECT status, count(*) AS pairings, 0 AS people "  # noqa: S608
                "FROM pairings JOIN seen USING (pairing_id) GROUP BY status",
                params,
            )
        )
    if viewer.aggregate_only:
        hidden = ~may_show(out["people"])
        hidden |= out["status"].isin(unshown) & (out["pairings"] > 0)
        hidden = never_one_hidden(out, hidden)
        out["pairings"] = out["pairings"].astype("Int64").where(~hidden, pd.NA)
    return out.drop(columns=["people"])


def never_one_hidden(out: pd.DataFrame, hidden: pd.Series) -> pd.Series:
    """The counts by status (`out`: status, pairings, people) never with exactly one hidden:
    the total of pairings, shown elsewhere, less the shown ones would give it away. The
    cover: a status whose total no chart shows first (the hours chart's bands add up to the
    evidenced transfers and "not transferred" over all time; found:
    COUNTS_COVER_SHOWN_AS_A_BAND, tests/test_hours_by_area_found.py), then the fewest people."""
    hidden = hidden.copy()
    if hidden.sum() == 1:
        others = out[~hidden & (out["pairings"] > 0)]
        others = others.assign(charted=others["status"].isin(CHARTED))
        others = others.sort_values(["charted", "people", "pairings"], kind="stable")
        hidden.loc[others.index[:1]] = True
    return hidden


def _visible_pairing(con: Connection, viewer: Viewer, pairing_id: str) -> tuple[dict, set[str]]:
    viewer.require_listing()
    row = store.current_version(con, pairing_id)
    sides = store.members(con, pairing_id) if row else {}
    visible = store.visible_refs(con, viewer, sides)
    if row is None or not visible:
        raise NotFoundError(f"There is no pairing {pairing_id} that you can see.")
    return row, visible


def _mask(value: object, visible: set[str]) -> object:
    """A staff ref the viewer may not see becomes "not shared"; role labels stay."""
    if isinstance(value, str) and value not in visible and value not in RECORDER_LABELS:
        return HIDDEN
    return value


def pairing_detail(con: Connection, viewer: Viewer, pairing_id: str) -> dict:
    """Everything the page shows about one pairing, with hidden participants masked."""
    row, visible = _visible_pairing(con, viewer, pairing_id)
    people = query_df(
        con,
        "SELECT m.staff_ref, m.side, st.role, sc.name AS school FROM pairing_members m "
        "JOIN staff st USING (staff_ref) JOIN schools sc USING (school_id) "
        "WHERE m.pairing_id = ? ORDER BY m.side, m.staff_ref",
        [pairing_id],
    )
    hidden = ~people["staff_ref"].isin(visible)
    # Only where the viewer sees everyone in it (as `list_pairings`): else it names the
    # school of someone masked here.
    same_school = people["school"].nunique() == 1 and not hidden.any()
    people.loc[hidden, ["staff_ref", "role", "school"]] = HIDDEN
    facts = store.skill_facts(con, [row["skill_id"], *row["disciplines"]])
    suggested = store.suggested_disciplines(con, row["skill_id"])
    names = store.skill_facts(con, suggested)
    return {
        **{k: row[k] for k in row if k not in ("import_id",)},
        "practice": facts.get(row["skill_id"], (row["skill_id"],))[0],
        "participants": people,
        "same_school": bool(same_school),
        "discipline_names": [facts[s][0] for s in row["disciplines"] if s in facts],
        "suggested_disciplines": suggested,
        "suggested_names": [names[s][0] for s in suggested if s in names],
        "missing_disciplines": [names[s][0] for s in suggested if s not in row["disciplines"]],
        "transfer_evidence": store.transfer_evidence_count(con, pairing_id),
        "transfer_rule": transfer_rule.rule_text()[0].upper() + transfer_rule.rule_text()[1:],
        "observations": _verdicts(con, pairing_id, visible),
        "next_statuses": lifecycle.next_statuses(row["status"]),
    }


def _verdicts(con: Connection, pairing_id: str, visible: set[str]) -> pd.DataFrame:
    """Each logged observation (baselines too) and whether it counts under the transfer
    rule — and if not, the rule it falls short of."""
    seen = store.observations(con, pairing_id)
    rows = [
        {
            "date": o["date"],
            "entry_type": o["entry_type"],
            "observed_ref": _mask(o["observed_ref"], visible) if o["observed_ref"] else None,
            "rating_after": o["rating_after"],
            "baseline": o["baseline"],
            "counts": o["why_not"] is None,
            "why": "meets the transfer rule"
            if o["why_not"] is None
            else transfer_rule.reason(o["why_not"], o["rating_after"], o["baseline"]),
        }
        for o in seen
    ]
    columns = ["date", "entry_type", "observed_ref", "rating_after", "baseline", "counts", "why"]
    return pd.DataFrame(rows, columns=columns)


def pairing_history(con: Connection, viewer: Viewer, pairing_id: str) -> pd.DataFrame:
    """Every version of the pairing, oldest first: what changed, who changed it, and when."""
    _, visible = _visible_pairing(con, viewer, pairing_id)
    frame = query_df(
        con,
        "SELECT v.version, v.status, v.change, coalesce(i.username, v.changed_by) AS changed_by, "
        "v.changed_at, v.start_date, v.review_date, v.planned_sessions, v.planned_hours, "
        "v.cover_hours, v.travel_hours, v.donor_contribution, v.recipient_contribution, "
        "v.reason, v.note, "
        "(SELECT list(pp.staff_ref ORDER BY pp.staff_ref) FROM pairing_participants pp "
        " WHERE pp.pairing_id = v.pairing_id AND pp.version = v.version) AS participants "
        "FROM pairing_versions v LEFT JOIN imports i USING (import_id) "
        "WHERE v.pairing_id = ? ORDER BY v.version",
        [pairing_id],
    )
    seen = visible | store.visible_refs(con, viewer, [r for x in frame["participants"] for r in x])
    frame["participants"] = [[_mask(r, seen) for r in refs] for refs in frame["participants"]]
    return frame


def pairing_log(
    con: Connection, viewer: Viewer, pairing_id: str, history: bool = False
) -> pd.DataFrame:
    """The pairing's log, newest first: current entries, or (history) every version of every
    entry, withdrawn ones included."""
    _, visible = _visible_pairing(con, viewer, pairing_id)
    source = "pairing_entries" if history else "pairing_log"
    extra = ", e.version, e.withdrawn" if history else ", e.version"
    frame = query_df(
        con,
        f"SELECT e.entry_id, e.date, e.entry_type, e.hours, e.who, e.flow, e.observed_ref, "  # noqa: S608
        f"e.recorded_by, e.rating_before, e.rating_after, e.measure, e.value_before, "
        f"e.value_after, e.note, e.link, e.change, coalesce(i.username, e.changed_by) "
        f"AS changed_by, e.changed_at{extra} FROM {source} e LEFT JOIN imports i USING "
        "(import_id) WHERE e.pairing_id = ? ORDER BY e.date DESC, e.entry_id DESC, e.version DESC",
        [pairing_id],
    )
    refs = [*frame["observed_ref"].dropna(), *frame["recorded_by"].dropna()]
    refs += [r for who in frame["who"] for r in who]
    seen = visible | store.visible_refs(con, viewer, refs)
    for col in ("observed_ref", "recorded_by"):
        frame[col] = [None if pd.isna(v) else _mask(v, seen) for v in frame[col]]
    frame["who"] = [[_mask(r, seen) for r in who] for who in frame["who"]]
    return frame


def staff_choices(con: Connection, viewer: Viewer) -> pd.DataFrame:
    """The people this viewer may name in a pairing: staff_ref, school and role."""
    viewer.require_listing()
    vis, params = visible_staff_sql(viewer, "st")
    return query_df(
        con,
        "SELECT st.staff_ref, st.school_id, sc.name AS school, st.role FROM staff st "  # noqa: S608
        f"JOIN schools sc USING (school_id) WHERE {vis} ORDER BY sc.name, st.staff_ref",
        params,
    )


def practice_names(con: Connection) -> list[str]:
    """Every practice in the taxonomy by name (the taxonomy holds no staff data)."""
    _, rows = store.fetch(con, "SELECT name FROM skills ORDER BY name")
    return [r[0] for r in rows]


def discipline_choices(con: Connection) -> dict[str, str]:
    """skill_id -> name of every encompassing discipline in the taxonomy."""
    _, rows = store.fetch(
        con,
        "SELECT skill_id, name FROM skills WHERE kind = 'encompassing discipline' ORDER BY name",
    )
    return {r[0]: r[1] for r in rows}
