"""Exercise checkers for the chapter "bptt" (book/bptt.ipynb)."""

__all__: list[str] = []
