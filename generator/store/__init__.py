"""The output folder: atomic files, the manifest, the run lock, the year folder and the report."""
