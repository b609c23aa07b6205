from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyprojects.coordination import meeting_selectors as selectors
from keyprojects.coordination import meeting_services as services
from keyprojects.coordination.access import (
    get_agenda_item_for_user,
    get_meeting_for_user,
    problems_visible_to,
)
from keyprojects.coordination.meeting_docx import document_number, minutes_docx
from keyprojects.coordination.meeting_forms import AgendaAddForm, DecisionForm, MeetingForm
from keyprojects.coordination.models import DispatchMeeting
from keyprojects.lib.forms import apply_errors, error_text
from keyprojects.lib.locking import EditConflict, show_conflict, stored_version
from keyprojects.orgs.access import require_office

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@require_GET
@login_required
def meeting_list(request):
    meetings = selectors.meeting_list(user=request.user)
    page = Paginator(meetings, 20).get_page(request.GET.get("page"))
    return render(request, "coordination/meeting_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@login_required
def meeting_create(request):
    require_office(request.user)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            meeting = services.meeting_create(by=request.user, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("调度会已安排，议题已自动汇集第三级及以上未解决的问题。"))
            return redirect("meeting_detail", pk=meeting.pk)
    return render(request, "coordination/meeting_form.html", {"form": form, "meeting": None})


@require_http_methods(["GET", "POST"])
@login_required
def meeting_edit(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    initial = {
        "title": meeting.title,
        "date": meeting.date,
        "place": meeting.place,
        "chair": meeting.chair_id,
        "attendees": meeting.attendees,
        "summary": meeting.summary,
        "version": meeting.version,
    }
    form = MeetingForm(request.POST or None, initial=initial, with_summary=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or meeting.version
        try:
            services.meeting_update(by=request.user, meeting=meeting, expected_version=version, **data)
        except EditConflict as error:
            show_conflict(form, error, stored_version(DispatchMeeting, pk=pk))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("会议信息已保存。"))
            return redirect("meeting_detail", pk=meeting.pk)
    return render(request, "coordination/meeting_form.html", {"form": form, "meeting": meeting})


@require_GET
@login_required
def meeting_detail(request, pk):
    meeting = get_meeting_for_user(request.user, pk)
    items = selectors.meeting_agenda(meeting=meeting, user=request.user)
    return render(
        request,
        "coordination/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "can_manage": request.user.is_office,
            "can_download": request.user.sees_everything,
            "document_number": document_number(meeting),
            "min_level": services.AGENDA_MIN_LEVEL,
        },
    )


@require_POST
@login_required
def meeting_held(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    try:
        services.meeting_mark_held(by=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已标记为已召开，议题不再变动。"))
    return redirect("meeting_detail", pk=meeting.pk)


@require_GET
@login_required
def meeting_minutes(request, pk):
    """The minutes as Word (GB/T 9704): for the office and leaders, who issue and receive them."""
    meeting = get_meeting_for_user(request.user, pk)
    if not request.user.sees_everything:
        raise PermissionDenied(_("会议纪要仅供重点办和市领导下载。"))
    response = HttpResponse(minutes_docx(meeting), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}-minutes.docx"'
    return response


@require_POST
@login_required
def agenda_gather(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    added = services.agenda_gather(meeting=meeting)
    messages.success(request, _("新汇集议题 %(n)s 项。") % {"n": added})
    return redirect("meeting_detail", pk=meeting.pk)


@require_http_methods(["GET", "POST"])
@login_required
def agenda_add(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    form = AgendaAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = problems_visible_to(request.user).filter(pk=form.cleaned_data["problem"]).first()
        try:
            if problem is None:
                raise ValidationError({"problem": _("问题不存在。")})
            services.agenda_add(by=request.user, meeting=meeting, problem=problem)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已列入议题：%(t)s") % {"t": problem.title})
            return redirect("meeting_detail", pk=meeting.pk)
    q = request.GET.get("q", "").strip()
    candidates = selectors.agenda_candidates(meeting=meeting, q=q)
    return render(
        request,
        "coordination/meeting_agenda_add.html",
        {"meeting": meeting, "form": form, "candidates": candidates, "q": q},
    )


@require_http_methods(["GET", "POST"])
@login_required
def agenda_decide(request, pk):
    item = get_agenda_item_for_user(request.user, pk)
    problem = item.problem
    initial = {"responsible_unit": problem.lead_unit_id, "reply_unit": problem.lead_unit_id}
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_decide(by=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("议定事项已记录并交办。"))
            return redirect("meeting_detail", pk=item.meeting_id)
    return render(
        request, "coordination/meeting_decide.html", {"item": item, "form": form, "problem": problem}
    )


@require_POST
@login_required
def agenda_remove(request, pk):
    item = get_agenda_item_for_user(request.user, pk)
    try:
        services.agenda_remove(by=request.user, item=item)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已移出议题。"))
    return redirect("meeting_detail", pk=item.meeting_id)
