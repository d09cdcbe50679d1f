"""Block Kit, built in one place. Every value that came from a person is escaped here."""
