"""Spark (local mode) reads a vigil Parquet dataset as vigil reads the evidence.

Run by hand, NOT in CI (a JVM and the 10 M-event sample are too heavy for it; CI checks the
same counts with DuckDB: tests/parquet_duckdb.rs, tests/duckdb/check.py). Needs a JRE 17+
and `pyspark` (and `duckdb` for the README query comparison):

    vigil sample --scale 2000 -o /tmp/big10m
    vigil export /tmp/big10m -F parquet -o /tmp/big10m-pq
    python tests/spark/check.py /tmp/big10m-pq /tmp/big10m [path/to/vigil]

Spark's counts by `format`, `host` and `event_id`, its row count and time range are compared
with vigil's own (`vigil stats --json` and `vigil export -F jsonl` of the evidence), and the
README's "Beyond one box" Spark SQL and DuckDB queries are run as written (only the dataset
path replaced) and must give the same answer. Prints what it found as JSON; exits 1 on any
difference.
"""
import calendar
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime

from pyspark.sql import SparkSession

README = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")
README_DATASET = "/mnt/ir/dataset"


def readme_query(lang_marker):
    """The SQL block of README's "Beyond one box" that follows the line `lang_marker`."""
    text = open(README, encoding="utf-8").read()
    section = text.split("## Beyond one box", 1)[1].split("\n## ", 1)[0]
    m = re.search(re.escape(lang_marker) + r"\n```sql\n(.*?)```", section, re.S)
    if not m:
        sys.exit(f"README: no SQL block after {lang_marker!r}")
    return m.group(1)


def spark_counts(spark, dataset):
    spark.read.parquet(dataset).createOrReplaceTempView("ds")
    spark.sql(
        "create or replace temporary view vigil_ev as "
        "select *, unix_micros(ts) * 1000 + ts_nanos as ns from ds"
    )

    def one(sql):
        return spark.sql(sql).collect()[0][0]

    def counts(expr):
        rows = spark.sql(f"select {expr} as k, count(*) as n from vigil_ev group by k").collect()
        return {("" if r["k"] is None else str(r["k"])): r["n"] for r in rows}

    first, last = spark.sql("select min(ns), max(ns) from vigil_ev where not bad_time").collect()[0]
    return {
        "rows": one("select count(*) from vigil_ev"),
        "format": counts("format"),
        "host": counts("host"),
        # An id its integer column could not hold is in norm_text.
        "event_id": counts("coalesce(cast(event_id as string), norm_text['event_id'])"),
        "first": first,
        "last": last,
        "misplaced": one(
            "select count(*) from vigil_ev where cast(date as string) <> date_format(ts, 'yyyy-MM-dd')"
        ),
        "files": len(spark.read.parquet(dataset).inputFiles()),
    }


def vigil_counts(vigil, evidence):
    stats = json.loads(subprocess.run([vigil, "stats", "--json", evidence], check=True,
                                      capture_output=True).stdout)
    keys = ("format", "host", "event_id")
    counts = {k: Counter() for k in keys}
    rows = 0
    with subprocess.Popen([vigil, "export", "-F", "jsonl", evidence],
                          stdout=subprocess.PIPE) as p:
        for line in p.stdout:
            ev = json.loads(line)
            rows += 1
            for k in keys:
                v = ev.get(k)
                counts[k]["" if v is None else str(v)] += 1
    if p.returncode:
        sys.exit(f"vigil export failed ({p.returncode})")
    return stats, rows, {k: dict(c) for k, c in counts.items()}


def ns(rfc3339):
    """RFC 3339 with up to nine fraction digits → UTC nanoseconds (exact, no float)."""
    m = re.fullmatch(r"(.{19})(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)", rfc3339)
    whole = datetime.fromisoformat(m.group(1) + ("+00:00" if m.group(3) == "Z" else m.group(3)))
    return int(whole.timestamp()) * 10**9 + int((m.group(2) or "0").ljust(9, "0"))


def first_logon(spark, dataset):
    """The README's Spark SQL and DuckDB queries, as written, on `dataset`."""
    sql = readme_query("Spark SQL:").replace(README_DATASET, dataset)
    *setup, query = [s.strip() for s in sql.split(";") if s.strip()]
    for s in setup:
        spark.sql(s)
    # PySpark hands timestamps over as naive local times: local is UTC here (main).
    got = [[str(v) if k != "ts" else calendar.timegm(v.timetuple()) * 10**6 + v.microsecond
            for k, v in r.asDict().items()]
           for r in spark.sql(query).collect()]
    try:
        import duckdb
    except ImportError:
        return got, None
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    dsql = readme_query("DuckDB:").replace(README_DATASET, dataset).rstrip().rstrip(";")
    dsql = f"select epoch_us(ts) as ts, * exclude (ts) from ({dsql})"
    duck = [[str(v) if i else v for i, v in enumerate(r)] for r in con.execute(dsql).fetchall()]
    return got, duck


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    os.environ["TZ"] = "UTC"
    time.tzset()
    dataset = os.path.abspath(sys.argv[1])
    evidence = sys.argv[2] if len(sys.argv) > 2 else None
    vigil = sys.argv[3] if len(sys.argv) > 3 else "vigil"
    spark = (
        SparkSession.builder.master(os.environ.get("SPARK_MASTER", "local[2]"))
        .appName("vigil-parquet-check")
        .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "3g"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("WARN")
    got = spark_counts(spark, dataset)
    spark_answer, duck_answer = first_logon(spark, dataset)
    spark.stop()
    report = {"spark": got, "first_logon": {"spark": spark_answer, "duckdb": duck_answer}}
    bad = []
    if got["misplaced"]:
        bad.append("rows outside their date= partition")
    if not spark_answer:
        bad.append("README Spark SQL query found no logon")
    if duck_answer is not None and spark_answer != duck_answer:
        bad.append("README Spark SQL and DuckDB queries disagree")
    if evidence:
        stats, rows, counts = vigil_counts(vigil, evidence)
        want = {"rows": stats["events"], "jsonl_rows": rows, **counts,
                "first": ns(stats["first"]), "last": ns(stats["last"])}
        report["vigil"] = {k: v for k, v in want.items() if k in ("rows", "first", "last")}
        for k in ("rows", "format", "host", "event_id", "first", "last"):
            if got[k] != want[k]:
                bad.append(f"{k}: spark {got[k]!r} != vigil {want[k]!r}")
        if rows != stats["events"]:
            bad.append(f"vigil export wrote {rows} rows, stats counts {stats['events']}")
    report["differences"] = bad
    print(json.dumps(report, sort_keys=True, indent=1))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
