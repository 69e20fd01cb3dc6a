"""From public files to the store: download, parse orchestration, raw-row batching, club identity.

The SQL of the write path (transactions, merge, rebuild) lives in :mod:`remontada.store`.
"""
