"""Test doubles and hypothesis strategies for suites that use payportal.

Install the ``testing`` extra (``pip install "payportal[testing]"``) for
:mod:`payportal.testing.strategies`.
"""
