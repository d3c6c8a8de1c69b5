"""The published laws: one module per paper (or family of forms), each registering its laws
with :func:`scalinglaws.laws.register`. Every module here is imported by the catalog."""
