"""Certificate PDFs: `python -m bench pdf --n 10000 --render 300 --db sqlite postgres`.

Per database: a fresh, migrated database, then three child processes (each its own peak RSS):

1. load: N issued certificates through the issuance service (as `bench issue_certificates` does), and
   the reduced fonts prepared (the one-off cost of a new installation, timed);
2. render: `render_certificate` on `--render` certificates one after another, single-threaded →
   certificates per second and the mean PDF size;
3. zip: the batch download of all N as a city admin through the real view (`/certificates/pdf.zip`,
   Django's test client), the streamed ZIP written to a temporary file → wall time, ZIP size, and
   peak RSS next to the RSS before the download started (memory must stay flat, not grow with N).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from . import common, issue_certificates


def _rss_now_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child_load(n: int) -> dict[str, Any]:
    from chizheng.certification import pdf

    issued = issue_certificates.child_run(n)
    t0 = time.perf_counter()
    pdf.prepared_fonts()
    return {"certificates": issued["certificates"], "font_preparation_seconds": round(time.perf_counter() - t0, 2)}


def child_render(count: int) -> dict[str, Any]:
    from chizheng.certification import pdf
    from chizheng.certification.models import Certificate

    certs = list(Certificate.objects.select_related("institution", "occupation", "trade").order_by("id")[:count])
    pdf.render_certificate(certs[0])  # fonts opened, modules imported
    total_bytes = 0
    t0 = time.perf_counter()
    for cert in certs:
        total_bytes += len(pdf.render_certificate(cert))
    seconds = time.perf_counter() - t0
    return {
        "rendered": len(certs),
        "render_seconds": round(seconds, 2),
        "certificates_per_s": round(len(certs) / seconds, 1),
        "ms_per_certificate": round(1000 * seconds / len(certs), 1),
        "mean_pdf_kb": round(total_bytes / len(certs) / 1024, 1),
        "peak_rss_mb": round(common.peak_rss_mb(), 1),
    }


def child_zip() -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse

    from chizheng.certification import pdf
    from chizheng.core.choices import Role
    from chizheng.core.models import OrgUnit, User

    pdf.prepared_fonts()
    city = OrgUnit.objects.get(code="410800")
    user = User.objects.create(username="bench_city", role=Role.CITY_ADMIN, org_unit=city)
    client = Client()
    client.force_login(user)
    rss_before = _rss_now_mb()
    with tempfile.NamedTemporaryFile(suffix=".zip") as out:
        t0 = time.perf_counter()
        response = client.get(reverse("certification:certificate_zip"))
        assert response.status_code == 200, response.status_code
        for chunk in response.streaming_content:  # type: ignore[attr-defined]
            out.write(chunk)
        out.flush()
        seconds = time.perf_counter() - t0
        size = Path(out.name).stat().st_size
        with zipfile.ZipFile(out.name) as zf:
            members = len(zf.namelist())
    return {
        "zip_certificates": members,
        "zip_seconds": round(seconds, 1),
        "zip_certificates_per_s": round(members / seconds, 1),
        "zip_mb": round(size / 1024 / 1024, 1),
        "rss_before_download_mb": round(rss_before, 1),
        "peak_rss_mb": round(common.peak_rss_mb(), 1),
    }


def child(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.pdf child")
    parser.add_argument("step", choices=["load", "render", "zip"])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--render", type=int, default=300)
    args = parser.parse_args(argv)
    common.setup_django()
    if args.step == "load":
        print(json.dumps(child_load(args.n)))
    elif args.step == "render":
        print(json.dumps(child_render(args.render)))
    else:
        print(json.dumps(child_zip()))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench pdf", description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="certificates in the ZIP (default 10,000)")
    parser.add_argument("--render", type=int, default=300, help="certificates rendered for the rate (default 300)")
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--postgres", help=f"benchmark database URL (default {common.DEFAULT_POSTGRES})")
    args = parser.parse_args(argv)
    for db in args.db:
        env = common.fresh_database(db, args.postgres, "_pdf")
        env["CHIZHENG_PDF_ZIP_MAX"] = str(max(args.n, 10_000))
        load = common.child("pdf", ["load", "--n", str(args.n)], env)
        render = common.child("pdf", ["render", "--render", str(args.render)], env)
        batch = common.child("pdf", ["zip"], env)
        data = {
            "benchmark": "certificate PDFs: single-threaded rendering rate, and the streamed ZIP of N certificates",
            "database": db,
            **load,
            "render": render,
            "zip": batch,
        }
        print(
            f"{db:8} render {render['certificates_per_s']}/s ({render['ms_per_certificate']} ms,"
            f" {render['mean_pdf_kb']} KB each); ZIP of {batch['zip_certificates']:,}: {batch['zip_seconds']}s,"
            f" {batch['zip_mb']} MB, peak RSS {batch['peak_rss_mb']} MB (before {batch['rss_before_download_mb']} MB);"
            f" fonts prepared once in {load['font_preparation_seconds']}s"
        )
        print(f"  → {common.save('pdf', db, data)}")
        shutil.rmtree(env["CHIZHENG_VAR_DIR"], ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2:])
    else:
        main(sys.argv[1:])
