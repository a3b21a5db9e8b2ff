"""The held-out conversations (``tests/conversations``) through the running stack.

Written by someone who never saw the training data or the code; each turn states what its reply
must hold. The bar is the share of whole conversations that succeed.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.conftest import Stack
from tests.utils.conversations import by_file, load_conversations, play

# The understanding issue asks for 0.95. Measured 2026-11-30: 56 of 96 (0.583); the bar is the
# level reached so far and may only go up.
# 2026-12-01: blind.yml, 40 conversations by a writer who saw no training data, joined the files:
# 81/136 (old files 59/96, blind 22/40) with FAQ topics learned apart; then 94/136 (0.691; old
# files 66/96, blind 28/40) once an unsure message naming an item got that item's guide.
# 2026-12-01 (later): blind_second.yml, 50 conversations by a third writer, joined before anyone
# looked at its failures: 27/50 with the code before that day's changes, 33/50 after the choice
# replies, switch and return cues, the items' topics and their larger everyday vocabulary; all files
# 139/186 (0.747). Then 143/186 (0.769; blind_second 32/50) with data/nlu/wording.yml and complaints
# answered with the complaint-channels FAQ entry; 146/186 (0.785; blind_second 34/50) with
# TypedChoicePolicy, the fallback threshold at 0.15 and out-of-scope messages leaning on the context;
# 148/186 (0.796) with a sure link also from a SURE_SCORE lead, an alias inside another item's sure
# description, and aspect questions after item choices answered for the first offered item (147/186
# in make eval's run of the same code: the bar leaves room for one or two conversations of timing).
# 2026-12-01, with blind_third.yml (60 conversations by a sixth writer; 41/60 on the code before any
# change made after reading it): 206/246 (0.837) with vague subjects offered as choices, aspects kept
# with the matter at hand and hall-wide rules answered for the item just answered; 218/246 (0.886;
# blind_third 52/60) with turns to another matter followed and likely items answered beside
# their alternatives.
# 2026-12-02: blind_fourth.yml, 60 conversations by a seventh writer, joined before anyone looked at
# its failures: 41/60 (0.683) on the code of that morning (the earlier files 216/246); 42/60 and
# 218/246 (0.886) with a described item that leaves the item in context far behind followed, and
# "X不开了" / "算了 …不注册了" leaving it; 45/60 and 219/246 (0.890) with unsure FAQ answers about a
# person giving way to the matter at hand and situations told at length answered with the whole
# matter (each on a fresh stack, as here). The newest file has its own bar, so that adding harder
# unseen conversations lowers no earlier bar.
# 2026-12-02 (later): 269/306 (0.879) with terms several items share asking which and unsure
# out-of-scope messages about items answered as guide questions. Then blind_fifth.yml, 59
# conversations by an eighth writer (one more left out: its first message stands in the training
# data), joined before anyone looked at its failures: 43/59 (0.729) on that code; 49/59 (0.831) and
# the earlier files 274/306 (0.895) with a relative's death told in passing, several matters asked
# together, sound-alike typos read as people in Henan type and never inside another word, and long
# first messages and "what does it cover" questions answered with the whole matter; 52/59 (0.881)
# and 276/306 (0.902) with the matter before told as done ("执照拿到手后雇了几个人…") following the next,
# a question whether the matter at hand bundles a named item staying with it, an unsure booking
# without a word of booking answered as a question, and other places named in questions about no
# matter of the catalogue refused as out of scope. A reviewer's pass then found long first messages
# losing an aspect the intent model was sure of: those that name their item now keep it from 0.6,
# 51/59 (0.864) and 276/306. The bars sit two and three conversations below these.
# 2026-12-02 (evening): blind_sixth.yml, 60 conversations by a ninth writer (three turns standing in
# the training data taken out: a thanks, a goodbye and "收废吗"), joined before anyone looked at its
# failures: 40/60 (0.667) on the code of that afternoon, the earlier files 327/365 (0.896); the same
# with FAQ entries the intent model and retrieval agree on (one conversation traded: a factory
# project asking whether its pre-construction formalities are done at once now gets the 一件事一次办
# entry both agree on, not 建设项目开工). Then 42/60
# (0.700) with an unsure aspect giving way to the aspect asked in words (bot/guide.py worded_aspect:
# "在哪弄" a window question, "是啥" an overview); 43/60 (0.717) and the earlier files 329/365 (0.901)
# with a requirement asked about in words ("开药房是不是必须要有药师", "对员工有啥要求") an eligibility
# question, a kind seen in three files. blind_fifth now counts with the earlier files.
# 2026-12-02 (night): 517 more FAQ questions, the greeting's suggestions chosen only by title or
# position, an aspect question near faq right after a guide answer answered for the item, and the
# hours before the entry on service outside them: the earlier files 330/365 (0.904), blind_sixth
# 42/60. Then blind_seventh.yml, 60 conversations by a tenth writer (three last turns standing in
# the training data taken out), joined before anyone looked at its failures: 51/60 (0.850).
# Each of the newest files keeps a bar of its own, so that harder unseen files lower no bar.
# 2026-12-03: a guide question near faq about an item the message names or the catalogue is sure of
# gets the guide: the earlier files 332/365 (0.910), blind_sixth 44/60, blind_seventh 51/60.
# Then blind_eighth.yml, 60 conversations by an eleventh writer (one turn standing in the
# training data taken out), scored before anyone looked at its failures: 26/60 (0.433), most of
# them an item described in words no item lists yet (a kind left open); a bare subject ("公积金")
# asked about its items and another city's affair answered as such (the out-of-scope action's
# answer): 28/60. Each file's bar is one or two conversations under what succeeds.
# Later on 2026-12-03: blind_ninth.yml, 60 conversations by a twelfth writer (three turns standing
# in the training data taken out: "我想办个证", "多少钱", "去哪办"), scored before anyone looked at
# its failures: 39/60 (0.650). Eight of its 21 failures were an item turned to with an aspect the
# intent model guessed ("个体户咋登记" as a process question at 0.20): such a message now gets the
# overview (actions/guide.py overview_instead): blind_ninth 44/60, and on the files it was not made
# from, 2 gained and 1 lost (blind_eighth 30/60, blind_sixth 43/60); the earlier files 332/365 (0.910).
# Later still: a broad subject filed under more items than are offered at once offers those listing
# it earliest among their topics (营业执照: the specialised shops list it last; 灵活就业 lists 医保):
# 7 gained, none lost (507/605). 311 FAQ questions describing needs without their names: 3 lost
# (low-confidence faq answers where the guide was meant), and an FAQ entry retrieval is unsure of,
# weakly taken as faq right after a guide answer, giving way to the item in context: 1 of them won
# back. Now 505/605: the earlier files 331/365 (0.907), blind_sixth 43/60, blind_seventh 52/60,
# blind_eighth 32/60, blind_ninth 47/60.
# 2026-12-03 (evening): blind_tenth.yml, 60 conversations by a seventeenth writer, scored before anyone
# looked at its failures: 44/60 (0.733) on the code of that afternoon (five turns standing in the
# training data taken out afterwards; 44/60 on that code again). Then, each a kind seen in several
# files: an FAQ question no entry answers given the item the catalogue is sure of, and, with an
# item in context among the candidates, that item; unsure appointment, opening-hours, address and
# affirm readings of messages about a matter read as guide questions (`bot.nlu.intent_classifier`);
# "不是X" among two offered items choosing the other one; 不好/不了 and other negated function words
# no evidence for an item; a few words of disability (拄拐, 走路不利索 …) and of food for the
# restaurant. blind_tenth 51/60, blind_eighth 33/60, blind_sixth 44/60, blind_ninth 47/60, the
# earlier files 331/365 (0.907): 558/665, no conversation lost.
# 2026-12-03 (night): blind_eleventh.yml, 59 conversations by a nineteenth writer (one taken out, whose
# opening stood in the training data), scored before anyone looked at its failures: 44/59 (0.746).
# Then, each a kind: "X要啥条件" taught as eligibility; "X都管哪些", "X能办啥" as what the matter
# covers; an affair begun in another city and brought here; an aspect button's title inside a sure
# question of another aspect no tap; an unplaced message naming an item its overview; the hotline's
# and the weekend's FAQ entries. blind_eleventh 49/59, blind_eighth 35/60, blind_fourth 53/60 (one
# won, one lost: a question whether buying a home frees the 公积金, after 二手房, now links 公积金提取
# but stays with the item in context), the earlier files 331/365 (0.907): 609/724.
# 2026-12-03 (late night): blind_twelfth.yml, 57 conversations by a twenty-first writer (three taken
# out whose opening or chosen item stood in the training data, four turns likewise), scored before
# anyone looked at its failures: 50/57 (0.877). Then, each a kind seen in earlier files: a paper the
# item in context asks for (租房合同) stays with it though another item has the paper's words
# (`Catalogue.explained_by`, and the guides now say which papers prove the premises); "网上…还是得去
# 现场" is the online aspect; a count inside a description ("新招了十几个工人") no longer hides an
# everyday term (`bot.catalogue.search.uncounted`). blind_twelfth 51/57, and of the 724 before 617
# (609), none lost: 668/781.
# 2026-12-04: blind_thirteenth.yml, 60 conversations by a twenty-third writer (four turns that stood
# in the training data taken out), scored before anyone looked at its failures: 52/60 (0.867). Then a
# reply to "您是想办理…？" naming an item not offered, a weak FAQ agreement giving way to an item the
# catalogue is sure of, chatter inside a form answered and the question asked again, parking after the
# address, everyday words for 公积金 and 新装 (docs/intent-tuning.md): blind_thirteenth 55/60, of the
# 781 before 668 (668: one won, one lost, a 居住证 question asking how it is done read as eligibility
# after the retrain): 723/841.
# 2026-12-04 (afternoon): blind_fourteenth.yml, 58 conversations by a twenty-fifth writer (two taken out
# whose opening copied an example of the writer's brief, seven turns that stood in the training data or
# the brief), scored before anyone looked at its failures: 47/58 (0.810). Then "那要是…" / "如果是…"
# turning to another item that leaves the one in context behind, a fee or a paper asked right after an
# item's guide answered for that item, hearsay read as a weak "no" answered as a guide question, and
# more words of aspects (docs/intent-tuning.md): blind_fourteenth 53/58, of the 841 before 725 (723:
# two won, none lost): 778/899. Its bar sits two conversations under.
# 2026-12-04 (evening): blind_fifteenth.yml, 60 conversations by a twenty-seventh writer (three closing
# turns that stood in the training data taken out), scored before anyone looked at its failures:
# 54/60 (0.900). Then an unsure message leaning on the item in context answered with the aspect the
# model leaned to, and 入学 an everyday word of 教育入学 (docs/intent-tuning.md): blind_fifteenth
# 56/60, of the 899 before 778 (unchanged): 834/959. Its bar sits two conversations under.
# 2026-12-04 (night): blind_sixteenth.yml, 60 conversations by a twenty-ninth writer, scored before
# anyone looked at its failures: 48/60 (0.800). Then a follow-up about one of the papers of the item
# in context kept with it (answered with its materials when it tells of trouble with the paper), an
# item that is a particular case of a broader one (开办运输企业 of 开办企业) followed when described in
# its own words, a person in another city who must sign no other city's affair, and 163 ways of
# asking for 13 FAQ entries (docs/intent-tuning.md): blind_sixteenth 50/60, of the 959 before 840
# (834): 890/1019.
# The bars of blind_sixth, blind_eleventh and blind_twelfth, which moved, were raised to two
# conversations under the level reached; blind_sixteenth's sits two under.
# 2026-12-04 (late night): blind_seventeenth.yml, 60 conversations by a thirty-first writer (one
# closing turn that stood in the training data taken out), scored before anyone looked at its
# failures: 48/60 (0.800). Then an eligibility question about another matter, an item named as a
# person's state, any worker taken on, the hall's channels no evidence, an unsure out-of-scope
# question the catalogue is sure of, the online aspect through a channel, trouble with a paper
# asked as whether it can still be done, a subject alone (docs/intent-tuning.md): blind_seventeenth
# 53/60, of the 1019 before 905 (890): 958/1079. The bars of the files that moved were raised to two
# conversations under the level reached, the earlier files' to 0.92 (338/365).
# 2026-12-05: blind_eighteenth.yml, 60 conversations by a thirty-third writer (one whose opening
# message stood in the training data taken out), scored before anyone looked at its failures:
# 43/59 (0.729). Its bar sits two conversations under.
# Then job loss, a company's address, a clerk on an errand, what a person has or is, a paper not
# issued yet, an aspect title in a question of its own, a subject named alone, whether the hall
# serves the citizen here, what all there is to do, catalogue words (docs/intent-tuning.md):
# blind_eighteenth 55/59, of the 1079 before 958 → 978: 1033/1138. Two earlier conversations were
# lost, both said there (a hearsay about 承诺 now gets 容缺受理; a photocopy forgotten gets 免证办).
# The bars of the files that moved were raised to two conversations under the level reached.
# 2026-12-05 (later): blind_nineteenth.yml, 60 conversations by a thirty-fifth writer (two holding a
# message that stood in the training data taken out), scored before anyone looked at its failures:
# 54/58 (0.931). Its bar sits two conversations under.
# Then FAQ ways of asking for entries that sit close, whether it can be done here or without going
# back, a person of another place come here, hours of the hall's services, someone else doing it,
# the applicant coming alone, a name told as a person's state, department names as no evidence
# (docs/intent-tuning.md): blind_nineteenth 55/58, of the 1138 before 1033 → 1040: 1095/1196. None
# lost. The bars of the files that moved were raised to two conversations under the level reached.
# 2026-12-05 (evening): blind_twentieth.yml, 60 conversations by a thirty-seventh writer (three holding
# a message that stood in the training data taken out), scored before anyone looked at its failures:
# 53/57 (0.930). Its bar sits two conversations under.
# 2026-12-06: blind_twenty_first.yml, 60 conversations by a fortieth writer (three holding a message
# that stood in the training data taken out), scored before anyone looked at its failures: 43/57
# (0.754). Then a no before a question whether it can be done read as the question, what the
# matter at hand pays once done, a party to it asked to come or sign, a broad subject asked what
# help there is, everyday words for closing, changing or leaving with a company and for drawing the
# 公积金, and an unsure out-of-scope reading under 0.6 of a question the catalogue is sure of
# (docs/intent-tuning.md): 48/57; of the 1253 before, 1191 → 1197 (none lost): 1245/1310 (0.950).
# Its bar sits two conversations under; so do those of the files that moved.
# 2026-12-08: blind_twenty_second.yml, 50 conversations by a forty-first writer, asked for 个性指南
# answers typed in the citizen's own words or told with the question, someone who cannot come, days
# and times offered to the booking form with a check or as "the earliest", and questions put instead
# of an answer; scored before anyone looked at its failures, on the code that already read typed
# answers, absences and days with a check: 37/50 (0.740). Then places and someone sent as answers,
# more ways of asking for the earliest, a person of the matter at hand who cannot come kept with it,
# and the other side of a sale asked to come: 50/50; the earlier files unchanged (1248/1310, the same
# conversations). Its bar sits two conversations under.
SUCCESS_BAR = 0.92
NEWER_FILE_BARS = {
    "blind_sixth.yml": 0.81,
    "blind_seventh.yml": 0.9,
    "blind_eighth.yml": 0.81,
    "blind_ninth.yml": 0.81,
    "blind_tenth.yml": 0.88,
    "blind_eleventh.yml": 0.91,
    "blind_twelfth.yml": 0.94,
    "blind_thirteenth.yml": 0.93,
    "blind_fourteenth.yml": 0.96,
    "blind_fifteenth.yml": 0.91,
    "blind_sixteenth.yml": 0.9,
    "blind_seventeenth.yml": 0.86,
    "blind_eighteenth.yml": 0.89,
    "blind_nineteenth.yml": 0.91,
    "blind_twentieth.yml": 0.89,
    "blind_twenty_first.yml": 0.8,
    "blind_twenty_second.yml": 0.96,
}

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_the_held_out_conversations_are_many_and_varied() -> None:
    conversations = load_conversations()
    kinds = Counter(c.kind for c in conversations)
    assert len(conversations) >= 60
    assert all(kinds[k] >= 12 for k in ("described", "aspect", "vague", "context")), kinds


def test_held_out_conversations_succeed(stack: Stack) -> None:
    outcomes = [play(stack.api, c) for c in load_conversations()]
    failed = [o for o in outcomes if not o.succeeded]
    rate = 1 - len(failed) / len(outcomes)
    print(f"\nheld-out conversations: {len(outcomes) - len(failed)}/{len(outcomes)} succeed ({rate:.3f})")
    for source, (succeeded, total) in by_file(outcomes).items():
        print(f"  {source}: {succeeded}/{total}")
    for outcome in failed:
        print(f"  {outcome.conversation.id} ({outcome.conversation.kind}):")
        for failure in outcome.failures:
            print(f"    {failure}")
    earlier = [o for o in outcomes if o.conversation.source not in NEWER_FILE_BARS]
    assert earlier and sum(o.succeeded for o in earlier) / len(earlier) >= SUCCESS_BAR
    for source, bar in NEWER_FILE_BARS.items():
        newer = [o for o in outcomes if o.conversation.source == source]
        assert newer and sum(o.succeeded for o in newer) / len(newer) >= bar, source
