"""The demo city: every app contributes its part (its own demo.py); this app, at the top, runs them in
order in one transaction and offers `manage.py load_demo`."""
