"""The one search box in the header: providers that turn an entry into hits.

Contacts finds customers; higher apps (journeys: case numbers) register their own provider
in AppConfig.ready(), so that contacts never imports them. Each provider checks the asking
user's permissions itself and costs a fixed number of queries, whatever it finds.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class SearchHit:
    kind: str  # the provider's key
    label: str
    url: str
    details: list[str] = field(default_factory=list)
    # An exact hit (a case number, an e-mail address) is where Enter takes the user.
    exact: bool = False


@dataclass(frozen=True)
class SearchProvider:
    key: str
    title: str | Promise
    find: Callable[..., list[SearchHit]]  # find(*, user, query, limit) -> hits
    order: int = 100


_PROVIDERS: dict[str, SearchProvider] = {}


def search_provider_register(provider: SearchProvider) -> None:
    """Add or replace a provider; safe to call again (ready() may run more than once)."""
    _PROVIDERS[provider.key] = provider


def search_provider_list() -> list[SearchProvider]:
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.key))
