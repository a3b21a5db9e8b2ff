"""What the api and the Rasa channel (``bot/channel.py``) agree on, importable without Rasa.

``bot/channel.py`` imports Rasa's server code, and with it TensorFlow: an api process that took
these names from there grew by about 450 MB and several seconds of start-up (docs/benchmarks.md).
"""

SECRET_HEADER = "X-Channel-Secret"

#: What the channel says when a custom action failed (action server down, timeout, bad answer);
#: the api counts these replies.
SERVICE_APOLOGY = "抱歉，高小新的部分服务暂时出了故障，没能完成您的请求。请稍后再试，或拨打12345热线咨询。"
