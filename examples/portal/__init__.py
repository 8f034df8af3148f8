"""An example customer portal in Flask that hosts payportal; see README.md."""

from examples.portal.app import create_app

__all__ = ["create_app"]
