# The home page ("/", name "home") is projects.pipeline.views.my_work, routed in config.urls: it shows
# operators.views.who_you_are beside the user's work, and this app may not import projects.
urlpatterns: list = []
