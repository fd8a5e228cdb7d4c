"""All user-facing text, Vietnamese first with English beside it, one module per feature.

Keeping wording here (not in handlers) lets it be reviewed and translated without reading code.
Every function returns Telegram HTML: values that come from users or bulletins are escaped.
"""
