import io
import struct
import time
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageCms, ImageFile, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from proposals.uploads import (
    MAX_FILENAME_LENGTH,
    MAX_PDF_BYTES,
    MAX_PDF_OBJECTS,
    CleanFile,
    CleanImage,
    clean_filename,
    clean_image,
    clean_pdf,
)
from tests import factories

GPS_IFD = 0x8825
ORIENTATION = 0x0112
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b"<rdf:Description>secret-xmp</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def _upload(name, content):
    return SimpleUploadedFile(name, content)


def _image_bytes(image, fmt, **params):
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def _gps_exif(orientation=None):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel"  # Model
    if orientation:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (55.0, 40.0, 36.0)  # GPSLatitude: Copenhagen
    gps[3] = "E"  # GPSLongitudeRef
    gps[4] = (12.0, 34.0, 8.0)  # GPSLongitude
    return exif


def _reopen(cleaned):
    return Image.open(io.BytesIO(cleaned.content))


def _assert_no_metadata(cleaned):
    with _reopen(cleaned) as im:
        assert dict(im.getexif()) == {}
        assert im.getexif().get_ifd(GPS_IFD) == {}
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "dpi"):
            assert key not in im.info
        assert not getattr(im, "text", {})
    for marker in (b"Exif", b"secret-xmp", b"ICC_PROFILE", b"PhoneMaker", b"a comment"):
        assert marker not in cleaned.content


def _refused(code, func, upload):
    with pytest.raises(ValidationError) as excinfo:
        func(upload)
    assert excinfo.value.code == code
    assert str(excinfo.value.message)  # a readable, translatable message
    return excinfo.value


@pytest.fixture
def no_pixel_decoding(monkeypatch):
    """Fail the test if any image's pixels get decoded."""

    def refuse(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


# --------------------------------------------------------------------------
# Images: metadata is stripped, pictures stay upright
# --------------------------------------------------------------------------


def test_jpeg_gps_exif_xmp_icc_and_comment_are_stripped():
    photo = Image.new("RGB", (64, 48), (200, 30, 30))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    content = _image_bytes(
        photo, "JPEG", exif=_gps_exif(), xmp=XMP, icc_profile=srgb, comment=b"a comment"
    )
    with Image.open(io.BytesIO(content)) as original:  # the fixture really has it all
        assert original.getexif().get_ifd(GPS_IFD)
        assert "xmp" in original.info and "icc_profile" in original.info

    cleaned = clean_image(_upload("IMG_0001.JPG", content))

    assert isinstance(cleaned, CleanImage)
    assert (cleaned.format, cleaned.width, cleaned.height) == ("JPEG", 64, 48)
    assert cleaned.filename == "img_0001.jpg"
    _assert_no_metadata(cleaned)
    with _reopen(cleaned) as im:
        assert im.format == "JPEG"
        assert im.mode == "RGB"


def test_exif_orientation_is_applied_before_stripping():
    photo = Image.new("RGB", (20, 10), (0, 0, 255))
    photo.paste((255, 0, 0), (0, 0, 10, 10))  # left half red
    content = _image_bytes(photo, "JPEG", exif=_gps_exif(orientation=6), quality=95)

    cleaned = clean_image(_upload("sideways.jpg", content))

    assert (cleaned.width, cleaned.height) == (10, 20)
    _assert_no_metadata(cleaned)
    with _reopen(cleaned) as im:
        assert im.size == (10, 20)
        # Orientation 6 means "rotate 90° clockwise to view": the red half ends on top.
        red, green, blue = im.getpixel((5, 3))
        assert red > 200 and blue < 60


def test_png_with_alpha_stays_png_with_alpha_and_loses_text_and_exif():
    image = Image.new("RGBA", (30, 20), (10, 120, 40, 0))
    image.paste((10, 120, 40, 255), (0, 0, 15, 20))
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "a comment")
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    content = _image_bytes(image, "PNG", pnginfo=text, exif=_gps_exif())

    cleaned = clean_image(_upload("logo.png", content))

    assert (cleaned.format, cleaned.filename) == ("PNG", "logo.png")
    _assert_no_metadata(cleaned)
    with _reopen(cleaned) as im:
        assert im.format == "PNG"
        assert im.mode == "RGBA"
        assert im.getpixel((2, 2))[3] == 255
        assert im.getpixel((25, 2))[3] == 0


