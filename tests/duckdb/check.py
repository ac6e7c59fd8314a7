"""What DuckDB reads from a vigil Parquet dataset (tests/parquet_duckdb.rs compares it with
vigil's own counts): rows, counts by format, host and event_id, the time range of the
events with a plausible time, and rows whose `date=` partition is not their day."""
import json
import sys

import duckdb

dataset = sys.argv[1]
con = duckdb.connect()
con.execute(
    "create view ev as select *, epoch_us(ts) * 1000 + ts_nanos as ns "
    f"from read_parquet('{dataset}/**/*.parquet', hive_partitioning = true)"
)


def counts(expr):
    rows = con.execute(f"select {expr} as k, count(*) from ev group by k").fetchall()
    return {("" if k is None else str(k)): n for k, n in rows}


first, last = con.execute("select min(ns), max(ns) from ev where not bad_time").fetchone()
misplaced = con.execute(
    "select count(*) from ev where cast(date as varchar) <> "
    "strftime(make_timestamp(epoch_us(ts)), '%Y-%m-%d')"
).fetchone()[0]
columns = [r[0] for r in con.execute("describe ev").fetchall()]
# Sigma titles per event, when the export ran detections.
rules = (
    con.execute("select count(*) from (select unnest(rules) from ev)").fetchone()[0]
    if "rules" in columns
    else None
)
print(
    json.dumps(
        {
            "rows": con.execute("select count(*) from ev").fetchone()[0],
            "format": counts("format"),
            "host": counts("host"),
            # An id its integer column could not hold is in norm_text.
            "event_id": counts("coalesce(cast(event_id as varchar), norm_text['event_id'])"),
            "first": first,
            "last": last,
            "misplaced": misplaced,
            "rules": rules,
            "files": con.execute(
                f"select count(*) from glob('{dataset}/**/*.parquet')"
            ).fetchone()[0],
        },
        sort_keys=True,
    )
)
