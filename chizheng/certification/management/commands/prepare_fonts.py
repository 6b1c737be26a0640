"""Prepare the reduced certificate fonts ahead of the first PDF (`make run` starts it beside the server)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chizheng.certification.pdf import prepared_fonts


class Command(BaseCommand):
    help = "Build the reduced certificate fonts once per installation (cached under VAR_DIR/cache/fonts)."

    def handle(self, *args: Any, **options: Any) -> None:
        fonts = prepared_fonts()
        self.stdout.write(f"证书字体已就绪：{fonts.body.name}，{fonts.label.name}")
