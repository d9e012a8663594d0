"""The importer's public names, kept for callers (jobs, views, CLI, bench): the code is in
`transfer.importing`, one module per step of the data's way. One list of names: the package's
`__all__`."""

from smartvillage.transfer.importing import *  # noqa: F403
from smartvillage.transfer.importing import __all__  # noqa: F401
