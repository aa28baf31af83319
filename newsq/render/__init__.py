"""The render stage: results drawn for people and written for programs.

output.py     where output goes: stdout and stderr, terminal or pipe, progress
formats.py    JSON, JSONL, CSV and picked fields
escape.py     data made harmless for a terminal
tables.py     tables of documents, hits, stories and counts
panels.py     a document shown whole, a story told, statistics, the cache
markup.py     HTML in a body turned into Markdown
"""
