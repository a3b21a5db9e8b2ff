"""The action server of 高小新: rasa_sdk's server, warmed up before it listens.

``python -m actions --actions actions --port 5055`` takes rasa_sdk's arguments. Before the server
starts, the guide catalogue and its search index, the FAQ index, the hall facts and the pinyin
syllables a name is read by (`bot.pii.pinyin_name`) are loaded
(about 6 s on two cores, most of it jieba's dictionary and fitting the FAQ index), so the first
citizens' turns do not pay for them; the server answers ``/health`` only after that. Rasa takes
longer to start than this, so the stack is not ready any later. A failure here is logged and left
to the first turn that needs the part, which reports it as it would have anyway.
"""

from __future__ import annotations

import logging
import time

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_argument_parser, run
from rasa_sdk.executor import ActionExecutor

from bot import heap, pii
from bot.catalogue import get_catalogue
from bot.faq import get_faq_store
from bot.hall import get_hall
from bot.logs import configure_logging

logger = logging.getLogger(__name__)


def warm_up() -> float:
    """Load what the first turns would otherwise load; return the seconds it took."""
    began = time.perf_counter()
    try:
        get_catalogue().prepare()
        get_faq_store().current()
        get_hall()
        pii.pinyin_syllables()  # the shape of a name typed in pinyin (about 0.4 s)
    except Exception:  # noqa: BLE001 - the server must start; the first turn reports the fault
        logger.exception("warm-up failed; the first turn that needs the part will load it")
    return time.perf_counter() - began


def serve() -> None:
    """rasa_sdk's ``main``, with this project's logging over rasa_sdk's and the warm-up before ``run``.

    rasa_sdk configures the root logger when it starts; ``configure_logging`` then masks personal
    data and adds the turn's ``request_id`` on its handlers too (``bot/logs.py``), as it does when
    rasa_sdk imports the actions package itself.
    """
    args = create_argument_parser().parse_args()
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()
    configure_logging()
    logger.info("warmed up in %.1f s", warm_up())
    ActionExecutor().register_package(args.actions)  # imports every action module, as rasa_sdk will
    heap.freeze_startup_objects()  # what start-up loaded leaves the collector's walks (bot/heap.py)
    run(
        args.actions,
        args.port,
        args.cors,
        args.ssl_certificate,
        args.ssl_keyfile,
        args.ssl_password,
        args.auto_reload,
    )


if __name__ == "__main__":
    serve()
