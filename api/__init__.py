"""The public web api of 高小新 (FastAPI): chat page, widget, chat and staff endpoints."""
