"""Adapters to Slack's Web API: who may do what, and posting that never loses a message."""
