"""Every regular expression and word list the extractor uses, in one place.

All patterns run over *folded* text (see ``textnorm.fold_with_map``): double
quotes are ``"``, dashes ``-``, brackets ASCII. Chinese characters are
``textnorm.CJK``, defined once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import ahocorasick_rs

from ..textnorm import CJK

HAN = f"[{CJK}]"
# runs of Chinese characters, matched on a reversed slice to find the run that ends at a
# position without walking back one character at a time
CJK_RUN = re.compile(f"{HAN}*")
NAME_RUN = re.compile(f"[{CJK}+]*")  # a name may hold a "+" (互联网+监管)

# ------------------------------------------------------------ sentences
# [。！？!?]+[\"'」』）)]*|\n+, written to start with one character class so the regex
# engine skips ahead to a candidate instead of trying both branches at every position
SENTENCE_END = re.compile(r"[。！？!?\n](?:(?<=\n)\n*|(?<!\n)[。！？!?]*[\"'」』）)]*)")

# ------------------------------------------------------------ page chrome and metadata
DATE_LABELS = r"(?:发布时间|发布日期|成文日期|印发日期|日期|时间|发文日期)"
LABELLED_DATE = re.compile(
    DATE_LABELS + r"\s*[:：]?\s*(20\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)
PUBLISHER = re.compile(r"(?:发布机构|发文机关|来源|信息来源|发布单位|来源单位)\s*[:：]?\s*([" + CJK + "]{2,40})")
DATE_CN = re.compile(r"(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")

# ------------------------------------------------------------ year covered
# (?<![\d-])(20\d\d)\s*年(度)?, with the look-behind moved after the literal 20 so the
# regex engine can search for that literal (the same matches, several times faster)
YEAR = re.compile(r"(20(?<![\d-]20)\d\d)\s*年(度)?")
YEAR_RANGE = re.compile(r"20\d\d\s*[-~至到]\s*20\d\d|20\d\d\s*年\s*[-~至到]\s*20\d\d")
TITLE_WORDS = re.compile(r"法治政府|依法行政|法治建设|法治.{0,4}报告|工作报告|情况报告|年度报告|工作总结|述法")
# lines that are never the title: page chrome and numbered headings
NOT_TITLE = re.compile(r"(?:现将|索\s*引\s*号|发布机构|来源|您现在的位置|您当前的位置|您的位置|当前位置|位置[:：]|首页|[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.])")
FIELD_LABEL = re.compile(r"^[|｜\s]*(?:标\s*题|名\s*称|题\s*名)\s*[:：]\s*[|｜\s]*|[|｜\s]+$")
OFFICE_TAIL = re.compile(r"(?:人民政府|政府|办事处)")
# where a report names itself as the subject: "2023年，岔河镇坚持…", "一年来，周溪乡在…"
_SUBJECT_BODY = r"\s*(?:20\d\d年(?:度|以来|来)?|近年来|一年来|今年以来|过去一年|刚刚过去的20\d\d年)[,，]?\s*(?:是|在)?"
# where a report names itself as the subject, in two parts for speed (see body._subject_matches):
# at the very start, and after a break character (a pattern that starts with a character class
# lets the engine skip ahead)
SUBJECT_AT_START = re.compile(_SUBJECT_BODY)
SUBJECT_AFTER_BREAK = re.compile(r"[\n。；;]" + _SUBJECT_BODY)
# "在区委、区政府的坚强领导下": the writer sits below that level (a district's own report says 区委 alone)
LED_BY = re.compile(r"在(?:[" + CJK + r"]{2,6}?)?([县区市旗])委[、，,和及与]?\1(?:人民)?政府的?(?:正确|坚强|有力|统一)?(?:领导|指导)")
REPORT_HEAD = re.compile(r"现将([^,，。\n]{2,30}?)(?:20\d\d|关于|法治|依法|年度)")
DIVISION_END = re.compile(r"(?:镇|乡|街道|街(?!道)|县|区|旗)(?![" + CJK + "]?[镇村])")

# ------------------------------------------------------------ concepts by pattern
TITLE = re.compile(r"《([^《》\n]{2,80})》")
QUOTED = re.compile(r'"([^"\n]{1,40})"')
# a tail glued to a closing quote: “三所联动”调解机制, “八五”普法, “法治体检”活动
QUOTE_TAIL = re.compile(rf"(?:(?![等和与及的])[{CJK}+]){{0,8}}?(?:机制|制度|模式|工作法|工作室|调解室|平台|诊所|服务站|工作站|驿站|服务队|"
                        rf"品牌|阵地|专栏|热线|体系|监管|改革|专项行动|专项整治|专项斗争|专项治理|专项宣传|行动|活动|"
                        rf"创建|宣传月|宣传周|宣传日|工程|普法|竞赛|制|中心|调解委员会|委员会)")
MECHANISM_TAILS = ("机制", "制度", "模式", "工作法", "工作室", "调解室", "平台", "诊所", "服务站", "工作站", "驿站",
                   "服务队", "品牌", "阵地", "专栏", "热线", "体系", "监管", "制", "服务")
PROGRAMME_TAILS = ("改革", "专项行动", "专项整治", "专项斗争", "专项治理", "专项宣传", "行动", "活动", "创建",
                   "宣传月", "宣传周", "宣传日", "工程", "普法", "竞赛", "宣传")
INSTITUTION_TAILS = ("中心", "调解委员会", "委员会")
# tails dropped from a canonical label: they only say what kind of thing it is
GENERIC_TAIL = re.compile(r"(?:调解|工作|服务|管理|特色|综合|诉源治理|监管)?(?:机制|制度|模式|工作法|平台|品牌|阵地|"
                          r"体系|活动|行动|专项行动|专项整治|工程|制)$")

# quoted words that read as a method or brand when nothing else says so
METHOD_SUFFIX = re.compile(r"(?:式|法|联动|联调|联治|合一|一体|对接|议事|说事|讲堂|课堂|夜话|驿站|铺子|超市|诊所|管家|热线|码|e|通|在线|云)$")
METHOD_SHAPE = re.compile(r"[+＋]|、|" + METHOD_SUFFIX.pattern)
# quoted words that make a slogan or a goal, not a working method: “三区一高地”, “四个意识”, “五在战略”
SLOGAN_WORDS = re.compile(r"战略|精神|思想|意识|自信|维护|确立|高地|目标|理念|要求|作风|方针|高质量|强[县市省区国]|"
                          r"^[一二三四五六七八九十两]个|^[一二三四五六七八九十]大")
# verbs of adoption before a name: 推行|首问负责制, 建立健全|…机制 (kg candidates ranks by them)
ADOPTION_FRAME = re.compile(r"(?:推行|实行|施行|建立|建立健全|健全|完善|落实|推进|深化|创新|探索|打造|构建|实施|推广|运用|开展|创建)$")
METHOD_VERB = re.compile(r"(?:推行|实行|建立|创新|探索|打造|推广|构建|运用|采取|实施|创建|推出|首创|总结|形成|深化|健全|完善|依托|用好|落实)$")
PROGRAMME_VERB = re.compile(r"(?:开展|组织|举办|参加|启动|深入开展|扎实开展)$")

# unquoted names that end in an institution, mechanism or programme word


class Words:
    """Literal words found left to right without overlapping, the longest where several start
    together (as a regex alternation of them would find them, in one linear scan where the
    regex is tried at every character); ``not_before``: a word followed by that text is none."""

    def __init__(self, words: Iterable[str], not_before: dict[str, str] | None = None) -> None:
        self.words = tuple(dict.fromkeys(words))
        self._matcher = ahocorasick_rs.AhoCorasick(self.words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        self._not_before = not_before or {}

    def finditer(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, word) of each word found."""
        for i, start, end in self._matcher.find_matches_as_indexes(text):
            word = self.words[i]
            stop = self._not_before.get(word)
            if stop is None or not text.startswith(stop, end):
                yield start, end, word


