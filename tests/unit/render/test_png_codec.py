from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from parcelguard.adapters.render.png_codec import encode_png_1bit


@pytest.mark.parametrize("width", [1, 7, 8, 9, 799, 800])
def test_pillow_reads_back_exactly_the_pixels_that_were_encoded(width: int) -> None:
    image = Image.new("1", (width, 23), 1)
    draw = ImageDraw.Draw(image)
    draw.line((0, 0, width - 1, 22), fill=0)
    draw.rectangle((0, 5, width // 2, 9), fill=0)

    decoded = Image.open(io.BytesIO(encode_png_1bit(image, 203)))
    decoded.load()

    assert decoded.mode == "1"
    assert decoded.size == image.size
    assert decoded.tobytes() == image.tobytes()
    assert [round(d) for d in decoded.info["dpi"]] == [203, 203]


def test_only_1_bit_images_are_accepted() -> None:
    with pytest.raises(ValueError, match="mode '1'"):
        encode_png_1bit(Image.new("L", (4, 4)), 203)
