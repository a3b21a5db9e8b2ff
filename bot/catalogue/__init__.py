"""The 办事指南 catalogue: typed guides of the "一件事一次办" items, their loader and search.

Typical use::

    from bot.catalogue import get_catalogue, GuideAspect

    catalogue = get_catalogue()
    item = catalogue.get("上户口") or catalogue.search("孩子要上小学了")[0][0]
    needed = catalogue.materials_for(item, {"residence": "nonlocal"})
"""

from __future__ import annotations

from functools import lru_cache

from bot.catalogue.collection import Catalogue, materials_for, normalise_key
from bot.catalogue.linking import Evidence
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


@lru_cache(maxsize=1)
def get_catalogue() -> Catalogue:
    """Return the catalogue of ``<data_dir>/services``, loaded once per process.

    Call ``get_catalogue.cache_clear()`` to reload it after the files change.
    """
    return load_catalogue(get_settings().data_dir / "services")
