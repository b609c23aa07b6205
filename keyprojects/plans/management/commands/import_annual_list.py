"""python manage.py import_annual_list FILE --year YYYY [--dry-run] [--batch N] [--user NAME]
[--errors-report PATH] [--create-missing] [--map "市住建局=市住房和城乡建设局" …]

The same engine as the upload page: the file is checked, parsed and planned, then applied in one
transaction, or refused with every reason of every row (exit status 1, nothing written); with
--errors-report, a refused file's problems are also written to an .xlsx copy of its sheet with the
faulty cells marked. Names the system does not know (districts, departments, sectors; owners are
created unless mapped) are listed with the closest existing ones and nothing is written, unless
--create-missing creates them or --map maps a name to an existing one (kept as its alias)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from keyprojects.lib.money import format_wan
from keyprojects.orgs.models import User
from keyprojects.plans.imports.apply import BATCH_NEW, ApplyRejected, run_import
from keyprojects.plans.imports.names import KIND_LABELS, NameChoices, unanswered
from keyprojects.plans.imports.plan import preview
from keyprojects.plans.imports.rejections import ImportRefused
from keyprojects.plans.imports.report import error_report


class Command(BaseCommand):
    help = _("导入年度重点项目清单（Excel）：先校验，全部通过才写入；有任何一行不合格则整个文件不导入。")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_(".xlsx 或 .xls 文件"))
        parser.add_argument("--year", type=int, required=True, help=_("清单年度"))
        parser.add_argument("--dry-run", action="store_true", help=_("只校验并显示将要做的修改，不写入"))
        parser.add_argument(
            "--batch", type=int, help=_("新列入的项目放入第 N 批（须为草稿；默认新建下一批）")
        )
        parser.add_argument("--user", help=_("记为操作人的用户名（默认：第一位重点办管理员）"))
        parser.add_argument(
            "--errors-report",
            metavar="PATH",
            help=_("文件被拒绝时，把问题报告（标注出错单元格的 .xlsx）写到此路径"),
        )
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help=_("新建文件中出现而系统中没有的城区、责任单位、业主单位和行业领域"),
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="文件中的名称=系统中的名称",
            help=_("把文件中的名称对应到系统中已有的单位（记为该单位的别名）；可重复"),
        )

    def handle(self, *args, file, year, dry_run, batch, user, errors_report=None, **options):
        choices = NameChoices(
            mapped=self._maps(options.get("map") or []), create_missing=options["create_missing"]
        )
        path = Path(file)
        self.errors_report = Path(errors_report) if errors_report else None
        self.source = path
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        by = self._user(user)
        target = {"number": batch} if batch else BATCH_NEW
        try:
            if dry_run:
                plan = preview(path, name=path.name, year=year)
                self._summary(path, plan, dry_run=True)
                if plan.rejections or unanswered(plan.unknown_names(), choices):
                    raise ApplyRejected(plan)
                return
            plan, result = run_import(path, name=path.name, year=year, by=by, batch=target, choices=choices)
        except ImportRefused as exc:
            self._rejections([exc.rejection])
            self._report([exc.rejection], [])
            raise CommandError(_("文件被拒绝，未写入任何数据。")) from None
        except ApplyRejected as exc:
            if not dry_run:
                self._summary(path, exc.plan, dry_run=False)
            self._rejections(exc.plan.rejections)
            self._report(exc.plan.rejections, exc.plan.warnings)
            waiting = unanswered(exc.plan.unknown_names(), choices)
            if waiting:
                self._unknown(waiting)
            if not exc.plan.rejections:
                raise CommandError(
                    _(
                        "文件中有 %(n)s 个系统中没有的名称，未写入任何数据："
                        "请用 --map 对应或用 --create-missing 新建。"
                    )
                    % {"n": len(waiting)}
                ) from None
            raise CommandError(
                _("文件被拒绝：%(n)s 处问题，未写入任何数据。") % {"n": len(exc.plan.rejections)}
            ) from None
        except ValidationError as exc:
            raise CommandError(_("导入未完成，未写入任何数据：") + "；".join(exc.messages)) from None
        self._summary(path, plan, dry_run=False)
        message = (
            _(
                "已导入：新增 %(created)s 个（其中新项目 %(new_projects)s 个），"
                "更新 %(updated)s 个，未变 %(unchanged)s 个。"
            )
            % result
        )
        if result.get("batch"):
            message += _("新列入的项目在“%(batch)s”（草稿）。") % result
        self.stdout.write(self.style.SUCCESS(message))

    def _maps(self, values) -> dict:
        mapped = {}
        for value in values:
            written, sep, existing = value.partition("=")
            if not sep or not written.strip() or not existing.strip():
                raise CommandError(_("--map 的格式应为“文件中的名称=系统中的名称”：%(v)s") % {"v": value})
            mapped[written.strip()] = existing.strip()
        return mapped

    def _unknown(self, unknown):
        """Each unknown name, its rows and the closest existing ones."""
        for u in unknown:
            rows = "、".join(str(r) for r in u.rows[:10]) + ("…" if len(u.rows) > 10 else "")
            closest = "、".join(s["name"] for s in u.suggestions) or _("无")
            tie = _("（并列，须指定）") if u.tie else ""
            self.stderr.write(
                _("系统中没有的%(kind)s“%(name)s”（第 %(rows)s 行）：最接近的有 %(closest)s%(tie)s")
                % {"kind": KIND_LABELS[u.kind], "name": u.name, "rows": rows, "closest": closest, "tie": tie}
            )

    def _user(self, username):
        users = User.objects.filter(is_active=True)
        if username:
            found = users.filter(username=username).first()
            if found is None:
                raise CommandError(_("找不到用户 %(name)s。") % {"name": username})
            return found
        found = users.filter(role=User.Role.OFFICE_ADMIN).order_by("id").first()
        if found is None:
            raise CommandError(_("系统中没有重点办管理员：请用 --user 指定操作人。"))
        return found

    def _summary(self, path, plan, *, dry_run):
        counts, totals = plan.counts(), plan.totals()
        header = plan.parsed.header
        rows = "–".join(str(r) for r in header.excel_rows())
        self.stdout.write(
            _("文件：%(file)s  工作表：%(sheet)s（表头第 %(rows)s 行）  年度：%(year)s")
            % {"file": path.name, "sheet": header.sheet, "rows": rows, "year": plan.year}
        )
        verb = _("将") if dry_run else ""
        self.stdout.write(
            _(
                "%(verb)s新增 %(create)s 个（其中新项目 %(new_projects)s 个、新业主 %(new_owners)s 家）  "
                "%(verb)s更新 %(update)s 个  未变 %(unchanged)s 个  拒绝 %(rejected_rows)s 行"
            )
            % {**counts, "verb": verb}
        )
        self.stdout.write(
            _("年度计划投资合计 %(planned)s 万元；总投资合计 %(total)s 万元")
            % {"planned": format_wan(totals["planned"]), "total": format_wan(totals["total"])}
        )
        for warning in plan.warnings:
            self.stdout.write(self.style.WARNING(_("提示：") + _where(warning) + warning.message))
        if dry_run and plan.ok:
            self.stdout.write(_("（试运行，未写入任何数据）"))

    def _report(self, rejections, warnings):
        """The error report, when --errors-report asks for it."""
        if self.errors_report is None:
            return
        data = error_report(self.source, name=self.source.name, rejections=rejections, warnings=warnings)
        self.errors_report.write_bytes(data)
        self.stderr.write(_("问题报告已写入：%(path)s") % {"path": self.errors_report})

    def _rejections(self, rejections):
        for rejection in rejections:
            value = _("（单元格内容：%(v)s）") % {"v": rejection.value} if rejection.value else ""
            self.stderr.write(_where(rejection) + rejection.message + value)


def _where(rejection) -> str:
    parts = []
    if rejection.sheet:
        parts.append(_("工作表“%(s)s”") % {"s": rejection.sheet})
    if rejection.row:
        parts.append(_("第 %(r)s 行") % {"r": rejection.row})
    if rejection.column or rejection.letter:
        parts.append(f"{rejection.letter}{_('列')}" + (f"“{rejection.column}”" if rejection.column else ""))
    return (" ".join(parts) + "：") if parts else ""
