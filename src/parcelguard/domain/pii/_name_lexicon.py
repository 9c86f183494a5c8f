"""Word lists for recognising people in text: surnames, given-name characters, cue words, English names.

The one name lexicon, used by :mod:`parcelguard.domain.pii.name` (its recogniser serves order parsing, the
free-text detector and the label gate). The compound surnames and the common surnames for synthetic data are
in :mod:`parcelguard.domain.pii._lexicon`; a recogniser meets many more single surnames, listed here.
Surnames are split by how often the character is also an everyday word: ``王`` before two characters is
nearly always a name, ``和`` or ``明`` only after an explicit cue such as 收件人. Kept as space-free
strings because hundreds of quoted one-character strings are hard to read and review.
"""

from __future__ import annotations

from parcelguard.domain.pii._lexicon import COMMON_SURNAMES, COMPOUND_SURNAME_LIST


def _chars(text: str) -> frozenset[str]:
    return frozenset("".join(text.split()))


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Single-character surnames that are rarely read as anything else when two name-like characters follow.
_FREQUENT = """
王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任
沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔
向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕
单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄
窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑
迟邝官封谈匡鞠惠荆乐冀郁胥班储栗燕楚鄢劳谌奚皮粟冼蔺楼闻厉伊仝郜阚权帅屠豆朴盖练廉禹井祖漆巴丰支卿
狄计索宣晋扈晁芮戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况逯隆茹诸战慕危亢嵇湛宾戎勾茅揭尉冶斯束檀衣昝衡富尧
闭钮钭濮缑暴蔚隗逄郦郇郏沃竺邴芈笪洪邝时"""
# Surnames that are also everyday words or parts of them (和平, 明天, 海关, 来电): accepted only after a cue.
_AMBIGUOUS = """
和平明国海来都信由利但元花云门容敬相初普那宿鲜印玉银公哈居干于是区强南原满盘位丰所双益归后东西北"""

# Rarer surnames of the Hundred Family Surnames: real, uncommon, and seldom ordinary words.
_RARE = """
宓幸阚郦隗蔺逯訾蓟亢冼蒯璩晏郗郜邝邴邸鄢鄂酆钭铙闵阙隋靳鞠韶顼颛饶骆鲍麻黑禹庹缪綦蔺訾谯谷谌
逄郏郯郎乜仉佘俞冀卞厍厉叱咸哈啜嵇巫帅师干平庾廉弓强戈扈揭敖晁暨朴杭枚栾桑楚樊毋汲沃淳滑澹焦燕
爱牟犹璩甄盖相眭禄秘稽穆笪简籍糜索红终缑羿翁耿聂胥花苗荀荆莘萧蒙蓬蔚薄薛虞蛮裘谭谷贝贡赖越车辛
"""

SURNAMES_FREQUENT = _chars(_FREQUENT) | frozenset(COMMON_SURNAMES)
SURNAMES_AMBIGUOUS = (_chars(_AMBIGUOUS) | _chars(_RARE)) - SURNAMES_FREQUENT
SURNAMES = SURNAMES_FREQUENT | SURNAMES_AMBIGUOUS
COMPOUND_SURNAMES = frozenset(COMPOUND_SURNAME_LIST)

