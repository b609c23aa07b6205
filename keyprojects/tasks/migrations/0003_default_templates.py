"""The default task templates, one per project category (the office edits them afterwards).

Offsets are working days from the first day of the planned start month: negative before it."""

from django.db import migrations

OWNER, DISTRICT, DEPARTMENT, OFFICE = "owner", "district", "department", "office"

TEMPLATES = [
    (
        "new_start",
        "新开工项目标准任务清单",
        [
            ("立项（审批/核准/备案）", "取得项目审批、核准或备案文件。", DEPARTMENT, "approval", -160),
            ("可研批复", "完成可行性研究报告编制并取得批复。", DEPARTMENT, "feasibility", -130),
            ("用地预审与选址", "取得用地预审与选址意见书。", DEPARTMENT, "land_precheck", -120),
            ("用地规划许可", "取得建设用地规划许可证。", DEPARTMENT, "land_planning", -100),
            ("环评", "取得环境影响评价批复或完成备案。", DEPARTMENT, "eia", -90),
            ("初步设计", "完成初步设计及概算并取得批复。", DEPARTMENT, "prelim_design", -70),
            ("工程规划许可", "取得建设工程规划许可证。", DEPARTMENT, "works_planning", -55),
            ("施工图审查", "完成施工图设计并通过审查。", OWNER, "drawing_review", -40),
            ("招投标", "完成施工、监理招标并签订合同。", OWNER, "tender", -25),
            ("施工许可", "取得建筑工程施工许可证。", DEPARTMENT, "construction_permit", -10),
            ("开工", "按计划开工建设，报送开工信息并申请入统。", OWNER, "", 0),
        ],
    ),
    (
        "continuing",
        "续建项目标准任务清单",
        [
            ("分解年度建设计划", "将年度投资计划和形象进度目标分解到月。", OWNER, "", 10),
            ("落实年度建设资金", "落实年度资金来源，明确专项债、预算内资金和贷款到位计划。", OWNER, "", 30),
            ("完成上半年形象进度", "完成年度形象进度目标的一半以上。", OWNER, "", 115),
            ("完成年度形象进度目标", "完成年度形象进度目标和年度计划投资。", OWNER, "", 235),
        ],
    ),
    (
        "completing",
        "竣工投产项目标准任务清单",
        [
            ("主体工程完工", "完成主体工程建设。", OWNER, "", 120),
            ("竣工验收", "组织竣工验收并形成验收报告。", OWNER, "", 180),
            ("竣工验收备案", "办理竣工验收备案。", DEPARTMENT, "", 195),
            ("投产运营", "投入生产或使用，报送投产达效情况。", OWNER, "", 220),
        ],
    ),
    (
        "preparatory",
        "预备项目标准任务清单",
        [
            ("完善项目谋划", "明确建设内容、规模、投资和资金来源，纳入项目储备库。", OWNER, "", -200),
            ("立项（审批/核准/备案）", "取得项目审批、核准或备案文件。", DEPARTMENT, "approval", -160),
            ("可研批复", "完成可行性研究报告编制并取得批复。", DEPARTMENT, "feasibility", -130),
            ("对接要素保障", "对接用地、资金、能耗等要素需求，明确落实路径。", DISTRICT, "", -110),
        ],
    ),
]


def seed(apps, schema_editor):
    TaskTemplate = apps.get_model("tasks", "TaskTemplate")
    TaskTemplateItem = apps.get_model("tasks", "TaskTemplateItem")
    for category, name, items in TEMPLATES:
        if TaskTemplate.objects.filter(category=category).exists():
            continue
        template = TaskTemplate.objects.create(category=category, name=name)
        TaskTemplateItem.objects.bulk_create(
            TaskTemplateItem(
                template=template,
                order=(index + 1) * 10,
                title=title,
                requirement=requirement,
                responsible=responsible,
                prelim_kind=prelim_kind,
                offset_workdays=offset,
            )
            for index, (title, requirement, responsible, prelim_kind, offset) in enumerate(items)
        )


def unseed(apps, schema_editor):
    TaskTemplate = apps.get_model("tasks", "TaskTemplate")
    TaskTemplate.objects.filter(name__in=[name for _c, name, _i in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("tasks", "0002_status_change_completed_date")]

    operations = [migrations.RunPython(seed, unseed)]
