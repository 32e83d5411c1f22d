"""The headteachers' dashboard: transfer evidence, flows between schools, maturity.

Every figure here is an aggregate across schools, so every function takes the acting
viewer and passes cells that rest on fewer than the suppression threshold of people through
`visibility.suppress` — except for the alliance administrator, who can list them anyway.
"""
