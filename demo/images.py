"""Pictures for the demo, drawn with Pillow: no downloads, no stock photos.

Each picture is a simple composition (a shop front under flats, stalls in a courtyard,
a meeting under a red banner…) seeded by its title, so the same title always gives the
same picture. Chinese text is drawn with a Noto CJK font when the system has one;
without it the pictures simply carry no text.
"""

import functools
import io
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 800
SHARE_SIZE = (1200, 630)

FONT_CANDIDATES = [
    # (path, face index): index 2 of the Noto CJK collections is Simplified Chinese.
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", 0),
]

RED = (196, 30, 36)
GOLD = (250, 214, 90)
WHITE = (255, 255, 255)
INK = (40, 40, 48)

SIGN_COLOURS = [(176, 32, 40), (28, 92, 160), (20, 120, 90), (200, 110, 20), (110, 60, 140), (60, 60, 70)]
WALL_COLOURS = [(232, 222, 204), (214, 206, 196), (226, 214, 196), (204, 212, 214), (236, 226, 214)]
SKY_COLOURS = [(170, 205, 235), (190, 215, 236), (200, 222, 240)]
CLOTHES = [(200, 60, 50), (40, 90, 170), (60, 140, 90), (230, 160, 40), (120, 80, 150), (90, 90, 100), (240, 240, 235)]
SKIN = [(240, 205, 170), (225, 185, 150), (210, 170, 135)]


@functools.lru_cache(maxsize=32)
def cjk_font(size):
    """A Simplified Chinese font at `size`, or None when the system has none."""
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size, index=index)
            except OSError:
                continue
    return None


def render(spec):
    """The picture for an ImageSpec as (bytes, file extension)."""
    rng = random.Random(spec.title)
    if spec.scene == "share":
        image = _share(spec, rng)
        return _encode(image, "PNG"), "png"
    draw_scene = SCENES.get(spec.scene, _street)
    image = Image.new("RGB", (WIDTH, HEIGHT), rng.choice(SKY_COLOURS))
    draw_scene(ImageDraw.Draw(image), spec, rng)
    return _encode(image, "JPEG"), "jpg"


def _encode(image, fmt):
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", quality=84, optimize=True, progressive=True)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


# --- Drawing helpers ---------------------------------------------------------------


def _text(draw, xy, text, size, fill, anchor="mm", max_width=None):
    """Draw text if we have a font, shrinking it until it fits `max_width`."""
    if not text:
        return
    font = cjk_font(size)
    if font is None:
        return
    while max_width and size > 18 and draw.textlength(text, font=font) > max_width:
        size -= 4
        font = cjk_font(size)
    draw.text(xy, text, font=font, fill=fill, anchor=anchor)


