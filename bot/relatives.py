"""How people name their relatives in a message ("俺对象", "俺爹", "他姥姥"): one list for every rule.

Two characters or more: 对象 alone is also 申请对象, and a single 妈 or 姨 is inside 阿姨 or 奶茶.
"""

from __future__ import annotations

RELATIVES = tuple(
    "我爸 我妈 俺爸 俺妈 我爹 俺爹 我娘 俺娘 他爸 他妈 爸爸 妈妈 老爸 老妈 父母 父亲 母亲 孩子 闺女 "
    "儿子 女儿 媳妇 老婆 老公 丈夫 妻子 爱人 我对象 俺对象 老伴 配偶 爷爷 奶奶 姥姥 姥爷 外公 外婆 "
    "公公 婆婆 岳父 岳母 丈母娘 老丈人 孙子 孙女 哥哥 姐姐 弟弟 妹妹 俺舅 我舅 舅舅 姑姑 叔叔 伯伯 "
    "大伯 小姨 姨妈 亲戚 家属 家里人".split()
)
ELDERS = ("老人", "老爷子", "老太太", "老头", "俺哥", "我哥", "俺姐", "我姐", "俺姑", "我姑", "俺叔", "我叔")
"""Others whose death people tell in passing ("家里老爷子上礼拜走了")."""
OTHER_PARTIES = tuple("他 她 他们 她们 对方 另一方 卖方 买方 房主 股东 法人 合伙人".split())
"""The others a matter may need besides the citizen: the other side of a sale, a partner, the legal
representative, or someone named only as 他 or 她."""
WORKERS = tuple(
    "服务员 小妹 小工 帮工 帮厨 店员 员工 工人 职工 师傅 学徒 厨师 司机 驾驶员 会计 出纳 保洁 保安 收银员 "
    "营业员 骑手 快递员 技术员 工程师 程序员 销售 业务员 文员 前台 客服 专员 助理 临时工 钟点工".split()
)
"""How employers name the people they take on ("招两个小妹", "雇了个厨师", "新聘的会计")."""
PEERS = tuple("同事 朋友 同学 室友 舍友 邻居 领导 老板 老乡 哥们 闺蜜".split())
"""People of the citizen's circle outside the family, as chat names them ("我同事gzf想问下…")."""
