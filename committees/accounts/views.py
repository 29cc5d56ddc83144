import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from committees.accounts import mine, privacy
from committees.accounts.forms import PasswordConfirmForm


@login_required
def my_data(request):
    """Download your data, or delete your account."""
    if request.method == "POST" and request.POST.get("action") == "download":
        data = json.dumps(privacy.export(request.user), indent=2, ensure_ascii=False, default=str)
        response = HttpResponse(data, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="borgerbudget-mine-data.json"'
        return response
    form = PasswordConfirmForm(
        request.POST if request.POST.get("action") == "delete" else None, user=request.user
    )
    if form.is_bound and form.is_valid():
        user = request.user
        logout(request)
        privacy.account_delete(user=user)
        messages.success(
            request, _("Your account is deleted. Your proposals stay, without your name.")
        )
        return redirect("/")
    return TemplateResponse(request, "committees/accounts/my_data.html", {"form": form})


@login_required
def my_borgerbudget(request):
    """Everything of one's own in one place: proposals and drafts, supports, what one follows,
    the rounds one can vote in, grant applications, and the e-mails one gets."""
    return TemplateResponse(
        request, "committees/accounts/mine.html", {"sections": mine.sections(user=request.user)}
    )
