"""The API answers every refusal with a 4xx and a Chinese reason, never a 500: the services'
ValidationError becomes 400, an edit on an outdated version 409, PermissionDenied 403, Http404 404."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from keyprojects.lib.locking import EditConflict


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("保存失败：这条记录已被他人修改或新建。请重新读取最新内容（含 version）后再提交。")
    default_code = "conflict"


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, EditConflict | IntegrityError):
        exc = Conflict()
    return exception_handler(exc, context)
