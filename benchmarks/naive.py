"""The script a user would write instead of newsq: `python naive.py DIR TOPIC`.

Newest 20 documents with the topic, as JSON. No index, no checks: glob, split,
PyYAML's C loader, filter, sort, print. Files it cannot read are skipped.
"""

import datetime as dt
import glob
import json
import os
import sys

import yaml


def published(meta: dict) -> float:
    when = meta.get("publishedDateTime")
    if isinstance(when, str):  # a quoted date stays a string
        when = dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
    return when.timestamp() if isinstance(when, dt.datetime) else float("-inf")


folder, topic = sys.argv[1], sys.argv[2]
found = []
for path in sorted(glob.glob(os.path.join(folder, "*.txt"))):
    try:
        with open(path, encoding="utf-8") as handle:
            _, front, _ = handle.read().split("---\n", 2)
        meta = yaml.load(front, Loader=yaml.CSafeLoader)
    except (ValueError, yaml.YAMLError):  # not UTF-8, no front matter, bad YAML
        continue
    if isinstance(meta, dict) and topic in (meta.get("topics") or []):
        found.append({**meta, "path": path})
found.sort(key=published, reverse=True)
print(json.dumps(found[:20], default=str, ensure_ascii=False, indent=2))
