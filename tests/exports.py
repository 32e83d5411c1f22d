"""School systems' exports as they come, written the way each system lays them out (title
rows, blank rows, several sheets, Windows-1252, names and e-mails beside the codes).

Every person here is invented. Staff codes A1-A3, B1-B3, C1 are the tiny alliance's (tests/
data/tiny); A4, A5, B4 are new. Each function writes its file into `folder` and returns it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

#: Names and e-mails in these files: none may ever reach the store, a report or the audit.
PERSONAL = (
    "Zoë",
    "O’Neill",
    "Brûlé",
    "Okonkwo",
    "Featherstonehaugh",
    "z.oneill@alder.example.sch.uk",
    "j.brule@alder.example.sch.uk",
    "Quill",
    "Abernethy",
)


def _csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)
    return path


def _book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def sims_staff_details(folder: Path) -> Path:
    """SIMS reporting "Staff Details": Windows-1252 CSV, a title, a printed-by line and a
    blank row above the header."""
    return _csv(
        folder / "Staff Details (3).csv",
        [
            ["Staff Details", "", "", "", "", "", "", "", "", "", "", ""],
            ["Printed 01/09/2026 08:15", "", "", "", "", "", "", "", "", "", "", ""],
            [""] * 12,
            [
                "Staff Code",
                "Title",
                "Forename",
                "Surname",
                "Employee Number",
                "Role",
                "Post",
                "Gender",
                "Date of Birth",
                "Start Date",
                "Leaving Date",
                "Email",
            ],
            [
                "A4",
                "Mrs",
                "Zoë",
                "O’Neill",
                "004417",
                "Teacher",
                "Class Teacher",
                "F",
                "12/03/1985",
                "01/09/2019",
                "",
                "z.oneill@alder.example.sch.uk",
            ],
            [
                "A5",
                "Mr",
                "José",
                "Brûlé",
                "004418",
                "Teaching Assistant",
                "HLTA",
                "M",
                "02/11/1990",
                "01/09/2021",
                "31/08/2026",
                "j.brule@alder.example.sch.uk",
            ],
        ],
        encoding="cp1252",
    )


def arbor_staff(folder: Path) -> Path:
    """Arbor "Staff" export: one title row above the headers."""
    return _book(
        folder / "arbor-export-2026-09-01.xlsx",
        {
            "Staff": [
                ["Staff Members (exported 01/09/2026)"],
                [
                    "Staff ID",
                    "Legal First Name",
                    "Legal Last Name",
                    "Preferred First Name",
                    "Job Title",
                    "Business Role",
                    "Email Address",
                    "Start Date",
                    "End Date",
                ],
                [
                    "B4",
                    "Adaeze",
                    "Okonkwo",
                    "Ada",
                    "Teacher",
                    "Teaching staff",
                    "a.okonkwo@birch.example.org",
                    "2022-09-01",
                    None,
                ],
            ]
        },
    )


def bromcom_staff(folder: Path) -> Path:
    """Bromcom staff list: a title row and a blank row above the headers."""
    return _book(
        folder / "StaffList.xlsx",
        {
            "Staff List": [
                ["Staff List - Cedar School"],
                [None],
                [
                    "Staff Code",
                    "Title",
                    "First Name",
                    "Last Name",
                    "Role",
                    "Department",
                    "Subjects Taught",
                    "Email",
                    "Start Date",
                    "Leave Date",
                ],
                [
                    "C3",
                    "Dr",
                    "Hugo",
                    "Featherstonehaugh",
                    "Middle Leader",
                    "Science",
                    "Chemistry",
                    "h.fh@cedar.example.org",
                    "2018-01-04",
                    None,
                ],
            ]
        },
    )


def observation_tracker(folder: Path) -> Path:
    """A lesson-observation tracker: an instructions sheet first, titles and blank rows."""
    return _book(
        folder / "Obs tracker 2025-26 FINAL v2.xlsx",
        {
            "Read me": [["How to use this tracker"], ["Enter one row per observation."]],
            "Observations": [
                ["Alder Primary - Lesson observations 2025-26"],
                [None],
                [
                    "Staff Code",
                    "Teacher",
                    "Date of Observation",
                    "Observer",
                    "Subject",
                    "Year Group",
                    "Focus",
                    "Overall Judgement",
                    "Strengths",
                    "Areas for Development",
                ],
                [
                    "A2",
                    "Mrs Quill",
                    "2026-03-03",
                    "SLT",
                    "Mathematics",
                    "Year 2",
                    "Questioning",
                    "Good",
                    "Clear modelling",
                    "Pace",
                ],
                [None] * 10,
                [
                    "A3",
                    "Mr Abernethy",
                    "2026-03-10",
                    "HoD",
                    "Mathematics",
                    "Year 6",
                    "Feedback",
                    "Outstanding",
                    "Precise questioning",
                    "",
                ],
            ],
        },
    )


def cpd_log(folder: Path) -> Path:
    """A CPD log: course titles, no grade, no observer."""
    return _csv(
        folder / "CPD log.csv",
        [
            ["Staff Code", "Name", "Course Title", "Provider", "Date Attended", "Hours"],
            ["A2", "Mrs Quill", "Questioning", "Maths Hub", "2026-02-02", "6"],
            ["B3", "Mr Abernethy", "Behaviour management", "Trust CPD", "2026-02-09", "3"],
        ],
    )


def appraisal_objectives(folder: Path) -> Path:
    return _book(
        folder / "Appraisal objectives 2026.xlsx",
        {
            "Objectives": [
                ["Appraisal objectives - Autumn 2026"],
                [
                    "Objective ID",
                    "Staff Code",
                    "Objective",
                    "Objective Area",
                    "Date Set",
                    "Review Date",
                    "Status",
                    "Reviewer",
                ],
                [
                    "OBJ-7",
                    "A3",
                    "Improve questioning in maths",
                    "Questioning",
                    "2026-09-15",
                    "2027-03-01",
                    "In progress",
                    "Mrs Quill",
                ],
            ]
        },
    )


def forms_consent(folder: Path) -> Path:
    """Microsoft Forms responses: identified by e-mail, the question as the header."""
    return _csv(
        folder / "Alliance sharing consent(1-2).csv",
        [
            [
                "ID",
                "Start time",
                "Completion time",
                "Email",
                "Name",
                "Last modified time",
                "Are you happy for partner schools in the alliance to find you as a coach?",
            ],
            [
                "1",
                "2026-09-20 10:01:02",
                "2026-09-20 10:02:40",
                "z.oneill@alder.example.sch.uk",
                "Zoë O’Neill",
                "",
                "Yes",
            ],
        ],
        encoding="utf-8-sig",
    )


#: Microsoft Forms' own columns before the questions, as its Excel download lays them out.
FORMS_COLUMNS = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]


def forms_consent_xlsx(folder: Path, answers: list[list[object]], question: str) -> Path:
    """Microsoft Forms responses as its "Open results in Excel" download: one sheet,
    "Sheet1", the answers in an Excel table, the times as real date-time cells shown in the
    US order Forms uses on screen (the value, not the display, is what is read)."""
    from openpyxl.worksheet.table import Table

    path = folder / "Alliance sharing consent(1-3).xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append([*FORMS_COLUMNS, question])
    for row in answers:
        ws.append(row)
    for cells in ws.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in cells:
            cell.number_format = "m/d/yy h:mm:ss"
    ws.add_table(Table(displayName="Table1", ref=ws.dimensions))
    wb.save(path)
    return path


def coaching_platform(folder: Path) -> Path:
    """An instructional-coaching platform's export: people only by e-mail."""
    return _csv(
        folder / "coaching_export.csv",
        [
            [
                "Coach Email",
                "Coach Name",
                "Teacher Email",
                "Teacher Name",
                "Action Step",
                "First Session",
                "Last Session",
                "Sessions",
                "Total Hours",
            ],
            [
                "h.fh@cedar.example.org",
                "Hugo Featherstonehaugh",
                "a.okonkwo@birch.example.org",
                "Adaeze Okonkwo",
                "Questioning",
                "2026-01-12",
                "2026-03-02",
                "6",
                "4.5",
            ],
        ],
    )


