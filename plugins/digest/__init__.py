"""The digest plugin: each morning, who emailed which investors and the substance, to admins."""
