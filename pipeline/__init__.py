"""Marsad pipeline: Faust workers that extract, normalize, dedupe, tag and index Arabic news."""
