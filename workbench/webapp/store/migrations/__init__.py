"""Alembic migrations of the app's database, run programmatically by ``Store()`` (``upgrade head``)."""