def _banner(draw, spec, top=40, colour=RED, text_colour=GOLD):
    """A red cloth banner with the headline, the way every street event is announced."""
    left, right = 90, WIDTH - 90
    draw.rectangle([left, top, right, top + 110], fill=colour)
    draw.rectangle([left, top, right, top + 8], fill=_shade(colour, -40))
    for x in (left - 10, right + 4):
        draw.rectangle([x, top - 20, x + 6, top + 140], fill=(120, 90, 60))
    _text(draw, (WIDTH // 2, top + 58), spec.headline, 64, text_colour, max_width=right - left - 60)


def _shade(colour, amount):
    return tuple(max(0, min(255, c + amount)) for c in colour)


def _person(draw, x, ground, rng, scale=1.0, vest=None):
    """A figure: body, head and, for volunteers, a red vest."""
    height = int(rng.randint(150, 190) * scale)
    width = int(54 * scale)
    head = int(22 * scale)
    body_top = ground - height + head * 2
    colour = vest or rng.choice(CLOTHES)
    draw.rounded_rectangle([x - width // 2, body_top, x + width // 2, ground], radius=int(18 * scale), fill=colour)
    draw.ellipse([x - head, body_top - head * 2, x + head, body_top], fill=rng.choice(SKIN))
    hair = rng.choice([(30, 30, 30), (60, 50, 40), (200, 200, 200)])
    draw.chord([x - head, body_top - head * 2, x + head, body_top - head // 2], 180, 360, fill=hair)


def _crowd(draw, rng, ground, count, vest_share=0.0, scale=1.0):
    xs = sorted(rng.randint(60, WIDTH - 60) for _ in range(count))
    for x in xs:
        vest = (214, 40, 40) if rng.random() < vest_share else None
        _person(draw, x, ground + rng.randint(-6, 12), rng, scale=scale, vest=vest)


def _windows(draw, rng, top, bottom, wall):
    """Rows of flat windows above the shops: people live upstairs."""
    draw.rectangle([0, top, WIDTH, bottom], fill=wall)
    for row_top in range(top + 30, bottom - 90, 130):
        for col in range(40, WIDTH - 100, 170):
            lit = rng.random() < 0.3
            glass = (250, 236, 180) if lit else (120, 150, 175)
            draw.rectangle([col, row_top, col + 110, row_top + 80], fill=(245, 245, 245))
            draw.rectangle([col + 6, row_top + 6, col + 104, row_top + 74], fill=glass)
            draw.line([col + 55, row_top + 6, col + 55, row_top + 74], fill=(245, 245, 245), width=4)
            if rng.random() < 0.4:  # an air-conditioner box, as on every old block
                draw.rectangle([col + 20, row_top + 86, col + 90, row_top + 116], fill=(230, 230, 226))


# --- Scenes -----------------------------------------------------------------------


def _shopfront(draw, spec, rng):
    wall = rng.choice(WALL_COLOURS)
    sign = rng.choice(SIGN_COLOURS)
    _windows(draw, rng, 0, 330, wall)
    # Signboard with the shop's name.
    draw.rectangle([0, 330, WIDTH, 470], fill=sign)
    draw.rectangle([0, 462, WIDTH, 470], fill=_shade(sign, -50))
    _text(draw, (WIDTH // 2, 400), spec.headline, 88, WHITE, max_width=WIDTH - 160)
    # Glass front, door and awning.
    draw.rectangle([0, 470, WIDTH, HEIGHT], fill=_shade(wall, -30))
    draw.rectangle([80, 500, 760, 720], fill=(150, 185, 205))
    for x in range(80, 760, 170):
        draw.line([x, 500, x, 720], fill=(90, 90, 96), width=6)
    draw.rectangle([820, 500, 1040, 740], fill=(110, 80, 60))
    draw.rectangle([840, 520, 1020, 740], fill=(160, 200, 215))
    stripes = [sign, WHITE]
    for i, x in enumerate(range(60, 1100, 65)):
        draw.polygon([(x, 470), (x + 65, 470), (x + 60, 505), (x - 5, 505)], fill=stripes[i % 2])
    # Goods in the window and a pot plant by the door.
    for _ in range(9):
        x = rng.randint(100, 700)
        y = rng.randint(600, 690)
        draw.rectangle([x, y, x + 40, y + 30], fill=rng.choice(CLOTHES))
    draw.ellipse([1060, 650, 1140, 730], fill=(50, 130, 70))
    draw.rectangle([1080, 720, 1120, 760], fill=(150, 90, 60))
    # The alliance plaque members hang by the door.
    draw.rounded_rectangle([850, 420 + 100, 1010, 520 + 50], radius=8, fill=RED)
    _text(draw, (930, 545), spec.subtitle or "联盟商户", 30, GOLD, max_width=150)
    draw.rectangle([0, 760, WIDTH, HEIGHT], fill=(150, 150, 150))


def _market(draw, spec, rng):
    draw.rectangle([0, 330, WIDTH, HEIGHT], fill=(200, 196, 186))  # courtyard paving
    _windows(draw, rng, 150, 330, rng.choice(WALL_COLOURS))
    _banner(draw, spec)
    for i, x in enumerate(range(40, WIDTH - 100, 235)):
        canopy = [RED, (30, 110, 180), (240, 170, 30), (40, 140, 90)][i % 4]
        draw.polygon([(x, 420), (x + 210, 420), (x + 190, 360), (x + 20, 360)], fill=canopy)
        draw.rectangle([x + 10, 420, x + 16, 600], fill=(90, 90, 90))
        draw.rectangle([x + 194, 420, x + 200, 600], fill=(90, 90, 90))
        draw.rectangle([x + 10, 520, x + 200, 560], fill=WHITE)
        for _ in range(6):  # produce on the table
            gx = rng.randint(x + 20, x + 180)
            draw.ellipse([gx, 500, gx + 26, 524], fill=rng.choice([(230, 60, 40), (250, 190, 40), (90, 170, 60)]))
    _crowd(draw, rng, HEIGHT - 20, 12, vest_share=0.15)
    if spec.subtitle:
        draw.rounded_rectangle([180, 170, WIDTH - 180, 232], radius=12, fill=(255, 250, 236))
        _text(draw, (WIDTH // 2, 201), spec.subtitle, 38, INK, max_width=WIDTH - 420)


def _meeting(draw, spec, rng):
    draw.rectangle([0, 0, WIDTH, HEIGHT], fill=(236, 232, 222))
    draw.rectangle([0, 560, WIDTH, HEIGHT], fill=(176, 140, 100))
    _banner(draw, spec, top=70)
    _text(draw, (WIDTH // 2, 230), spec.subtitle, 40, INK, max_width=WIDTH - 200)
    for x in range(130, WIDTH - 100, 140):
        _person(draw, x, 600, rng, scale=0.9)
    draw.rectangle([80, 560, WIDTH - 80, 640], fill=(120, 50, 40))  # table with a red cloth
    draw.rectangle([80, 560, WIDTH - 80, 572], fill=(150, 70, 55))
    for x in range(150, WIDTH - 120, 140):
        draw.rectangle([x, 540, x + 60, 560], fill=WHITE)  # name cards
        draw.ellipse([x + 80, 535, x + 106, 560], fill=(230, 230, 230))  # tea cups


def _street(draw, spec, rng):
    draw.polygon([(0, HEIGHT), (WIDTH, HEIGHT), (720, 380), (480, 380)], fill=(170, 170, 166))
    draw.polygon([(0, 120), (480, 300), (480, 380), (0, HEIGHT)], fill=rng.choice(WALL_COLOURS))
    draw.polygon([(WIDTH, 120), (720, 300), (720, 380), (WIDTH, HEIGHT)], fill=rng.choice(WALL_COLOURS))
    for i in range(4):  # windows receding down the lane
        y = 330 + i * 60
        inset = 40 + i * 60
        draw.rectangle([180 + inset, y, 220 + inset, y + 40], fill=(120, 150, 175))
        draw.rectangle([980 - inset, y, 1020 - inset, y + 40], fill=(120, 150, 175))
    _banner(draw, spec, top=20)
    _text(draw, (WIDTH // 2, 200), spec.subtitle, 38, INK, max_width=WIDTH - 240)
    _crowd(draw, rng, HEIGHT - 30, 7, vest_share=0.7, scale=1.1)
    for _ in range(4):  # brooms and bins
        x = rng.randint(200, 1000)
        draw.line([x, HEIGHT - 40, x + 40, HEIGHT - 200], fill=(150, 110, 60), width=8)
    draw.rounded_rectangle([1040, 620, 1120, 760], radius=10, fill=(40, 130, 80))


def _visit(draw, spec, rng):
    draw.rectangle([0, 0, WIDTH, HEIGHT], fill=(244, 232, 210))
    draw.rectangle([0, 600, WIDTH, HEIGHT], fill=(190, 150, 110))
    draw.rectangle([760, 160, 1080, 420], fill=(180, 210, 230))  # window
    draw.line([920, 160, 920, 420], fill=WHITE, width=8)
    draw.rectangle([120, 420, 520, 620], fill=(150, 90, 60))  # sofa
    _person(draw, 300, 600, rng, scale=1.2)
    _person(draw, 640, 640, rng, scale=1.3, vest=(214, 40, 40))
    draw.rectangle([700, 560, 800, 640], fill=(240, 200, 60))  # a bag of groceries
    _banner(draw, spec, top=30)
    _text(draw, (WIDTH // 2, 720), spec.subtitle, 38, INK, max_width=WIDTH - 200)


def _award(draw, spec, rng):
    draw.rectangle([0, 0, WIDTH, HEIGHT], fill=(180, 24, 30))
    for r in range(900, 100, -120):
        draw.ellipse([WIDTH // 2 - r, 500 - r, WIDTH // 2 + r, 500 + r], outline=(200, 50, 50), width=18)
    draw.rectangle([260, 260, 272, 700], fill=GOLD)  # the rotating red flag
    draw.polygon([(272, 270), (560, 300), (520, 390), (560, 470), (272, 450)], fill=(230, 40, 40))
    draw.polygon(_star(400, 360, 46), fill=GOLD)
    _text(draw, (WIDTH // 2 + 140, 330), spec.headline, 72, GOLD, max_width=640)
    _text(draw, (WIDTH // 2 + 140, 450), spec.subtitle, 40, WHITE, max_width=640)
    _crowd(draw, rng, HEIGHT - 10, 6, scale=0.9)


def _classroom(draw, spec, rng):
    draw.rectangle([0, 0, WIDTH, HEIGHT], fill=(232, 236, 226))
    draw.rectangle([160, 80, 1040, 380], fill=(40, 80, 60))  # blackboard
    draw.rectangle([160, 380, 1040, 396], fill=(140, 100, 60))
    _text(draw, (WIDTH // 2, 200), spec.headline, 64, WHITE, max_width=820)
    _text(draw, (WIDTH // 2, 300), spec.subtitle, 36, (220, 230, 210), max_width=820)
    for row, y in enumerate((560, 700)):
        for x in range(150, WIDTH - 100, 220):
            _person(draw, x + 60, y, rng, scale=0.7 + row * 0.1)
            draw.rectangle([x, y - 30, x + 150, y], fill=(200, 160, 110))


def _share(spec, rng):
    width, height = SHARE_SIZE
    image = Image.new("RGB", SHARE_SIZE, RED)
    draw = ImageDraw.Draw(image)
    for i in range(height):
        draw.line([0, i, width, i], fill=(196 - i // 12, 30 + i // 20, 36))
    # A row of shop fronts under flats: the alliance in one line.
    for i, x in enumerate(range(0, width, 150)):
        draw.rectangle([x + 10, 430, x + 140, height], fill=WALL_COLOURS[i % len(WALL_COLOURS)])
        draw.rectangle([x + 10, 500, x + 140, 530], fill=SIGN_COLOURS[i % len(SIGN_COLOURS)])
        draw.rectangle([x + 30, 450, x + 70, 480], fill=(120, 150, 175))
        draw.rectangle([x + 80, 450, x + 120, 480], fill=(250, 236, 180))
    _text(draw, (width // 2, 190), spec.headline, 76, GOLD, max_width=width - 160)
    _text(draw, (width // 2, 300), spec.subtitle, 40, WHITE, max_width=width - 160)
    return image


def _star(cx, cy, r):
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.4
        angle = math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy - radius * math.sin(angle)))
    return points


SCENES = {
    "shopfront": _shopfront,
    "market": _market,
    "meeting": _meeting,
    "street": _street,
    "visit": _visit,
    "award": _award,
    "classroom": _classroom,
}
