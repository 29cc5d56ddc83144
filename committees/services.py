"""Writes of the committees app."""

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page, Site

from committees.models import HomePage


@transaction.atomic
def home_page_ensure(*, title: str = "Borgerbudget") -> HomePage:
    """The site's home page and default Site, created when missing (fresh or flushed database)."""
    home = HomePage.objects.first()
    if home is None:
        Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root"))
        for page in root.get_children().exact_type(Page):
            page.delete()
        home = root.add_child(instance=HomePage(title=title, slug="home"))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", root_page=home, is_default_site=True, site_name=title
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])
    return home
