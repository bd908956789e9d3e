"""Data-management pages: duplicates and merge, CSV import and export, GDPR, data quality and the
audit log."""

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from contacts.forms_data import EraseForm, ImportForm, MergeForm
from contacts.models import AuditAction, ImportStatus
from contacts.selectors import data as selectors
from contacts.selectors import quality, readable
from contacts.services.audit import audit_record
from contacts.services.duplicates import duplicate_dismiss
from contacts.services.gdpr import customer_export, customers_erase, customers_sharing_traces
from contacts.services.imports import COLUMNS as IMPORT_COLUMNS
from contacts.services.imports import customer_import_create
from contacts.services.merge import customer_merge

# The import's columns, in its order: a file exported can be imported again.
EXPORT_COLUMNS = IMPORT_COLUMNS
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def customer_url(pk: int) -> str:
    """The customer 360 page of ``pk``."""
    for name in ("contacts:customer", "contacts:detail"):
        try:
            return reverse(name, args=[pk])
        except NoReverseMatch:
            continue
    return f"/customers/{pk}/"


# --- Duplicates and merge ------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def duplicates(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("contacts.merge_customer"):
        return _forbidden(request)
    page = selectors.duplicate_list_open(user=request.user, cursor=request.GET.get("cursor"))
    template = "contacts/data_duplicates.html"
    if request.htmx:
        template += "#rows"
    return render(request, template, {"page": page})


@require_POST
def duplicate_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("contacts.merge_customer"):
        return _forbidden(request)
    candidate = selectors.duplicate_get_open(user=request.user, pk=pk)
    try:
        duplicate_dismiss(candidate=candidate, user=request.user)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    messages.success(request, _("Marked as not the same person."))
    return redirect("contacts:data_duplicates")


@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("contacts.merge_customer"):
        return _forbidden(request)
    source = selectors.customer_get_for_data(
        user=request.user, pk=pk, perm="contacts.merge_customer"
    )
    back = request.POST.get("back") or request.GET.get("back") or ""
    form = MergeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            target = selectors.customer_find_for_data(
                user=request.user, pk=form.cleaned_data["target"], perm="contacts.merge_customer"
            )
            if target is None:
                form.add_error("target", _("There is no customer with this number."))
            else:
                try:
                    target = customer_merge(source=source, target=target, user=request.user)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(
                        request,
                        _("%(source)s was merged into %(target)s.")
                        % {"source": source, "target": target},
                    )
                    if back == "duplicates":
                        return redirect("contacts:data_duplicates")
                    return redirect(customer_url(target.pk))
    context = {
        "customer": source,
        "form": form,
        "back": back,
        "candidates": selectors.duplicate_list_for_customer(user=request.user, customer=source),
        "customer_url": customer_url(source.pk),
    }
    return render(request, "contacts/data_merge.html", context, status=status)


# --- Import and export -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("contacts.import_customer"):
        return _forbidden(request)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            job = customer_import_create(user=request.user, filename=upload.name, text=form.text)
            messages.success(request, _("The import has started."))
            return redirect("contacts:data_import_detail", pk=job.pk)
        status = 400
    else:
        status = 200
    page = selectors.import_list(
        user=request.user, before_id=_int_or_none(request.GET.get("before"))
    )
    return render(request, "contacts/data_import.html", {"form": form, "page": page}, status=status)


