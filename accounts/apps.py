from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(**kwargs: Any) -> None:
    from .services import roles_ensure

    roles_ensure()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and departments")

    def ready(self) -> None:
        # Groups and their permissions follow the code after every migrate.
        post_migrate.connect(_ensure_roles, dispatch_uid="accounts.ensure_roles")
        _connect_access()


def _connect_access() -> None:
    """Cached permissions and roles (accounts.access) follow every change that affects them."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .access import access_forget_all, access_forget_user
    from .models import User

    for model in (User, Group, Permission):
        uid = f"accounts.access.{model.__name__}"
        handler = access_forget_user if model is User else access_forget_all
        post_save.connect(handler, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}.delete")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(access_forget_all, sender=through, dispatch_uid=f"access.{through}")
    post_migrate.connect(access_forget_all, dispatch_uid="accounts.access.migrate")
