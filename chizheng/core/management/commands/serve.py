"""Serve chizheng: gunicorn for the web, plus the background task worker beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform with gunicorn and run the background worker (used by `make run`)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))
        parser.add_argument("--no-worker", action="store_true", help="do not start the background task worker")

    def handle(self, *args: Any, **options: Any) -> None:
        from chizheng.core.demo_accounts import describe_demo_accounts

        self.stdout.write(describe_demo_accounts())
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--interval", "1"], cwd=settings.BASE_DIR
            )
        # The certificate fonts are reduced once per installation (~10 s); do it now, beside the server,
        # rather than in the first PDF download. Workers that print before it ends build the same file
        # themselves (written atomically).
        subprocess.Popen([sys.executable, "manage.py", "prepare_fonts"], cwd=settings.BASE_DIR)
        url = f"http://{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"chizheng serving on {url}  (Ctrl+C to stop)"))
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
            "--timeout",
            "120",
        ]
        web = subprocess.Popen(cmd, cwd=settings.BASE_DIR)
        try:
            web.wait()
        except KeyboardInterrupt:
            web.send_signal(signal.SIGTERM)
            web.wait()
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
