"""The ingest stage: files found and parsed, and a snapshot brought up to date with them.

scan.py       walking the data roots: document files, one stat each, ids, a fingerprint
parse.py      one file into a lossless record, its light columns and search words, or problems
fast_yaml.py  front matter from libyaml's events: exactly PyYAML's result, twice as fast
shape.py      a record's field paths and types
features.py   what grouping into stories needs of a document: stemmed words, addresses
update.py     what changed, parsed on every core, written into the snapshot
"""