# Characters common in given names. A second given character must be one of these unless a strong cue
# stands before the name and a boundary after it: this is what stops 张伟明天 at 张伟.
GIVEN_CHARS = _chars(
    """
    安昂傲奥澳柏邦宝保葆北贝倍奔本彬斌滨冰兵炳秉波博勃才采彩灿璨苍策昌长常畅超朝辰晨宸臣琛诚承成城
    澄程驰池弛崇楚川传创春纯淳慈聪丛翠存达大代丹旦道德迪笛典殿鼎东冬栋笃端敦朵恩尔发帆繁芳方菲斐飞
    霏芬丰风峰锋凤枫逢福富馥甘纲钢刚高歌格耕功恭巩谷固冠光广贵桂国果海涵寒汉翰瀚航浩昊皓灏合和河荷
    赫鹤恒衡弘红宏鸿洪虹厚华桦化怀欢环焕辉晖徽惠慧蕙会佳嘉家甲坚建剑健江疆蛟娇杰洁捷婕金锦瑾谨进晋
    京经晶精景靖静境镜炯九久菊举娟隽军君钧俊峻骏凯楷康可克坤昆兰岚澜朗乐雷蕾磊黎礼理力立丽利励莉俐
    连莲廉良亮林琳霖麟玲凌灵岭领令龙隆露璐鲁陆禄伦罗洛满曼茂梅美萌蒙孟梦淼妙民敏明鸣铭茗默墨牧慕穆
    娜楠南妮宁凝暖诺欧培沛佩鹏朋平萍坪屏珀璞普朴其奇琪琦骐麒祺启起绮谦千乾倩强乔巧琴勤沁青清晴庆琼
    秋求全泉群然冉仁荣容蓉融如儒汝瑞睿锐润若森山珊善尚少绍深升生声胜盛圣诗石时实士世仕书淑舒帅双爽
    水顺硕思斯松颂素肃涛滔韬腾天田甜庭婷亭霆通同彤童桐图拓婉万旺望威微巍为维伟纬玮卫蔚文雯闻稳沃武
    五午舞西希曦熙喜夏霞仙先贤娴显宪献香祥翔向晓孝笑欣心新昕鑫馨信星兴行幸雄修秀旭绪轩宣萱玄璇学雪
    勋寻迅雅亚彦岩炎研艳燕阳扬洋杨尧瑶耀业叶一伊依仪怡宜乙以艺亦奕益逸毅谊翼懿音殷银寅英瑛盈莹滢颖
    影映永咏勇涌优悠友佑宇羽雨语玉育郁昱煜钰毓元园源远苑媛月悦岳越跃云允运韵蕴泽增展湛章彰昭照哲喆
    真珍桢臻振震镇征正政之芝知志致智治中忠钟仲舟洲珠竹柱卓子梓紫宗祖尊作卉琰婧菁芸琬妍晗昀芮钦铮铎
    烨炜焱淇湘沐筱蓓薇芷茜苒芊莎蓝瑜瑄琇璟瑗玥珂珺琅翊翎骁骞嵘崧峥嵩屹聿衍祎禾稼穗颢颜恺恬愉忆怿晟
    晔暄曜昶晏钊镕鉴铠煦炫煊烁鸥雁虎豪彪品众寿娥姣嫦婵妤姝嫣娅娉姗嫱菱蔓霓霜潇淳澈湉泓浦溪漫潼澍汐
    汀沅泊汶沣淮渊澎芙蓬荟萃菡蕊茵莺鹃鹂黛馨妹姿娴婀娆媚妞兰凤英娣翠芹萧桥梁栋柯楷樱桃杏柳杉梧槐
    榕枝茹苓芃蔷薇芝莉葵萱芦蒲苇荔芬芸苗菀茉莹菲芯蕙蓁蓉莲葳萌菁葆芊荞宏浩淞汀滋澜潮涓洪海瀚溢溥
    舜禹汤尧周商彬炳辉灿亿兆佰仟伍陆柒捌玖拾壹贰叁肆花草妞铁小爱二三四儿
    熠漪朔珩瑆琨璋璘皎曈晞暻炅烽炽熹燊骋骥锴锟铄沺泷洵浚渤溯濡珏琢瓒甄皙矜祐禛禧竣笙筠箐纨绮缇缨翀
    翕翱耘胤苡荀萩蒨蕤薏蘅虞衿裕诩豫赟跹轶迦逍遥邈铖镛阑陌隽雎霁靓韫頔颀飏鲲鸾鹭铮澔璠琮珞瑭瑀璨
    """
) - _chars("道镇园苑")  # place words far more often than names (景德镇, 宫园): no evidence of a name

# Characters that never continue a name: function words, pronouns, verbs of the delivery trade.
STOP_CHARS = _chars(
    """
    的了是在有我你他她它们这那哪个不没就都也还又再才很太最把被从往到去来给让叫说问请要想会能可吗呢吧
    啊呀哦嗯呃么啥谁怎该得着过等收寄发送取签打电手址号件单包裹已于与及和跟或而且但却并将对向为因所如
    若虽即此其之某每各另您俩咱啦嘛喂呗哟噢唉诶曾买卖退换拿放找看听见讲拒派投催查改补赔罚扣付转接联系开
    回复确认谢忙麻烦后里外内前边旁近附今昨帮替
    """
) - _chars("可若才之如其向发")  # also common in given names (张可, 王若曦)

