"""The records system: Noark 5 metadata, with the schemas it is validated against in schemas/."""
