"""The store stage: the snapshot, one SQLite database per corpus, and the cache folder.

schema.py     the tables, and every name and constant of how the corpus is stored
snapshot.py   opening, checking, locking, reading and writing one snapshot
rows.py       what one parsed file puts in it; records as stored
views.py      the documented SQL views over it: the stable face user SQL sees
stories.py    the stories kept in it
search_text.py  the text the full-text index reads: made when indexed, derived again when read
visible.py    the text a reader sees of an HTML body or excerpt
terms.py      the full-text index's vocabulary, and the list of it kept for corrections
cache.py      where snapshots live; the cache folder as a whole
lock.py       one writer at a time
"""
