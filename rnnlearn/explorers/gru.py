"""Placeholder: the GRU chapter's explorer (GruGateExplorer) is being written."""


class GruGateExplorer:  # replaced by the chapter's helper
    pass
