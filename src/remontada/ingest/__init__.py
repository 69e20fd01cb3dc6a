"""From public files to the store: download, parse orchestration, raw writes, club identity, merge."""
