"""The browser form (``clas-bilan formulaire``): a local web page over the same checks."""
