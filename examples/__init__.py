"""Example applications built on payportal (not part of the installed package)."""
