"""Helpers shared by the coordination tests: a problem raised by owner A on project A, led by the
department (市发改委), as the browser test and the matrix also use."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from keyprojects.coordination.models import Problem
from keyprojects.coordination.services import problem_raise

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="批复.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def raise_problem(cast, *, user=None, project=None, lead_unit=None, title="用地预审迟迟未批复", **extra):
    return problem_raise(
        by=user or cast.owner,
        project=project or cast.project_a,
        category=extra.pop("category", Problem.Category.APPROVAL),
        title=title,
        description=extra.pop("description", "项目用地预审与选址意见书已报送 30 天，尚未取得批复。"),
        lead_unit=lead_unit or cast.department,
        **extra,
    )


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
