"""The project ledger (台账) as a spreadsheet, in and out.

An upload is bounded (limits), read (reader: the sheet and header row), each cell understood
(cells, by the columns' types), turned into a project's flat values (values), compared with the
database into a preview (preview, kept as preview_json) and written all or nothing (commit).
exports writes the lists as tables, and spreadsheets writes a table to .xlsx or CSV.
"""
