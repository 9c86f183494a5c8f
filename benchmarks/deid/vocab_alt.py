"""A second, disjoint vocabulary for the corpus: a quick check that a detector generalises.

``--vocab alt`` swaps every word list a detector could end up memorising (given-name characters, rarer
surnames, minority and Tibetan/Mongolian names, Western and pinyin names, roads, estates, towns, villages,
companies) for these. A detector that scores much lower here than on the main vocabulary has learnt the
corpus, not the language. Do not tune a detector on this file either.
"""

from __future__ import annotations


def _w(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ALT_VOCAB: dict[str, tuple[str, ...]] = {
    "GIVEN": tuple(
        "振宏梦蓓雯婧瑾璇萌露琼珊茜蓉芸莹玲岚娅姗婉嫣卉茹晶瑛钰璟骏驰骁烨炜煜熠晟昱曦朗朔皓彦琛瑞祺祥禹岩"
        "崇峻嵩巍澄瀚沛淳湛泓洲滢漪"
    ),
    "RARE_SURNAMES": tuple("毕逯鞠阚廉蔺栾郜谌麦揭敖佟寇戚臧缪沙宓丰濮燕蓝幸"),
    "MINORITY_PARTS": _w("阿不力孜 克里木 玛依拉 库尔班 麦麦提 吾斯曼 祖丽皮耶 买合木提"),
    "TIBETAN_MONGOLIAN": _w("央金 德吉 索朗旺姆 其其格 那日苏 斯琴高娃 朝鲁 阿拉坦"),
    "EN_FIRST": _w("Oliver Charlotte Henry Amelia Lucas Mia Ethan Chloe Noah Ava"),
    "EN_LAST": _w("Foster Bryant Hayes Russell Griffin Diaz Ortiz Sullivan Perry Long"),
    "PINYIN_SURNAMES": _w("Deng Feng Cao Peng Zeng Xie Tang Han"),
    "PINYIN_GIVEN": _w("Zhiwei Yuxuan Ruoxi Haoyu Shiqi Yanan Kaiwen"),
    "ROAD_STEMS": _w("解放 中山 人民 和平 光华 迎春 朝阳 府前 长青 松柏 丰收 民主 团结 幸福"),
    "ESTATE_BRANDS": _w("雅居乐 旭辉 阳光城 建发 滨江"),
    "ESTATE_STEMS": _w("龙湾 天骄 凯旋 银河 湖畔 橡树 奥林 望月 听涛 海韵 柳岸 金茂"),
    "ESTATE_TYPES": _w("花园 小区 雅苑 家园 新城 公馆 华庭 山庄"),
    "TOWN_STEMS": _w("沙河 高桥 黄桥 新店 大营 古城 坪山 塘头"),
    "VILLAGE_STEMS": _w("赵家庄 西营 梨树湾 马家沟 双井 后坝 高家堡"),
    "COMPANIES": _w("星辰网络 汇通电子 鼎盛建材 嘉和医疗"),
    "EN_ROADS": _w("Changjiang Huanghe Dongfeng Xinhua Guangming Hongqi Xingfu Minzhu"),
}
