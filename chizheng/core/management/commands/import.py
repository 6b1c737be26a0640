"""`chizheng import students|occupations|photos FILE`: run an import from the shell with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chizheng.core.audit import audit_context
from chizheng.core.choices import Role
from chizheng.core.errors import DomainError
from chizheng.core.models import User

ERRORS_PRINTED = 20


class Command(BaseCommand):
    help = "导入学生名册、职业目录或人员照片（ZIP），全部校验通过才写入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["students", "occupations", "photos"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--school", help="院校代码：名册中未填院校代码的行归入该校（students）")
        parser.add_argument(
            "--as", dest="as_user", help="以该用户的身份和数据范围导入（默认：第一个启用的市管理员账号）"
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, **options: Any) -> None:
        from tqdm import tqdm

        from chizheng.core.imports import run_import

        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        actor = self._actor(options["as_user"])
        extra: dict[str, Any] = {}
        if options["school"]:
            if options["kind"] != "students":
                raise CommandError("--school 只用于 students。")
            extra["school"] = options["school"]
        bar = tqdm(total=0, unit="行", disable=options["no_progress"], file=self.stderr._out, dynamic_ncols=True)

        def progress(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        try:
            with audit_context(channel="cli"):
                result = run_import(kind=options["kind"], actor=actor, path=path, progress=progress, **extra)
        except DomainError as err:
            raise CommandError(err.message) from None
        finally:
            bar.close()
        if result.errors:
            for error in result.errors[:ERRORS_PRINTED]:
                self.stderr.write(f"第 {error.row} 行 [{error.column}] {error.message} {error.value}".rstrip())
            more = len(result.errors) - ERRORS_PRINTED
            if more > 0:
                self.stderr.write(f"……另有 {more} 处错误，见错误清单。")
            job = result.job
            where = job.error_file.path if job is not None and job.error_file else ""
            raise CommandError(f"校验发现 {len(result.errors)} 处错误，未写入任何数据。错误清单：{where}")
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
                f"（任务 #{result.job.pk if result.job else '-'}）。"
            )
        )

    def _actor(self, username: str | None) -> User:
        if username:
            try:
                return User.objects.get(username=username, is_active=True)
            except User.DoesNotExist:
                raise CommandError(f"没有启用的用户“{username}”。") from None
        actor = User.objects.filter(role=Role.CITY_ADMIN, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError("没有启用的市管理员账号，请用 --as 指定导入人。")
        return actor