# Two-character words that often follow a name: a given name stops before them (张伟|明天, 李娜|电话).
FOLLOW_WORDS = _words(
    """
    电话 手机 先生 女士 小姐 师傅 老师 经理 总监 主任 同学 阿姨 大爷 大姐 大哥 阿姨 医生 律师 老板 本人
    明天 今天 昨天 后天 前天 上午 下午 晚上 中午 早上 傍晚 凌晨 周末 今早 今晚 明早 明晚 昨晚 刚刚 刚才
    已经 马上 现在 一直 一下 一起 一定 地址 家里 这边 那边 那里 这里 快递 包裹 签收 收到 收件 寄件 反映
    投诉 要求 说明 表示 你好 您好 联系 电联 来电 打电 回电 不在 在家 不要 没有 没人 可以 需要 希望
    确认 以后 之前 以前 之后 的话 这个 那个 先到 等下 等会 尽快 帮忙 麻烦 谢谢 同意 知道 告诉 通知 取件
    取货 送货 上门 下楼 楼下 门口 放在 放到 代收 代签 签字 核实 处理 退货 换货 退款 到付 付款 支付 发货
    交给 转交 安排 回复 咨询 确实 真的 东西 物品 身份 证件 护照 车牌 邮箱 银行 卡号 微信 电联 座机 家人
    同事 朋友 本周 下周 上周 这周 月底 年底 收货 先行 先把 还没 还是 还要 也是 也要
    都是 都要 反馈 投递 派送 配送 送到 送达 寄到 寄往 寄出 发出 发来 到达 来取 来拿 过来 过去 回来 出门
    出差 上班 下班 开会 在外 外出 不方 方便 有事 有空 没空 急用 着急 生气 很急 非常 特别 一再 多次 几次
    """
)

# Words that start with a surname character but are ordinary vocabulary (周末, 单元, 高速, 方便 ...), and
# words that end in one before a title (公司|总经理, 现任|董事长: 司 and 任 are no surnames there).
NOT_NAMES = _words(
    """
    阳光 华南 华东 华北 华中 华西 时长 时光 时代 时期 时机 时常 时尚 时效 时段 时刻 时至
    周末 周一 周二 周三 周四 周五 周六 周日 周天 周年 周边 周围 周到 周转 周期 单元 单号 单位 单独 单子
    单价 单据 单身 高速 高兴 高层 高端 高铁 高价 高级 高度 高新 高温 高峰 高中 高校 高楼 方便 方式 方法
    方向 方面 方案 路上 路口 路过 路线 路费 路边 东西 东门 东侧 东边 西门 西侧 南门 南侧 北门 北侧 金额
    金色 金融 万一 万元 万分 何时 何地 何处 于是 向前 向东 向西 马上 马路 白天 白色 黄色 黄金 林业 石头
    江边 常用 常见 常规 文件 文字 安全 安排 安装 安心 全部 全程 全国 顾客 余额 余下 华为 沙发 谢谢 谢了
    时间 时候 明天 明白 明细 明早 明晚 包裹 包装 包邮 车辆 车上 付款 付费 门口 门卫 门店 关于 关注 关系
    关门 连续 连接 成功 成本 和平 平台 平时 国内 国外 海关 海运 邮件 邮费 花费 宁可 任何 任务 钱包 段落
    管理 管家 温度 齐全 陆续 费用 司机 康复 尚未 乐意 来电 来取 来到 都是 都要 信息 由于 利用 元旦 师傅
    应该 应当 毕业 程序 简单 简直 项目 宫殿 贺卡 包括 包含 方能 解决 解释 曲线 冷藏 冷链 季度 米饭 易碎
    史上 叶子 夏天 秋天 冬天 春天 严重 严格 孔雀 熊猫 龙头 柏油 席位 景区 党员 宗旨 卫生 苗木 古代
    古镇 吉祥 简称 车库 卜卦 丁香 钟表 毛巾 叶片 田地 黑龙 哈尔 呼和 乌鲁 驻马
    公司 设计 会计 主管 现任 曾任 历任 担任 兼任 出任 升任 调任 继任 专任 后任 前任 支部
    """
)

