"""allauth, told to write to each person in their own language, through the outbox.

allauth's messages (sign-up confirmation, password reset, "no account with this address") are
rendered here, in the request, and handed to `notices.services.account_mail_send`: the same
outbox and queue as every other e-mail, so a slow or refused mail server neither fails nor
slows the request and a failed send is retried; they are never subject to notice choices.
(The adapter is named in settings and imported by allauth alone, so `committees` reaching
`notices` here makes no import cycle.)
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied
from django.utils import translation

from committees import clients
from committees.workspace.landing import landing_url_for
from notices.services import account_mail_send


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """The platform's one answer (committees.clients), so that sign-in limits count per
        visitor behind the proxy, as every other throttle does."""
        address = clients.client_address(request)
        if address is None:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def send_mail(self, template_prefix, email, context):
        user = context.get("user")
        if user is None:
            user = get_user_model().objects.filter(email__iexact=email).first()
        language = getattr(user, "preferred_language", None) or translation.get_language()
        request = allauth_context.request
        with translation.override(language):
            message = self.render_mail(
                template_prefix,
                email,
                {
                    "request": request,
                    "email": email,
                    "current_site": get_current_site(request),
                    **context,
                },
            )
        account_mail_send(message=message, user=user, template=template_prefix, language=language)

    def get_login_redirect_url(self, request):
        """Staff to their workspace (polling staff to their station); everyone else back to the
        front page in their own language. A `next` address, when given, wins over both."""
        url = super().get_login_redirect_url(request)
        user = getattr(request, "user", None)
        landing = landing_url_for(user=user)
        if landing:
            return landing
        language = getattr(user, "preferred_language", None)
        if url == "/" and language and language != "da":
            return f"/{language}/"
        return url
