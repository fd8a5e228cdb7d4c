"""Reports for admins (issue 12, point 5): the /stats chart and the per-recipient CSV export."""
