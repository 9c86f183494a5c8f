"""Word lists: surnames, ethnic group names, and the vocabulary synthetic data is built from.

Kept apart from the parsers so the lists can grow without touching logic, and written as space-separated
text because hundreds of quoted two-character strings are hard to read and review.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Compound surnames, the more common first.
COMPOUND_SURNAME_LIST = _words(
    """
    欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 南宫 西门
    独孤 呼延 澹台 公冶 万俟 闻人 赫连 濮阳 淳于 单于 太叔 申屠 仲孙 钟离 宗政 拓跋 百里 东郭
    南门 羊舌 微生 公羊 梁丘 左丘 东门 第五 司空 司寇 亓官 巫马 乐正 壤驷 公良 漆雕 谷梁 段干
    夹谷 宰父 鲜于 闾丘 子车 颛孙 公西 公户 公仪 公乘 东宫 西陵 叱干 贺兰 完颜 呼衍 司城 左人
    乌孙 即墨 纳兰
    """
)
COMPOUND_SURNAMES = frozenset(COMPOUND_SURNAME_LIST)

# The 56 recognised ethnic groups, without the trailing 族.
NATIONS = _words(
    """
    汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 拉祜 水
    东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克
    俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 高山
    """
)

# The most common surnames, the first twenty repeated so that a uniform pick is roughly realistic.
COMMON_SURNAMES = tuple("王李张刘陈杨黄赵吴周" * 3 + "徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹" * 2) + tuple(
    "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛"
    "闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_NAME_CHARS = tuple(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂文辉华建国红玉梅婷雪琳晨宇浩轩子涵欣怡梓博"
    "泽诺思雨佳俊鹏飞志鑫春海云凤斌健丹蕾慧颖倩阳亮成宁东林莉嘉昊然睿瑶"
)
MINORITY_NAME_PARTS = _words("阿卜杜 热合曼 艾力 买买提 古丽 努尔 阿依 吐尔逊 迪丽 热巴 扎西 多吉")
LATIN_FIRST_NAMES = _words("John Mary James Anna Peter Linda David Emma Mary-Jane Sophie Chris")
LATIN_LAST_NAMES = _words("Smith Johnson O'Neil Brown Miller Garcia Martin Lee Walker Young")

# Street vocabulary; no stem starts with a division suffix or a street word, so none can merge with a
# division name in front of it.
ROAD_STEMS = _words(
    """
    建设 人民 解放 中山 和平 胜利 新华 文化 光明 幸福 长江 黄河 青年 友谊 团结 振兴 繁荣 兴业 科技
    创新 迎宾 滨江 滨河 东风 红旗 工农 学府 园林 金桥 望江 锦绣 书院 凤凰 丽水 翠湖 育才 康宁 永安
    朝晖 体育 钟楼 富民
    """
)
ROAD_DIRECTIONS = ("", "", "", "东", "西", "南", "北", "中")
ROAD_SUFFIXES = _words("路 路 路 大道 街 大街 巷")
TOWN_STEMS = _words("城关 新城 永丰 太平 花园 福田 和平 兴华")
TOWN_SUFFIXES = _words("镇 街道 乡")
ESTATE_STEMS = _words("阳光 锦绣 金色 碧水 翠竹 明珠 华府 龙湖 绿洲 香榭 枫林 紫荆 海棠 春晓 御景 尚城")
ESTATE_TYPES = _words("花园 小区 家园 公寓 苑 新村 名苑 雅居 大厦")
PARCEL_CONTENTS = _words("服装 书籍 数码配件 食品 化妆品 文件 玩具 日用品 鞋靴 茶叶 药品(非处方)")
