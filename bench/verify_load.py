"""Public verification under load: `python -m bench verify_load [--db sqlite postgres] [--duration 10]`.

Per database: a fresh database with the demo Jiaozuo (`chizheng demo`: a few thousand certificates issued
through the one issuance service, some revoked or reissued), served the way `make run` serves it
(`manage.py serve` = gunicorn, `--workers` as `serve` defaults, on a free port, the background worker off).
wrk then drives, with the same threads, connections and duration for each:

    /healthz                                the trivial health endpoint: the same server's ceiling
    /api/v1/verify?number=…&name=…          the public verification API
    /verify/t/<token>/                      the verification page of the QR code

rotating (a Lua script) through every numbered certificate of the database, with one path in ten that
must answer "not found" (a wrong name, an unknown number or token). `--rounds` rounds each run the three
back to back; the ratio of a verification endpoint's requests/s to /healthz's is taken within each round
and the median over rounds reported (aim ≥ 0.5), with each endpoint's median round (requests/s, p50, p99).
The server's CPU time per request (gunicorn's processes from /proc, plus PostgreSQL's backends of the
benchmark database) is reported too, and its ratio: on a machine shared with other jobs, requests/s
depend on how much CPU the others took, CPU per request does not.

The verification endpoints are rate-limited per IP (chizheng/certification/ratelimit.py). The load runs
start the server with CHIZHENG_VERIFY_RATE=off (the only use of that switch); a separate server with the
default limit then checks that the limit holds: sequential requests from one client until it answers
429 (how many passed, Retry-After, how fast the 429s come), and wrk against it (the 429s under load).

Needs wrk (`apt-get install -y wrk`); it is not a dependency of chizheng or its CI.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import common

NOT_FOUND_EVERY = 10  # one path in ten must answer "not found"


# --- the database side (child process, Django set up) ---------------------------------------------------


def child_paths() -> dict[str, Any]:
    """Every numbered certificate as verification paths (some turned into misses), plus query counts."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from chizheng.certification.models import Certificate

    certs = list(
        Certificate.objects.exclude(number=None).order_by("id").values_list("number", "holder_name", "verify_token")
    )
    api: list[dict[str, str]] = []
    page: list[dict[str, str]] = []
    for i, (stored, name, token) in enumerate(certs):
        number = stored or ""
        miss = i % NOT_FOUND_EVERY == NOT_FOUND_EVERY - 1
        if miss and i % 20 == 19:
            name = name + "某"  # a wrong name answers exactly like an unknown number
        elif miss:
            number = number[0] + "9999" + number[5:]  # no institution has code 9999
        expect = "not_found" if miss else "found"
        api.append({"path": f"/api/v1/verify?number={quote(number)}&name={quote(name)}", "expect": expect})
        page.append({"path": f"/verify/t/{'nosuch' + token[6:] if miss else token}/", "expect": expect})
    client = Client()
    queries: dict[str, Any] = {}
    with override_settings(CERT_VERIFY_RATE=None):
        for label, sample in (("api", api[0]), ("page", page[0]), ("healthz", {"path": "/healthz"})):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(sample["path"])
            assert response.status_code == 200, (label, response.status_code)
            queries[label] = {"count": len(ctx.captured_queries), "sql": [q["sql"] for q in ctx.captured_queries]}
    return {"certificates": len(certs), "api": api, "page": page, "queries": queries}


# --- the load side --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: set[int]) -> float:
    """utime + stime of the processes (Linux /proc), in seconds; a process that has gone counts 0."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / _TICK


def group_pids(pgid: int) -> set[int]:
    """Every process of a process group (the server: `serve`, the gunicorn master and its workers)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                    pids.add(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return pids


def postgres_backends(url: str | None) -> set[int]:
    """The PostgreSQL server processes serving the benchmark database (their CPU is the query's cost too)."""
    if not url:
        return set()
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'", [name]
        ).fetchall()
    return {int(row[0]) for row in rows}


