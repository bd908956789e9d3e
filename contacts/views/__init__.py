"""Pages of contacts; each module brings its own ``urlpatterns``."""
