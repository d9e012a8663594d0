"""smartvillage: smart village (thôn thông minh) programme management."""

__version__ = "0.1.0"