def test_palette_png_keeps_its_transparency():
    image = Image.new("P", (8, 8), 0)
    image.putpalette([255, 255, 255, 255, 0, 0] + [0] * 762)
    image.paste(1, (0, 0, 4, 8))
    content = _image_bytes(image, "PNG", transparency=0)

    cleaned = clean_image(_upload("icon.png", content))

    with _reopen(cleaned) as im:
        assert im.format == "PNG"
        rgba = im.convert("RGBA")
        assert rgba.getpixel((1, 1)) == (255, 0, 0, 255)
        assert rgba.getpixel((6, 1))[3] == 0


def test_webp_stays_webp_with_alpha_and_no_metadata():
    image = Image.new("RGBA", (40, 40), (0, 0, 255, 128))
    content = _image_bytes(image, "WEBP", exif=_gps_exif(), xmp=XMP, quality=90)

    cleaned = clean_image(_upload("kort.webp", content))

    assert (cleaned.format, cleaned.width, cleaned.height) == ("WEBP", 40, 40)
    assert cleaned.filename == "kort.webp"
    _assert_no_metadata(cleaned)
    with _reopen(cleaned) as im:
        assert im.format == "WEBP"
        assert im.mode == "RGBA"
        assert 100 < im.getpixel((20, 20))[3] < 160


def test_cmyk_jpeg_becomes_rgb_jpeg():
    content = _image_bytes(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG")

    cleaned = clean_image(_upload("print.jpeg", content))

    assert (cleaned.format, cleaned.filename) == ("JPEG", "print.jpg")
    with _reopen(cleaned) as im:
        assert im.mode == "RGB"
        red, green, blue = im.getpixel((8, 8))
        assert red > 200 and green < 60 and blue < 60


def test_heic_is_converted_to_jpeg_without_metadata():
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    content = _image_bytes(Image.new("RGB", (32, 16), (0, 160, 0)), "HEIF", exif=_gps_exif())
    assert content[4:12] == b"ftypheic"

    cleaned = clean_image(_upload("IMG_1234.HEIC", content))

    assert (cleaned.format, cleaned.width, cleaned.height) == ("JPEG", 32, 16)
    assert cleaned.filename == "img_1234.jpg"
    _assert_no_metadata(cleaned)
    with _reopen(cleaned) as im:
        assert im.format == "JPEG"


def test_the_file_name_never_decides_the_format():
    content = _image_bytes(Image.new("RGB", (8, 8)), "PNG")

    cleaned = clean_image(_upload("photo.jpg", content))

    assert (cleaned.format, cleaned.filename) == ("PNG", "photo.png")


def test_result_is_frozen():
    cleaned = clean_image(_upload("a.png", _image_bytes(Image.new("L", (4, 4)), "PNG")))
    with pytest.raises(AttributeError):
        cleaned.content = b""


# --------------------------------------------------------------------------
# Images: what is refused
# --------------------------------------------------------------------------

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)
MINIMAL_PDF_HEADER = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("x.jpg", SVG, id="svg-named-jpg"),
        pytest.param("x.png", b"<!doctype html><html><script>alert(1)</script></html>", id="html"),
        pytest.param("x.gif", _image_bytes(Image.new("P", (8, 8)), "GIF"), id="gif"),
        pytest.param("x.jpg", _image_bytes(Image.new("P", (8, 8)), "GIF"), id="gif-named-jpg"),
        pytest.param("x.jpg", b"just some text, honestly a photo", id="text"),
        pytest.param("x.jpg", MINIMAL_PDF_HEADER, id="pdf-named-jpg"),
        pytest.param("x.bmp", _image_bytes(Image.new("RGB", (8, 8)), "BMP"), id="bmp"),
        pytest.param("x.tif", _image_bytes(Image.new("RGB", (8, 8)), "TIFF"), id="tiff"),
        pytest.param("x.avif", b"\x00\x00\x00\x1cftypavif" + b"\x00" * 64, id="avif"),
        pytest.param("x.jpg", b"", id="empty"),
    ],
)
def test_refuses_what_is_not_jpeg_png_or_webp(name, content):
    _refused("image_type", clean_image, _upload(name, content))


