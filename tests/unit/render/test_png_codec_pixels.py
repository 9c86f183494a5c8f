"""PNG labels decode to exactly the pixels drawn, whatever the filter and compression (issue 9)."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from parcelguard.adapters.render import LabelRenderer
from parcelguard.adapters.render.png_codec import encode_png_1bit
from tests.unit.render.conftest import make_label, strict_test_gate


def _decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


@st.composite
def images(draw: st.DrawFn) -> Image.Image:
    """A 1-bit image of random size and pixels, some rows repeating the row above as on a label."""
    width, height = draw(st.integers(1, 70)), draw(st.integers(1, 40))
    rows = []
    for _ in range(height):
        if rows and draw(st.booleans()):
            rows.append(rows[-1])
        else:
            rows.append(bytes(draw(st.lists(st.sampled_from([0, 255]), min_size=width, max_size=width))))
    return Image.frombytes("L", (width, height), b"".join(rows)).convert("1")


@settings(max_examples=150, deadline=None)
@given(images())
def test_any_1_bit_image_decodes_to_its_own_pixels(image: Image.Image) -> None:
    decoded = _decoded(encode_png_1bit(image, 203))
    assert (decoded.mode, decoded.size) == ("1", image.size)
    assert decoded.tobytes() == image.tobytes()


def test_a_label_png_decodes_to_the_image_the_renderer_drew() -> None:
    renderer = LabelRenderer(strict_test_gate)
    label = make_label()
    decoded = _decoded(renderer.render_png(label))
    assert decoded.tobytes() == renderer.render_image(label).tobytes()
    assert [round(d) for d in decoded.info["dpi"]] == [203, 203]
