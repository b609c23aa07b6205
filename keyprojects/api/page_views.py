"""The office's page for API tokens: create (the key is shown once) and revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keyprojects.api.forms import TokenForm
from keyprojects.api.models import ApiToken
from keyprojects.api.services import api_token_create, api_token_revoke
from keyprojects.lib.forms import apply_errors
from keyprojects.orgs.access import require_office


@require_http_methods(["GET", "POST"])
@login_required
def token_list(request):
    require_office(request.user)
    form = TokenForm(request.POST or None)
    new_key = new_token = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                new_token, new_key = api_token_create(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                form = TokenForm()
        if new_key is None:
            status = 400
    tokens = ApiToken.objects.select_related("organisation", "created_by", "revoked_by")
    # The key is in this response only: never cached, never in a redirect or a message.
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key, "new_token": new_token},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def token_revoke(request, pk):
    require_office(request.user)
    token = get_object_or_404(ApiToken, pk=pk)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, _("令牌“%(name)s”已吊销，使用它的请求将被拒绝。") % {"name": token.name})
    return redirect("api-token-list")
