"""The query stage's language: what a user asks for, read and checked.

filters.py    filters and sort orders, as SQL over the snapshot and as Python
dates.py      dates as people write them (`2020-06`, `3 days ago`, `7d`)
language.py   the search query language, read into FTS5 expressions
fields.py     `--fields` checked against the fields a corpus has
similar.py    did you mean: the known values closest to a mistyped one
"""
