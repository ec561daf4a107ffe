"""The report: experiment records (written by tfsheet.runs) rendered into index.md and index.html, with
one answer module per problem (tfsheet.report.answers), figures (plots) and number formatting (format)."""
