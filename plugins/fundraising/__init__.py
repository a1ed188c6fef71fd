"""The fundraising plugin: investors, contacts, funds and commitments."""
