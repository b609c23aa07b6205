from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from keyprojects.lib.dbrouter import reads_from_replica
from keyprojects.lib.forms import apply_errors
from keyprojects.lib.locking import EditConflict, show_conflict
from keyprojects.orgs.access import require_office
from keyprojects.orgs.selectors import office_settings
from keyprojects.projects.models import Stage
from keyprojects.reports import oc4ids, selectors, services
from keyprojects.reports import search as global_search
from keyprojects.reports.forms import PublicDataSettingForm, SearchForm

# --------------------------------------------------------------------------------------------------
# Open data
# --------------------------------------------------------------------------------------------------


def _stage_rows(setting):
    counts = {
        r["stage"]: r["n"]
        for r in selectors.public_projects(setting).order_by().values("stage").annotate(n=Count("id"))
    }
    rows = []
    for stage in Stage:
        if counts.get(stage):
            status = oc4ids.STAGE_STATUS.get(stage)
            rows.append(
                {
                    "stage": stage.label,
                    "status": status or _("按暂停前所处阶段"),
                    "status_label": oc4ids.STATUS_LABELS.get(status, ""),
                    "count": counts[stage],
                }
            )
    return rows


@require_GET
@login_required
@reads_from_replica
def open_data(request):
    """The open-data page: what is published, how many projects, and the download."""
    setting = selectors.public_data_setting()
    rows = _stage_rows(setting)
    groups = [
        {
            "label": PublicDataSettingForm.base_fields[f"publish_{g}"].label,
            "fields": fields,
            "on": setting.publishes(g),
        }
        for g, fields in oc4ids.FIELD_GROUPS
    ]
    return render(
        request,
        "reports/open_data.html",
        {
            "setting": setting,
            "id_prefix": office_settings().open_data_prefix,
            "rows": rows,
            "total": sum(r["count"] for r in rows),
            "groups": groups,
            "year": selectors.public_list_year() if setting.scope == setting.Scope.LISTED else None,
            "chart": [{"name": str(r["stage"]), "value": r["count"]} for r in rows],
            "missing_sectors": selectors.sectors_without_code() if request.user.is_office else [],
        },
    )


@require_GET
@login_required
def oc4ids_download(request):
    """The OC4IDS project package as a JSON file, encoded piece by piece as it is sent."""
    package = services.oc4ids_package(user=request.user, uri=request.build_absolute_uri())
    if not package["projects"]:
        messages.warning(request, _("当前没有可公开的项目，无法生成开放数据包。"))
        return redirect("open_data")
    chunks = services.oc4ids_json_chunks(package)
    response = StreamingHttpResponse(
        (c.encode() for c in chunks), content_type="application/json; charset=utf-8"
    )
    filename = f"oc4ids-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def open_data_settings(request):
    require_office(request.user)
    setting = selectors.public_data_setting()
    form = PublicDataSettingForm(request.POST or None, instance=setting)
    if request.method == "POST" and form.is_valid():
        try:
            services.public_data_setting_update(
                by=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                **form.setting_fields(),
            )
        except EditConflict as error:
            show_conflict(form, error, selectors.public_data_setting().version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("数据开放设置已保存。"))
            return redirect("open_data")
    groups = [(form[f"publish_{g}"], fields) for g, fields in oc4ids.FIELD_GROUPS]
    main_fields = [form[name] for name in services.SETTING_FIELDS if not name.startswith("publish_")]
    return render(
        request,
        "reports/open_data_settings.html",
        {
            "form": form,
            "groups": groups,
            "main_fields": main_fields,
            "id_prefix": office_settings().open_data_prefix,
        },
    )


# --------------------------------------------------------------------------------------------------
# Global search
# --------------------------------------------------------------------------------------------------


@require_GET
@login_required
def search(request):
    """The results page: every kind with its count and first hits, or one kind a page at a time."""
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    kind = request.GET.get("kind")
    context = {"form": form, "query": query, "kinds": global_search.KINDS}
    if kind in global_search.KINDS:
        context["kind"] = kind
        context["kind_label"] = global_search.KINDS[kind][0]
        context["page"] = global_search.search_page(
            user=request.user, query=query, kind=kind, page_number=request.GET.get("page")
        )
        context["all_url"] = reverse("search") + "?" + global_search.query_string({"q": query})
    else:
        context["groups"] = global_search.global_search(user=request.user, query=query, limit=10)
        context["total"] = sum(g.count for g in context["groups"])
    return render(request, "reports/search.html", context)


@require_GET
@login_required
def search_quick(request):
    """The dropdown under the header box (htmx): a few hits of each kind, with counts."""
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    groups = global_search.global_search(user=request.user, query=query, limit=5) if query else []
    return render(
        request,
        "reports/search_dropdown.html",
        {
            "query": query,
            "groups": [g for g in groups if g.count],
            "total": sum(g.count for g in groups),
            "all_url": reverse("search") + "?" + global_search.query_string({"q": query}),
        },
    )
