"""Import actions beside the import page (views.data): resume a failed import, download the
rejected rows as a CSV to fix and import again."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contacts.selectors import data as selectors
from contacts.services.imports import customer_import_resume, rejected_csv_rows
from contacts.views.data import _Echo


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


@require_POST
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("contacts.import_customer"):
        return _forbidden(request)
    job = selectors.import_get(user=request.user, pk=pk)
    try:
        customer_import_resume(job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The import continues after row %(position)s.") % {"position": job.position},
        )
    return redirect("contacts:data_import_detail", pk=job.pk)


@require_GET
def import_rejected_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse | HttpResponse:
    if not request.user.has_perm("contacts.import_customer"):
        return _forbidden(request)
    job = selectors.import_get_with_content(user=request.user, pk=pk)
    writer = csv.writer(_Echo(), delimiter=";" if ";" in job.content[:2000] else ",")
    lines = (writer.writerow(row) for row in rejected_csv_rows(job=job))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    name = job.filename.rsplit(".", 1)[0] or "import"
    response["Content-Disposition"] = f'attachment; filename="{name}-rejected.csv"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("data/import/<int:pk>/resume/", import_resume, name="data_import_resume"),
    path("data/import/<int:pk>/rejected.csv", import_rejected_csv, name="data_import_rejected"),
]
