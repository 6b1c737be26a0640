"""`python -m bench [all|roster|listpage|issue_certificates] [options]` — see docs/performance.md.

    python -m bench                                  # = all: both benchmarks at their default sizes
    python -m bench roster --rows 100000 --db sqlite postgres
    python -m bench listpage --load 1000000 --runs 30
    python -m bench listpage --runs 30               # reuse the data already loaded
    python -m bench issue_certificates --n 10000 --db sqlite postgres
    python -m bench pdf --n 10000 --render 300 --db sqlite postgres   # certificate PDFs: rate, 10k ZIP
    python -m bench verify_load --db sqlite postgres --duration 10   # needs wrk (apt-get install -y wrk)
    python -m bench coverage --demo --db sqlite postgres             # R9 coverage pages on the city demo
    python -m bench coverage --load 1000000 --db sqlite postgres     # … on province-scale persons

PostgreSQL databases: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/chizheng_bench);
the roster benchmark uses `<that name>_roster`. Both are dropped and recreated.
"""

from __future__ import annotations

import sys

USAGE = __doc__ or ""
BENCHMARKS = ("all", "roster", "listpage", "issue_certificates", "pdf", "verify_load", "coverage")


def main() -> None:
    args = sys.argv[1:] or ["all"]
    name, rest = args[0], args[1:]
    if name in ("-h", "--help") or name not in BENCHMARKS:
        print(USAGE)
        raise SystemExit(0 if name in ("-h", "--help") else 2)
    from . import coverage, issue_certificates, listpage, pdf, roster, verify_load

    if name in ("all", "roster"):
        roster.main(rest if name == "roster" else [])
    if name in ("all", "listpage"):
        listpage.main(rest if name == "listpage" else ["--load", "1000000", "--runs", "30"])
    if name in ("all", "issue_certificates"):
        issue_certificates.main(rest if name == "issue_certificates" else [])
    if name in ("all", "pdf"):
        pdf.main(rest if name == "pdf" else [])
    if name in ("all", "verify_load"):
        verify_load.main(rest if name == "verify_load" else [])
    if name in ("all", "coverage"):
        coverage.main(rest if name == "coverage" else ["--demo"])


main()
