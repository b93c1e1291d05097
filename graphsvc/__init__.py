"""graphsvc: a stakeholder network graph service for integrated care of chronic patients."""

__version__ = "0.1.0"
