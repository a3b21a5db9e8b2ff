"""The api's routers, collected in one place."""

from fastapi import APIRouter

from api.routes import (
    admin,
    chat,
    faq_admin,
    health,
    service_admin,
    services,
    staff_auth,
    staff_web,
    tickets,
    web,
)

api_router = APIRouter()
api_router.include_router(health.router)
api_router.include_router(chat.router)
api_router.include_router(services.router)
api_router.include_router(admin.router)
api_router.include_router(faq_admin.router)
api_router.include_router(service_admin.router)
api_router.include_router(staff_auth.router)
api_router.include_router(tickets.public)
api_router.include_router(tickets.staff)
api_router.include_router(web.router)
api_router.include_router(staff_web.router)

from api.routes import privacy  # noqa: E402 - PIPL export and deletion (api/routes/privacy.py)

api_router.include_router(privacy.router)
