"""amc-cltv: customer lifetime value and high-value audiences on Amazon Marketing Cloud."""

__version__ = "0.1.0"
