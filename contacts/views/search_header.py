"""The header's search box on every page: customers by e-mail, phone, customer number or
name, and whatever higher apps register (cases by number), each through the user's perms.

htmx gets the hits as a drop-down list while the user types; Enter (a plain GET) goes
straight to the one hit that is certain, or shows them all on a page.
"""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.functional import Promise
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from contacts.forms import SearchForm
from contacts.search import SearchHit, search_provider_list

TEMPLATE = "contacts/find.html"
HITS_PER_KIND = 8


@dataclass
class HitGroup:
    key: str
    title: str | Promise
    hits: list[SearchHit]


def _groups(request: HttpRequest, query: str) -> list[HitGroup]:
    groups = []
    for provider in search_provider_list():
        hits = provider.find(user=request.user, query=query, limit=HITS_PER_KIND)
        if hits:
            groups.append(HitGroup(key=provider.key, title=provider.title, hits=hits))
    return groups


def _destination(groups: list[HitGroup]) -> SearchHit | None:
    """Where Enter goes: the only exact hit, or the only hit at all."""
    hits = [hit for group in groups for hit in group.hits]
    exact = [hit for hit in hits if hit.exact]
    if len(exact) == 1:
        return exact[0]
    if len(hits) == 1:
        return hits[0]
    return None


@require_GET
@vary_on_headers("HX-Request")
def find(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    template = f"{TEMPLATE}#results" if partial else TEMPLATE
    if not form.is_valid():
        return render(request, template, {"form": form, "query": "", "groups": []}, status=400)
    query = " ".join(form.cleaned_data["q"].split())
    groups = _groups(request, query) if query else []
    if not partial and request.GET.get("go") == "1":
        destination = _destination(groups)
        if destination is not None:
            return redirect(destination.url)
    context = {"form": form, "query": query, "groups": groups}
    return render(request, template, context)


urlpatterns = [path("find/", find, name="find")]
