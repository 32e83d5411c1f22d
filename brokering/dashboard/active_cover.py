"""Pairings active across the terms (`hiding.guard_terms`' last step): a term's pairings
active less the next term's are what concluded in it less what started in the next, so a
figure concluded hidden has one of those two hidden beside it. Kept apart from `hiding`
so each module stays one a reader can hold."""

from __future__ import annotations

from collections.abc import Callable

#: What concluded in a term, as the headline counts it (its pairings active less the next
#: term's give the pairings concluded in it, less those started in the next).
CONCLUDED = ("transferred", "judged", "not_transferred")


def guard_active(
    figs: list[dict], out: list[dict], hide: Callable[[int, str | None, str], None]
) -> None:
    """Pairings active across the terms (`out` in term order): a term's less the next
    term's is what concluded in it less what started in the next — where nothing could have
    started (the next term's is 0, or its starts are known) that is the pairings concluded,
    so where a term's concluded figure is hidden and both pairings active are shown, one of
    them is hidden too: the next term's, resting on someone the viewer cannot see (else this
    term's). An area's hidden with it keeps the areas' rule (`guard_areas`): never exactly
    one of a term's areas hidden beside its whole shown, never one alone beside it hidden."""

    def settle(k: int) -> None:
        areas = sorted(a for a in out[k] if a is not None)
        while areas:
            hidden = sum(out[k][a]["active"][1] for a in areas)
            whole = out[k][None]["active"][1] if None in out[k] else False
            if not (hidden == 1 and not whole) and not (whole and hidden < 2):
                return
            open_ = [a for a in areas if not out[k][a]["active"][1] and figs[k][a]["active"][1]]
            if not open_:
                return
            hide(k, min(open_, key=lambda a: (figs[k][a]["active"][1], a)), "active")

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
                value, people = figs[k + 1][area]["active"]
                j = k + 1 if value and people else k
                hide(j, area, "active")
                settle(j)
                changed = True
        if not changed:
            return
