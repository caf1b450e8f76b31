"""Alembic migrations of the web tool's database (run by :meth:`matrixkit_web.db.Database.migrate`)."""
