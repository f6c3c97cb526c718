"""The report formats: each name is also its file's suffix (reports.make renders each)."""

FORMATS = ("html", "md", "csv", "json", "pdf")
