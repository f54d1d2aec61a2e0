"""Layered settings: one model (`model.py`), loaded with origins (`load.py`)."""
