"""Progress bulletins: preview, issue, the archive and downloads."""
