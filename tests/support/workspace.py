"""Identifiers of the fake workspace shared by the Slack double and the signed requests."""

TEAM_ID = "T111"  # as in Slack's bolt-python samples
APP_ID = "A111"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
BOT_TOKEN = "xoxb-test"
SIGNING_SECRET = "test-signing-secret"
