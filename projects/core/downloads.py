"""Files the browser saves: the one place that names them (Content-Disposition)."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(body, filename: str, content_type: str = XLSX) -> HttpResponse:
    """`body` as an attachment named `filename`, written as Django writes it for FileResponse
    (RFC 6266): an ASCII name as filename="…", any other as filename*=utf-8''… (percent-encoded)."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