# Brands and shops whose names are a surname plus a given-name-like word.
BRAND_NAMES = _words(
    """
    李宁 王老吉 张小泉 周大福 周黑鸭 马应龙 杨国福 谭木匠 陈克明 曹操出行 李子柒 钱大妈 王致和
    周生生 老凤祥 张亮麻辣烫 黄焖鸡 沙县 兰州拉面 喜茶 蜜雪 王守义 田七 马可波罗
    万达 万科 万家 金龙鱼 海尔 海信 华润 安踏 钟薛高 白象 陈李济 胡庆余堂 同仁堂 云南白药 良品铺子
    """
)

# Characters of transliterated Tibetan, Uyghur and Mongolian names, which have no Han surname (扎西多吉).
TRANSLITERATION_CHARS = _chars(
    """
    扎西多吉次仁卓玛巴特尔格桑达瓦其乌兰阿布都热合曼买提古丽努尔依明艾力吐逊迪帕拉木罕江别克苏德勒图孟和
    朝鲁那日松宝音贡央金姆旺堆平措洛丹增尼边索朗普琼加措强巴顿珠嘎白玛才让卓嘎曲珍拉姆赛罕敖其斯琴高娃
    塔娜萨仁哈斯额尔敦毕力格吉日嘎阿木古楞莫日根伊力哈木夏提克然麦尔亚库甫吾斯曼肉孜阿卜杜约翰史密斯玛丽
    安娜彼得琳达戴维索菲迈克萨凯文杰卡汤露西丹雷奥利弗威廉詹乔治布朗米勒沃泰森安德刘易贝纳莉莎菲亨利梅朵
    不洪肯则孜帕沙雅旦妮娅赫穆默
    """
)

# Separators typed between the parts of a minority or transliterated name (阿卜杜·热合曼): the middle dot and
# its look-alikes (Greek ano teleia, katakana dots, bullet, hyphenation point, bullet and dot operators, word
# separator middle dot, Latin sinological dot, Canadian syllabics final middle dot).
NAME_DOTS = "\u00b7\u0387\u30fb\uff65\u2022\u2027\u2219\u22c5\u2e31\ua78f\u1427"
# Full stops and dashes are typed there too (古丽米拉.买合木提, 索尔-坎贝尔), but they also separate ordinary
# words and numbers, so a recogniser wants transliteration characters on both sides of them.
NAME_DOTS_WEAK = ".\uff0e\ufe52-\uff0d\u2010\u2011\u2012\u2013\u2014\u2015\u2212"

# Cue words before a name. STRONG: the next word is a name (收件人, 姓名); WEAK: it may be (给, 找, 由).
LEFT_STRONG = _words(
    """
    收件人 寄件人 收货人 发货人 联系人 签收人 代收人 取件人 寄件方 收件方 收方 寄方 姓名 名字 客户 顾客
    用户 买家 卖家 业主 户主 租户 住户 快递员 快递小哥 配送员 派送员 派件员 送货员 收派员 揽收员 揽件员
    小哥 骑手 司机 店主 店长 老板 经理 主管 站长 负责人 同事 室友 邻居 朋友 家人 老公 老婆 爱人 丈夫
    妻子 儿子 女儿 父亲 母亲 爸爸 妈妈 哥哥 姐姐 弟弟 妹妹 爷爷 奶奶 外婆 外公 保安 前台 客服 专员
    投诉人 举报人 申请人 经办人 操作员 收银员 营业员 业务员 尊敬的 亲爱的 我是 我叫 叫做 名叫 名为 署名
    签名 乘客 学生 老师 员工 车主 机主 持卡人 开户人 开户名 户名 本人 当事人 致
    发件人 对接人 联络人 送件人 寄送人 承运人 驾驶员 师傅 家属 监护人 委托人 受托人 代理人 法人 患者 证件名
    同胞 村民 网友 抬头 发票抬头
    """
)
LEFT_WEAK = _words(
    """
    contact Contact call Call 我 您好 你好 哈喽 嗨 给 找 让 请 由 被 跟 替 帮 问 告诉 通知 转告
    交给 转交 联系 致电 打给 是 叫 和 与 及 或 同 等 即 改成 改为 换成 写成 更正为 变更为
    送 送给 寄给 收件 寄件 收货
    """
)
# Weak cues whose object is a person, never a place: 给/找/联系 someone. After one of these, a word that is
# also a bare place name (白朗, 唐山) with nothing after it that continues a place is read as the person;
# after the other weak cues (由, 是, 送, 改为: "from", "is", "deliver to", "change to") it may be either.
LEFT_WEAK_PERSONAL = _words(
    """
    contact Contact call Call 您好 你好 哈喽 嗨 给 找 让 请 被 替 帮 问 告诉 通知 转告 交给 转交 联系 致电
    打给 叫 送给 寄给
    """
)
# Words whose first character is a weak cue and whose second is a surname: 由于 is not 由 + 于某.
CUE_HALF_WORDS = _words("由于 至于 关于 对于 等于 属于 位于 终于 处于 用于 便于 给予 请问 是否 跟进 等候")
# Words that end in a weak cue character without being a cue: 路由华南 is a route, not 由 + a name.
NOT_CUES = _words(
    """
    路由 理由 自由 经由 缘由 来由 事由 可是 但是 就是 还是 总是 只是 而是 于是 要是 凡是 正是 或是 算是
    派送 配送 运送 递送 赠送 护送 输送 欢送 接送 传送 发送 推送 投送 免送 包送 目送 断送 葬送 押送
    """
)

