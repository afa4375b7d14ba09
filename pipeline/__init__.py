"""Marsad pipeline: Faust workers that extract, normalize, deduplicate, tag and index Arabic news."""
