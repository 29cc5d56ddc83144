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
    * Read with a real PDF parser (pypdf), never by searching the bytes: the
      trailer, every object the cross-reference lists and every object inside
      every object stream (compressed, with or without predictors, listed or
      not) is inspected. Refused (``pdf_active_content``) when any of them is
      active: scripts (``/JS``, a ``/JavaScript`` name tree or action),
      automatic actions (``/AA``), actions that launch programs, import or
      submit data or open other files (``/Launch``, ``/ImportData``,
      ``/SubmitForm``, ``/GoToR``, ...) wherever they hang, ``/OpenAction``
      included, links other than http(s) and mailto, embedded files (``/EF``,
      ``/EmbeddedFiles``, file attachment annotations), multimedia and XFA
      forms. An ``/OpenAction`` that opens a page stays: ordinary documents
      have one. Encrypted PDFs are refused (``pdf_encrypted``), as are files
      the parser cannot read or that have no page (``pdf_corrupt``). HTML
      markup in the header area (HTML/PDF polyglots) is refused too.
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
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    StreamObject,
    read_object,
)

MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_IMAGE_SIDE = 8_000
MAX_IMAGE_PIXELS = 40_000_000
# Pillow's default ``Image.MAX_IMAGE_PIXELS``, fixed here so that the check does
# not depend on a process-wide setting somebody else may have changed.
BOMB_IMAGE_PIXELS = 89_478_485
JPEG_QUALITY = 85
WEBP_QUALITY = 85

MAX_PDF_BYTES = 10 * 1024 * 1024
# Reading costs time per object, not per byte: 2.5 MB of empty pages is 20,000 objects and six
# seconds of a worker. A quotation, a budget or a receipt of a few hundred scanned pages holds a few
# thousand objects; past these the file is refused before (or while) it is walked.
MAX_PDF_OBJECTS = 10_000
MAX_PDF_VALUES = 1_000_000

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

# Keys whose mere presence makes a document active: scripts (a /JavaScript name tree, /JS of an
# action), actions that run by themselves (/AA: when a page opens or closes, a field changes...),
# embedded files (/EmbeddedFiles name tree, /EF of a file specification) and XFA forms (which
# carry scripts of their own).
_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/XFA",
                          "/RichMediaContent"})  # fmt: skip
# Action types (/S of an action dictionary) that run code, start programs, send data away or
# open other files. GoTo (a page of this document), Named (next page...) and URI (a link, see
# below) stay: ordinary documents use them, /OpenAction included ("open at page 1").
_ACTIVE_ACTIONS = frozenset({
    "/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToR", "/GoToE", "/Rendition",
    "/RichMediaExecute", "/Movie", "/Sound",
})  # fmt: skip
# Object types that are files or players inside the document.
_ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/FileAttachment", "/RichMedia", "/Movie", "/Sound",
                           "/Screen"})  # fmt: skip
_SAFE_LINK = re.compile(r"(?:https?:|mailto:)", re.I)


class _StructureReader(PdfReader):
    """pypdf's reader without the attempt to decrypt: an encrypted file is refused, never opened
    (with a broken /Encrypt dictionary the attempt itself would fail before we can say why).
    """

    def _handle_encryption(self, password) -> None:
        pass


def _pdf_type_error() -> ValidationError:
    return ValidationError(_("Upload a PDF file."), code="pdf_type")


def _pdf_corrupt_error() -> ValidationError:
    return ValidationError(
        _("The PDF file could not be read. The file may be damaged."), code="pdf_corrupt"
    )


def _is_active(obj: DictionaryObject) -> bool:
    """Whether one dictionary (or stream dictionary) of a PDF is active content by itself."""
    if _ACTIVE_KEYS.intersection(obj.keys()):
        return True
    kind = {obj.get("/Type"), obj.get("/Subtype")}
    if kind & _ACTIVE_TYPES:
        return True
    action = obj.get("/S")
    if action in _ACTIVE_ACTIONS:
        return True
    if action == "/URI":  # a link: the web or e-mail, never javascript:, file: or a UNC path
        target = obj.get("/URI")
        target = target.get_object() if isinstance(target, IndirectObject) else target
        return not (isinstance(target, (str, bytes)) and _SAFE_LINK.match(_pdf_text(target)))
    return False


def _pdf_text(value) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _object_stream_members(reader: PdfReader, stream: StreamObject) -> list:
    """Every object inside an object stream, listed by the cross-reference or not."""
    data = stream.get_data()
    count, first = int(stream["/N"]), int(stream["/First"])
    numbers = data[:first].split()
    if count < 0 or len(numbers) < 2 * count:
        raise ValueError("object stream header too short")
    members = []
    buffer = io.BytesIO(data)
    for offset in numbers[1 : 2 * count : 2]:
        buffer.seek(first + int(offset))
        members.append(read_object(buffer, reader))
    return members


class _PdfTooComplex(Exception):
    """More objects or values than any document we take holds: refused before it costs more."""


def _pdf_is_active(reader: PdfReader) -> bool:
    """Walk the whole document -- trailer, every object the cross-reference lists, every object of
    every object stream -- and tell whether any of it is active content.

    The walk is bounded: past ``MAX_PDF_OBJECTS`` objects (listed or hidden in object streams) or
    ``MAX_PDF_VALUES`` values it raises ``_PdfTooComplex`` instead of spending a worker's minute.
    """
    listed = sum(len(numbers) for numbers in reader.xref.values()) + len(reader.xref_objStm)
    if listed > MAX_PDF_OBJECTS:
        raise _PdfTooComplex
    pending: list = [reader.trailer]
    for generation, numbers in reader.xref.items():
        pending += [IndirectObject(number, generation, reader) for number in numbers]
    pending += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    seen: set[tuple[int, int]] = set()
    objects, values = listed, 0
    while pending:
        obj = pending.pop()
        values += 1
        if values > MAX_PDF_VALUES:
            raise _PdfTooComplex
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = reader.get_object(obj)
        if isinstance(obj, DictionaryObject):
            if _is_active(obj):
                return True
            pending += obj.values()
            if isinstance(obj, StreamObject) and obj.get("/Type") == "/ObjStm":
                members = _object_stream_members(reader, obj)
                objects += len(members)
                if objects > MAX_PDF_OBJECTS:
                    raise _PdfTooComplex
                pending += members
        elif isinstance(obj, ArrayObject):
            pending += obj
    return False


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

    try:
        reader = _StructureReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        active = False if encrypted else _pdf_is_active(reader)
        if not encrypted and not reader.pages:
            raise ValueError("no pages")
    except _PdfTooComplex:
        raise ValidationError(
            _(
                "The PDF file has more parts than we can check (at most %(limit)s). "
                "Split it into smaller files, or save it again as a plain PDF."
            ),
            code="pdf_too_complex",
            params={"limit": number_format(MAX_PDF_OBJECTS, force_grouping=True)},
        ) from None
    except Exception:  # whatever hostile or broken input makes the parser raise: not a PDF we take
        raise _pdf_corrupt_error() from None
    if encrypted:
        raise ValidationError(
            _("Password-protected or encrypted PDF files cannot be uploaded."),
            code="pdf_encrypted",
        )
    if active:
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
