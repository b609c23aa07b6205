"""The project page: a face over every app, so it lives here rather than in the registry (projects sits
below the apps whose sections it shows). Its URL stays under /projects/ (keyprojects/urls.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from keyprojects.dashboard.project_page import project_page
from keyprojects.projects.access import get_project_for_user


@require_GET
@login_required
def project_detail(request, pk):
    project = get_project_for_user(request.user, pk)
    context = project_page(user=request.user, project=project, today=timezone.localdate())
    return render(request, "projects/project_detail.html", context)
