"""The one place features are wired in: their routers and their models.

``forge add-feature`` adds a line at each ``forge:`` marker; keep the markers. A test
checks that every package under ``features/`` is registered here.
"""

from types import ModuleType

from fastapi import APIRouter
from sqlalchemy import MetaData

from .features.announcements import models as announcements_models
from .features.announcements.router import router as announcements_router
from .features.auth import models as auth_models
from .features.auth.router import router as auth_router
from .features.customers import models as customers_models
from .features.customers.router import router as customers_router
from .features.orders import models as orders_models
from .features.orders.router import nested_router as orders_nested_router
from .features.orders.router import router as orders_router
from .features.users import models as users_models
from .features.users.router import router as users_router
from .shared.models import Base

# forge:imports

API_ROUTERS: tuple[APIRouter, ...] = (
    auth_router,
    users_router,
    customers_router,
    orders_router,
    orders_nested_router,
    announcements_router,
    # forge:routers
)

MODEL_MODULES: tuple[ModuleType, ...] = (
    auth_models,
    users_models,
    customers_models,
    orders_models,
    announcements_models,
    # forge:models
)


def load_metadata() -> MetaData:
    """The metadata holding every registered model's table (Alembic's target)."""
    return Base.metadata
