"""The house palette: contrast on white and distinctness for the common colour-vision deficiencies."""
import itertools
import math

import numpy as np
import pytest

from rnnlearn import plotting

#: Machado, Oliveira & Fernandes (2009), severity 1.0, on linear sRGB (the matrices Chrome's and
#: Firefox's developer tools use to emulate each dichromacy).
MACHADO = {
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}
VISIONS = (None, *MACHADO)
#: sRGB (D65) linear RGB -> XYZ, and the white point.
XYZ = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                [0.0193339, 0.1191920, 0.9503041]])
WHITE = XYZ @ np.ones(3)
#: Smallest CIEDE2000 distance between two house colours, for normal vision and every
#: simulated dichromacy (Okabe-Ito's originals: 8.2, green against grey under deuteranopia).
MIN_DISTANCE = 10.0
#: Colours drawn side by side: every colour but yellow (a lone highlight, close to orange
#: under deuteranopia and protanopia).
SIDE_BY_SIDE = [name for name in plotting.PALETTE if name != "yellow"]


def linear_rgb(hex_colour):
    c = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(hex_colour, vision=None):
    """CIELAB (D65) of a colour as seen with normal vision or a simulated dichromacy."""
    rgb = linear_rgb(hex_colour)
    if vision is not None:
        rgb = np.clip(np.array(MACHADO[vision]) @ rgb, 0.0, 1.0)
    t = XYZ @ rgb / WHITE
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def ciede2000(lab1, lab2):
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005)."""
    (L1, a1, b1), (L2, a2, b2) = lab1, lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = math.degrees(math.atan2(b1, a1)) % 360, math.degrees(math.atan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_l, d_c = L2 - L1, c2 - c1
    d_h = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    l_bar, c_bar = (L1 + L2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_bar = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_bar = (h1 + h2) / 2
    else:
        h_bar = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_bar - 30)) + 0.24 * math.cos(math.radians(2 * h_bar))
         + 0.32 * math.cos(math.radians(3 * h_bar + 6)) - 0.20 * math.cos(math.radians(4 * h_bar - 63)))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_bar, 1 + 0.015 * c_bar * t
    r_t = (-2 * math.sqrt(c_bar**7 / (c_bar**7 + 25**7))
           * math.sin(math.radians(60 * math.exp(-(((h_bar - 275) / 25) ** 2)))))
    return math.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2
                     + r_t * (d_c / s_c) * (d_h / s_h))


def test_ciede2000_matches_sharma_reference_pairs():
    # pairs 1, 7 and 17 of Sharma, Wu & Dalal's (2005) test data
    assert ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert ciede2000((50, 0, 0), (50, -1, 2)) == pytest.approx(2.3669, abs=1e-4)
    assert ciede2000((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)


def test_contrast_ratio_matches_wcag():
    assert plotting.contrast_ratio("#000000") == pytest.approx(21.0)
    assert plotting.contrast_ratio("#FFFFFF") == pytest.approx(1.0)
    assert plotting.contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)
    assert plotting.contrast_ratio("#E69F00") == pytest.approx(2.25, abs=0.01)  # Okabe-Ito orange


@pytest.mark.parametrize("name", list(plotting.PALETTE))
def test_every_house_colour_has_3_to_1_contrast_on_white(name):
    assert plotting.contrast_ratio(plotting.PALETTE[name]) >= 3.0


@pytest.mark.parametrize("vision", VISIONS, ids=lambda v: v or "normal")
def test_house_colours_stay_apart_for_every_vision(vision):
    seen = {name: lab(plotting.PALETTE[name], vision) for name in SIDE_BY_SIDE}
    closest = min((ciede2000(seen[a], seen[b]), a, b) for a, b in itertools.combinations(SIDE_BY_SIDE, 2))
    assert closest[0] >= MIN_DISTANCE, f"{closest[1]} and {closest[2]} are {closest[0]:.1f} apart"


def test_cycle_and_colours_are_palette_colours():
    assert set(plotting.CYCLE) <= set(plotting.PALETTE.values())
    assert len(set(plotting.CYCLE)) == len(plotting.CYCLE)


def test_house_text_sizes_readable_on_a_phone():
    # a 7.5-in figure shown 342 px wide: every house text at least 6.5 CSS px (9 pt gave 5.7)
    px_per_point = 342 / (7.5 * 72)
    sizes = [plotting.RC[k] for k in ("font.size", "axes.titlesize", "axes.labelsize",
                                      "xtick.labelsize", "ytick.labelsize", "legend.fontsize")]
    assert min(sizes) * px_per_point >= 6.5


def test_figure_and_heading_use_the_house_sizes():
    fig, ax = plotting.figure(6.5, 3)
    assert ax.xaxis.get_ticklabels()[0].get_fontsize() == plotting.RC["xtick.labelsize"]
    assert plotting.heading(ax).get_fontsize() == plotting.FONT_SIZE
