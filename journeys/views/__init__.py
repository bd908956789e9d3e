"""Pages of journeys; each module brings its own ``urlpatterns``."""
