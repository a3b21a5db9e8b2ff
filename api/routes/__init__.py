"""The api's routers, collected in one place."""

from fastapi import APIRouter

from api.routes import admin, chat, health, services, web

api_router = APIRouter()
api_router.include_router(health.router)
api_router.include_router(chat.router)
api_router.include_router(services.router)
api_router.include_router(admin.router)
api_router.include_router(web.router)
