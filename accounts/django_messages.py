"""Django's own interface strings that its Dutch catalog does not translate yet; listed here
so ``makemessages`` puts them in ours (project catalogs take precedence over Django's)."""

from django.utils.translation import gettext_noop

DJANGO_MESSAGES = (
    # The empty choice of every select since Django 6.1 (django.db.models.fields).
    gettext_noop("- Select an option -"),
)
