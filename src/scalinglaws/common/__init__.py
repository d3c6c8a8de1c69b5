"""Small helpers shared by every layer: argument checks, JSON-safe numbers, number text.

This package sits at the bottom of the house beside :mod:`scalinglaws.exceptions`; it imports
nothing else of the project.
"""
