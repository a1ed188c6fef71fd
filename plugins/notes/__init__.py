"""Notes on fundraising records: markdown rendered safely, @mentions of teammates."""
