"""A photo as a camera makes it: with EXIF metadata that the upload must remove."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", (64, 48), (30, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")
