"""Small real images (and things that only pretend to be images) for the photo tests."""

from io import BytesIO

from PIL import Image


def image_bytes(kind="PNG", size=(8, 6), colour=(139, 26, 26)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=kind)
    return buffer.getvalue()


def png_bytes() -> bytes:
    return image_bytes("PNG")
