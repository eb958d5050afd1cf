"""Every page reads on a phone (390 px) and on a desktop (1280 px), in a real browser.

Nothing is cut off: no display equation wider than its column (it would scroll sideways or be
clipped), no inline formula clipped, no explorer read-out cut at any slider position, no explorer
wider than its column, and no sideways page scroll. Dropdowns (solutions) are opened first, so
what they hold is measured too. A failure lists every offender with its TeX source or text; run
`python tests/book_browser.py BUILD/_build/html` on a build to see them all.
"""
import pytest

from book_browser import PAGES, measure_page, offender_lines


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.split("/")[-1].removesuffix(".html"))
def test_nothing_is_cut_off_and_nothing_scrolls_sideways(browser, server, path, width):
    result = measure_page(browser, server, path, width)
    counts = result["counts"]
    assert counts["math"] >= counts["mathSource"], "formulas left untypeset: did MathJax run?"
    lines = offender_lines(result)
    assert lines == [], f"{path} at {width} px: {len(lines)} offender(s)\n" + "\n".join(lines)
