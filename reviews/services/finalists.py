"""finalists (see reviews/services/__init__.py)."""

__all__: list[str] = []
