"""The API in a browser: the answer, as the JSON gives it, and the (scoped) filters; no forms.

DRF's browsable API pre-fills its edit forms from the write serializer, which reads the stored
values (a confidential deal's real title and source note), and shows them to anyone, whether they
may change the object or not; its creation forms list every choice of a related field by name.
Even shown only to who may change a project, a form would hold what the JSON hides (an operating
company changes the projects of its zone, confidential ones included, without seeing their names).
So the browser shows nothing the JSON would not: to try a write, use the API docs (/api/docs/),
which are built from the schema and hold no data."""

from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    def get_rendered_html_form(self, data, view, method, request):
        return None

    def get_raw_data_form(self, data, view, method, request):
        return None
