"""Signed copies coming back: digital signatures read and checked, scanned copies matched by their QR code."""
