"""Write rnnlearn/data/python_topics.txt: the corpus of the character language model.

The text is the Python Language Reference's topics as plain text, exactly as the standard
library ships them in ``pydoc_data.topics.topics`` (what ``help("assert")`` shows): a dict of
79 topics, each a few hundred to 62,000 characters of English prose with code examples. This
script takes them from **Python 3.11.7** (the interpreter that runs it; the shipped file was made
with 3.11.7 and is never regenerated on import, so the corpus does not change with the Python
version), sorts them by key and writes them, unchanged, one after another with
:data:`rnnlearn.corpus.SEPARATOR` (two blank lines) between two topics, as one UTF-8 file.

Nothing is normalised: every topic ends with exactly one newline and holds at most three
newlines in a row, so the four newlines in a row at a boundary mark it unambiguously, and the
separator adds no character to the vocabulary. The script checks these facts before writing.

Licence: the Python documentation is distributed under the PSF License Version 2 (its code
examples also under the Zero-Clause BSD licence); the installation's ``LICENSE.txt``, which
holds both, is copied beside the text as ``python_topics_LICENSE.txt``.

Run (under a second): PYTHONPATH=. python scripts/make_corpus.py [--check]
  --check: write nothing; exit 1 if the shipped files differ from what this Python would write.
"""
from __future__ import annotations

import argparse
import pathlib
import platform
import re
import sys
import sysconfig

from pydoc_data.topics import topics

from rnnlearn import corpus


def build():
    """The corpus text and the licence text, from this Python's standard library."""
    keys = sorted(topics)
    for key in keys:
        text = topics[key]
        if not text.endswith("\n") or text.endswith("\n\n") or text.startswith("\n"):
            raise SystemExit(f"topic {key!r} does not end with exactly one newline")
        if re.search("\n{4}", text):
            raise SystemExit(f"topic {key!r} holds four newlines in a row: the separator "
                             "would be ambiguous")
    text = corpus.SEPARATOR.join(topics[key] for key in keys)
    license_path = pathlib.Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    return text, license_path.read_text(encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the shipped files instead of writing them")
    args = parser.parse_args(argv)
    text, license_text = build()
    if platform.python_version() != corpus.PYTHON_VERSION:
        print(f"note: this is Python {platform.python_version()}; the shipped corpus was taken "
              f"from {corpus.PYTHON_VERSION}", file=sys.stderr)
    if args.check:
        same = (corpus.PATH.read_text(encoding="utf-8") == text
                and corpus.LICENSE_PATH.read_text(encoding="utf-8") == license_text)
        print("the shipped corpus is what this Python writes" if same else
              "the shipped corpus differs from what this Python writes")
        return 0 if same else 1
    corpus.PATH.write_text(text, encoding="utf-8", newline="\n")
    corpus.LICENSE_PATH.write_text(license_text, encoding="utf-8", newline="\n")
    print(f"wrote {corpus.PATH} ({corpus.PATH.stat().st_size} bytes, {len(topics)} topics, "
          f"{len(text)} characters) and {corpus.LICENSE_PATH.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
