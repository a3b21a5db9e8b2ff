"""The 办事指南 catalogue: typed guides of the "一件事一次办" items, their loader and search.

Typical use::

    from bot.catalogue import get_catalogue, GuideAspect

    catalogue = get_catalogue()
    item = catalogue.get("上户口") or catalogue.search("孩子要上小学了")[0][0]
    needed = catalogue.materials_for(item, {"residence": "nonlocal"})

The files in ``data/services`` are the seed; staff edit items on the staff page
(`bot.catalogue.edits`), and `get_catalogue` returns the files with those edits applied, checked
for changes every few seconds (`bot.catalogue.live`).
"""

from __future__ import annotations

from bot.catalogue.collection import Catalogue, materials_for, normalise_key
from bot.catalogue.linking import Evidence
from bot.catalogue.live import forget_live_catalogues, live_catalogue
from bot.catalogue.loader import CatalogueError, Problem, load_catalogue
from bot.catalogue.models import (
    NAME_SUFFIX,
    Category,
    Exemption,
    GuideAspect,
    Material,
    MaterialForm,
    OnlineChannel,
    ServiceItem,
    Situation,
    TimeLimit,
    Window,
)
from bot.catalogue.search import vocabulary
from bot.settings import get_settings

__all__ = [
    "NAME_SUFFIX",
    "Catalogue",
    "CatalogueError",
    "Category",
    "Evidence",
    "Exemption",
    "GuideAspect",
    "Material",
    "MaterialForm",
    "OnlineChannel",
    "Problem",
    "ServiceItem",
    "Situation",
    "TimeLimit",
    "Window",
    "get_catalogue",
    "load_catalogue",
    "materials_for",
    "normalise_key",
    "vocabulary",
]


class _CatalogueGetter:
    """`get_catalogue`: a callable with ``cache_clear``, as `functools.lru_cache` gives."""

    def __call__(self) -> Catalogue:
        """Return the live catalogue of ``<data_dir>/services``: the files with the staff edits applied.

        The same object is returned until the files or the edits change (looked for at most every
        `bot.catalogue.live.RELOAD_CHECK_SECONDS`).

        Raises:
            CatalogueError: the item files are broken (at the first call of the process).

        """
        return live_catalogue(get_settings().data_dir / "services").current()

    def cache_clear(self) -> None:
        """Forget the catalogue, so that the next call reads the files (and the edits) again."""
        forget_live_catalogues()


get_catalogue = _CatalogueGetter()
