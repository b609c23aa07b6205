"""The REST API. Every queryset starts from the access gates (each app's access.py), every
write is the service the pages call, and every refusal is a 4xx with the reason (exceptions.py)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from keyprojects.alerts.access import get_warning_for_user, warnings_visible_to
from keyprojects.alerts.models import ProjectWarning
from keyprojects.api import serializers as s
from keyprojects.api.exceptions import Conflict
from keyprojects.coordination import services as problem_services
from keyprojects.coordination.access import can_raise_problem, get_problem_for_user, problems_visible_to
from keyprojects.coordination.models import Instruction, Problem, ProblemAction
from keyprojects.lib.money import YUAN_PER_YI
from keyprojects.lib.text import search_term
from keyprojects.orgs.access import require_office
from keyprojects.orgs.models import Organisation
from keyprojects.plans import report_services
from keyprojects.plans import services as plan_services
from keyprojects.plans.access import (
    can_report,
    entries_visible_to,
    get_entry_for_user,
    get_report_for_user,
    reports_visible_to,
)
from keyprojects.plans.models import AnnualEntry, MonthlyReport
from keyprojects.plans.selectors import annual_list_of
from keyprojects.projects import services as project_services
from keyprojects.projects.access import (
    can_create_project,
    can_move_stage,
    get_project_for_user,
    projects_visible_to,
)
from keyprojects.projects.models import Project, Sector
from keyprojects.reports.services import oc4ids_package
from keyprojects.tasks import services as task_services
from keyprojects.tasks.access import get_task_for_user, tasks_visible_to
from keyprojects.tasks.models import Task

ERRORS = {
    400: OpenApiResponse(
        description=gettext_lazy("输入有误：未知字段、类型错误、超出权限范围的编号或业务规则不允许")
    ),
    401: OpenApiResponse(description=gettext_lazy("未认证，或令牌无效、已吊销")),
    403: OpenApiResponse(description=gettext_lazy("可以查看但无权执行此操作")),
    404: OpenApiResponse(description=gettext_lazy("不存在或不在您的权限范围内")),
}
WRITE_ERRORS = {**ERRORS, 409: OpenApiResponse(description=gettext_lazy("记录已被他人修改（version 不符）"))}
PAGING = {"page", "page_size"}


def _responses(ok, code=200, errors=ERRORS):
    return {code: ok, **errors}


class ApiViewSet(viewsets.GenericViewSet):
    """Lists filtered by FILTER (a serializer of the query parameters) and sorted by its `ordering`;
    any query parameter the endpoint does not know is refused with 400, naming it."""

    filter_class = None
    default_ordering = ["id"]
    lookup_value_regex = r"[0-9]{1,18}"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        allowed = set()
        if self.action == "list":
            allowed = PAGING | set(self.filter_class().fields if self.filter_class else ())
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError(
                {name: [_("未知查询参数“%(name)s”。") % {"name": name}] for name in unknown}
            )

    def filters(self) -> dict:
        if self.filter_class is None:
            return {}
        params = self.filter_class(data=self.request.query_params.dict())
        params.is_valid(raise_exception=True)
        return params.validated_data

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        values = self.filters()
        queryset = self.apply_filters(queryset, values)
        ordering = values.get("ordering")
        return queryset.order_by(*([ordering] if ordering else []), *self.default_ordering)

    def apply_filters(self, queryset, values):
        return queryset.filter(**{k: v for k, v in values.items() if k != "ordering"})

    def detail_response(self, instance, code=status.HTTP_200_OK):
        serializer = self.get_serializer_class()
        if hasattr(self, "detail_serializer_class"):
            serializer = self.detail_serializer_class
        return Response(serializer(instance, context=self.get_serializer_context()).data, status=code)

    def valid(self, serializer_class, instance=None, partial=False):
        serializer = serializer_class(
            instance, data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# --------------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("单位列表"),
        parameters=[s.OrganisationFilter],
        responses=ERRORS | {200: s.OrganisationSerializer(many=True)},
    ),
)
class OrganisationViewSet(mixins.ListModelMixin, ApiViewSet):
    """Active organisations: the ids to give as owner, district, department or unit."""

    serializer_class = s.OrganisationSerializer
    filter_class = s.OrganisationFilter
    default_ordering = ["kind", "sort", "name"]
    queryset = Organisation.objects.filter(is_active=True)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("行业领域列表"), responses=ERRORS | {200: s.SectorSerializer(many=True)}
    )
)
class SectorViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = s.SectorSerializer
    default_ordering = ["sort", "name"]
    queryset = Sector.objects.all()


# --------------------------------------------------------------------------------------------------
# Projects
# --------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("项目列表"), parameters=[s.ProjectFilter]),
    retrieve=extend_schema(summary=gettext_lazy("项目详情"), responses=_responses(s.ProjectSerializer)),
    create=extend_schema(
        summary=gettext_lazy("新建项目"),
        request=s.ProjectWriteSerializer,
        responses=_responses(s.ProjectSerializer, 201, WRITE_ERRORS),
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("修改项目"),
        request=s.ProjectUpdateSerializer,
        responses=_responses(s.ProjectSerializer, 200, WRITE_ERRORS),
    ),
)
class ProjectViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = s.ProjectSerializer
    filter_class = s.ProjectFilter
    default_ordering = ["-total_investment", "id"]
    queryset = Project.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            projects_visible_to(self.request.user)
            .select_related("owner", "district", "sector")
            .prefetch_related("departments")
        )

    def apply_filters(self, queryset, values):
        for key in ("district", "owner", "sector", "leader", "stage"):
            if values.get(key) is not None:
                queryset = queryset.filter(**{key: values[key]})
        if values.get("over_yi"):
            queryset = queryset.filter(total_investment__gte=YUAN_PER_YI)
        if values.get("q"):
            queryset = queryset.filter(search_text__contains=search_term(values["q"]))
        return queryset

    def retrieve(self, request, pk):
        return self.detail_response(get_project_for_user(request.user, pk))

    def create(self, request):
        if not can_create_project(request.user):
            raise PermissionDenied(_("您的角色不能新建项目。"))
        data = dict(self.valid(s.ProjectWriteSerializer))
        departments = data.pop("departments", [])
        project = project_services.project_create(by=request.user, departments=departments, **data)
        return self.detail_response(get_project_for_user(request.user, project.pk), status.HTTP_201_CREATED)

    def partial_update(self, request, pk):
        project = get_project_for_user(request.user, pk, write=True)
        data = dict(self.valid(s.ProjectUpdateSerializer, instance=project, partial=True))
        version = data.pop("version")
        departments = data.pop("departments", None)
        project_services.project_update(
            project=project, by=request.user, expected_version=version, departments=departments, **data
        )
        return self.detail_response(get_project_for_user(request.user, pk))

    @extend_schema(
        summary=gettext_lazy("变更项目阶段"),
        request=s.StageChangeSerializer,
        responses=_responses(s.ProjectSerializer, 200, WRITE_ERRORS),
    )
    @action(detail=True, methods=["post"])
    def stage(self, request, pk):
        project = get_project_for_user(request.user, pk)
        if not can_move_stage(request.user, project):
            raise PermissionDenied(_("您无权变更该项目的阶段。"))
        data = self.valid(s.StageChangeSerializer)
        project_services.project_change_stage(project=project, by=request.user, **data)
        return self.detail_response(get_project_for_user(request.user, pk))


# --------------------------------------------------------------------------------------------------
# Annual entries
# --------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("年度清单项目列表"), parameters=[s.EntryFilter]),
    retrieve=extend_schema(summary=gettext_lazy("年度清单项目详情"), responses=_responses(s.EntrySerializer)),
    create=extend_schema(
        summary=gettext_lazy("将项目列入年度清单（重点办，草稿批次）"),
        request=s.EntryCreateSerializer,
        responses=_responses(s.EntrySerializer, 201, WRITE_ERRORS),
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("修改年度清单项目（重点办）"),
        request=s.EntryUpdateSerializer,
        responses=_responses(s.EntrySerializer, 200, WRITE_ERRORS),
    ),
)
class EntryViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = s.EntrySerializer
    filter_class = s.EntryFilter
    default_ordering = ["annual_list__year", "category", "-planned_investment", "id"]
    queryset = AnnualEntry.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            entries_visible_to(self.request.user)
            .select_related("annual_list", "batch", "project")
            .prefetch_related("departments")
        )

    def apply_filters(self, queryset, values):
        lookups = {
            "year": "annual_list__year",
            "category": "category",
            "project": "project",
            "district": "project__district",
            "batch": "batch",
        }
        return queryset.filter(**{lookups[k]: v for k, v in values.items() if k in lookups})

    def _entry(self, pk):
        return self.get_queryset().get(pk=get_entry_for_user(self.request.user, pk).pk)

    def retrieve(self, request, pk):
        return self.detail_response(self._entry(pk))

    def create(self, request):
        require_office(request.user)
        data = dict(self.valid(s.EntryCreateSerializer))
        annual_list = annual_list_of(data.pop("year"))
        if annual_list is None:
            raise ValidationError({"year": [_("该年度的重点项目清单尚未建立，请先在页面上新建批次。")]})
        entry = plan_services.entry_create(
            annual_list=annual_list,
            by=request.user,
            departments=data.pop("departments", ()),
            **data,
        )
        return self.detail_response(self._entry(entry.pk), status.HTTP_201_CREATED)

    def partial_update(self, request, pk):
        entry = get_entry_for_user(request.user, pk)
        require_office(request.user)
        data = dict(self.valid(s.EntryUpdateSerializer, partial=True))
        version = data.pop("version")
        departments = data.pop("departments", None)
        plan_services.entry_update(
            entry=entry, by=request.user, expected_version=version, departments=departments, **data
        )
        return self.detail_response(self._entry(pk))


# --------------------------------------------------------------------------------------------------
# Monthly reports
# --------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("月度报送列表"), parameters=[s.ReportFilter]),
    retrieve=extend_schema(summary=gettext_lazy("月度报送详情"), responses=_responses(s.ReportSerializer)),
    create=extend_schema(
        summary=gettext_lazy("新建月度报送（草稿，或 submit=true 直接提交）"),
        request=s.ReportCreateSerializer,
        responses=_responses(s.ReportSerializer, 201, WRITE_ERRORS),
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("修改月度报送草稿"),
        request=s.ReportUpdateSerializer,
        responses=_responses(s.ReportSerializer, 200, WRITE_ERRORS),
    ),
)
class ReportViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = s.ReportSerializer
    filter_class = s.ReportFilter
    default_ordering = ["entry__annual_list__year", "entry", "month", "id"]
    queryset = MonthlyReport.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return reports_visible_to(self.request.user).select_related("entry__annual_list", "entry__project")

    def apply_filters(self, queryset, values):
        lookups = {
            "year": "entry__annual_list__year",
            "month": "month",
            "status": "status",
            "entry": "entry",
            "project": "entry__project",
        }
        return queryset.filter(**{lookups[k]: v for k, v in values.items() if k in lookups})

    def _report(self, pk):
        return get_report_for_user(self.request.user, pk)

    def retrieve(self, request, pk):
        return self.detail_response(get_report_for_user(request.user, pk))

    def create(self, request):
        data = dict(self.valid(s.ReportCreateSerializer))
        entry = data.pop("entry")
        if not can_report(request.user, entry.project):
            raise PermissionDenied(_("只有项目业主可以填报该项目的月度报送。"))
        existing = MonthlyReport.objects.filter(entry=entry, month=data["month"]).order_by().first()
        if existing is not None:
            raise Conflict(
                _(
                    "%(month)s月报送已存在（编号 %(pk)s，version %(version)s），"
                    "请用 PATCH /api/reports/%(pk)s/ 修改。"
                )
                % {"month": existing.month, "pk": existing.pk, "version": existing.version}
            )
        report = report_services.monthly_report_save(entry=entry, by=request.user, **data)
        return self.detail_response(self._report(report.pk), status.HTTP_201_CREATED)

    def _save(self, request, pk, *, submit):
        report = get_report_for_user(request.user, pk, action="report")
        data = dict(self.valid(s.ReportUpdateSerializer if not submit else s.ReportSubmitSerializer))
        values = {
            name: data.get(name, getattr(report, name))
            for name in ("amount", "progress", "problems", "explanation")
        }
        report_services.monthly_report_save(
            entry=report.entry,
            month=report.month,
            by=request.user,
            expected_version=data["version"],
            submit=submit,
            **values,
        )
        return self.detail_response(self._report(pk))

    def partial_update(self, request, pk):
        return self._save(request, pk, submit=False)

    @extend_schema(
        summary=gettext_lazy("提交月度报送（可同时修改内容）"),
        request=s.ReportSubmitSerializer,
        responses=_responses(s.ReportSerializer, 200, WRITE_ERRORS),
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk):
        return self._save(request, pk, submit=True)

    @extend_schema(
        summary=gettext_lazy("审核通过月度报送"),
        request=s.VersionSerializer,
        responses=_responses(s.ReportSerializer, 200, WRITE_ERRORS),
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk):
        report = get_report_for_user(request.user, pk, action="review")
        data = self.valid(s.VersionSerializer)
        report_services.monthly_report_approve(
            report=report, by=request.user, expected_version=data["version"]
        )
        return self.detail_response(self._report(pk))

    @extend_schema(
        summary=gettext_lazy("退回月度报送"),
        request=s.ReportReturnSerializer,
        responses=_responses(s.ReportSerializer, 200, WRITE_ERRORS),
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk):
        report = get_report_for_user(request.user, pk, action="review")
        data = self.valid(s.ReportReturnSerializer)
        report_services.monthly_report_return(
            report=report, by=request.user, reason=data["reason"], expected_version=data["version"]
        )
        return self.detail_response(self._report(pk))


# --------------------------------------------------------------------------------------------------
# Tasks
# --------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("任务列表"), parameters=[s.TaskFilter]),
    retrieve=extend_schema(summary=gettext_lazy("任务详情"), responses=_responses(s.TaskDetailSerializer)),
    create=extend_schema(
        summary=gettext_lazy("新增任务（重点办、项目所在城区）"),
        request=s.TaskCreateSerializer,
        responses=_responses(s.TaskDetailSerializer, 201, WRITE_ERRORS),
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("修改任务（重点办、项目所在城区）"),
        request=s.TaskUpdateSerializer,
        responses=_responses(s.TaskDetailSerializer, 200, WRITE_ERRORS),
    ),
)
class TaskViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = s.TaskSerializer
    detail_serializer_class = s.TaskDetailSerializer
    filter_class = s.TaskFilter
    default_ordering = ["deadline", "id"]
    queryset = Task.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return tasks_visible_to(self.request.user).select_related("project", "responsible_unit")

    def apply_filters(self, queryset, values):
        lookups = {
            "project": "project",
            "responsible_unit": "responsible_unit",
            "status": "status",
            "deadline_before": "deadline__lte",
        }
        return queryset.filter(**{lookups[k]: v for k, v in values.items() if k in lookups})

    def _task(self, pk):
        return (
            self.get_queryset()
            .prefetch_related("evidence__uploaded_by")
            .get(pk=get_task_for_user(self.request.user, pk).pk)
        )

    def retrieve(self, request, pk):
        return self.detail_response(self._task(pk))

    def create(self, request):
        data = dict(self.valid(s.TaskCreateSerializer))
        task = task_services.task_create(by=request.user, **data)
        return self.detail_response(self._task(task.pk), status.HTTP_201_CREATED)

    def partial_update(self, request, pk):
        task = get_task_for_user(request.user, pk, action="manage")
        data = dict(self.valid(s.TaskUpdateSerializer, partial=True))
        version = data.pop("version")
        task_services.task_update(by=request.user, task=task, expected_version=version, **data)
        return self.detail_response(self._task(pk))

    @extend_schema(
        summary=gettext_lazy("变更任务状态（完成需完成日期和佐证）"),
        request=s.TaskStatusSerializer,
        responses=_responses(s.TaskDetailSerializer, 200, WRITE_ERRORS),
    )
    @action(detail=True, methods=["post"])
    def status(self, request, pk):
        task = get_task_for_user(request.user, pk, action="work")
        data = dict(self.valid(s.TaskStatusSerializer))
        task_services.task_set_status(
            by=request.user,
            task=task,
            status=data["status"],
            completed_date=data.get("completed_date"),
            note=data.get("note", ""),
            expected_version=data.get("version"),
        )
        return self.detail_response(self._task(pk))

    @extend_schema(
        summary=gettext_lazy("上传佐证材料（multipart 文件和/或说明）"),
        request={
            "multipart/form-data": s.EvidenceCreateSerializer,
            "application/json": s.EvidenceCreateSerializer,
        },
        responses=_responses(s.TaskDetailSerializer, 201, WRITE_ERRORS),
    )
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk):
        task = get_task_for_user(request.user, pk, action="work")
        data = self.valid(s.EvidenceCreateSerializer)
        task_services.task_add_evidence(
            by=request.user, task=task, files=data.get("files", []), note=data.get("note", "")
        )
        return self.detail_response(self._task(pk), status.HTTP_201_CREATED)


# --------------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------------


def _problem_action(summary, request_serializer, *, url_path=None):
    kwargs = {"url_path": url_path, "url_name": url_path} if url_path else {}
    return lambda fn: extend_schema(
        summary=summary,
        request=request_serializer,
        responses=_responses(s.ProblemDetailSerializer, 200, WRITE_ERRORS),
    )(action(detail=True, methods=["post"], **kwargs)(fn))


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("问题列表"), parameters=[s.ProblemFilter]),
    retrieve=extend_schema(
        summary=gettext_lazy("问题详情（含办理记录和批示）"), responses=_responses(s.ProblemDetailSerializer)
    ),
    create=extend_schema(
        summary=gettext_lazy("提出问题"),
        request=s.ProblemCreateSerializer,
        responses=_responses(s.ProblemDetailSerializer, 201, WRITE_ERRORS),
    ),
)
class ProblemViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = s.ProblemSerializer
    detail_serializer_class = s.ProblemDetailSerializer
    filter_class = s.ProblemFilter
    default_ordering = ["-created_at", "-id"]
    queryset = Problem.objects.none()
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return (
            problems_visible_to(self.request.user)
            .select_related("project", "lead_unit")
            .prefetch_related("co_units")
        )

    def _problem(self, pk, queryset=None):
        problem = (
            (queryset if queryset is not None else self.get_queryset())
            .prefetch_related(
                Prefetch("actions", ProblemAction.objects.select_related("by", "by_org")),
                Prefetch("instructions", Instruction.objects.select_related("leader")),
            )
            .filter(pk=pk)
            .first()
        )
        if problem is None:
            raise Http404(_("问题不存在或您无权查看。"))
        return problem

    def retrieve(self, request, pk):
        return self.detail_response(self._problem(get_problem_for_user(request.user, pk).pk))

    def create(self, request):
        data = dict(self.valid(s.ProblemCreateSerializer))
        if not can_raise_problem(request.user, data["project"]):
            raise PermissionDenied(_("您无权就该项目提出问题。"))
        problem = problem_services.problem_raise(by=request.user, **data)
        # The raiser is answered with what it wrote, even where the gate would not show it the problem
        # afterwards (a department that raises a problem another unit leads).
        created = Problem.objects.select_related("project", "lead_unit").prefetch_related("co_units")
        return self.detail_response(self._problem(problem.pk, created), status.HTTP_201_CREATED)

    def _act(self, pk, gate, serializer, service, **fixed):
        problem = get_problem_for_user(self.request.user, pk, action=gate)
        data = dict(self.valid(serializer))
        if "version" in serializer().fields:
            data["expected_version"] = data.pop("version", None)
        service(problem=problem, by=self.request.user, **fixed, **data)
        return self.detail_response(self._problem(pk))

    @_problem_action(gettext_lazy("交办（重点办）"), s.ProblemAssignSerializer)
    def assign(self, request, pk):
        return self._act(pk, "coordinate", s.ProblemAssignSerializer, problem_services.problem_assign)

    @_problem_action(gettext_lazy("增加协办单位（重点办）"), s.ProblemCoUnitSerializer, url_path="co-unit")
    def co_unit(self, request, pk):
        return self._act(pk, "coordinate", s.ProblemCoUnitSerializer, problem_services.problem_add_co_unit)

    @_problem_action(gettext_lazy("提级（重点办）"), s.ProblemReasonSerializer)
    def escalate(self, request, pk):
        return self._act(pk, "coordinate", s.ProblemReasonSerializer, problem_services.problem_escalate)

    @_problem_action(gettext_lazy("降级（重点办）"), s.ProblemReasonSerializer)
    def deescalate(self, request, pk):
        return self._act(pk, "coordinate", s.ProblemReasonSerializer, problem_services.problem_deescalate)

    @_problem_action(gettext_lazy("填报办理进展（承办单位）"), s.ProblemNoteSerializer)
    def progress(self, request, pk):
        return self._act(pk, "handle", s.ProblemNoteSerializer, problem_services.problem_progress)

    @_problem_action(gettext_lazy("办结（承办单位）"), s.ProblemNoteSerializer)
    def resolve(self, request, pk):
        return self._act(pk, "handle", s.ProblemNoteSerializer, problem_services.problem_resolve)

    @_problem_action(gettext_lazy("确认销号（提出单位）"), s.ProblemConfirmSerializer)
    def confirm(self, request, pk):
        return self._act(pk, "confirm", s.ProblemConfirmSerializer, problem_services.problem_confirm)

    @_problem_action(gettext_lazy("退回重办（提出单位）"), s.ProblemReasonSerializer)
    def reject(self, request, pk):
        return self._act(pk, "confirm", s.ProblemReasonSerializer, problem_services.problem_reject_resolution)

    @_problem_action(gettext_lazy("重新打开（提出单位）"), s.ProblemReasonSerializer)
    def reopen(self, request, pk):
        return self._act(pk, "confirm", s.ProblemReasonSerializer, problem_services.problem_reopen)

    @_problem_action(gettext_lazy("领导批示（市领导）"), s.InstructionCreateSerializer)
    def instruct(self, request, pk):
        problem = get_problem_for_user(request.user, pk, action="instruct")
        data = self.valid(s.InstructionCreateSerializer)
        problem_services.instruction_create(problem=problem, leader=request.user, **data)
        return self.detail_response(self._problem(pk))

    @_problem_action(gettext_lazy("回复批示（承办单位）"), s.InstructionReplySerializer)
    def reply(self, request, pk):
        problem = get_problem_for_user(request.user, pk, action="handle")
        data = self.valid(s.InstructionReplySerializer)
        instruction = problem.instructions.filter(pk=data["instruction"]).first()
        if instruction is None:
            raise ValidationError(
                {"instruction": [_("该问题没有编号为 %(pk)s 的批示。") % {"pk": data["instruction"]}]}
            )
        problem_services.instruction_reply(instruction=instruction, by=request.user, text=data["text"])
        return self.detail_response(self._problem(pk))


# --------------------------------------------------------------------------------------------------
# Warnings (read only: the warning centre computes them)
# --------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("预警列表"), parameters=[s.WarningFilter]),
    retrieve=extend_schema(summary=gettext_lazy("预警详情"), responses=_responses(s.WarningSerializer)),
)
class WarningViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = s.WarningSerializer
    filter_class = s.WarningFilter
    default_ordering = ["-level_since", "id"]
    queryset = ProjectWarning.objects.none()

    def get_queryset(self):
        return warnings_visible_to(self.request.user).select_related("rule", "project")

    def apply_filters(self, queryset, values):
        lookups = {"project": "project", "level": "level", "rule": "rule__code"}
        return queryset.filter(**{lookups[k]: v for k, v in values.items() if k in lookups})

    def retrieve(self, request, pk):
        return self.detail_response(get_warning_for_user(request.user, pk))


# --------------------------------------------------------------------------------------------------
# Open data
# --------------------------------------------------------------------------------------------------


class Oc4idsViewSet(ApiViewSet):
    """The OC4IDS 0.9.5 project package, the same as the open-data page's download."""

    @extend_schema(
        summary=gettext_lazy("OC4IDS 开放数据包"),
        description=gettext_lazy(
            "公开项目的 OC4IDS 0.9.5 项目数据包（JSON）。公开哪些项目和字段由重点办在开放数据设置中决定，"
            "与页面下载的数据包相同；没有可公开的项目时返回 404。"
        ),
        responses=_responses(OpenApiResponse(description=gettext_lazy("OC4IDS 项目数据包"))),
    )
    def list(self, request):
        package = oc4ids_package(user=request.user, uri=request.build_absolute_uri())
        if not package["projects"]:
            raise Http404(_("当前没有可公开的项目，无法生成开放数据包。"))
        return Response(package)
