# ruff: noqa: S608 - the SQL below is built from code constants; values are parameters.
"""The transfer rule, once: which observations show that practice moved.

A pairing counts as *transferred* only on an observation that shows change:
- of a **recipient's** practice (not a donor's: a visit to the donor's classroom shows where
  the practice came from, not where it went);
- **by someone other than that recipient** (never `self`: a self-report is a reflection);
- dated **after the pairing's work began** (on the start date it can only be a baseline);
- **not a baseline**: an entry logged as a *baseline observation*, or an observation dated on
  the start date, records where the practice stood and never counts;
- **rated** at or above the stated level (`settings.TRANSFER_LEVEL`, 3 = good / secure on the
  1-4 scale) — an observation with no rating of what was seen shows nothing either way;
- and, **where a baseline was recorded, better than it**: higher than every baseline rating of
  that recipient in the pairing (a baseline observation's rating, or the "before" rating on
  the observation itself).

`observations_sql` marks every observation of a log with `why_not` — NULL when it counts,
otherwise the first rule it fails — so the move, the lists, the dashboard, the import and
the one-off check all read the same definition; `reason` turns a `why_not` into words.
"""

from __future__ import annotations

from brokering.pairings.model import BASELINE, SELF_LABELS
from brokering.settings import TRANSFER_LEVEL


def is_baseline_sql(log: str = "l", pairing: str = "pr") -> str:
    """True for a log entry that records a baseline (never evidence of transfer)."""
    return (
        f"({log}.entry_type = '{BASELINE}' OR "
        f"({log}.entry_type = 'observation' AND {log}.date <= {pairing}.start_date))"
    )


def observations_sql(log: str, pairings: str, members: str, level: int = TRANSFER_LEVEL) -> str:
    """A SELECT of every observation (baselines included) in `log`, with the pairing's
    `start_date`, the observed person's `side`, the `baseline` rating it must beat and
    `why_not`: NULL when the observation counts as evidence of transfer.

    `log` needs pairing_id, entry_type, date, observed_ref, recorded_by, rating_before and
    rating_after; `pairings` pairing_id and start_date; `members` pairing_id, staff_ref and
    side. Each may be a table name or a parenthesised SELECT."""
    level = int(level)
    selfish = ", ".join(f"'{s}'" for s in SELF_LABELS)
    return f"""
    SELECT l.*, pr.start_date AS pairing_start, m.side,
           greatest(b.rating, TRY_CAST(l.rating_before AS INTEGER)) AS baseline,
           CASE
             WHEN {is_baseline_sql("l", "pr")} THEN 'baseline'
             WHEN l.observed_ref IS NULL OR m.side IS NULL THEN 'nobody'
             WHEN m.side <> 'recipient' THEN 'donor'
             WHEN l.recorded_by IS NULL OR trim(l.recorded_by) = '' THEN 'no observer'
             WHEN l.recorded_by = l.observed_ref OR lower(l.recorded_by) IN ({selfish})
               THEN 'self'
             WHEN TRY_CAST(l.rating_after AS INTEGER) IS NULL THEN 'no rating'
             WHEN TRY_CAST(l.rating_after AS INTEGER) < {level} THEN 'below level'
             WHEN TRY_CAST(l.rating_after AS INTEGER)
                  <= greatest(b.rating, TRY_CAST(l.rating_before AS INTEGER)) THEN 'no better'
           END AS why_not
    FROM {log} l
    JOIN (SELECT DISTINCT pairing_id, start_date FROM {pairings}) pr
      ON pr.pairing_id = l.pairing_id
    LEFT JOIN {members} m ON m.pairing_id = l.pairing_id AND m.staff_ref = l.observed_ref
    LEFT JOIN (
        SELECT bl.pairing_id, bl.observed_ref,
               max(greatest(TRY_CAST(bl.rating_before AS INTEGER),
                            TRY_CAST(bl.rating_after AS INTEGER))) AS rating
        FROM {log} bl
        JOIN (SELECT DISTINCT pairing_id, start_date FROM {pairings}) bp
          ON bp.pairing_id = bl.pairing_id
        WHERE {is_baseline_sql("bl", "bp")}
        GROUP BY ALL
    ) b ON b.pairing_id = l.pairing_id AND b.observed_ref = l.observed_ref
    WHERE l.entry_type IN ('observation', '{BASELINE}')
    """


def reason(
    why_not: str, rating: int | None, baseline: int | None, level: int = TRANSFER_LEVEL
) -> str:
    """Why one observation does not count, in words a coordinator can act on."""
    return {
        "baseline": "is a baseline (where the practice stood before the work), which never counts",
        "nobody": "does not say whose practice was seen, or saw someone outside the pairing",
        "donor": "saw a donor's practice, not a recipient's",
        "no observer": "does not say who made the observation",
        "self": "was recorded by the recipient themselves (a self-report, not an observation)",
        "no rating": "has no rating of the practice seen",
        "below level": f"rates the practice {rating}, below the {level} needed",
        "no better": f"rates the practice {rating}, no better than the baseline of {baseline}",
    }.get(why_not, why_not)


def rule_text(level: int = TRANSFER_LEVEL) -> str:
    """The rule in one sentence, for refusals and page captions."""
    return (
        "a pairing counts as transferred only on an observation of a recipient's practice, "
        "by someone other than that recipient, dated after the work began, rated at least "
        f"{level} (of 4) and, where a baseline was recorded, better than it; a baseline "
        "never counts"
    )