def test_magic_bytes_and_pillows_format_must_agree():
    # Starts like a JPEG, is really a GIF afterwards: Pillow may not open it as JPEG.
    content = b"\xff\xd8\xff" + _image_bytes(Image.new("P", (8, 8)), "GIF")
    with pytest.raises(ValidationError) as excinfo:
        clean_image(_upload("x.jpg", content))
    assert excinfo.value.code in {"image_type", "image_corrupt"}


@pytest.mark.parametrize("size", [(9000, 10), (10, 9000)])
def test_refuses_more_than_8000_pixels_on_a_side(size, no_pixel_decoding):
    content = _image_bytes(Image.new("1", size), "PNG")
    error = _refused("image_too_large", clean_image, _upload("wide.png", content))
    assert error.params["side"] == 8000


def test_refuses_more_than_40_megapixels_before_decoding(no_pixel_decoding):
    content = _image_bytes(Image.new("1", (7000, 7000)), "PNG")  # 49 MP, small file

    error = _refused("image_too_large", clean_image, _upload("huge.png", content))

    assert error.params["width"] == error.params["height"] == 7000


def test_accepts_exactly_the_limits():
    content = _image_bytes(Image.new("1", (8000, 5000)), "PNG")  # 40 MP, 8000 px wide
    cleaned = clean_image(_upload("limit.png", content))
    assert (cleaned.width, cleaned.height) == (8000, 5000)


@pytest.mark.parametrize(("width", "height"), [(60_000, 60_000), (10_000, 10_000)])
def test_tiny_file_claiming_huge_dimensions_is_a_bomb(width, height, no_pixel_decoding):
    content = factories.png_header_only(width=width, height=height)
    assert len(content) < 200

    started = time.perf_counter()
    _refused("image_bomb", clean_image, _upload("bomb.png", content))
    assert time.perf_counter() - started < 1


def test_bomb_check_does_not_depend_on_pillows_global_limit(monkeypatch, no_pixel_decoding):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    _refused(
        "image_bomb",
        clean_image,
        _upload("bomb.png", factories.png_header_only(width=60_000, height=60_000)),
    )


def test_pillows_bomb_warning_is_an_error(monkeypatch, no_pixel_decoding):
    # With a lower process-wide limit, Pillow only warns for this size: still refused.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000)
    _refused(
        "image_bomb",
        clean_image,
        _upload("warn.png", factories.png_header_only(width=40, height=40)),
    )


