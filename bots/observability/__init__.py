"""Health and metrics for `iepbot run`: ``/healthz`` and ``/metrics`` on the health port.

Kept out of the router and the dispatcher, which only call plain hooks, so that `iepbot ask`
and the console never import prometheus_client.
"""
