"""Airtable CSV import: plan (parse, match, infer), review (changes, people), apply (insert)."""
