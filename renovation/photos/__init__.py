"""Photo evidence pages: upload, gallery, the photo page, its files and the city-wide photos."""