_LEVEL_CHARS = "县区市镇乡街"
INSTITUTION_SUFFIX = Words(
    ["领导小组", "工作小组", "审查小组", "工作专班", "专班", "委员会办公室", "委员会", "办公室", "司法所", "派出所",
     "律师事务所", "事务所", "法律服务所", "综治中心", "调解中心", "服务中心", "矛调中心", "治理中心", "指挥中心",
     "受理中心", "审查中心", "化解中心", "调处中心", "分中心", "执法局", "司法局", "公安局", "分局", "执法大队",
     "执法中队", "执法队", "服务队", "工作站", "服务站", "联络站", "实践站", "实践所", "调解室", "工作室", "警务室",
     "联系点", "联络点", "观测点", "人民法庭", "法庭", "中级人民法院", "人民法院", "法院", "人民检察院", "检察院",
     "法制办", "党政办", "综治办", "信访办", "平安办", "法治办", *(f"依法治{c}办" for c in _LEVEL_CHARS), "依治办",
     "依治委"],
    not_before={"执法队": "伍", "服务队": "伍"})  # 执法队伍: the officers, not a unit
MECHANISM_SUFFIX = Words(["责任追究制度", "工作制度", "管理制度", "审查制度", "联席会议制度", "制度", "工作机制",
                          "解决机制", "机制", "工作法"])