# Titles after a surname: 王先生, 欧阳女士, 李师傅. A surname alone before one of these is a person.
HONORIFICS = _words(
    """
    先生 女士 小姐 师傅 老师 经理 总监 主任 同学 阿姨 大爷 大姐 大哥 医生 律师 老板 太太 夫人 博士 教授
    处长 科长 队长 站长 店长 主管 老板娘 工程师 会计 护士 警官 院长 校长 厂长 部长 局长 书记 总经理 董事长
    大妈 大叔 大伯 大婶 阿婆 老伯 小哥 姐姐 哥哥 叔叔 奶奶 爷爷 大夫 掌柜 老爷子 先森 女生
    """
)
# One-character titles (张总, 李工, 王姐): only after a frequent surname with nothing Han before it.
SHORT_HONORIFICS = _chars("总工姐哥叔姨嫂伯")

# Verbs and particles after a name that make it likely (张伟说, 李娜签收, 王芳你好).
RIGHT_CUES = _words(
    """
    说 讲 来 去 打 签收 签字 代收 收 本人 你好 您好 反映 投诉 要求 表示 称 确认 回复 的快递 的包裹 的件 在家
    不在 电话 手机 联系 已 已经 同学 家 的 和 先 也 让 要 想 需要 希望 同意 拒收 取件 取走 来电 致电 打电话 是
    帮 替 代 态度
    """
)

ENGLISH_GIVEN = _words(
    """
    James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony
    Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan
    Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander
    Frank Patrick Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter
    Kyle Ethan
    Walter Noah Jeremy Christian Keith Roger Terry Gerald Harold Sean Austin Carl Arthur Lawrence Dylan Jesse
    Jordan Bryan Billy Joe Bruce Gabriel Logan Albert Willie Alan Juan Wayne Elijah Randy Roy Vincent Ralph
    Eugene Russell Bobby Mason Philip Louis Harry Oliver Leo Lucas Liam Max Oscar Tom Tony Mike Jim Bob Bill
    Ben Sam Alex Chris Nick Dan Dave Steve Andy Matt Rob Tim Ken Ted Jake Luke Ian Neil Simon Martin
    Hugo Felix
    Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Margaret Sandra
    Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie Rebecca Sharon Laura
    Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha Katherine Christine
    Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly
    Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann Sara
    Madison Frances Kathryn Janice Jean Abigail Alice Judy Sophia Grace Denise Amber Doris Marilyn Danielle
    Beverly Isabella Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori Sophie Chloe Mia Ava
    Lily Ella Zoe Lucy Kate Jane Amelia Ruby Jenny Jessie Vivian Cindy Tina Wendy Yvonne Irene Fiona Eva Iris
    Coco Candy Cathy Crystal Daisy Eileen Elaine Gina Jasmine Joanna Kitty Lydia Monica Nina Phoebe Queenie
    Rose Sally Stella Sunny Tiffany Vicky Winnie Angel Annie Bella Betty Claire Doris Ellen Flora Hazel Ivy
    Jackie Jenny Joy Karen Lena Mandy Nancy Penny Rita Sandy Shirley Sylvia Tracy Una Vera Wanda Yoyo Kevin
    Eric Jason Allen Alvin Calvin Derek Dennis Edwin Frankie Gavin Harvey Ivan Jerry Kenny Leon Marco Nelson
    Owen Ray Ricky Sunny Terry Vincent Wesley Yale Zack Jimmy Johnny Danny Tommy Sammy Eddie Freddie Marcus
    Mary-Jane Anne-Marie Jean-Luc Jean-Pierre
    """
)
# One-syllable pinyin given names common enough to be read as a name before a pinyin surname (Qiang He).
PINYIN_GIVEN_SYLLABLES = _words(
    """
    Wei Jun Lei Jie Tao Hui Ying Min Jing Qiang Gang Fang Yan Ping Yun Xin Lin Bin Hao Peng Ming Na Juan Yong
    Chao Bo Xia Yang Ning Lan Mei Qing Hua Dan Jian Kai Long Rui Xue Yi Yu Ze Zhen Zhi Feng Fei Jia
    """
)

