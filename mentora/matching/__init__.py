"""The matching engine: pure Python, no Django (an import contract enforces it)."""