ALL = (
    sims_staff_details,
    arbor_staff,
    bromcom_staff,
    observation_tracker,
    cpd_log,
    appraisal_objectives,
    forms_consent,
    coaching_platform,
)


#: GIAS "all establishment data" columns, in the register's order (a subset: the download has
#: over a hundred; the rest are dropped the same way).
GIAS_HEADER = [
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (name)",
    "EstablishmentStatus (name)",
    "OpenDate",
    "CloseDate",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "Street",
    "Town",
    "Postcode",
    "HeadTitle (name)",
    "HeadFirstName",
    "HeadLastName",
    "Easting",
    "Northing",
]


def gias_register(folder: Path) -> Path:
    """Get Information About Schools, as downloaded: Windows-1252 CSV, the register's own
    headers, grid references (OSGB36 Easting/Northing) instead of latitude and longitude,
    "Middle deemed secondary" phases, a special school whose phase is "Not applicable", a
    closed school and one without a grid reference. The schools are invented; the grid
    references are real places (see tests/test_register.py)."""
    return _csv(
        folder / "edubasealldata20260901.csv",
        [
            GIAS_HEADER,
            [
                "900001",
                "909",
                "Cumbria",
                "2001",
                "Alder Vale Primary School",
                "Community school",
                "Open",
                "01-09-1974",
                "",
                "Primary",
                "4",
                "11",
                "1 Alder Lane",
                "Keswick",
                "CA12 5AA",
                "Mrs",
                "Ann",
                "Quill",
                "530295",
                "190460",
            ],
            [
                "900002",
                "909",
                "Cumbria",
                "4001",
                "Birch Middle School",
                "Foundation school",
                "Open",
                "",
                "",
                "Middle deemed secondary",
                "9",
                "13",
                "2 Birch Road",
                "Penrith",
                "CA11 7BB",
                "Mr",
                "Jon",
                "Abernethy",
                "394127",
                "805872",
            ],
            [
                "900003",
                "909",
                "Cumbria",
                "7001",
                "Cedar Special School",
                "Community special school",
                "Open",
                "",
                "",
                "Not applicable",
                "2",
                "19",
                "3 Cedar Way",
                "Carlisle",
                "CA1 3CC",
                "Dr",
                "Kay",
                "Brûlé",
                "547374",
                "179035",
            ],
            [
                "900004",
                "909",
                "Cumbria",
                "2002",
                "Damson Infant School",
                "Community school",
                "Closed",
                "",
                "31-08-2019",
                "Primary",
                "4",
                "7",
                "4 Damson St",
                "Kendal",
                "LA9 4DD",
                "",
                "",
                "",
                "351000",
                "492000",
            ],
            [
                "900005",
                "909",
                "Cumbria",
                "3001",
                "Elm Church of England Primary School",
                "Voluntary aided school",
                "Open, but proposed to close",
                "",
                "",
                "Primary",
                "4",
                "11",
                "5 Elm Grove",
                "Ulverston",
                "LA12 5EE",
                "Ms",
                "Bo",
                "O’Neill",
                "",
                "",
            ],
        ],
        encoding="cp1252",
    )
