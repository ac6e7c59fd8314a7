"""Validates a vigil Timesketch export with Timesketch's own importer code.

Usage: python check.py FILE.jsonl
Runs timesketch.lib.utils.read_and_validate_jsonl (what the server runs on upload), then
checks what the importer lets through silently but that would misplace or garble events:
datetime must carry an offset and name the same microsecond as timestamp, keys must be
flat, tag a list of strings, and each key keeps one JSON type across lines.
Prints "ok N" and exits 0, or prints the problem and exits 1.
"""
import datetime
import json
import sys

from timesketch.lib import utils

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def main(path):
    if not path.endswith(".jsonl"):
        raise SystemExit("Timesketch imports only *.jsonl files: " + path)
    with open(path, encoding="utf-8") as f:
        rows = list(utils.read_and_validate_jsonl(f))
    types = {}
    for n, row in enumerate(rows, 1):
        dt = datetime.datetime.fromisoformat(row["datetime"])
        if dt.tzinfo is None:
            raise SystemExit(f"line {n}: datetime without offset: {row['datetime']}")
        us = (dt - EPOCH) // datetime.timedelta(microseconds=1)
        if us != row["timestamp"]:
            raise SystemExit(f"line {n}: datetime {row['datetime']} != timestamp {row['timestamp']}")
        if not isinstance(row["message"], str) or not row["message"]:
            raise SystemExit(f"line {n}: empty message")
        for k, v in row.items():
            if "." in k:
                raise SystemExit(f"line {n}: dotted key {k}")
            if isinstance(v, dict):
                raise SystemExit(f"line {n}: nested object under {k}")
            t = type(v).__name__
            if types.setdefault(k, t) != t:
                raise SystemExit(f"line {n}: {k} is {t} here, {types[k]} before")
        if "tag" in row and not all(isinstance(x, str) for x in row["tag"]):
            raise SystemExit(f"line {n}: tag is not a list of strings")
    tagged = sum(1 for r in rows if r.get("tag"))
    print(f"ok {len(rows)} tagged {tagged}")


if __name__ == "__main__":
    main(sys.argv[1])