PROGRAMME_SUFFIX = Words(
    ["专项行动", "专项整治", "专项斗争", "专项治理", *(f"示范{c}创建" for c in ("", *"区县市镇乡村")), "创建活动",
     "宣传月", "宣传周", "攻坚行动", "三年行动", "百日行动", "综合改革", "体制改革", "制度改革",
     *(f"{n}进活动" for n in "一二三四五六七八九十")])
# a named rule of service or responsibility, its name as short as one character (路长制, 首问负责制)
RULE = re.compile(r"(?:负责制|办结制|承诺制|代办制|包保制|包联制|坐班制|会商制|公示制|长制)(?![度])")
# an unquoted method named by joined parts: 党建+法治+网格, 互联网+监管 (the tail only says it is a method)
JOINED = re.compile(r"[" + CJK + r"]{2,6}(?:\+[" + CJK + r"]{2,4})+(?P<tail>(?:治理|服务)?(?:模式|机制|工作法|体系))?"
                    r"(?![" + CJK + r"+])")  # the last part whole, not cut from a longer word

# where the name before a suffix stops (a jieba token in this set is not part of it)
BOUNDARY_TOKENS = frozenset(
    """的 了 和 与 及 或 等 在 由 对 将 把 为 是 向 经 被 从 以 于 并 也 都 均 又 还 即 其 各 每 该 此 这 那 个 中 上 下 内 外
    后 前 时 里 共 已 未 要 能 可 应 须 让 使 给 同 跟 至 到 按 据 靠 凭 用 通过 依托 按照 根据 围绕 结合 依据 针对 对照 关于
    成立 调整 建立 设立 组建 召开 发挥 联合 会同 协调 组织 邀请 聘请 指导 加强 推动 落实 开展 联系 配合 成员 担任 督促
    完善 健全 牵头 主持 参加 参与 深入 走进 前往 进驻 入驻 报送 提交 报请 经过 充分 积极 及时 进一步 切实 认真 深化
    推进 实现 强化 做好 规范 打造 建成 严格 执行 实行 推行 坚持 贯彻 实施 制定 出台 印发 修订 修改 形成 构建 探索 创新
    建立健全 持续 不断 扎实 有效 全力 着力 大力 努力 重点 主动 定期 每年 每月 全年 今年 本年 年度 同时 此外 另外
    包括 涉及 作为 成为 设置 配备 明确 压实 召集 纳入 列入 提升 提高 优化 增强 确保 保障 支持 服务 指引 统筹 负责 分管
    我 我们 本 全 镇里 县里 一是 二是 三是 四是 五是 六是 七是 八是 九是 十是 首先 其次 最后 其中 以及 相关 有关 各类
    各项 一批 一支 一个 一套 一次 一项 多个 多项 所有 全体 全镇 全乡 全县 全区 全市 全街 全街道 辖区 村级 村 社区 居委会
    工作人员 同志 书记 镇长 乡长 主任 组长 副组长 所长 队长 下设 设在 位于 现将 发布机构
    发布 机构 来源 标题 名称 发文机关 索引号 认真贯彻 积极参与 认真落实 贯彻落实 深入贯彻 立足 聚焦 紧扣 紧盯 着眼 突出 抓好
    抓实 列席 选举 产生 新任 任命 召开 出席 参会 带领 率领 副 做到 配置 各级 上级 下级 及其 或者 并且 充实 配齐 配强
    配备 夯实 整合 建强 做强 做实 做优 选优 选派 选聘 选配 织密 搭建 筑牢 延伸 拓展 扩大 落细 压紧 会同 依靠 借助 利用
    通过 经由 由于 为了 关于 对于 提出 按期 如期 逐步 加快 加大 持续 推动 助力 激活 发动 动员 引导 鼓励 支持 采取 采用""".split()
)
# a boundary word of two or more characters anywhere in a text (a name without one needs no jieba)
BOUNDARY_WORD = re.compile("|".join(sorted((re.escape(t) for t in BOUNDARY_TOKENS if len(t) > 1),
                                           key=lambda t: (-len(t), t))))
