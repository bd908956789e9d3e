"""Pages of contacts: customer search and 360 (views.customers), data management (views.data)."""

from .views import customers, data, imports, search_header

app_name = "contacts"

urlpatterns = [
    *customers.urlpatterns,
    *data.urlpatterns,
    *imports.urlpatterns,
    *search_header.urlpatterns,
]
