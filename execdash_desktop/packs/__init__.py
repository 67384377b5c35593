"""Dashboard packs over one core (design/dashboards.md).

Each sub-package declares one dashboard as `DASHBOARD`
(execdash_desktop.dashboards.spec.Dashboard). A pack imports the core and
never another pack; the core reaches packs only through
execdash_desktop.dashboards.registry. `Pack`, `all_packs` and `packs_in` are
the older names of the same things.
"""

from __future__ import annotations

from ..dashboards.registry import all_dashboards as all_packs
from ..dashboards.registry import dashboards_in as packs_in
from ..dashboards.spec import Dashboard as Pack

__all__ = ["Pack", "all_packs", "packs_in"]
