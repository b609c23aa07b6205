"""python manage.py setup_office [--name NAME] [--username NAME] [--password P]
       [--districts "兴宁区,青秀区"] [--departments "市发展和改革委员会,…"] [--from-file orgs.xlsx] [--update]

The first installation: the office organisation, its first admin account and, optionally, the districts,
departments and owners it starts with. On an installation that has an office it says so and changes
nothing; --update adds the listed organisations that are missing (those already there stay as they are)."""

import getpass
import secrets
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from keyprojects.orgs import setup
from keyprojects.orgs.models import Organisation, User

Kind = Organisation.Kind


class Command(BaseCommand):
    help = _(
        "首次安装：创建重点办单位及其第一个管理员账号，并可同时添加城区、部门"
        "（逗号分隔的名单或 Excel 文件）。已安装的系统上不做任何修改，除非加 --update。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--name",
            default=setup.DEFAULT_OFFICE_NAME,
            help=_("重点办名称（默认：%s）") % setup.DEFAULT_OFFICE_NAME,
        )
        parser.add_argument("--username", default="admin", help=_("第一个管理员的用户名（默认：admin）"))
        parser.add_argument("--full-name", default="", help=_("管理员姓名"))
        parser.add_argument(
            "--password", help=_("管理员密码；不给则在终端中询问，无终端时自动生成并只显示这一次")
        )
        parser.add_argument("--districts", default="", help=_("城区/县/开发区名单，用逗号或顿号分隔"))
        parser.add_argument("--departments", default="", help=_("市直部门名单，用逗号或顿号分隔"))
        parser.add_argument(
            "--from-file",
            help=_("单位名单 Excel（.xlsx）：列“类型”（区县/部门/业主单位）、“名称”、“简称”（可选）"),
        )
        parser.add_argument(
            "--update", action="store_true", help=_("系统已有重点办时，补充名单中尚没有的单位（已有的不变）")
        )
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive", help=_("不询问任何内容")
        )

    def handle(
        self,
        *args,
        name,
        username,
        full_name,
        password,
        districts,
        departments,
        from_file,
        update,
        interactive,
        **options,
    ):
        rows = self._rows(districts, departments, from_file)
        office = setup.office_get()
        if office is not None:
            self._existing(office, rows, update=update)
            return
        generated = False
        if password is None:
            if interactive and sys.stdin.isatty():
                password = self._ask_password()
            else:
                password, generated = secrets.token_urlsafe(12), True
        try:
            office, admin, created = setup.office_setup(
                name=name,
                username=username,
                password=password,
                full_name=full_name,
                organisations=rows,
                must_change=True,
            )
        except setup.SetupError as exc:
            raise CommandError(_("未做任何修改：") + "\n" + "\n".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(_("已创建重点办单位“%(name)s”。") % {"name": office.name}))
        self.stdout.write(_("管理员账号：%(username)s") % {"username": admin.username})
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    _("管理员密码（只显示这一次，请立即记下并在登录后修改）：%(password)s")
                    % {"password": password}
                )
            )
        if rows:
            self._created(created)

    def _rows(self, districts, departments, from_file) -> list[setup.OrgRow]:
        rows, errors = [], []
        sources = [
            lambda: setup.parse_name_list(districts, kind=Kind.DISTRICT, label="--districts"),
            lambda: setup.parse_name_list(departments, kind=Kind.DEPARTMENT, label="--departments"),
        ]
        if from_file:
            path = Path(from_file)
            if not path.is_file():
                raise CommandError(_("找不到文件：%(path)s") % {"path": path})
            sources.append(lambda: setup.read_org_file(path))
        for source in sources:
            try:
                rows += source()
            except setup.SetupError as exc:
                errors += exc.messages
        if errors:
            raise CommandError(_("未做任何修改：") + "\n" + "\n".join(errors))
        return rows

    def _existing(self, office, rows, *, update):
        admins = User.objects.filter(organisation=office, role=User.Role.OFFICE_ADMIN).order_by("id")
        names = "、".join(admins.values_list("username", flat=True)) or _("无")
        self.stdout.write(
            _("系统中已有重点办单位“%(name)s”（管理员：%(admins)s），不再新建单位和账号。")
            % {"name": office.name, "admins": names}
        )
        if not rows:
            self.stdout.write(_("未做任何修改。"))
            return
        if not update:
            self.stdout.write(_("未做任何修改；如需补充名单中尚没有的单位，请加 --update。"))
            return
        try:
            new = setup.organisations_check(rows)
        except setup.SetupError as exc:
            raise CommandError(_("未做任何修改：") + "\n" + "\n".join(exc.messages)) from None
        self._created(setup.organisations_create(new))

    def _created(self, created):
        labels = {
            Kind.DISTRICT: _("城区/县/开发区"),
            Kind.DEPARTMENT: _("市直部门"),
            Kind.OWNER: _("项目业主"),
        }
        parts = [_("%(label)s %(n)s 个") % {"label": labels[k], "n": n} for k, n in created.items() if n]
        if parts:
            self.stdout.write(_("已添加单位：") + "，".join(parts) + "。")
        else:
            self.stdout.write(_("没有需要添加的单位。"))

    def _ask_password(self) -> str:
        for _attempt in range(3):
            first = getpass.getpass(_("管理员密码："))
            if first and first == getpass.getpass(_("再输入一次：")):
                return first
            self.stderr.write(_("两次输入的密码不一致或为空，请重新输入。"))
        raise CommandError(_("未设置密码，未做任何修改。"))