def test_small_file_claiming_allowed_dimensions_is_corrupt_not_accepted():
    _refused(
        "image_corrupt",
        clean_image,
        _upload("liar.png", factories.png_header_only(width=2000, height=2000)),
    )


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_image_is_corrupt(fmt):
    noise = Image.effect_noise((200, 200), 80).convert("RGB")
    content = _image_bytes(noise, fmt)
    _refused("image_corrupt", clean_image, _upload("cut.img", content[: len(content) // 2]))


def test_refuses_files_over_15_mb():
    content = b"\xff\xd8\xff\xe0" + b"\x00" * (16 * 1024 * 1024)
    error = _refused("file_too_big", clean_image, _upload("big.jpg", content))
    assert error.params["limit"] == 15


def test_refuses_files_over_15_mb_even_when_the_declared_size_lies():
    upload = _upload("big.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * (16 * 1024 * 1024))
    upload.size = 1000
    _refused("file_too_big", clean_image, upload)


# --------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "extension", "expected"),
    [
        ("../../etc/passwd", None, "passwd"),
        ("../../etc/passwd", "jpg", "passwd.jpg"),
        ("C:\\x\\y.jpg", None, "y.jpg"),
        ("\x00evil.jpg", None, "evil.jpg"),
        ("evil\x00.php.jpg", "jpg", "evil-php.jpg"),
        ("<script>.jpg", "jpg", "script.jpg"),
        # The "/" of "</script>" is a path separator: only what follows it remains.
        ("<script>alert(1)</script>.jpg", "jpg", "script.jpg"),
        ("<img src=x onerror=alert(1)>.jpg", "jpg", "img-src-x-onerror-alert-1.jpg"),
        ("first line\nsecond\r\nline.png", "png", "first-line-second-line.png"),
        ("..hidden", None, "hidden"),
        (".htaccess", "png", "htaccess.png"),
        ("shell.php", "jpg", "shell.jpg"),
        ("photo.tar.gz", "pdf", "photo-tar.pdf"),
        ("Forslag til Nørrebro Åpark – Ærø.PDF", "pdf", "forslag-til-noerrebro-aapark-aeroe.pdf"),
        ("Café crème.JPG", None, "cafe-creme.jpg"),
        ("Legeplads__ny  -- version.png", ".PNG", "legeplads__ny-version.png"),
        ("", None, "fil"),
        ("", "jpg", "fil.jpg"),
        ("...", "jpg", "fil.jpg"),
        ("/", "jpg", "fil.jpg"),
        ("\x00\x01\x02", "jpg", "fil.jpg"),
        ("<>.jpg", "jpg", "fil.jpg"),
        ("漢字.png", "png", "fil.png"),
        ("CON.jpg", "jpg", "fil-con.jpg"),
        ("photo.jpg", "j/p\\g", "photo.jpg"),
        ("photo", None, "photo"),
    ],
)
def test_clean_filename(name, extension, expected):
    assert clean_filename(name, extension) == expected


def test_clean_filename_caps_long_names_and_keeps_the_extension():
    result = clean_filename("a" * 300 + ".jpg", "jpg")
    assert len(result) == MAX_FILENAME_LENGTH
    assert result == "a" * 96 + ".jpg"


def test_clean_filename_never_ends_in_a_separator_after_cutting():
    result = clean_filename("a" * 95 + "-bbbbbbbbbb.jpg", "jpg")
    assert len(result) <= MAX_FILENAME_LENGTH
    assert result == "a" * 95 + ".jpg"


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "C:\\x\\y.jpg",
        "\x00evil.jpg",
        "<script>.jpg",
        "a\nb\rc\td.jpg",
        "x" * 300,
        "ÆØÅ æøå",
        "..\\..\\windows\\system32\\cmd.exe",
    ],
)
def test_clean_filename_output_is_always_safe(name):
    result = clean_filename(name, "jpg")
    assert result.endswith(".jpg")
    assert 4 < len(result) <= MAX_FILENAME_LENGTH
    assert result.isascii()
    assert not result.startswith(".")
    assert all(ch.isalnum() or ch in "-_." for ch in result)
    assert result.count(".") == 1


# --------------------------------------------------------------------------
# PDFs
# --------------------------------------------------------------------------


def _pdf(*extra_objects, catalog_extra=b""):
    """A small, well-formed PDF with one empty page."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _stream(data, dictionary=b""):
    return b"<< /Length %d %s >>\nstream\n" % (len(data), dictionary) + data + b"\nendstream"


def test_valid_pdf_is_accepted_unchanged():
    content = _pdf()

    cleaned = clean_pdf(_upload("../Budget 2026 – Nørrebro.PDF", content))

    assert isinstance(cleaned, CleanFile)
    assert cleaned.content == content
    assert cleaned.filename == "budget-2026-noerrebro.pdf"


def test_pdf_with_binary_streams_is_not_mistaken_for_scripts():
    noise = b"/JS /Launch /JavaScript \x00\xff" * 100  # inside an image stream: harmless
    content = _pdf(_stream(noise, b"/Type /XObject /Subtype /Image /Filter /DCTDecode"))
    assert clean_pdf(_upload("scan.pdf", content)).content == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("x.pdf", b"<!doctype html><html><script>alert(1)</script></html>", id="html"),
        pytest.param("x.pdf", b"<script>alert(1)</script>\n%PDF-1.4\n%%EOF", id="js-first"),
        pytest.param(
            "x.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF", id="polyglot"
        ),
        pytest.param("x.pdf", _pdf()[:-200], id="truncated-no-eof"),
        pytest.param("x.pdf", _pdf() + b"\x00" * 2000, id="eof-not-near-the-end"),
        pytest.param("x.pdf", b"%PDF-", id="only-magic"),
        pytest.param("x.pdf", _image_bytes(Image.new("RGB", (8, 8)), "PNG"), id="png"),
        pytest.param("x.pdf", b"", id="empty"),
    ],
)
def test_refuses_what_is_not_a_pdf(name, content):
    _refused("pdf_type", clean_pdf, _upload(name, content))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            _pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>", catalog_extra=b"/OpenAction 4 0 R"),
            id="javascript",
        ),
        pytest.param(_pdf(b"<< /S /JavaScript /JS 5 0 R >>", _stream(b"app.alert(1)")), id="js"),
        pytest.param(_pdf(b"<< /S /Launch /F (cmd.exe) >>"), id="launch"),
        pytest.param(
            _pdf(
                b"<< /EmbeddedFiles << /Names [(x.exe) 5 0 R] >> >>",
                b"<< /Type /Filespec /F (x.exe) /EF << /F 6 0 R >> >>",
                _stream(b"MZ", b"/Type /EmbeddedFile"),
            ),
            id="embedded-file",
        ),
        pytest.param(_pdf(b"<< /S /J#61va#53cript /J#53 (app.alert(1)) >>"), id="hex-escaped"),
    ],
)
def test_refuses_pdfs_with_active_content(content):
    error = _refused("pdf_active_content", clean_pdf, _upload("x.pdf", content))
    assert "scripts" in str(error.message)


def test_refuses_javascript_hidden_in_a_compressed_object_stream():
    hidden = zlib.compress(b"4 0 << /S /JavaScript /JS (app.alert(1)) >>")
    content = _pdf(_stream(hidden, b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode"))
    _refused("pdf_active_content", clean_pdf, _upload("x.pdf", content))


def test_refuses_an_object_stream_that_cannot_be_inflated():
    content = _pdf(_stream(b"not zlib at all", b"/Type /ObjStm /N 1 /First 4"))
    _refused("pdf_corrupt", clean_pdf, _upload("x.pdf", content))


def test_refuses_encrypted_pdfs():
    content = _pdf(b"<< /Filter /Standard /V 2 /R 3 >>").replace(
        b"/Root 1 0 R", b"/Root 1 0 R /Encrypt 4 0 R"
    )
    _refused("pdf_encrypted", clean_pdf, _upload("x.pdf", content))


def test_refuses_pdfs_over_10_mb():
    padding = _stream(b"\x00" * (10 * 1024 * 1024))
    error = _refused("file_too_big", clean_pdf, _upload("big.pdf", _pdf(padding)))
    assert error.params["limit"] == 10


def test_pdf_just_under_10_mb_is_accepted():
    content = _pdf(_stream(b"\x00" * (10 * 1024 * 1024 - 2000)))
    assert len(content) <= 10 * 1024 * 1024
    assert clean_pdf(_upload("big.pdf", content)).filename == "big.pdf"


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_png_colour_profile_is_dropped(mode):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    content = _image_bytes(Image.new(mode, (8, 8)), "PNG", icc_profile=srgb)
    with Image.open(io.BytesIO(content)) as original:
        assert "icc_profile" in original.info

    cleaned = clean_image(_upload("profiled.png", content))

    _assert_no_metadata(cleaned)
    with _reopen(cleaned) as im:
        assert im.mode == mode


def test_multi_picture_jpeg_from_a_phone_becomes_a_plain_jpeg():
    first, second = Image.new("RGB", (24, 16), "red"), Image.new("RGB", (24, 16), "blue")
    content = _image_bytes(first, "MPO", save_all=True, append_images=[second])
    with Image.open(io.BytesIO(content)) as original:
        assert original.format == "MPO"

    cleaned = clean_image(_upload("DSC0001.JPG", content))

    assert (cleaned.format, cleaned.width, cleaned.height) == ("JPEG", 24, 16)
    with _reopen(cleaned) as im:
        assert im.format == "JPEG"
        assert getattr(im, "n_frames", 1) == 1


def test_animated_png_keeps_only_its_first_frame():
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "green", "blue")]
    content = _image_bytes(frames[0], "PNG", save_all=True, append_images=frames[1:])

    cleaned = clean_image(_upload("anim.png", content))

    with _reopen(cleaned) as im:
        assert getattr(im, "n_frames", 1) == 1
        assert im.convert("RGB").getpixel((0, 0)) == (255, 0, 0)


# --- Attack PDFs built with pypdf: what a viewer runs, the check must see ----------------------


def _pypdf_document(*, page_extra=None, catalog_extra=None, annotations=()):
    """A one-page PDF written by pypdf, with extra entries on its page and its catalogue."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    for key, value in (page_extra or {}).items():
        page[NameObject(key)] = value
    for key, value in (catalog_extra or {}).items():
        writer._root_object[NameObject(key)] = value
    if annotations:
        page[NameObject("/Annots")] = ArrayObject(writer._add_object(a) for a in annotations)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(kind, **entries):
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = value
    return action


def _serialise(obj):
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()


def _png_predicted(data, columns):
    """Flate with the PNG 'None' predictor: a 0 byte before every row of `columns` bytes."""
    data += b" " * (-len(data) % columns)
    rows = (b"\x00" + data[i : i + columns] for i in range(0, len(data), columns))
    return zlib.compress(b"".join(rows))


def _pdf_with_object_stream(hidden_action, columns=3):
    """The catalogue's /OpenAction is object 4, which lives compressed in object stream 5.

    The stream is Flate with a PNG predictor (as writers use for cross-reference streams), so the
    inflated bytes have a 0 byte every few characters; the file has a cross-reference stream.
    """
    member = b"4 0 "
    body = _png_predicted(member + _serialise(hidden_action), columns)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        5: b"<< /Type /ObjStm /N 1 /First %d /Length %d /Filter /FlateDecode "
        b"/DecodeParms << /Predictor 12 /Columns %d >> >>\nstream\n"
        % (len(member), len(body), columns)
        + body
        + b"\nendstream",
    }
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, text in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + text + b"\nendobj\n"
    offsets[6] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, 7):
        if number == 4:
            rows.append(struct.pack(">BIH", 2, 5, 0))  # compressed: in stream 5, index 0
        else:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
    xref = b"".join(rows)
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(xref)
        + xref
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[6]
    )
    return bytes(out)


