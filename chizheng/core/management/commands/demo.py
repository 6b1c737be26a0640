"""`chizheng demo`: load the demo Jiaozuo, or Henan-scale benchmark data with `--scale province`."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Load a deterministic demo Jiaozuo (used by `make run`), or province-scale data for benchmarks."

    def add_arguments(self, parser: Any) -> None:
        from chizheng.demo.jiaozuo import DEFAULT_SEED, SIZES

        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when 焦作市 already exists")
        parser.add_argument("--scale", choices=["city", "province"], default="city")
        parser.add_argument(
            "--size", choices=sorted(SIZES), default="full", help="city demo size: full (~25k students) or small"
        )
        parser.add_argument(
            "--persons", type=int, default=1_000_000, help="province scale: number of persons (default 1,000,000)"
        )
        parser.add_argument("--schools", type=int, default=2_000, help="province scale: number of schools")
        parser.add_argument("--chunk", type=int, default=20_000, help="province scale: rows per write")

    def handle(self, *args: Any, **options: Any) -> None:
        from chizheng.core.audit import audit_context
        from chizheng.demo import jiaozuo

        with audit_context(channel="cli"):
            self._handle(jiaozuo, options)

    def _handle(self, jiaozuo: Any, options: dict[str, Any]) -> None:
        if jiaozuo.demo_exists():
            if options["if_empty"]:
                self.stdout.write("演示数据已存在（焦作市），跳过。")
                return
            raise CommandError("数据库里已有焦作市；演示数据只能装入空库（或加 --if-empty 跳过）。")
        started = time.monotonic()
        if options["scale"] == "province":
            from chizheng.demo.province import ProvinceSize, build_province

            counts = build_province(
                ProvinceSize(persons=options["persons"], schools=options["schools"]),
                seed=options["seed"],
                chunk=options["chunk"],
                progress=lambda done, total: self.stdout.write(f"  {done:,}/{total:,} 人", ending="\r"),
            )
            self.stdout.write("")
        else:
            plan = jiaozuo.plan_jiaozuo(options["seed"], options["size"])
            counts = jiaozuo.write_plan(plan)
            from chizheng.demo import specs as demo_specs

            counts.update(demo_specs.build(options["seed"]))  # evaluation specs (R3)
            from chizheng.demo import institutions as demo_institutions

            counts.update(demo_institutions.build(options["seed"]))  # evaluation institutions (R2)
            from chizheng.demo import certificates as demo_certificates

            counts.update(demo_certificates.build(options["seed"]))  # certificates (R8)
            from chizheng.demo import objections as demo_objections

            counts.update(demo_objections.build(options["seed"]))  # objections during publicity (R8)
            from chizheng.demo import assessments as demo_assessments

            counts.update(demo_assessments.build(options["seed"]))  # exam sessions in every state (R4)
            from chizheng.demo import pathways as demo_pathways

            counts.update(demo_pathways.build(options["seed"]))  # recognition batches (R5–R7)
            from chizheng.demo.reporting import build_reporting

            counts.update(build_reporting(options["seed"]))  # query-system reporting (R10), after all certificates
        elapsed = time.monotonic() - started
        summary = "，".join(f"{LABELS.get(k, k)} {v:,}" for k, v in counts.items())
        self.stdout.write(self.style.SUCCESS(f"演示数据已生成（{elapsed:.1f} 秒）：{summary}"))


LABELS = {
    "assessment_sessions": "考核场次",
    "assessment_candidates": "考核报名",
    "certificates": "证书",
    "certificates_issued": "有效证书",
    "certificates_revoked": "已撤销证书",
    "certificates_replaced": "已换发证书",
    "objections": "公示异议",
    "objections_open": "待处理异议",
    "report_batches": "上报批次",
    "reported_national": "已上报全国系统",
    "reported_henan": "已上报河南系统",
    "x_mappings": "1+X 职业对应",
    "x_certificates": "1+X 证书",
    "recognition_batches": "认定批次",
    "recognition_issued": "认定发证",
    "competitions": "技能竞赛",
    "competition_entries": "竞赛参赛",
    "competition_issued": "竞赛取证发证",
    "course_mappings": "课证融通方案",
    "course_results": "课程成绩",
    "process_issued": "过程化考核发证",
    "institutions": "评价机构",
    "filed_institutions": "已备案机构",
    "examiners": "考评人员",
    "subsidy_entries": "补贴名单",
    "experts": "评审专家",
    "specs": "评价规范",
    "counties": "县区",
    "schools": "院校",
    "persons": "人员",
    "students": "在校生记录",
    "teachers": "教师",
    "learners": "社会学员",
    "users": "账号",
    "standards": "职业标准",
    "trades": "工种",
}
