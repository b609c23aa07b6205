"""Writes on organisations: their aliases. Each change is sent on orgs.hooks.orgs_changed, which the
audit app turns into a history entry (orgs sits below audit and cannot import it)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from keyprojects.lib.text import normalise_name
from keyprojects.orgs.hooks import orgs_changed
from keyprojects.orgs.models import Organisation, OrganisationAlias, User
from keyprojects.orgs.names import name_taken_by, normalise

NAME_MAX = OrganisationAlias._meta.get_field("name").max_length


def _alias_snapshot(alias: OrganisationAlias) -> dict:
    return {str(_("单位")): alias.organisation.name, str(_("别名")): alias.name}


def organisation_alias_add(*, by: User, organisation: Organisation, name: str) -> OrganisationAlias:
    """Keep NAME as another name of ORGANISATION, so that imports match it by itself.

    Refused (ValidationError on "name") when it is empty or too long, is already the organisation's name
    or alias, or would make two organisations share a name: another organisation has that name, an alias
    of it, or a name or alias with the same key (市发展改革委 is 市发展和改革委员会)."""
    name = normalise_name(name)
    if not name or not normalise(name):
        raise ValidationError({"name": _("请填写别名。")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("别名不能超过 %(n)s 个字。") % {"n": NAME_MAX}})
    if name == organisation.name:
        raise ValidationError({"name": _("“%(name)s”就是该单位的名称，无需添加别名。") % {"name": name}})
    if organisation.aliases.filter(name=name).exists():
        raise ValidationError({"name": _("“%(name)s”已是该单位的别名。") % {"name": name}})
    other = name_taken_by(name, exclude=organisation)
    if other is not None:
        raise ValidationError(
            {
                "name": _(
                    "“%(name)s”已是单位“%(other)s”（%(kind)s）的名称或别名，不能再作为“%(org)s”的别名：两个单位不能同名。"
                )
                % {
                    "name": name,
                    "other": other.name,
                    "kind": other.get_kind_display(),
                    "org": organisation.name,
                }
            }
        )
    try:
        with transaction.atomic():
            alias = OrganisationAlias.objects.create(organisation=organisation, name=name, created_by=by)
            orgs_changed.send(by=by, instance=alias, action="create", before={}, after=_alias_snapshot(alias))
    except IntegrityError:
        # Added by someone else between the check and the insert.
        raise ValidationError({"name": _("“%(name)s”已被其他单位使用。") % {"name": name}}) from None
    return alias


@transaction.atomic
def organisation_alias_remove(*, by: User, alias: OrganisationAlias) -> None:
    """Forget ALIAS: the next import asks about that name again."""
    before = _alias_snapshot(alias)
    orgs_changed.send(by=by, instance=alias, action="delete", before=before, after={})
    alias.delete()
