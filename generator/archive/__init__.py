"""The records system: the Noark 5 export and the Fiks Arkiv messages, the archive's receipts,
and the schemas and code lists they are checked against in schemas/."""