def _embedded_file_annotation():
    """A file attachment on the page: the file stream carries no /Type (it is optional)."""
    payload = DecodedStreamObject()
    payload.set_data(b"MZ\x90\x00 a program")
    spec = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Filespec"),
            NameObject("/F"): TextStringObject("invoice.exe"),
            NameObject("/EF"): DictionaryObject({NameObject("/F"): payload}),
        }
    )
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/FileAttachment"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (10, 10, 30, 30)]),
            NameObject("/FS"): spec,
        }
    )


def _with_pypdf_javascript():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_open_action(JavaScript("app.alert('hi');"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _with_pypdf_attachment():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("invoice.exe", b"MZ\x90\x00 a program")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _beacon():
    return _action("/URI", URI=TextStringObject("https://evil.example/seen"))


ACTIVE_PDFS = {
    # Each of these went through the earlier byte search unnoticed.
    "page-aa-link-on-open": lambda: _pypdf_document(
        page_extra={"/AA": DictionaryObject({NameObject("/O"): _beacon()})}
    ),
    "open-action-submit-form": lambda: _pypdf_document(
        catalog_extra={"/OpenAction": _action("/SubmitForm", F=TextStringObject("https://e.x/"))}
    ),
    "open-action-import-data": lambda: _pypdf_document(
        catalog_extra={"/OpenAction": _action("/ImportData", F=TextStringObject("x.fdf"))}
    ),
    "open-action-remote-file": lambda: _pypdf_document(
        catalog_extra={"/OpenAction": _action("/GoToR", F=TextStringObject(r"\\evil\share\x.pdf"))}
    ),
    "link-javascript-uri": lambda: _pypdf_document(
        annotations=[
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Link"),
                    NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 9, 9)]),
                    NameObject("/A"): _action("/URI", URI=TextStringObject("javascript:alert(1)")),
                }
            )
        ]
    ),
    "embedded-file-annotation": lambda: _pypdf_document(annotations=[_embedded_file_annotation()]),
    "javascript-in-predicted-object-stream": lambda: _pdf_with_object_stream(
        _action("/JavaScript", JS=TextStringObject("app.alert(1)"))
    ),
    "launch-in-predicted-object-stream": lambda: _pdf_with_object_stream(
        _action("/Launch", F=TextStringObject("cmd.exe"))
    ),
    # These the byte search caught too; they stay refused.
    "pypdf-open-action-javascript": _with_pypdf_javascript,
    "pypdf-add-attachment": _with_pypdf_attachment,
    "page-aa-javascript": lambda: _pypdf_document(
        page_extra={
            "/AA": DictionaryObject(
                {NameObject("/O"): _action("/JavaScript", JS=TextStringObject("app.alert(1)"))}
            )
        }
    ),
}