@require_GET
@vary_on_headers("HX-Request")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("contacts.import_customer"):
        return _forbidden(request)
    job = selectors.import_get(user=request.user, pk=pk)
    running = job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    template = "contacts/data_import_detail.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"job": job, "running": running})


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_cell_safe(value: Any) -> str:
    """``value`` as text a spreadsheet shows and never runs: a leading ' before a formula start."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv_lines(rows: Iterator[tuple[Any, ...]], *, delimiter: str, bom: bool) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=delimiter)
    if bom:
        # Excel reads a file as UTF-8 only with the byte-order mark; the import skips it.
        yield "\ufeff"
    yield writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        yield writer.writerow([csv_cell_safe(v) for v in row])


@require_GET
def export_csv(request: HttpRequest) -> HttpResponseBase:
    """The customers matching ``q`` as CSV (at most 10,000), streamed; the export is audited.
    ``format=excel`` writes ``;`` with a byte-order mark, as Dutch Excel opens it."""
    if not request.user.has_perm("contacts.import_customer"):
        return _forbidden(request)
    kind = request.GET.get("format", "")
    if kind not in ("", "excel"):
        return HttpResponse(_("Unknown export format."), status=400)
    query = request.GET.get("q", "")[:200]
    audit_record(actor=request.user, action=AuditAction.CSV_EXPORT, query=query)
    rows = selectors.customer_export_rows(user=request.user, query=query)
    excel = kind == "excel"
    response = StreamingHttpResponse(
        _csv_lines(rows, delimiter=";" if excel else ",", bom=excel),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    return response


# --- GDPR --------------------------------------------------------------------------------------


@require_POST
def gdpr_export(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("contacts.export_customer"):
        return _forbidden(request)
    customer = selectors.customer_get_for_data(
        user=request.user, pk=pk, perm="contacts.export_customer"
    )
    kind = request.POST.get("format", "")
    if kind not in ("", "json"):
        return HttpResponse(_("Unknown export format."), status=400)
    payload = customer_export(customer=customer, user=request.user)
    if kind == "json":
        response: HttpResponse = JsonResponse(payload, json_dumps_params={"indent": 2})
        response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}-gdpr.json"'
        return response
    # For people: the same records as tables; the JSON file is one button away.
    response = render(
        request,
        "contacts/data_gdpr_export.html",
        {
            "customer": customer,
            "exported_at": payload["exported_at"],
            "sections": readable.gdpr_export_sections(payload=payload),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def gdpr_erase(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("contacts.erase_customer"):
        return _forbidden(request)
    customer = selectors.customer_get_for_data(
        user=request.user, pk=pk, perm="contacts.erase_customer"
    )
    sharing = [] if customer.erased_at else customers_sharing_traces(customer=customer)
    form = EraseForm(request.POST if request.method == "POST" else None, sharing=sharing)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                erased = customers_erase(
                    customer=customer, also=form.cleaned_data["also"], user=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "The personal data of the customer was erased.",
                        "The personal data of %(count)d customers was erased.",
                        len(erased),
                    )
                    % {"count": len(erased)},
                )
                return redirect(customer_url(customer.pk))
    context = {
        "customer": customer,
        "form": form,
        "sharing": sharing,
        "customer_url": customer_url(customer.pk),
    }
    return render(request, "contacts/data_erase.html", context, status=status)


# --- Quality and audit -------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def quality_page(request: HttpRequest) -> HttpResponse:
    if not quality.quality_allowed(user=request.user):
        return _forbidden(request)
    stale_cursor = request.GET.get("stale")
    unreachable_before = _int_or_none(request.GET.get("unreachable"))
    if request.htmx and stale_cursor:
        page = quality.stale_fact_list(user=request.user, cursor=stale_cursor)
        return render(request, "contacts/data_quality.html#stale_rows", {"stale": page})
    if request.htmx and unreachable_before:
        unreachable = quality.unreachable_customer_list(
            user=request.user, before_id=unreachable_before
        )
        return render(
            request, "contacts/data_quality.html#unreachable_rows", {"unreachable": unreachable}
        )
    context = {
        "stale": quality.stale_fact_list(user=request.user, cursor=stale_cursor),
        "unreachable": quality.unreachable_customer_list(
            user=request.user, before_id=unreachable_before
        ),
        "stale_days": quality.stale_days(),
    }
    return render(request, "contacts/data_quality.html", context)


@require_GET
@vary_on_headers("HX-Request")
def audit(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("contacts.view_auditentry"):
        return _forbidden(request)
    raw_customer = request.GET.get("customer", "").strip()
    customer_id = _int_or_none(raw_customer)
    page = selectors.audit_list(
        user=request.user, customer_id=customer_id, cursor=request.GET.get("cursor")
    )
    context = {
        "page": page,
        "rows": [(e, readable.audit_sentence(entry=e)) for e in page.items],
        "customer_filter": customer_id,
        "filter_error": bool(raw_customer) and customer_id is None,
    }
    template = "contacts/data_audit.html"
    if request.htmx:
        template += "#rows"
    return render(request, template, context, status=400 if context["filter_error"] else 200)


urlpatterns = [
    path("data/duplicates/", duplicates, name="data_duplicates"),
    path(
        "data/duplicates/<int:pk>/dismiss/",
        duplicate_dismiss_view,
        name="data_duplicate_dismiss",
    ),
    path("data/import/", imports, name="data_import"),
    path("data/import/<int:pk>/", import_detail, name="data_import_detail"),
    path("data/quality/", quality_page, name="data_quality"),
    path("data/audit/", audit, name="data_audit"),
    path("export.csv", export_csv, name="data_export_csv"),
    path("<int:pk>/merge/", merge, name="data_merge"),
    path("<int:pk>/gdpr/export/", gdpr_export, name="data_gdpr_export"),
    path("<int:pk>/gdpr/erase/", gdpr_erase, name="data_gdpr_erase"),
]
