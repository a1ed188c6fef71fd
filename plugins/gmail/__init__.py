"""The gmail plugin: capture of investor email through domain-wide delegation, and drafts."""
