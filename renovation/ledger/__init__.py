"""The project ledger in and out: .xlsx import with a preview, the template, and list exports."""