# Capitalised words that follow Dear/Hi or a title but are not names.
ENGLISH_NOT_NAMES = _words(
    """
    Customer Customers Sir Madam Sirs Team Support Service Services Friend Friends All Valued User Users
    Colleague Colleagues Member Members Client Clients Buyer Seller Courier Driver Manager Staff Everyone
    Guest Guests Partner Partners Recipient Sender Shop Store Owner Admin Please Thanks Thank Hello Hi Dear
    Your You The This That We Our My Order Parcel Package Delivery Tracking Road Street Avenue District City
    Province China Beijing Shanghai Room Unit Building No Tel Phone Mobile Email Address Name Contact From To
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December Today Tomorrow Yesterday Express Logistics Company Ltd Co
    Inc Group Customer-Service Hotline Office Center Centre Station Hub Warehouse Reschedule Regards Best
    Sincerely Cheers Kind Yours Sorry Welcome Good Morning Afternoon Evening Night Happy New Year Christmas
    Mr Mrs Ms Miss Mx Dr Prof Mister Madame Amazon Apple Google Alibaba Taobao Tmall Jingdong JD SF
    Express EMS Best Hong Kong Macau Taiwan Xian
    """
)
# Capitalised words that end a name because a street or place follows (Zhongshan Road, Long Street).
ENGLISH_STREET_WORDS = _words(
    """
    Road Rd Street St Avenue Ave Lane Ln District City Province Town Village County Bridge Station Park
    Plaza Mall Building Tower Hutong Boulevard Blvd Square Center Centre Hospital University
    """
)
# Capitalised role words before a name (Courier Daniel Wilson, Driver Zhang Fang).
ENGLISH_ROLES = _words(
    """
    Courier Driver Customer Recipient Receiver Consignee Sender Shipper Contact Name Attn Attention
    Passenger Cardholder Addressee Buyer Seller Agent Rider Owner Tenant Landlord
    """
)
PINYIN_SURNAMES = _words(
    """
    Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang Xie Song
    Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Yu Jiang Cai Du Ye Cheng Su Wei Lv Lyu Ding Ren
    Shen Yao Lu Cui Zhong Tan Fan Jin Shi Liao Jia Xia Fu Fang Bai Zou Meng Xiong Qin Qiu Yin Xue Yan Duan
    Lei Hou Long Tao Gu Mao Hao Gong Shao Wan Qian Kong Qi Dai Mo Wen Kang Niu Xing An Qiao Pang Ni Zhuang
    Nie Zhang Lu Yue Zhai Yin Zhan Ou Geng Guan Lan Jiao Zuo Liu Gan Zhu Bao Ning Shang Fu Shu Ruan Ke Ji Mei
    Tong Ling Bi Shan Huo Tu Cheng Miao Sheng Qu Weng Ran Luo Lan Xin Jin Chai Meng Hua Yu Qi Pu Fang Teng
    Rao Xie Mou Ai You Yang Mu Nong Si Zhuo Gu Ji Miao Jian Che Xiang Lian Lu Mai Chu Lou Dou Qi Cen Jing
    Dang Gong Fei Bu Leng Yan Xi Wei Mi Bo Zong Qu Gui Quan Tong Ying Zang Min Gou Wu Bian Ji Shi Chou Luan
    Sui Shang Diao Sha Rong Kou Sang Lang Zhen Cong Zhong Yu Ao Gong She Chi Cha Ma Yuan Kuang Ju Hui Jing
    Le Yu Xu Ban Chu Li Yan Lao Xi Pi Su Xian Lin Ouyang Sima Zhuge Shangguan Dongfang Huangfu Linghu Murong
    Situ Xiahou Duanmu Nangong
    """
)
