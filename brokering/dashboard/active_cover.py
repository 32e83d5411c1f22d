"""Pairings active across the terms (`hiding.guard_terms`' last step): a term's pairings
active less the next term's are what concluded in it less what started in the next, so a
figure concluded hidden has one of those two hidden beside it — and a pairings-active figure
the viewer can tell from the figures shown (`told_active`) is never that cover, nor an
area's beside it: hiding it would protect nothing."""

from __future__ import annotations

from collections.abc import Callable

#: What concluded in a term, as the headline counts it (its pairings active less the next
#: term's give the pairings concluded in it, less those started in the next).
CONCLUDED = ("transferred", "judged", "not_transferred")


def told_active(shown: dict, figs: dict) -> bool:
    """A term's (or an area's) pairings active told by the figures shown beside them: every
    pairing active in it was judged in it (the two counts equal — a pairing judged in a term
    is active in it), and the pairings judged are shown (the transfers beside a rate shown,
    or beside no pairing not transferred: `hiding.told`). For the attacker who knows which
    kinds of pairing there are (none open after, none stopped) they are the pairings judged
    (found: JUDGED_BY_AREA_TOLD under tests/test_headline_terms_properties' check)."""
    value, judged = figs["active"][0], figs.get("judged", (None, 0))[0]
    if not value or value != judged or shown["transferred"][1]:
        return False
    rate_shown = not shown.get("rate", (None, True))[1] and bool(figs["transferred"][0])
    return rate_shown or not figs.get("not_transferred", (1, 0))[0]


def guard_active(
    figs: list[dict], out: list[dict], hide: Callable[[int, str | None, str], None]
) -> None:
    """Pairings active across the terms (`out` in term order): a term's less the next
    term's is what concluded in it less what started in the next — where nothing could have
    started (the next term's is 0, or its starts are known) that is the pairings concluded,
    so where a term's concluded figure is hidden and both pairings active are shown, one of
    them is hidden too: the next term's, resting on someone the viewer cannot see and not
    told by the figures shown (`told_active`; else this term's). An area's hidden with it
    keeps the areas' rule (`hiding.guard_areas`): never exactly one of a term's areas hidden
    beside its whole shown, never one alone beside it hidden — an area whose figure is told
    is no cover: where only such areas are left beside one hidden, the whole is hidden
    instead (the hidden one is then the whole less figures the viewer can tell)."""

    def told(k: int, area: str | None) -> bool:
        return told_active(out[k][area], figs[k][area])

    def open_to_cover(k: int, area: str | None) -> bool:
        """Shown, resting on someone the viewer cannot see, and not told: a cover."""
        shown = not out[k][area]["active"][1]
        return shown and figs[k][area]["active"][1] > 0 and not told(k, area)

    def settle(k: int) -> None:
        areas = sorted(a for a in out[k] if a is not None)
        while areas:
            hidden = sum(out[k][a]["active"][1] for a in areas)
            whole = out[k][None]["active"][1] if None in out[k] else False
            if not (hidden == 1 and not whole) and not (whole and hidden < 2):
                return
            open_ = [a for a in areas if open_to_cover(k, a)]
            if open_:
                hide(k, min(open_, key=lambda a: (figs[k][a]["active"][1], a)), "active")
            elif not whole and None in out[k] and any(told(k, a) for a in areas):
                hide(k, None, "active")  # the rest told: the whole is the cover
            else:
                return

    for _ in range(4 * len(out)):  # each pass only hides: a few are enough
        changed = False
        # The whole first, then the areas by name: never the order the figures were read
        # in, which a store's reads need not keep (which figure is hidden follows it).
        for area in sorted(out[0], key=lambda a: (a is not None, a or "")) if out else ():
            for k in range(len(out) - 1):
                here, after = out[k][area], out[k + 1][area]
                if not any(here[key][1] for key in CONCLUDED if key in here):
                    continue
                if here["active"][1] or after["active"][1]:
                    continue
                j = k + 1 if open_to_cover(k + 1, area) else k
                hide(j, area, "active")
                settle(j)
                changed = True
        if not changed:
            return
