from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Pages of `page_size` rows (default KP_API_PAGE_SIZE); a size beyond KP_API_MAX_PAGE_SIZE or a
    page that is not a positive whole number is refused with 400, not silently changed."""

    page_size_query_param = "page_size"

    @property
    def page_size(self):
        return settings.KP_API_PAGE_SIZE

    @property
    def max_page_size(self):
        return settings.KP_API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    "page_size": [
                        _("每页条数应为 1 至 %(max)s 之间的整数，不能是“%(value)s”。")
                        % {"max": self.max_page_size, "value": raw[:20]}
                    ]
                }
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) >= 1 and len(raw) < 10):
            raise ValidationError({"page": [_("页码应为正整数，不能是“%(value)s”。") % {"value": raw[:20]}]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_size_query_param:
                param["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
                param["description"] = str(
                    _("每页条数，1 至 %(max)s，默认 %(default)s。")
                    % {"max": self.max_page_size, "default": self.page_size}
                )
            if param["name"] == self.page_query_param:
                param["schema"] = {"type": "integer", "minimum": 1}
        return params
