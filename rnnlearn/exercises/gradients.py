"""Exercise checkers for the chapter "gradients" (book/gradients.ipynb)."""

__all__: list[str] = []
