"""One way to hand out a stored file once a view has decided who may have it.

By default Django streams the file itself. Behind nginx, PRIVATE_MEDIA_ACCEL_REDIRECT (for
example "/_protected/") makes the response carry only an `X-Accel-Redirect` header naming an
`internal` location, and nginx sends the file; PRIVATE_MEDIA_SENDFILE does the same for servers
that understand `X-Sendfile` (Apache's mod_xsendfile, lighttpd). Either way the proxy never serves
these files to a request that did not come through the view. The internal locations:

    location /_protected/private/ { internal; alias <PRIVATE_MEDIA_ROOT>/; }
    location /_protected/media/   { internal; alias <MEDIA_ROOT>/; }
"""

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

from proposals.storage import PrivateStorage


def file_response(
    file: FieldFile, *, public: bool, filename: str, as_attachment: bool = False
) -> HttpResponse:
    """The response that delivers `file`; `public` files may be cached by anyone, others by none."""
    storage, name = file.storage, file.name
    if not name or not storage.exists(name):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if settings.PRIVATE_MEDIA_ACCEL_REDIRECT:
        root = "private" if isinstance(storage, PrivateStorage) else "media"
        prefix = settings.PRIVATE_MEDIA_ACCEL_REDIRECT.rstrip("/")
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = quote(f"{prefix}/{root}/{name}")
    elif settings.PRIVATE_MEDIA_SENDFILE:
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = storage.path(name)
    else:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response
