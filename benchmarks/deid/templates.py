"""Text templates of the delivery domain, one tuple (name, text class, template) each.

Syntax, kept tiny so that templates read like the texts they make:
- ``[a|b|c]`` picks one alternative (an empty one makes text optional); alternatives may hold slots.
- ``{NAME}`` (upper case) is a PII slot, recorded as a gold entity; ``{NAME:k}`` reuses the value bound to k.
- ``{tracking}`` (lower case, a hard-negative kind) is recorded as a hard negative; ``{ext}``, ``{bank}``,
  ``{n}`` are fillers recorded as neither.
- ``$C`` / ``$U`` are the agent's and the customer's speaker labels, fixed for the whole text.
Template literals carry no personal data of their own, so the gold annotation is complete by construction.
"""

from __future__ import annotations

Template = tuple[str, str, str]

AGENT_LABELS = ("客服", "在线客服", "人工客服", "客服小助手")
CUSTOMER_LABELS = ("顾客", "用户", "买家", "客户")

TEMPLATES: tuple[Template, ...] = (
    # ---- customer-service chats ------------------------------------------------------------------
    (
        "chat_missing",
        "chat",
        "$C：您好，请问有什么可以帮您？\n$U：我的快递{tracking}[一直没到|三天没更新了|显示签收但我没收到]，"
        "收件人{NAME}，电话{PHONE}\n$C：[好的|收到]，已为您登记，[预计|大概]{date}前给您回复。",
    ),
    (
        "chat_change_address",
        "chat",
        "$U：我要改地址，[原来|之前]填的是{ADDR}，改成{ADDR}\n$C：请提供下单手机号[核实一下|验证身份]\n"
        "$U：{MOBILE}\n$C：已修改，运单号{tracking}，[请留意短信|注意查收]。",
    ),
    (
        "chat_fee",
        "chat",
        "$C：{SNAME}[先生|女士]您好，您寄往{ADDR}的包裹[重量|实重]{weight}，运费{amount}。\n"
        "$U：[好的|行]，[怎么付|可以到付吗]？\n$C：可以的，[支持到付|到付需另加手续费]。",
    ),
    (
        "chat_locker",
        "chat",
        "$U：[你好|在吗]，取件码{pickup}[取不出来|打不开柜子]\n$C：请问您的手机号是？\n$U：{MOBILE}，名字{NAME}\n"
        "$C：已为您远程开柜，[验证码|开柜码]{vcode}。",
    ),
    (
        "chat_not_shipped",
        "chat",
        "$U：我{date}买的{brand}[礼盒|商品|东西]，订单号{order}，到现在还没发货\n$C：帮您催一下，请留个联系方式\n"
        "$U：{PHONE}，或者发邮件到{EMAIL}\n$C：好的，{n}件商品[今天|明天]发出。",
    ),
    (
        "chat_intercept",
        "chat",
        "$C：为了核实身份，请提供寄件人姓名和身份证号\n$U：{NAME}，[身份证|证件号]{ID}\n"
        "$C：核实通过，[包裹|快件]{tracking}已[拦截|退回]。",
    ),
    (
        "chat_courier_unreachable",
        "chat",
        "$U：快递员{SNAME}师傅电话打不通，{PHONE}\n$C：抱歉，我们联系网点{station}处理，[稍后|半小时内]回电到"
        "{MOBILE:u}可以吗？\n$U：可以，就是这个号{MOBILE:u}",
    ),
    (
        "chat_refund_card",
        "chat",
        "$U：退款{amount}[退到|打到]我卡上，卡号{CARD}，[户名|开户人]{NAME}\n$C：[已提交|已受理]，"
        "{n}件商品的退款将在[三到五|几]个工作日到账。",
    ),
    (
        "chat_confirm_info",
        "chat",
        "$C：请核对[收件|收货]信息：{NAME}，{MOBILE}，{ADDR}\n$U：[地址不对|门牌号错了]，应该是{ADDR}\n"
        "$C：好的已更正，[派送时间|预计送达]{datetime}\n$U：谢谢，[到了|到之前]打我[电话|座机]{LANDLINE}",
    ),
    (
        "chat_pickup_for_friend",
        "chat",
        "$U：我朋友{NAME}帮我取件可以吗？\n$C：可以，请提供代取人手机号和[取件码|提货码]\n"
        "$U：{MOBILE}，取件码{pickup}\n$C：[好的|已备注]，代取时请出示取件码。",
    ),
    (
        "chat_en",
        "chat",
        "Agent: Hi, how can I help?\nCustomer: My parcel {tracking} [hasn't arrived|is late|shows delivered "
        "but I never got it]. Name is {ENAME}, phone {MOBILE}.\nAgent: Thanks, we'll call you [before|on] "
        "{en_date}.",
    ),
    # ---- courier remarks ---------------------------------------------------------------------
    (
        "remark_door",
        "remark",
        "[备注|留言]：[放门口|放快递柜|放驿站]，[到了|到楼下]打电话{PHONE}[，谢谢|]",
    ),
    (
        "remark_deliver_to",
        "remark",
        "送到{ADDR}，[找|交给]{NAME}，电话{MOBILE}[，不在就放门卫|，放门口就行|]",
    ),
    (
        "remark_station",
        "remark",
        "[家里没人|上班不在家]，放到[小区|楼下]菜鸟驿站，取件码发到{MOBILE}[就行|]",
    ),
    (
        "remark_weekend",
        "remark",
        "[周末再送|{date}再送]，[白天|工作日]不在家，有事联系{NAME}{PHONE}",
    ),
    (
        "remark_gate",
        "remark",
        "[快递员|小哥]请注意：{ADDR}，[门禁密码|大门密码]{vcode}，[电梯坏了走楼梯|送上楼谢谢]",
    ),
    (
        "remark_label_block",
        "remark",
        "收件人：{NAME}\n手机：{MOBILE}\n地址：{ADDR}\n备注：[易碎品轻拿轻放|生鲜请尽快派送]，{weight}",
    ),
    (
        "remark_no_answer",
        "remark",
        "[派件|配送]异常：{SNAME}[先生|女士]电话{PHONE}无人接听，[已放|暂存]{station}，[预约|约定]{time}再派",
    ),
    (
        "remark_landline_ext",
        "remark",
        "打手机{MOBILE}不通，[换打|请打]座机{LANDLINE}[转{ext}|-{ext}|]，[找|联系]{NAME}",
    ),
    (
        "remark_virtual_number",
        "remark",
        "[虚拟号|隐私号]{MOBILE}转{ext}，[{date}前有效|7天内有效]，[收件人|客户]{SNAME}[先生|女士|小姐]",
    ),
    (
        "remark_courier_intro",
        "remark",
        "{NAME}[你好|您好]，我是[快递员|配送员]{NAME}，[你的|您的]快递[已放在|放到了]{ADDR}[门口|楼下|]，"
        "有问题打{PHONE}",
    ),
    (
        "remark_scan_log",
        "remark",
        "扫描记录：{datetime} {station} 扫描员{NAME} 单号{tracking} 重量{weight}",
    ),
    (
        "remark_short_address",
        "remark",
        "[寄到|送到|地址：]{ADDR}[（{count}）|]",
    ),
    # ---- complaints --------------------------------------------------------------------------
    (
        "complaint_courier",
        "complaint",
        "投诉：{date}我在{ADDR}[等了一天|一直等]，快递员{NAME}[态度很差|没打电话就标记签收]，[他的|快递员]电话"
        "{PHONE}。我的电话{MOBILE}，[请尽快处理|要求赔偿]{amount}。",
    ),
    (
        "complaint_lost_claim",
        "complaint",
        "[本人|我]{NAME}，身份证号{ID}，[于|在]{date}寄出[包裹|文件]{tracking}，[声明价值|保价]{amount}，"
        "现[丢失|破损]，[要求理赔|申请赔付]，[联系电话|手机]{PHONE}，[邮箱|电子邮箱]{EMAIL}。",
    ),
    (
        "complaint_regulator",
        "complaint",
        "[邮政管理局|消费者]申诉：单号{tracking}，[寄件人|发件人]{NAME}（{PHONE}），收件人{NAME}（{PHONE}），"
        "[收件|派送]地址{ADDR}，[已投诉|已打客服热线]{hotline}好几次，无人处理。",
    ),
    (
        "complaint_vehicle",
        "complaint",
        "你们的快递车{PLATE}[在小区乱停|撞了我的车|堵住消防通道]，[时间|发生在]{datetime}，[我住|地点]{ADDR}，"
        "[请联系|回电]{PHONE}",
    ),
    (
        "complaint_fee",
        "complaint",
        "[差评|投诉]！{weight}的[东西|包裹]收了{amount}运费，订单{order}，收件人{NAME}，[别再|不要]打{MOBILE}"
        "骚扰[我|我家人]了",
    ),
    (
        "complaint_email_only",
        "complaint",
        "[客服|你们]回复到{EMAIL}就行，别打{MOBILE}，我在{ADDR}上班，[白天|工作时间]不方便接电话",
    ),
    (
        "complaint_compensation",
        "complaint",
        "[赔偿款|理赔款]{amount}请转到{bank}{CARD}，户名{NAME}，[身份证|证件号码]{ID}",
    ),
    (
        "complaint_driver",
        "complaint",
        "[今天|{date}]{time}一辆{PLATE}的[面包车|货车]来取件，司机{SNAME}师傅说{weight}要加钱，[太离谱了|不合理]",
    ),
    # ---- real-name registration records ------------------------------------------------------
    (
        "realname_form",
        "realname",
        "实名登记\n姓名：{NAME}\n证件类型：居民身份证\n证件号码：{ID}\n手机号：{MOBILE}\n[寄件地址|住址]：{ADDR}\n"
        "登记时间：{datetime}",
    ),
    (
        "realname_inline",
        "realname",
        "[寄件人|寄方]实名信息：{NAME}，{ID}，{MOBILE}，[收寄网点|网点]{station}",
    ),
    (
        "realname_passport",
        "realname",
        "[国际件|跨境包裹]实名：姓名{NAME}（{ENAME}），护照号{PASSPORT}，电话{PHONE}，[收件地址|地址]{EADDR}",
    ),
    (
        "realname_semicolon",
        "realname",
        "证件：[身份证|居民身份证] {ID}；姓名 {NAME}；[联系方式|电话] {PHONE}；[登记网点|网点] {station}；"
        "[件数|包裹数] {count}",
    ),
    (
        "realname_csv_row",
        "realname",
        "{NAME},{MOBILE},{ID},{ADDR},{date}",
    ),
    (
        "realname_vehicle",
        "realname",
        "车辆登记：{PLATE}，司机{NAME}，[驾驶证|身份证]{ID}，[联系电话|手机]{MOBILE}，[线路|路由]{station}",
    ),
    (
        "realname_proxy",
        "realname",
        "[同事|朋友]代收：{NAME}帮{NAME}[取件|签收]，代收人[电话|手机]{MOBILE}，身份证{ID}",
    ),
    # ---- e-commerce order notes --------------------------------------------------------------
    (
        "order_recipient",
        "order_note",
        "订单{order}[，|：]收货人{NAME}，{PHONE}，{ADDR}，[买家留言|备注]：[不要放驿站|周末送|发顺丰]",
    ),
    (
        "order_invoice_email",
        "order_note",
        "[买家|客户]备注：[发票抬头|开票]个人，邮箱{EMAIL}，[商品编码|货号]{sku}，{count}",
    ),
    (
        "order_shipped_sms",
        "order_note",
        "【{brand}旗舰店】[您的订单|订单]{order}已发货，运单{tracking}，实付{amount}，收货地址{ADDR}，"
        "收货人{NAME} {MOBILE}",
    ),
    (
        "order_cod",
        "order_note",
        "[货到付款|代收货款]{amount}，收件人{NAME}，[电话|手机]{PHONE}，[请|务必]{date}{time}前送达",
    ),
    (
        "order_invoice_card",
        "order_note",
        "[发票信息|开票信息]：{NAME}，银行卡{CARD}，开户行{bank}，[金额|合计]{amount}",
    ),
    (
        "order_return",
        "order_note",
        "[换货|退货]地址：{ADDR}，[联系人|收件人]{SNAME}[先生|女士|小姐]，{PHONE}，[退货单号|寄回单号]{tracking}",
    ),
    (
        "order_phone_change",
        "order_note",
        "[新|旧]手机号{MOBILE}[停用了|不用了]，请改成{MOBILE}，[座机|家里电话]{LANDLINE}",
    ),
    (
        "order_refund_only_negatives",
        "order_note",
        "[退款|退货]申请：订单{order}，{count}，金额{amount}，[理由|原因]：[尺码不合适|质量问题]，[SKU|货号]{sku}",
    ),
    (
        "order_track_only_negatives",
        "order_note",
        "物流轨迹：{datetime} 【{station}】已发出，下一站【{station}】；"
        "{datetime} 快件已到达，{weight}，{count}",
    ),
    (
        "order_sms_only_negatives",
        "order_note",
        "您的验证码是{vcode}，[5分钟内有效|请勿泄露]。[取件码|提货码]{pickup}，[客服热线|服务热线]{hotline}，"
        "{date}{time}前取件",
    ),
    (
        "order_login_log",
        "order_note",
        "系统日志：{datetime} 用户{MOBILE}自{IP}下单{order}，[支付|付款]{amount}",
    ),
    # ---- mixed English/Chinese -----------------------------------------------------------------
    (
        "mixed_arrival",
        "mixed",
        "Hi {NAME}，your parcel {tracking} 已到{station}，[pls|please] call {MOBILE} [before|after] {time}.",
    ),
    (
        "mixed_label",
        "mixed",
        "收件人 Recipient: {ENAME}\nTel: {PHONE}\nAddress: {EADDR}\n[重量|Weight]: {en_weight}",
    ),
    (
        "mixed_send_to",
        "mixed",
        "[麻烦|please] send to {ADDR}, contact {NAME} ({MOBILE}), email {EMAIL}，谢谢",
    ),
    (
        "mixed_login_alert",
        "mixed",
        "[登录|Login]异常：IP {IP} [于|at] {datetime} [登录|logged in]，账号绑定手机{MOBILE}",
    ),
    (
        "mixed_customs",
        "mixed",
        "Customs declaration 报关：{ENAME}，Passport {PASSPORT}，[Tel|电话] {PHONE}，"
        "[value|申报价值] {en_amount}，[SKU|货号] {sku}",
    ),
    (
        "mixed_courier",
        "mixed",
        "Tracking {tracking} 派件员 {NAME} 电话 {PHONE}，Pickup code 取件码 {pickup}",
    ),
    # ---- English only ------------------------------------------------------------------------
    (
        "en_shipped",
        "english",
        "Dear {ENAME}, your order {en_order} shipped on {en_date} ({tracking}). Delivery address: {EADDR}. "
        "Questions? [Reply to|Email] {EMAIL}.",
    ),
    (
        "en_courier_note",
        "english",
        "Courier note: [leave at door|leave with the concierge], call {PHONE} on arrival. Contact: {ENAME}. "
        "Weight {en_weight}.",
    ),
    (
        "en_complaint",
        "english",
        "Complaint from {ENAME} ({EMAIL}): package {tracking} was damaged. Refund {en_amount} to card "
        "{CARD}. Phone {MOBILE}.",
    ),
    (
        "en_security",
        "english",
        "Account security alert: sign-in from {IP} on {en_date}. If this wasn't you, contact {EMAIL}.",
    ),
    (
        "en_driver",
        "english",
        "Driver {ENAME}, vehicle {PLATE}, pickup at {EADDR} at {time}, {n} parcels, {en_weight} in total.",
    ),
    (
        "en_missed",
        "english",
        "Hi Mr. {ELAST}, we tried to deliver to {EADDR} but nobody answered at {PHONE}. Reschedule by "
        "{en_date}. Order {en_order}.",
    ),
    (
        "en_verification",
        "english",
        "Sender verification: name {ENAME}, passport no. {PASSPORT}, mobile {MOBILE}, ID card {ID}, invoice "
        "{en_order}, total {en_amount}.",
    ),
    (
        "en_only_negatives",
        "english",
        "Shipment {tracking} departed {station} on {en_date} at {time}. Weight {en_weight}, order "
        "{en_order}, charge {en_amount}.",
    ),
)

# How often each text class is drawn; the corpus is about delivery work, so chats and remarks dominate.
CLASS_WEIGHTS = {
    "chat": 0.22,
    "remark": 0.22,
    "complaint": 0.14,
    "realname": 0.12,
    "order_note": 0.14,
    "mixed": 0.08,
    "english": 0.08,
}