@pytest.mark.parametrize("name", ACTIVE_PDFS)
def test_refuses_active_content_a_viewer_would_find(name):
    content = ACTIVE_PDFS[name]()
    assert PdfReader(io.BytesIO(content)).pages  # a PDF a viewer opens

    error = _refused("pdf_active_content", clean_pdf, _upload("x.pdf", content))

    assert "scripts" in str(error.message)


def test_object_stream_attack_is_read_by_a_viewer_as_a_script():
    content = _pdf_with_object_stream(_action("/JavaScript", JS=TextStringObject("app.alert(1)")))
    open_action = PdfReader(io.BytesIO(content)).trailer["/Root"]["/OpenAction"]
    assert open_action["/S"] == "/JavaScript"
    assert b"JavaScript" not in zlib.decompress(
        content.split(b"stream\n")[1].split(b"\nendstream")[0]
    )


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            _pypdf_document(
                catalog_extra={"/OpenAction": ArrayObject([NumberObject(0), NameObject("/Fit")])}
            ),
            id="open-at-first-page",
        ),
        pytest.param(
            _pdf_with_object_stream(
                _action("/GoTo", D=ArrayObject([NumberObject(0), NameObject("/Fit")]))
            ),
            id="goto-in-predicted-object-stream",
        ),
        pytest.param(
            _pypdf_document(
                annotations=[
                    DictionaryObject(
                        {
                            NameObject("/Type"): NameObject("/Annot"),
                            NameObject("/Subtype"): NameObject("/Link"),
                            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
                            NameObject("/A"): _action(
                                "/URI", URI=TextStringObject("https://kk.dk/borgerbudget")
                            ),
                        }
                    )
                ]
            ),
            id="web-link",
        ),
    ],
)
def test_ordinary_documents_with_navigation_and_links_are_accepted(content):
    assert clean_pdf(_upload("plan.pdf", content)).content == content