class Server:
    """`manage.py serve` in its own process group, so that stopping it stops its gunicorn workers too."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("ab")
        cmd = [sys.executable, "manage.py", "serve", "--no-worker", "--port", str(self.port)]
        cmd += ["--workers", str(workers)]
        self.proc = subprocess.Popen(
            cmd, cwd=common.ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"the server did not start; see {log}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def lua_script(paths: list[str], directory: Path, name: str) -> Path:
    """A wrk script that walks `paths` in order; each thread starts at its own offset."""
    body = ",\n".join(json.dumps(p) for p in paths)  # JSON strings are valid Lua strings here (ASCII)
    script = directory / f"{name}.lua"
    script.write_text(
        "local paths = {\n" + body + "\n}\n"
        "local n = #paths\n"
        "local counter = 0\n"
        "function setup(thread)\n"
        "  thread:set('start', counter * 997)\n"
        "  counter = counter + 1\n"
        "end\n"
        "local i = 0\n"
        "function init(args)\n"
        "  i = (start or 0) % n\n"
        "end\n"
        "function request()\n"
        "  i = i % n + 1\n"
        "  return wrk.format('GET', paths[i])\n"
        "end\n"
    )
    return script


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(out: str) -> dict[str, Any]:
    """requests/s, p50/p90/p99 latency (ms), request count, non-2xx/3xx and socket errors from wrk --latency."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in ([\d.]+\w+)", out)
    if not rps or not total:
        raise RuntimeError("unexpected wrk output:\n" + out)
    result: dict[str, Any] = {"requests_per_s": round(float(rps.group(1)), 1), "requests": int(total.group(1))}
    for pct in ("50", "90", "99"):
        found = re.search(rf"^\s+{pct}%\s+([\d.]+\w+)", out, re.M)
        result[f"p{pct}_ms"] = round(_ms(found.group(1)), 2) if found else None
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx_3xx"] = int(non2xx.group(1)) if non2xx else 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["socket_errors"] = sum(int(g) for g in errors.groups()) if errors else 0
    return result


def wrk(url: str, *, threads: int, connections: int, duration: int, script: Path | None = None) -> dict[str, Any]:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def check_answers(base: str, paths: list[dict[str, str]], sample: int = 60) -> dict[str, int]:
    """Before the load: a sample of the paths answers as expected (found → valid/revoked, miss → not_found)."""
    checked = {"found": 0, "not_found": 0}
    for item in paths[: sample // 2] + paths[-sample // 2 :]:
        with urllib.request.urlopen(base + item["path"], timeout=10) as response:
            body = response.read().decode()
        if item["path"].startswith("/api/"):
            result = json.loads(body)["result"]
        else:
            found = re.search(r'data-result="(\w+)"', body)
            result = found.group(1) if found else "?"
        got = "not_found" if result == "not_found" else "found"
        if got != item["expect"]:
            raise SystemExit(f"{item['path']}: expected {item['expect']}, got {result}")
        checked[got] += 1
    return checked


def check_rate_limit(base: str, paths: list[str], attempts: int) -> dict[str, Any]:
    """Sequential requests from one client, alternating `paths` (the API and the page share one budget per
    IP): how many pass before the first 429, how fast the 429s answer next to the 200s, the Retry-After."""
    window = 60  # the default CHIZHENG_VERIFY_RATE window: start early in one so that it does not roll over
    if time.time() % window > window - 15:
        time.sleep(window - time.time() % window + 0.5)
    passed: list[float] = []
    limited: list[float] = []
    first_limited = None
    retry_after: dict[str, str | None] = {}
    for n in range(1, attempts + 1):
        path = paths[n % len(paths)]
        kind = "api" if path.startswith("/api/") else "page"
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(base + path, timeout=10) as response:
                response.read()
            passed.append((time.perf_counter() - started) * 1000)
        except urllib.error.HTTPError as err:
            err.read()
            if err.code != 429:
                raise
            limited.append((time.perf_counter() - started) * 1000)
            first_limited = first_limited or n
            retry_after[kind] = err.headers.get("Retry-After")

    def median(values: list[float]) -> float | None:
        return round(statistics.median(values), 2) if values else None

    return {
        "requests": attempts,
        "answered_200": len(passed),
        "answered_429": len(limited),
        "first_429_at_request": first_limited,
        "retry_after_header": retry_after,
        "answered_200_median_ms": median(passed),
        "answered_429_median_ms": median(limited),
        "answered_429_max_ms": round(max(limited), 2) if limited else None,
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench verify_load", description=__doc__)
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--postgres", help=f"benchmark database URL (default {common.DEFAULT_POSTGRES})")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per endpoint (median kept)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")), help="gunicorn workers (serve's)"
    )
    parser.add_argument(
        "--reuse",
        metavar="VAR_DIR",
        help="SQLite only: serve the demo database already in VAR_DIR (CHIZHENG_VAR_DIR) instead of a fresh one",
    )
    args = parser.parse_args(argv)
    if args.reuse and args.db != ["sqlite"]:
        parser.error("--reuse works with --db sqlite only")
    if shutil.which("wrk") is None:
        raise SystemExit(
            "wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu) or `brew install wrk` (macOS).\n"
            "It is needed only for this benchmark, not by chizheng or its CI."
        )
    for db in args.db:
        run_one(db, args)


