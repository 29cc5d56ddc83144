"""Safe handling of files that citizens upload with their proposals.

Pure functions, no models: each takes an uploaded file, checks it by its
*content* (never by its name or the browser's content type) and returns clean
bytes plus a safe file name, or raises ``ValidationError`` with a code.

Images (``clean_image``)
    * Accepted: JPEG, PNG and WebP, recognised by their magic bytes *and*
      Pillow's detected format; both must agree. HEIC/HEIF (iPhone photos) is
      accepted when ``pillow_heif`` is installed and can read it, and is
      converted to JPEG. AVIF, GIF, SVG, BMP, TIFF, PDF, HTML and everything
      else is refused with code ``image_type``.
    * Limits: 15 MB per file (``file_too_big``); at most 8,000 px on a side and
      40 megapixels (``image_too_large``), checked from the header before any
      pixels are decoded. Images Pillow treats as decompression bombs, and any
      image over Pillow's default bomb threshold (about 89 megapixels),
      are refused with ``image_bomb``.
    * Truncated or corrupt data is refused with ``image_corrupt``.
    * The returned bytes are re-encoded from the pixels: no EXIF (GPS!), XMP,
      ICC profile, comments or text chunks survive. The EXIF orientation is
      applied first so the picture stays upright, and an embedded colour
      profile is converted to sRGB before it is dropped so colours keep
      looking right. Only the first frame of an animated PNG/WebP is kept.
    * JPEG (and HEIC) becomes JPEG quality 85 without alpha (transparent
      pixels are put on white; CMYK, palette and 16-bit images become RGB or
      grey). PNG stays PNG, lossless, with alpha. WebP stays WebP, lossy
      quality 85, with alpha.

PDFs (``clean_pdf``)
    * Must start with ``%PDF-1.x``/``%PDF-2.x``, end with ``%%EOF`` (within the
      last 1,024 bytes, as readers allow) and be at most 10 MB.
    * Refused when they carry active content: the names ``/JavaScript``,
      ``/JS``, ``/Launch``, ``/EmbeddedFile(s)`` anywhere in the object
      structure, including hex-escaped names (``/J#61vaScript``) and names
      inside compressed object streams. Encrypted PDFs are refused because
      their objects cannot be inspected. HTML markup in the header area
      (HTML/PDF polyglots) is refused too.
    * The bytes are returned unchanged.

File names (``clean_filename``)
    ASCII only: Danish letters are transliterated the Danish way (æ → ae,
    ø → oe, å → aa), other accents are dropped (é → e), everything else
    becomes a hyphen. Lower case, at most 100 characters, never empty
    ("fil"), and the extension is forced to the one given.
"""

from __future__ import annotations

import functools
import io
import re
import unicodedata
import warnings
import zlib
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps

MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_IMAGE_SIDE = 8_000
MAX_IMAGE_PIXELS = 40_000_000
# Pillow's default ``Image.MAX_IMAGE_PIXELS``, fixed here so that the check does
# not depend on a process-wide setting somebody else may have changed.
BOMB_IMAGE_PIXELS = 89_478_485
JPEG_QUALITY = 85
WEBP_QUALITY = 85

MAX_PDF_BYTES = 10 * 1024 * 1024
# Upper bound on what we inflate while looking inside compressed PDF objects.
_MAX_PDF_INFLATE = 50 * 1024 * 1024

MAX_FILENAME_LENGTH = 100
FALLBACK_FILENAME = "fil"


class UploadLike(Protocol):
    name: str | None
    size: int | None

    def read(self, size: int = -1, /) -> bytes: ...

    def seek(self, offset: int, whence: int = 0, /) -> int: ...


@dataclass(frozen=True, slots=True)
class CleanImage:
    content: bytes
    format: str  # "JPEG", "PNG" or "WEBP"
    width: int
    height: int
    filename: str


@dataclass(frozen=True, slots=True)
class CleanFile:
    content: bytes
    filename: str


# --------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
_UNSAFE = re.compile(r"[^a-z0-9_-]+")
_SEPARATORS = re.compile(r"[-_]*-[-_]*")
_WINDOWS_RESERVED = {
    "con", "prn", "aux", "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}  # fmt: skip


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DANISH)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _UNSAFE.sub("-", text.lower())
    return _SEPARATORS.sub("-", text).strip("-_")