# single characters that never start a place name (中, 下, 和, 新 often do)
NAME_STOP_CHARS = frozenset("的了在由对将把为是向被从以于并也都均又还即其各每该此这那个要能可应须让使给跟至到按据靠凭用我本全与及或")
# a name made only of these says nothing of its own (工作机制, 长效机制 ...)
GENERIC_WORDS = frozenset(
    """工作 相关 各项 有关 长效 管理 考核 责任 监督 协调 联动 保障 运行 常态化 规章 内部 配套 学习 会议 决策 议事 机制
    制度 体系 规则 办法 日常 基本 一项 多项 完善 健全 建立 长期 专门 专项 定期 联系 沟通 协作 合作 衔接 对接 报告 信息
    督办 督查 考评 评价 激励 约束 预警 处置 应急 响应 反馈 问责 追究 落实 推进 领导 组织 公开 民主 科学 依法 法治 规范
    政务 服务 办公 值班 财务 档案 保密 请示 汇报 审批 审核 审查 备案 登记 检查 巡查 培训 宣传 教育 学法 普法 这 各 一
    新 好 该 此 等 上述 以下 下列 如下 多元 联席 例会 首问 负责 限时 办结 承诺 公示 告知 回避 听证 调查 取证 统一 集中
    法制 体制 法治化 行政 政府 依法 党委 党组 部门 单位 各级 基层 乡镇 街道 村级 社区 有效 完整 全面 更加 相应 必要
    常态 依法行政 现行 各类 政策 法规 用法 守法 尊法""".split()
)
# the same words as one alternation, longest first: a name is generic when they leave at most a
# character of it (jieba may cut 常态化学法 as 常态|化学法; the words themselves do not)
GENERIC_RUN = re.compile("|".join(sorted(GENERIC_WORDS, key=len, reverse=True)))
# what an institution's name cannot be made of alone (工作|领导小组)
GENERIC_ORGAN_WORDS = frozenset("工作 相关 有关 各 该 本 其 上述 领导 专门 各级 全体 有关部门".split())
# verbs that lead a name found by its suffix and are not part of it (建立|法治建设季度例会制度)
LEADING_VERB = re.compile(r"^(?:充分发挥|不断完善|进一步|建立健全|建立完善|健全完善|完善|健全|建立|实行|推行|落实|强化|深化|推进|"
                          r"加强|严格|全面|切实|认真|坚持|执行|实施|构建|打造|探索|创新|规范|优化|发挥|用好|运用|依托)+")
# a quoted name ending like a document title is a law-kind document: “2023年法治上城建设工作要点”
DOCUMENT_TAIL = re.compile(r"(?:要点|方案|办法|规定|条例|意见|通知|细则|规则|决定|规划|计划|清单|指引|守则|公约)$")
# a party committee is the body itself or its superior, never an institution of the report
PARTY_COMMITTEE = re.compile(r"^(?:中共|中国共产党).*委员会$|(?:党委|党工委|党组)$")
# what a report puts before a name it shares with others: 环市街党工委|全面依法治街委员会, 村|综治中心
QUALIFIER = re.compile(r"^(?:中共)?(?:(?:(?!依法|全面)[" + CJK + r"]){2,6}?(?:省|市|州|县|区|旗|镇|乡|街道|街))?"
                       r"(?:县委|区委|市委|镇委|乡委|党委|党工委|政府|人民政府|委)?(?:全面)?(?:[镇乡村街]|社区|街道)?(?=[" + CJK + r"]{3})")
