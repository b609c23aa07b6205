import json
import time

from django.core.management.base import BaseCommand, CommandError

from keyprojects.reports import oc4ids
from keyprojects.reports.services import oc4ids_package


class Command(BaseCommand):
    help = "Write the OC4IDS 0.9.5 project package of the public projects to FILE (- for standard output)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="output file, or - for standard output")
        parser.add_argument("--uri", help="the package's URI (its published address)")
        parser.add_argument("--check", action="store_true", help="validate against the schema and codelists")
        parser.add_argument("--indent", type=int, default=None, help="indent the JSON by N spaces")

    def handle(self, *args, file, uri, check, indent, **options):
        began = time.monotonic()
        package = oc4ids_package(uri=uri)
        if not package["projects"]:
            raise CommandError("没有可公开的项目（见数据开放设置），OC4IDS 数据包至少需要一个项目。")
        if check:
            errors = oc4ids.package_errors(package)
            if errors:
                raise CommandError("数据包不符合 OC4IDS 0.9.5：\n" + "\n".join(errors[:50]))
        text = json.dumps(package, ensure_ascii=False, indent=indent)
        if file == "-":
            self.stdout.write(text)
            return
        with open(file, "w", encoding="utf-8") as f:
            f.write(text)
        self.stderr.write(
            f"已导出 {len(package['projects'])} 个项目到 {file}（{time.monotonic() - began:.1f} 秒"
            f"{'，已通过校验' if check else ''}）。"
        )
