"""Downloads of the public registry with a DCAT-AP catalogue."""
