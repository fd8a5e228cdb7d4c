"""Pure domain logic: records, text normalisation, the bulletin parser, intents, rendering.

Nothing here does I/O or imports ``telegram``; everything is a function of its arguments.
"""
