"""Shared plumbing of the benchmarks: databases, child processes, result files.

Every measurement runs in its own child process (`python -m bench.<module> child …`) so
that its peak RSS (`resource.getrusage(RUSAGE_SELF).ru_maxrss`, the kernel's high-water
mark) belongs to that measurement alone.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/chizheng_bench"


def postgres_url(base: str | None, suffix: str = "") -> str:
    """The benchmark database URL (BENCH_POSTGRES_URL or the default), optionally renamed."""
    url = urlparse(base or os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES)
    name = url.path.lstrip("/") + suffix
    return urlunparse(url._replace(path="/" + name))


def recreate_postgres(url: str) -> None:
    """DROP and CREATE the database of `url` (through the server's `postgres` database)."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def fresh_database(db: str, postgres: str | None, suffix: str) -> dict[str, str]:
    """Environment for a child process pointing at a brand-new, migrated database."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["CHIZHENG_VAR_DIR"] = tempfile.mkdtemp(prefix=f"chizheng-bench{suffix}-")  # SQLite file, media
    if db == "postgres":
        url = postgres_url(postgres, suffix)
        recreate_postgres(url)
        env["DATABASE_URL"] = url
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    return env


def run(cmd: list[str], env: dict[str, str]) -> str:
    out = subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return out.stdout


def child(module: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run `python -m bench.<module> child ARGS`; its last stdout line is a JSON object."""
    stdout = run([sys.executable, "-m", f"bench.{module}", "child", *args], env)
    return json.loads(stdout.strip().splitlines()[-1])


def peak_rss_mb(children: bool = False) -> float:
    """High-water RSS of this process (or of the largest child waited for), in MB."""
    import resource

    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],  # the 2 cores are shared
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["memory_gb"] = round(int(mem) / 1024 / 1024, 1)
    except OSError:  # pragma: no cover - not Linux
        pass
    return info


def save(name: str, db: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}-{db}.json"
    path.write_text(json.dumps({"machine": machine(), **data}, ensure_ascii=False, indent=2) + "\n")
    return path


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
