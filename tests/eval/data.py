"""Where ``make eval`` finds its data: the training folder and the held-out files."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import List, Set

from rasa.shared.nlu.training_data.loading import load_data

from api.messages import clean_text

TRAINING_DATA = "data/nlu"
# Written separately from the training data; the first by the engineers who built the first
# model, the others each by a writer who saw only the intent list, the item names (and FAQ topic
# titles) and the issue. Changes were later made for kinds of misses seen in the first three, so
# heldout_blind.yml (2026-12-01) was the one no change had been made for; heldout_blind_second.yml,
# by a fourth writer, came with the training examples of data/nlu/wording.yml (written by yet
# another) and was scored before any change was made for it. heldout_blind_fourth.yml and
# heldout_blind_fifth.yml, by two more writers, are mostly FAQ questions (five or six ways of asking
# each topic): the fourth was read to make the pinyin reading (bot/nlu/pinyin.py) and the hall-wide
# FAQ answers (bot/guide.py hall_wide_answer); the fifth was scored only after those changes.
# Both were then read to try a weight of the faq intent (docs/intent-tuning.md, not kept);
# heldout_blind_sixth.yml, by another writer and of every kind of message, was scored only after.
# heldout_blind_ninth.yml (2026-12-02, a twelfth writer, every kind of message and 197 FAQ
# questions) was first scored before the FAQ topic agreement (bot/faq.py agreed_entry) was made,
# and its failures were not read for it. heldout_blind_tenth.yml (2026-12-02, a thirteenth writer,
# every kind of message and 168 FAQ questions, the 39 that stood verbatim in the training data
# taken out) was scored before the 517 FAQ questions of another writer were added to data/faq and
# before the n-gram range changed: intent accuracy 0.921 (the baseline 0.916), FAQ answered 0.974.
# heldout_blind_eleventh.yml (2026-12-03, a fourteenth writer, every kind of message and 193 FAQ
# questions, the 57 that stood verbatim in the training data taken out) was first scored on the
# model of that morning: intent accuracy 0.931 (the baseline 0.887), linking 0.920, FAQ answered
# 0.933, no out-of-scope message answered. Its misses were then read: rate_service was 1 of 6
# right (feedback on an answer: "答非所问", "回答得挺好"). 64 such messages from another writer
# raised it to 4 of 6 but cost 1–2 messages on five other files (complain, goodbye, deny and FAQ
# questions taken as ratings) and were not kept.
# heldout_blind_twelfth.yml (2026-12-03, a fifteenth writer, asked for mostly FAQ questions that
# describe the need without the official name; 306 messages once the 128 standing verbatim in the
# training or other held-out data were taken out, 185 of them FAQ) was first scored on main before
# anything was changed for it: intent accuracy 0.928 (the baseline 0.912), linking 60 of 62, FAQ
# answered 168 of 185 (0.908), no out-of-scope message answered. Then 311 FAQ questions from another
# writer (data/faq), who was given the 42 entries and the 26 items and asked for needs described
# without the official name and kept off the items' matters: 0.944 (the baseline 0.902), FAQ 0.935.
# heldout_blind_thirteenth.yml (2026-12-03, an eighteenth writer, every kind of message and 6 ways
# of asking each of the 42 FAQ entries; 284 messages once the 92 standing verbatim in the training
# or other held-out data were taken out, 179 of them FAQ) was first scored on the model of 17:56
# before anything was changed for it: intent accuracy 0.898 (255 of 284), FAQ answered 163 of 179
# (0.911).
# heldout_blind_fourteenth.yml (2026-12-03, a twentieth writer, the same brief; 270 messages once the
# 106 standing verbatim in the training or other held-out data were taken out, 171 of them FAQ) was
# first scored on the model of that evening before anything was changed for it: intent accuracy
# 0.889 (240 of 270), FAQ answered 148 of 171 (0.865).
# heldout_blind_fifteenth.yml (2026-12-04, a twenty-second writer, the same brief and asked for many
# voices; 281 messages once the 95 standing verbatim in the training or other held-out data were
# taken out, 182 of them FAQ) was first scored on the model of that morning before anything was
# changed for it: intent accuracy 0.915 (257 of 281), FAQ answered 161 of 182 (0.885).
# heldout_blind_twenty_sixth.yml (2026-12-06, a forty-first writer given the same brief, all 42 FAQ
# topics six ways; 299 messages once the 141 standing verbatim in the training data, the other
# held-out files or the conversations were taken out) was scored on the code before and after the
# rules on a message's form (docs/intent-tuning.md, "What a message's form says…"), with the same
# model, before anything was read of it: 286 then 287 of 299 (0.957, 0.960).
# heldout_blind_twenty_seventh.yml and heldout_blind_twenty_eighth.yml (2026-12-06, afternoon; a
# forty-second and a forty-third writer given the same brief, one asked for older people and dialect,
# the other for young people, office staff and newcomers; 344 and 335 messages once the 141 and 151
# standing verbatim elsewhere were taken out) were first scored on the model of that midday: 316 of
# 344 (0.919) and 315 of 335 (0.940). The twenty-seventh's misses were then read for the rules of
# that afternoon (docs/intent-tuning.md, "Values told…"); the twenty-eighth's were not, and it
# scored them: 316 of 335. heldout_blind_twenty_ninth.yml (a forty-fourth writer, the same brief, half
# of it guide questions; 344 messages once 128 were taken out) was written after those rules and
# scored on the code before and after them with the same model: 316 of 344 both times.
# heldout_blind_thirtieth.yml (2026-12-06, evening; a forty-fifth writer, the same brief, asked for
# small-business owners and their bookkeepers, hurried phone typing and dialect; 237 messages once the
# 109 standing verbatim elsewhere were taken out) was scored on the code before and after that
# evening's rules, with the same model, before anything was read of it: 222 of 237 both times.
# heldout_blind_thirty_first.yml (a forty-sixth writer, the same brief, asked for retirees and their
# children, rural newcomers, voice input and formal writing; 237 messages once 111 were taken out) was
# scored the same way after those rules had been narrowed: 219 of 237 both times.
# heldout_blind_thirty_second.yml to heldout_blind_thirty_seventh.yml (2026-12-06, night; six more
# writers, the same brief, written in three pairs as the training data grew by other writers' files,
# data/nlu/citizens_*.yml and more FAQ questions): each pair was scored before the next round of
# training data was added and before anything of it was read (docs/intent-tuning.md).
# heldout_blind_thirty_eighth.yml (2026-12-07, another writer, every intent, every item and 41 FAQ
# topics, with out-of-scope life chatter asked for; 204 messages once the 96 standing verbatim in the
# training data, other held-out files or the conversations were taken out) came with the training
# data's out-of-scope messages of daily life (data/nlu/out_of_scope_life.yml, by a separate writer)
# and was scored before and after they were added: 0.946 (3 out-of-scope messages answered as a
# service), then 0.966 (none); the baseline 0.951. The two writers' briefs were written by the same
# engineer and both asked for life chatter phrased as questions, so the file favours that change.
# heldout_blind_thirty_ninth.yml (2026-12-07, another writer, the usual brief, asked also for about 45
# messages typed partly in pinyin or English; 187 messages once the 113 standing verbatim elsewhere
# were taken out) was scored before and after the catalogue's terms typed in pinyin were read
# (bot/catalogue/sounds.py pinyin_words), before anything of it was read: intent 172 of 187 both
# times, linking 90 → 98 of 109 (100 with the items' English names); the baseline 0.888.
# heldout_blind_fortieth.yml (2026-12-07, night; another writer, the usual brief, every intent, item
# and FAQ topic, with typos, dialect, pinyin and English mixed in; 223 messages once the 97 standing
# verbatim elsewhere were taken out) was scored before and after a shared subject one item's name
# holds, opening items named object first and 新房过户 were read, before anything of it was read: intent
# 221 → 221 of 223, linking 151 → 151 of 155; then one out-of-scope message read was answered as a
# service ("在洛阳…去哪个大厅": a hall asked for is no tie to this one, bot/nlu/places.py), 222 of 223
# after that fix; the baseline 0.960.
# heldout_blind_forty_first.yml (2026-12-07, afternoon; another writer, the usual brief, asked also for
# about 70 messages typed wholly or partly in Latin letters: whole pinyin questions, pinyin mixed with
# Chinese, initials, a phone's capital first letter, English; 213 messages once the 107 standing
# verbatim elsewhere were taken out) was scored before and after the everyday words of a question
# typed in pinyin were read (bot/nlu/pinyin.py), before anything of it was read: intent 177 → 196 of
# 213, linking 117 → 119 of 135. Reading its misses then showed names typed in pinyin with a phone's
# capital first letter ("Geti gongshanghu dengji") left unread: after that fix (bot/catalogue/sounds.py)
# 199 of 213 and 125 of 135; 197 and 125 with a reviewer's guards against names and English read as
# words of a question.
# heldout_blind_forty_second.yml (2026-12-07, evening; another writer, the usual brief, asked for
# messages as people type and dictate them on a phone: pinyin, dictation with homophone slips, very
# short and long ones; 167 messages once the 57 standing verbatim elsewhere were taken out) was scored
# before anything of it was read: intent 147 of 167, linking 78 of 85 on main; 150 and 77 with more
# everyday words read from pinyin (bot/question_words.py). Its changed messages were read then.
# heldout_blind_forty_third.yml (2026-12-07, evening; another writer, the usual brief, asked for
# messages typed without a Chinese input method: about 60% wholly in pinyin, a quarter mixed; 175 once
# 28 verbatim copies were taken out) was written while that was built and scored before anything of it
# was read: intent 109 of 175 (0.623) on main, 162 (0.926) with any word of a vocabulary read from
# pinyin (bot/nlu/pinyin.py, vocabulary_of), linking 76 → 79 of 91. Reading its misses then showed
# situations told in pinyin left unlinked and wrong cuts ("wo shi" read 卧室): after the linker looked
# up what pinyin reads and the cut kept the writer's spaces, 164 of 175 and 85 of 91.
# heldout_blind_forty_fourth.yml (2026-12-07, evening; another writer, the usual brief, asked for half
# of the messages in pinyin, the booking's answers among them; 143 once 48 verbatim copies were taken
# out) was written after that reading was finished and scored before anything of it was read: intent
# 135 of 143, linking 67 of 68; on 3eff348, before the reading, 108 of 143 and 64 of 68.
# heldout_blind_forty_fifth.yml (2026-12-07, night; another writer, the usual brief, asked to describe
# items more than name them: licences, situations, life events; 179 once 54 verbatim copies were taken
# out) was scored before anything of it was read: intent 172 of 179, linking 109 of 119. Its English
# misses then gave items more English names ("register a business"): 173 and 111.
# heldout_blind_forty_sixth.yml (2026-12-08; another writer, the usual brief, asked for questions about
# one particular of an item, a material, a fee, a step, who must come, and for the hall's hours and
# phone numbers; 173 once 66 verbatim copies were taken out; the writer marked the words of an item, a
# second person who saw only the file and the item names gave each mark its item) was scored before
# anything of it was read: intent 168 of 173 (0.971) against the baseline's 0.931, linking 103 of 104;
# 169 once an order asked with before and after was read as the process (bot.guide.ORDER_ASKED).
HELDOUT_FILES = (
    "tests/nlu/heldout.yml",
    "tests/nlu/heldout_independent.yml",
    "tests/nlu/heldout_fresh.yml",
    "tests/nlu/heldout_blind.yml",
    "tests/nlu/heldout_blind_second.yml",
    "tests/nlu/heldout_blind_third.yml",
    "tests/nlu/heldout_blind_fourth.yml",
    "tests/nlu/heldout_blind_fifth.yml",
    "tests/nlu/heldout_blind_sixth.yml",
    "tests/nlu/heldout_blind_seventh.yml",
    "tests/nlu/heldout_blind_eighth.yml",
    "tests/nlu/heldout_blind_ninth.yml",
    "tests/nlu/heldout_blind_tenth.yml",
    "tests/nlu/heldout_blind_eleventh.yml",
    "tests/nlu/heldout_blind_twelfth.yml",
    "tests/nlu/heldout_blind_thirteenth.yml",
    "tests/nlu/heldout_blind_fourteenth.yml",
    "tests/nlu/heldout_blind_fifteenth.yml",
    "tests/nlu/heldout_blind_sixteenth.yml",
    "tests/nlu/heldout_blind_seventeenth.yml",
    "tests/nlu/heldout_blind_eighteenth.yml",
    "tests/nlu/heldout_blind_nineteenth.yml",
    "tests/nlu/heldout_blind_twentieth.yml",
    "tests/nlu/heldout_blind_twenty_first.yml",
    "tests/nlu/heldout_blind_twenty_second.yml",
    "tests/nlu/heldout_blind_twenty_third.yml",
    "tests/nlu/heldout_blind_twenty_fourth.yml",
    "tests/nlu/heldout_blind_twenty_fifth.yml",
    "tests/nlu/heldout_blind_twenty_sixth.yml",
    "tests/nlu/heldout_blind_twenty_seventh.yml",
    "tests/nlu/heldout_blind_twenty_eighth.yml",
    "tests/nlu/heldout_blind_twenty_ninth.yml",
    "tests/nlu/heldout_blind_thirtieth.yml",
    "tests/nlu/heldout_blind_thirty_first.yml",
    "tests/nlu/heldout_blind_thirty_second.yml",
    "tests/nlu/heldout_blind_thirty_third.yml",
    "tests/nlu/heldout_blind_thirty_fourth.yml",
    "tests/nlu/heldout_blind_thirty_fifth.yml",
    "tests/nlu/heldout_blind_thirty_sixth.yml",
    "tests/nlu/heldout_blind_thirty_seventh.yml",
    "tests/nlu/heldout_blind_thirty_eighth.yml",
    "tests/nlu/heldout_blind_thirty_ninth.yml",
    "tests/nlu/heldout_blind_fortieth.yml",
    "tests/nlu/heldout_blind_forty_first.yml",
    "tests/nlu/heldout_blind_forty_second.yml",
    "tests/nlu/heldout_blind_forty_third.yml",
    "tests/nlu/heldout_blind_forty_fourth.yml",
    "tests/nlu/heldout_blind_forty_fifth.yml",
    "tests/nlu/heldout_blind_forty_sixth.yml",
)


@dataclass(frozen=True)
class Example:
    """A held-out message: its text, intent, FAQ topic (for ``faq/<topic>``) and linked items.

    ``text`` is what the chat API passes to Rasa (`api.messages.clean_text`: full-width forms folded,
    spaces collapsed), so every candidate is scored on the messages 高小新 is served.
    """

    text: str
    intent: str
    topic: str
    services: Set[str]


def examples(path: Path) -> List[Example]:
    """The held-out messages of one Rasa NLU file.

    Taking out the messages that stood verbatim in the training data left some intents' blocks of
    a few held-out files empty; Rasa warns of each empty block ("Intent 'greet' has no examples"),
    which says nothing about the messages there are, and the warning is not shown.
    """
    found = []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*Intent '.*' has no examples", category=UserWarning)
        data = load_data(str(path))
    for message in data.intent_examples:
        key = message.get("intent_response_key") or ""
        found.append(
            Example(
                text=clean_text(message.get("text")),
                intent=message.get("intent"),
                topic=key.split("/", 1)[1] if "/" in key else "",
                services={e["value"] for e in message.get("entities") or [] if e["entity"] == "service"},
            )
        )
    return found
