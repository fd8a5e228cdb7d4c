"""python-telegram-bot adapters: the application factory, runner, typed context, sender and request."""
