"""高小新 core package: the domain logic shared by the action server and the api."""
