"""Custom Rasa NLU components of 高小新."""