SYSTEM_TAIL = re.compile(r"(?:工作)?(?:制度|机制)$")
SELF_PREFIX = re.compile(r"^(?:我|本|全)?(?:镇|乡|街道|街|县|区|市)(?=[" + CJK + r"]{2})")

# ------------------------------------------------------------ division names (divisions.py)
# names that are words, not places: 乡镇, 全县, 依法治镇, 美丽乡(村) ...
NOT_A_NAME = re.compile(
    r"^(?:[全各本我该每其此两多某]|现将|特将|乡镇|城镇|村镇|集镇|街镇|镇街|小城|特色小|城乡|县乡|县区|市县|市区|省市|城区|辖区|园区|景区|"
    r"开发|新区|片区|小区|山区|库区|牧区|社区|示范|美丽|文明|平安|法治|依法|乡村|农村|城市|地方|下辖|所辖|毗邻)"
    r"|(?:依法治|治|示范|文明|平安|法治|美丽|先进|卫生|森林|生态|特色|重点|中心|建制|民族|边境|贫困|经济|委)$"
)
SELF_REFERENCE = re.compile(r"(?:我|本|全)(镇|乡|街道|街|县|区|市|旗)")
ALL_HAN = re.compile(f"{HAN}*")  # a name is made of Chinese characters only

# ------------------------------------------------------------ the body (body.py)
# a county-level name heading an organ (县委, 区人民政府, 县司法局 …): found from the suffix, and the
# run of Chinese characters before it walked back
COUNTY_ORGAN_SUFFIX = re.compile(r"[县区旗市](?=委|人民政府|政府|司法局|依法治|全面依法治)")
NON_CJK_HEAD = re.compile(f"^[^{CJK}]+")
# a government named between two levels of a heading: 广州市海珠区|人民政府|南华西街道办事处
GOVERNMENT_BETWEEN = re.compile(r"(?<=[县区市旗州盟])(?:人民政府|政府)(?=[" + CJK + r"]{1,8}?(?:镇|乡|街道|街))")
PARTY_HEAD = re.compile(r"^(?:中共|中国共产党)")
# a zone administered together with a town or sub-district, which it names in brackets:
# 开发区(黄梅街道), 高新区（某镇）, 某园区管委会(某街道): the division is the body
ZONE_WITH_DIVISION = re.compile(rf"([{CJK}]{{0,14}}?(?:开发区|高新区|新区|园区|示范区|试验区|工业区|管委会|管理委员会))"
                                rf"[(（]([{CJK}]{{2,12}}(?:街道|镇|乡))[)）]")
ZONE_HINT = re.compile(r"[区会][(（]")  # looked for first: the pattern above may start anywhere

# ------------------------------------------------------------ concepts (mentions.py)
# a 《title》 that names a multi-year plan (纲要, 规划 with its years, a five-year plan): a programme
PROGRAMME_TITLE = re.compile(r"纲要.*20\d\d|20\d\d.*纲要|实施纲要|改革纲要|普法规划|20\d\d.*规划|规划.*20\d\d|五年规划")
NUMBERED = re.compile(r"[\d·.]+")
DATE_LIKE = re.compile(r"[\d·.\s]+")
CLAUSE_MARK = re.compile(r"[，,。；;！!？?]")
YEAR_DASH = re.compile(r"(?<=\d)\s*-\s*(?=\d)")

# ------------------------------------------------------------ title, year, date (dates.py)
ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
TITLE_YEAR = re.compile(r"(?<![\d-])(20\d\d)\s*年")
BOOK_TITLE = re.compile(r"《[^》]*》")
AFTER_YEAR = re.compile(r"[,，]|以来|来|是")
LINE_PUNCT = re.compile(r"[，,。；;]")
REPORT_END = re.compile(r"报告$|总结$|情况$")
CONTINUATION_END = re.compile(r"(?:报告|情况|总结)$")
TITLE_END = re.compile(r"(?:报告|总结)$")
