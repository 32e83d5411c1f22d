"""The benchmark's schools: the real register of England's schools, cleaned (independent
schools, colleges, Welsh and offshore authorities dropped; phases mapped to the product's).
Apart from `generate` so the register's defects, and how each is handled, read in one place."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SCHOOLS_FILE = Path(
    os.environ.get("BENCH_SCHOOLS_FILE", "/work/shared/data/schools_england_open.csv")
)
#: 451 rows of that register (with its defects) kept beside the harness: the smoke scale
#: uses them when the full register is not on the machine.
SCHOOLS_SAMPLE = HERE / "data" / "schools_england_sample.csv"

WELSH_LAS = frozenset(
    {
        "Blaenau Gwent",
        "Bridgend",
        "Caerphilly",
        "Cardiff",
        "Carmarthenshire",
        "Ceredigion",
        "Conwy",
        "Denbighshire",
        "Flintshire",
        "Gwynedd",
        "Isle of Anglesey",
        "Merthyr Tydfil",
        "Monmouthshire",
        "Neath Port Talbot",
        "Newport",
        "Pembrokeshire",
        "Powys",
        "Rhondda Cynon Taf",
        "Swansea",
        "Torfaen",
        "Vale of Glamorgan",
        "Wrexham",
    }
)
_NOT_ENGLAND = re.compile(r"Offshore Establishments|Overseas Establishments|^Does not apply$")
_AP_WORDS = re.compile(
    r"pupil referral|\bpru\b|alternative|tuition|short stay|inclusion|learning centre|"
    r"learning service|hospital|medical|education centre|\bap academy\b",
    re.IGNORECASE,
)
_PRIMARY_WORDS = re.compile(r"primary|infant|junior|first school", re.IGNORECASE)
PHASE_MAP = {
    "Primary": "primary",
    "Secondary": "secondary",
    "Nursery": "nursery",
    "16 plus": "16 plus",
    "All-through": "all-through",
    "Middle deemed secondary": "middle",
    "Middle deemed primary": "middle",
}


# --------------------------------------------------------------------------------------------
# Schools: the real register, cleaned
# --------------------------------------------------------------------------------------------
def schools_file(full: bool = True) -> Path:
    """The register; for small scales (`full=False`) the bundled sample will do."""
    if SCHOOLS_FILE.exists():
        return SCHOOLS_FILE
    if not full:
        return SCHOOLS_SAMPLE
    raise FileNotFoundError(
        f"The schools register is not at {SCHOOLS_FILE}; set BENCH_SCHOOLS_FILE to its path."
    )


def _school_phase(row_phase: str, row_type: str, name: str) -> str:
    if row_phase in PHASE_MAP:
        return PHASE_MAP[row_phase]
    # "Not applicable": special schools, PRUs/AP, and a few academies with odd age ranges.
    if row_type == "Special School":
        return "special"
    if _AP_WORDS.search(name):
        return "alternative provision"
    if _PRIMARY_WORDS.search(name):
        return "primary"
    if row_type in ("Maintained School", "Academy"):
        return "secondary"
    return "special"


def load_state_schools(path: Path | None = None) -> pd.DataFrame:
    """England's state-funded schools from the register, cleaned: independent schools,
    colleges, Welsh and offshore/overseas local authorities dropped; a blank type is kept as
    state-funded; literal 'nan' cells are blanks; the mis-decoded Windows-1252 apostrophe
    (U+0092) becomes "'"; phases mapped to the product's school phases (special schools from
    their type, PRUs and alternative provision from their names)."""
    raw = pd.read_csv(path or schools_file(), dtype=str, keep_default_na=False, encoding="utf-8")
    raw = raw.apply(lambda c: c.str.strip().replace("nan", ""))
    raw["name"] = raw["name"].str.replace("\x92", "'", regex=False)
    keep = (
        ~raw["type_2018"].isin(["Independent School", "College"])
        & ~raw["la_name"].isin(WELSH_LAS)
        & ~raw["la_name"].str.contains(_NOT_ENGLAND)
    )
    df = raw[keep].copy()
    df["phase"] = [
        _school_phase(p, t, n)
        for p, t, n in zip(df["phase"], df["type_2018"], df["name"], strict=True)
    ]
    df["number_on_roll"] = pd.to_numeric(df["number_on_roll"], errors="coerce")
    fallback = df.groupby("phase")["number_on_roll"].median()
    missing = df["number_on_roll"].isna() | (df["number_on_roll"] <= 0)
    df.loc[missing, "number_on_roll"] = df.loc[missing, "phase"].map(fallback).fillna(200)
    df["roll_imputed"] = missing
    for col in ("lat", "lng"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    bad = ~df["lat"].between(49, 61) | ~df["lng"].between(-8.5, 2)
    df.loc[bad, ["lat", "lng"]] = np.nan
    df = df.sort_values("urn", key=lambda s: s.astype(int)).reset_index(drop=True)
    cols = ["urn", "name", "la_name", "phase", "postcode", "lat", "lng", "number_on_roll"]
    return df[[*cols, "roll_imputed"]]
