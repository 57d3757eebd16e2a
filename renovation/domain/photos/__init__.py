"""Photo evidence: before, during and after each stage.

processing judges an upload by its content (format, size, pixels), turns it upright and makes the
display and thumbnail JPEGs, with gps_removal keeping the original without where it was taken;
operations stores files and records together or not at all (add, edit, delete, pair); pairing
checks before/after pairs picked together; gallery reads them back for the pages and the API.
"""
