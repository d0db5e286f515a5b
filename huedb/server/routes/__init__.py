"""The v2 routes, one module per resource family."""