def clean_filename(name: str, extension: str | None = None) -> str:
    """Return a safe, ASCII, lower-case file name for ``name``.

    Any directory part (``/`` or ``\\``), control characters, NUL and leading
    dots are removed; dots inside the name become hyphens so that only one
    extension remains. With ``extension`` ("jpg" or ".jpg") the name's own
    extension is replaced by it; without, the name's own extension is kept
    (cleaned). The result is at most 100 characters and never empty.
    """
    name = str(name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in name)
    name = name.strip().lstrip(".")

    stem, dot, own_extension = name.rpartition(".")
    if not dot:
        stem, own_extension = name, ""
    if extension is None:
        extension = own_extension
    extension = _slug(extension.lstrip("."))[:10].replace("-", "").replace("_", "")

    stem = _slug(stem) or FALLBACK_FILENAME
    if stem in _WINDOWS_RESERVED:
        stem = f"{FALLBACK_FILENAME}-{stem}"
    suffix = f".{extension}" if extension else ""
    stem = stem[: MAX_FILENAME_LENGTH - len(suffix)].rstrip("-_") or FALLBACK_FILENAME
    return stem + suffix


# --------------------------------------------------------------------------
# Reading uploads
# --------------------------------------------------------------------------


def _read_limited(upload: UploadLike, limit: int, message) -> bytes:
    """Read the whole upload, refusing anything over ``limit`` bytes.

    The declared ``size`` is checked first, and at most ``limit + 1`` bytes are
    read, so a lying ``size`` cannot make us read an unbounded stream.
    """
    too_big = ValidationError(message, code="file_too_big", params={"limit": limit // 2**20})
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise too_big
    try:
        upload.seek(0)
    except (AttributeError, OSError, ValueError):
        pass
    data = upload.read(limit + 1)
    try:
        upload.seek(0)
    except (AttributeError, OSError, ValueError):
        pass
    if len(data) > limit:
        raise too_big
    return bytes(data)


# --------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------

_HEIF_BRANDS = {
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1",
}  # fmt: skip

# Sniffed container -> (Pillow plugins allowed to open it, output format, extension).
# A JPEG with a "multi-picture" segment (common from phone cameras) opens as MPO.
_IMAGE_KINDS = {
    "JPEG": ({"JPEG", "MPO"}, "JPEG", "jpg"),
    "PNG": ({"PNG"}, "PNG", "png"),
    "WEBP": ({"WEBP"}, "WEBP", "webp"),
    "HEIF": ({"HEIF"}, "JPEG", "jpg"),
}


@functools.cache
def _heif_available() -> bool:
    """Register pillow_heif's opener (idempotent); False when it is not installed."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def _sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "HEIF"
    return None


def _type_error() -> ValidationError:
    return ValidationError(
        _("Upload a photo in JPEG, PNG, WebP or HEIC format."),
        code="image_type",
    )


def _corrupt_error() -> ValidationError:
    return ValidationError(
        _("The image could not be read. The file may be damaged or incomplete."),
        code="image_corrupt",
    )


def _bomb_error() -> ValidationError:
    return ValidationError(
        _("The image is not accepted: its dimensions are implausibly large."),
        code="image_bomb",
    )


def _check_dimensions(width: int, height: int) -> None:
    if width * height > BOMB_IMAGE_PIXELS:
        raise _bomb_error()
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(
            _(
                "The image is too large (%(width)s × %(height)s pixels). It may be at most "
                "%(side)s pixels on a side and %(megapixels)s megapixels in total."
            ),
            code="image_too_large",
            params={
                "width": width,
                "height": height,
                "side": MAX_IMAGE_SIDE,
                "megapixels": MAX_IMAGE_PIXELS // 1_000_000,
            },
        )


def _to_srgb(im: Image.Image) -> Image.Image:
    """Convert pixels carrying an embedded ICC profile to sRGB (best effort)."""
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK"):
        return im
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            im, source, ImageCms.createProfile("sRGB"), outputMode=out_mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return im
    return converted if converted is not None else im


def _for_output(im: Image.Image, output_format: str) -> Image.Image:
    """Convert ``im`` to a mode the output format stores sensibly."""
    mode = im.mode
    if output_format == "JPEG":
        if mode in ("RGB", "L"):
            return im
        if im.has_transparency_data:
            rgba = im.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        if mode == "1":
            return im.convert("L")
        return im.convert("RGB")
    if output_format == "PNG":
        if mode in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            return im
        return im.convert("RGBA" if im.has_transparency_data else "RGB")
    # WebP stores RGB or RGBA.
    if mode in ("RGB", "RGBA"):
        return im
    return im.convert("RGBA" if im.has_transparency_data else "RGB")


def _encode(im: Image.Image, output_format: str) -> tuple[bytes, int, int]:
    """Re-encode the pixels of ``im`` with none of its metadata."""
    pixels = _for_output(_to_srgb(im), output_format)
    transparency = pixels.info.get("transparency") if pixels.mode == "P" else None
    # Nothing of the original's metadata may reach the encoder: some encoders
    # fall back to ``info`` (PNG does for the ICC profile).
    pixels.info = {} if transparency is None else {"transparency": transparency}

    out = io.BytesIO()
    if output_format == "JPEG":
        pixels.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    elif output_format == "PNG":
        pixels.save(out, format="PNG")
    else:
        pixels.save(out, format="WEBP", quality=WEBP_QUALITY)
    return out.getvalue(), pixels.width, pixels.height


def clean_image(upload: UploadLike) -> CleanImage:
    """Check an uploaded photo by its content and return it re-encoded without metadata."""
    data = _read_limited(
        upload,
        MAX_IMAGE_BYTES,
        _("The image is too big. It may be at most %(limit)s MB."),
    )
    kind = _sniff_image(data)
    if kind is None or (kind == "HEIF" and not _heif_available()):
        raise _type_error()
    allowed_plugins, output_format, extension = _IMAGE_KINDS[kind]

    # ``catch_warnings`` is process-wide; should another thread race it, the
    # explicit dimension check below still refuses the image.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data), formats=sorted(allowed_plugins))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bomb_error() from None
        except Exception:  # unidentified, or one of the many errors hostile input causes
            raise _corrupt_error() from None

        with im:
            if im.format not in allowed_plugins:
                raise _type_error()
            # Header dimensions, before a single pixel is decoded.
            _check_dimensions(*im.size)
            try:
                im.seek(0)
                im.load()
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _bomb_error() from None
            except Exception:  # truncated, corrupt, or lying header
                raise _corrupt_error() from None

            try:
                upright = ImageOps.exif_transpose(im)
            except Exception:  # unreadable EXIF: the metadata is dropped anyway
                upright = im
            try:
                content, width, height = _encode(upright, output_format)
            except Exception:  # an exotic mode or data no encoder accepts
                raise _corrupt_error() from None

    return CleanImage(
        content=content,
        format=output_format,
        width=width,
        height=height,
        filename=clean_filename(getattr(upload, "name", None) or "", extension),
    )


# --------------------------------------------------------------------------
# PDFs
# --------------------------------------------------------------------------

_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_HTML_MARKERS = re.compile(rb"<\s*(?:!doctype|html|head|body|script|iframe|svg|meta)\b", re.I)
# A PDF name: a slash followed by regular characters (``#xx`` escapes included).
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_PDF_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM_START = re.compile(rb"\bstream(?:\r\n|\n|\r)")
_DANGEROUS_NAMES = {b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles"}


def _pdf_type_error() -> ValidationError:
    return ValidationError(_("Upload a PDF file."), code="pdf_type")


def _pdf_names(chunk: bytes) -> set[bytes]:
    return {
        _PDF_HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
        for raw in _PDF_NAME.findall(chunk)
    }


def _pdf_structure(data: bytes) -> tuple[bytes, list[bytes]]:
    """Split a PDF into its object structure and the bodies of its object streams.

    Stream bodies (page content, images, fonts) are blanked out of the structure
    so that binary data cannot be mistaken for names; object streams (PDF 1.5+
    compressed objects) are inflated so their dictionaries are inspected too.
    """
    structure = bytearray()
    object_streams: list[bytes] = []
    position = 0
    while match := _STREAM_START.search(data, position):
        end = data.find(b"endstream", match.end())
        if end == -1:
            break
        head = data[position : match.end()]
        structure += head
        dictionary = head[head.rfind(b"obj") :]
        if re.search(rb"/Type\s*/ObjStm\b", dictionary):
            object_streams.append(data[match.end() : end])
        position = end
    structure += data[position:]
    return bytes(structure), object_streams


def _inflate(body: bytes, budget: int) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(body, budget + 1)
    if len(out) > budget:
        raise ValueError("object stream too large")
    return out


def clean_pdf(upload: UploadLike) -> CleanFile:
    """Accept a real PDF without active content; return its bytes and a safe name."""
    data = _read_limited(
        upload,
        MAX_PDF_BYTES,
        _("The PDF file is too big. It may be at most %(limit)s MB."),
    )
    if not _PDF_HEADER.match(data) or b"%%EOF" not in data[-1024:]:
        raise _pdf_type_error()
    if _HTML_MARKERS.search(data[:1024]):
        raise _pdf_type_error()

    structure, object_streams = _pdf_structure(data)
    names = _pdf_names(structure)
    if b"Encrypt" in names:
        raise ValidationError(
            _("Password-protected or encrypted PDF files cannot be uploaded."),
            code="pdf_encrypted",
        )
    budget = _MAX_PDF_INFLATE
    for body in object_streams:
        try:
            inflated = _inflate(body, budget)
        except (zlib.error, ValueError):
            raise ValidationError(
                _("The PDF file could not be read. The file may be damaged."),
                code="pdf_corrupt",
            ) from None
        budget -= len(inflated)
        names |= _pdf_names(inflated)

    if names & _DANGEROUS_NAMES:
        raise ValidationError(
            _(
                "The PDF file contains scripts, embedded files or actions that launch "
                "programs. Save it again as a plain PDF (for example with “Print to PDF”) "
                "and upload that."
            ),
            code="pdf_active_content",
        )
    return CleanFile(
        content=data,
        filename=clean_filename(getattr(upload, "name", None) or "", "pdf"),
    )
