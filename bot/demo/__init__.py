"""`mosovo-bot demo`: the real bot, a scripted unit and an in-process Slack, for newcomers.

``workspace`` is the Slack Web API as the bot sees it (answered in memory, as Slack documents),
``payloads`` builds the signed requests Slack would send, ``script`` plays one request of each
basis through the real Bolt app and ``transcript`` renders what was said as readable text.
"""
