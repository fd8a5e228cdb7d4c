"""Watching portals for new bulletins: feeds.py reads a listing, recognise.py tells a bulletin from the news;
http.py and watcher.py do the I/O."""