def test_refuses_a_pdf_the_parser_cannot_read():
    content = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\nendobj\ntrailer\n<<>>\n%%EOF\n"
    _refused("pdf_corrupt", clean_pdf, _upload("x.pdf", content))


def _blank_pages_pdf(pages):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_refuses_a_pdf_with_more_objects_than_any_document_we_take():
    """Checking costs time per object: 20,000 empty pages fit in 2.5 MB and took six seconds.
    Past MAX_PDF_OBJECTS the file is refused before the walk."""
    content = _blank_pages_pdf(MAX_PDF_OBJECTS)
    assert len(content) < MAX_PDF_BYTES

    started = time.perf_counter()
    error = _refused("pdf_too_complex", clean_pdf, _upload("many.pdf", content))

    assert time.perf_counter() - started < 2  # refused from the cross-reference, not walked
    assert error.params == {"limit": "10.000"}  # Danish, the default
    with translation.override("en"):
        english = _refused("pdf_too_complex", clean_pdf, _upload("many.pdf", content))
    assert english.params == {"limit": "10,000"}


def test_refuses_objects_hidden_in_object_streams_past_the_limit(monkeypatch):
    """Objects inside object streams need not be listed in the cross-reference; they count too."""
    content = _pdf_with_object_stream(DictionaryObject({NameObject("/A"): NameObject("/B")}))
    reader = PdfReader(io.BytesIO(content))
    listed = sum(map(len, reader.xref.values())) + len(reader.xref_objStm)
    clean_pdf(_upload("fine.pdf", content))  # at its own size it is a plain PDF
    monkeypatch.setattr("proposals.uploads.MAX_PDF_OBJECTS", listed)

    _refused("pdf_too_complex", clean_pdf, _upload("hidden.pdf", content))


def test_a_document_of_a_few_hundred_pages_is_accepted():
    content = _blank_pages_pdf(400)

    assert clean_pdf(_upload("quote.pdf", content)).content == content