def run_one(db: str, args: argparse.Namespace) -> None:
    started = time.monotonic()
    if args.reuse:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(DJANGO_SETTINGS_MODULE="config.settings", CHIZHENG_VAR_DIR=str(Path(args.reuse).resolve()))
    else:
        env = common.fresh_database(db, args.postgres, "_verify")
        common.run([sys.executable, "manage.py", "demo"], env)
        if db == "postgres":  # fresh statistics, and no autovacuum of the new rows during the runs
            import psycopg

            with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
    common.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    var = Path(env["CHIZHENG_VAR_DIR"])
    work = Path(tempfile.mkdtemp(prefix="chizheng-verify-load-"))  # wrk scripts, server logs
    loaded = round(time.monotonic() - started, 1)
    data = common.child("verify_load", ["paths"], env)
    scripts = {
        "api": lua_script([p["path"] for p in data["api"]], work, "api"),
        "page": lua_script([p["path"] for p in data["page"]], work, "page"),
    }
    print(f"{db}: demo loaded in {loaded}s, {data['certificates']:,} numbered certificates")
    load = {"threads": args.threads, "connections": args.connections, "duration": args.duration}
    rounds: dict[str, list[dict[str, Any]]] = {"healthz": [], "api": [], "page": []}
    # CONN_MAX_AGE=600: each worker keeps one PostgreSQL backend for the whole run, so the backends whose CPU is
    # read are the same processes from start to end (make run's 60 s would reconnect once a minute: no
    # difference to requests/s, but the CPU of a closed backend cannot be read any more).
    served = {**env, "CHIZHENG_VERIFY_RATE": "off", "CONN_MAX_AGE": "600"}
    with Server(served, args.workers, work / "server.log") as server:
        checked = {
            "api": check_answers(server.url, data["api"]),
            "page": check_answers(server.url, data["page"]),
        }
        for name in rounds:  # warm-up: every worker imports, compiles templates, opens its connection
            wrk(server.url + "/healthz", **{**load, "duration": 3}, script=scripts.get(name))
        for n in range(args.rounds):
            for name in rounds:
                pids = group_pids(server.proc.pid) | postgres_backends(env.get("DATABASE_URL"))
                cpu_before = cpu_seconds(pids)
                result = wrk(server.url + "/healthz", **load, script=scripts.get(name))
                # server CPU per request (gunicorn workers, and PostgreSQL's backends): unlike requests/s it
                # does not depend on how much of the shared machine other jobs took during the run
                result["server_cpu_ms_per_request"] = round(
                    (cpu_seconds(pids) - cpu_before) * 1000 / max(1, result["requests"]), 3
                )
                rounds[name].append(result)
                print(
                    f"  round {n + 1} {name:8} {result['requests_per_s']:>8,.0f} req/s"
                    f"  p50 {result['p50_ms']} ms  p99 {result['p99_ms']} ms  non-2xx {result['non_2xx_3xx']}"
                    f"  server CPU {result['server_cpu_ms_per_request']} ms/request"
                )
    with Server(env, args.workers, work / "server-limited.log") as server:
        token_path = next(p["path"] for p in data["page"] if p["expect"] == "found")
        api_path = next(p["path"] for p in data["api"] if p["expect"] == "found")
        limit = {
            "sequential": check_rate_limit(server.url, [api_path, token_path], 400),
            "wrk_api": wrk(server.url + "/healthz", **load, script=scripts["api"]),
        }

    # Each round measures /healthz and both verification endpoints back to back, so a ratio is taken within
    # a round (the shared machine's load drifts between rounds); the report keeps the median round's figures.
    per_round = [
        {name: round(rounds[name][i]["requests_per_s"] / health_round["requests_per_s"], 3) for name in ("api", "page")}
        for i, health_round in enumerate(rounds["healthz"])
    ]
    ratios = {name: statistics.median(r[name] for r in per_round) for name in ("api", "page")}
    cpu = {
        name: round(statistics.median(r["server_cpu_ms_per_request"] for r in results), 3)
        for name, results in rounds.items()
    }
    cpu_ratios = {name: round(cpu["healthz"] / cpu[name], 3) for name in ("api", "page")}
    summary = {
        name: sorted(results, key=lambda r: r["requests_per_s"])[len(results) // 2] for name, results in rounds.items()
    }
    health = summary["healthz"]["requests_per_s"]
    errors = sum(r["non_2xx_3xx"] + r["socket_errors"] for results in rounds.values() for r in results)
    result = {
        "benchmark": "public verification under concurrent load (wrk), ratio to the same server's /healthz",
        "database": db,
        "certificates": data["certificates"],
        "paths_per_endpoint": len(data["api"]),
        "not_found_share": f"1 in {NOT_FOUND_EVERY}",
        "server": f"manage.py serve (gunicorn, {args.workers} sync workers), CHIZHENG_VERIFY_RATE=off",
        "wrk": {**load, "rounds": args.rounds},
        "answers_checked_before_load": checked,
        "queries_per_request": {k: v["count"] for k, v in data["queries"].items()},
        "query_sql": {k: v["sql"] for k, v in data["queries"].items()},
        "median_round": summary,
        "ratio_to_healthz": ratios,
        "ratio_to_healthz_per_round": per_round,
        "server_cpu_ms_per_request_median": cpu,
        "cpu_ratio_to_healthz": cpu_ratios,
        "errors_under_load": errors,
        "rounds": rounds,
        "rate_limit_default": limit,
    }
    print(
        f"{db:8} healthz {health:,.0f}/s · API {summary['api']['requests_per_s']:,.0f}/s"
        f" (×{ratios['api']}, p99 {summary['api']['p99_ms']} ms)"
        f" · page {summary['page']['requests_per_s']:,.0f}/s (×{ratios['page']}, p99 {summary['page']['p99_ms']} ms)"
        f" · errors {errors}"
    )
    print(
        f"  server CPU per request: healthz {cpu['healthz']} ms, API {cpu['api']} ms (×{cpu_ratios['api']}),"
        f" page {cpu['page']} ms (×{cpu_ratios['page']})"
    )
    seq = limit["sequential"]
    print(
        f"  rate limit (default): {seq['answered_200']} passed, first 429 at #{seq['first_429_at_request']},"
        f" 429 median {seq['answered_429_median_ms']} ms (200s: {seq['answered_200_median_ms']} ms),"
        f" Retry-After {seq['retry_after_header']}; under wrk {limit['wrk_api']['non_2xx_3xx']:,} of"
        f" {limit['wrk_api']['requests']:,} answered non-2xx, p99 {limit['wrk_api']['p99_ms']} ms"
    )
    print(f"  → {common.save('verify-load', db, result)}")
    shutil.rmtree(work, ignore_errors=True)
    if not args.reuse:
        shutil.rmtree(var, ignore_errors=True)


def child(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.verify_load child")
    parser.add_argument("step", choices=["paths"])
    parser.parse_args(argv)
    common.setup_django()
    print(json.dumps(child_paths(), ensure_ascii=False))


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2:])
    else:
        main(sys.argv[1:])
