"""The rest of the province for a large demo: Fujian's other counties, their streets and towns,
communities, compounds and firms, with plausible invented names.

Zhangping keeps the article's programme (:mod:`renovation.demo.data`); a demo larger than that
adds counties in this order (Longyan's first, then the other cities'), each with its own code
prefix. The model has no county level, so a county shows in its streets' names
("新罗区东城街道") and its projects' codes ("XL-2025-014"); street and community names are unique
across the province, as the database requires.
"""
import random
from dataclasses import dataclass, field

# (county, short name, code prefix): every county-level division of Fujian but Zhangping.
COUNTIES = [
    ("新罗区", "新罗", "XL"), ("永定区", "永定", "YD"), ("长汀县", "长汀", "CT"), ("上杭县", "上杭", "SH"),
    ("武平县", "武平", "WP"), ("连城县", "连城", "LCX"),
    ("鼓楼区", "鼓楼", "GL"), ("台江区", "台江", "TJ"), ("仓山区", "仓山", "CS"), ("马尾区", "马尾", "MW"),
    ("晋安区", "晋安", "JA"), ("长乐区", "长乐", "CL"), ("闽侯县", "闽侯", "MH"), ("连江县", "连江", "LJ"),
    ("罗源县", "罗源", "LY"), ("闽清县", "闽清", "MQ"), ("永泰县", "永泰", "YT"), ("平潭县", "平潭", "PT"),
    ("福清市", "福清", "FQ"),
    ("思明区", "思明", "SM"), ("海沧区", "海沧", "HC"), ("湖里区", "湖里", "HL"), ("集美区", "集美", "JM"),
    ("同安区", "同安", "TA"), ("翔安区", "翔安", "XA"),
    ("城厢区", "城厢", "CX"), ("涵江区", "涵江", "HJ"), ("荔城区", "荔城", "LCQ"), ("秀屿区", "秀屿", "XYQ"),
    ("仙游县", "仙游", "XY"),
    ("三元区", "三元", "SY"), ("沙县区", "沙县", "SXQ"), ("明溪县", "明溪", "MX"), ("清流县", "清流", "QL"),
    ("宁化县", "宁化", "NH"), ("大田县", "大田", "DT"), ("尤溪县", "尤溪", "YX"), ("将乐县", "将乐", "JL"),
    ("泰宁县", "泰宁", "TN"), ("建宁县", "建宁", "JN"), ("永安市", "永安", "YA"),
    ("鲤城区", "鲤城", "LC"), ("丰泽区", "丰泽", "FZ"), ("洛江区", "洛江", "LJQ"), ("泉港区", "泉港", "QG"),
    ("惠安县", "惠安", "HA"), ("安溪县", "安溪", "AX"), ("永春县", "永春", "YC"), ("德化县", "德化", "DH"),
    ("石狮市", "石狮", "SS"), ("晋江市", "晋江", "JJ"), ("南安市", "南安", "NA"),
    ("芗城区", "芗城", "XC"), ("龙文区", "龙文", "LW"), ("龙海区", "龙海", "LH"), ("长泰区", "长泰", "CTQ"),
    ("云霄县", "云霄", "YXX"), ("漳浦县", "漳浦", "ZPX"), ("诏安县", "诏安", "ZA"), ("东山县", "东山", "DS"),
    ("南靖县", "南靖", "NJ"), ("平和县", "平和", "PH"), ("华安县", "华安", "HAX"),
    ("延平区", "延平", "YP"), ("建阳区", "建阳", "JY"), ("顺昌县", "顺昌", "SC"), ("浦城县", "浦城", "PC"),
    ("光泽县", "光泽", "GZ"), ("松溪县", "松溪", "SX"), ("政和县", "政和", "ZH"), ("邵武市", "邵武", "SW"),
    ("武夷山市", "武夷山", "WYS"), ("建瓯市", "建瓯", "JO"),
    ("蕉城区", "蕉城", "JC"), ("霞浦县", "霞浦", "XP"), ("古田县", "古田", "GT"), ("屏南县", "屏南", "PN"),
    ("寿宁县", "寿宁", "SN"), ("周宁县", "周宁", "ZN"), ("柘荣县", "柘荣", "ZR"), ("福安市", "福安", "FA"),
    ("福鼎市", "福鼎", "FD"),
]
# About this many projects per county in a large demo; a demo just past the article's size
# still gets a few counties.
PROJECTS_PER_COUNTY = 2500
MIN_COUNTIES = 3
# About this many old compounds in a community's programme.
COMPOUNDS_PER_COMMUNITY = 40

URBAN_STREETS = ["东城", "西城", "南城", "北城", "中城", "城东", "城西", "城南", "城北", "凤城", "龙津",
                 "江滨", "河西", "新城", "城关"]
TOWNS = ["龙门", "铁山", "白沙", "坎市", "湖雷", "高陂", "大池", "雁石", "适中", "古田", "庐丰", "蓝溪",
         "南阳", "太拔", "旧县", "才溪", "岩前", "十方", "中堡", "城厢", "洪山", "赤水", "溪口", "马坑",
         "石门", "桂和", "东山", "朋口", "莒溪", "姑田", "新泉", "林坊", "四堡", "濯田", "河田", "策武"]
COMMUNITY_STEMS = [
    "东门", "西门", "南门", "北门", "城中", "城东", "城西", "城南", "城北", "新华", "人民", "解放", "和平",
    "中山", "建设", "胜利", "团结", "红旗", "东风", "朝阳", "文化", "育才", "学前", "府前", "水南", "水北",
    "江滨", "河滨", "溪南", "溪北", "龙泉", "龙腾", "凤山", "凤凰", "翠屏", "紫云", "白云", "青云", "玉兰",
    "桂花", "梅林", "松涛", "竹林", "柳营", "桥南", "桥北", "站前", "车站", "工业", "五一", "七一", "八一",
    "新村", "新街", "老街", "后街", "前街", "大同", "同心", "永安", "长安", "太平", "万福", "百花", "金山",
    "银河", "东岳", "西山", "南山", "北山", "登高", "三角", "四方", "利民", "便民", "民主", "兴业", "振兴",
    "复兴", "光明", "东兴", "西兴", "南兴", "北兴",
]
UNITS = ["粮食局", "供销社", "水电局", "电力公司", "邮电局", "交通局", "林业局", "税务局", "财政局", "公安局",
         "法院", "检察院", "卫生局", "教育局", "文化局", "气象局", "农业银行", "建设银行", "工商银行",
         "人民医院", "中医院", "一中", "二中", "实验小学", "纺织厂", "化肥厂", "水泥厂", "机械厂", "糖厂",
         "啤酒厂", "造纸厂", "罐头厂", "木材公司", "百货公司", "食品公司", "烟草公司", "自来水公司",
         "汽车站", "电影公司", "农机公司", "二轻局", "物资局", "外贸公司", "棉纺厂", "印刷厂", "茶厂"]
UNIT_SUFFIXES = ["宿舍", "宿舍区", "生活区", "家属区"]
PLACE_SUFFIXES = ["新村", "小区", "花园", "公寓", "苑"]
PROVINCE_FIRMS = ["福建建工集团有限责任公司", "中建海峡建设发展有限公司", "福建省第一建筑工程有限公司",
                  "福建省二建建设集团有限公司", "福建省闽南建筑工程有限公司"]
PROVINCE_SUPERVISORS = ["福建省建设监理有限公司", "福建省工程咨询中心有限公司", "福建闽华工程监理有限公司"]
SURNAMES = "陈林黄张李王吴刘蔡杨郑许谢郭洪曾邱廖赖周徐苏叶庄吕江何罗高潘朱钟彭游詹胡施沈余卢梁赵颜柯翁魏"
GIVEN = ["志强", "建华", "文斌", "晓东", "国平", "海燕", "伟", "丽萍", "春生", "秀兰", "建国", "明辉", "小红",
         "俊杰", "德才", "永福", "金水", "美玲", "福生", "雪梅", "国庆", "振华", "荣华", "玉珍"]


@dataclass
class County:
    """One county's places and people, laid out for ``projects`` projects."""

    name: str
    short: str
    prefix: str
    projects: int
    streets: dict[str, list[str]] = field(default_factory=dict)  # street → its communities
    contractors: list[str] = field(default_factory=list)
    supervisors: list[str] = field(default_factory=list)
    engineers: list[str] = field(default_factory=list)


def county_sizes(extra: int) -> list[int]:
    """How many of ``extra`` projects go to each county, in :data:`COUNTIES` order."""
    if extra <= 0:
        return []
    count = min(max(-(-extra // PROJECTS_PER_COUNTY), MIN_COUNTIES), len(COUNTIES))
    count = min(count, extra)
    return [extra // count + (1 if number < extra % count else 0) for number in range(count)]


def lay_out(number: int, projects: int, rng: random.Random, taken: set[str]) -> County:
    """County ``number``'s streets and towns, communities (named uniquely against ``taken``, which
    is updated) and firms, sized for ``projects`` projects."""
    name, short, prefix = COUNTIES[number]
    county = County(name, short, prefix, projects)
    communities = min(max(round(projects / COMPOUNDS_PER_COMMUNITY), 1), len(COMMUNITY_STEMS))
    streets = min(max(communities // 6, 2), 12)
    urban = max(1, streets * 2 // 3)
    places = rng.sample(URBAN_STREETS, urban) + rng.sample(TOWNS, streets - urban)
    street_names = [f"{name}{place}街道" for place in places[:urban]] + [f"{name}{place}镇" for place in places[urban:]]
    stems = rng.sample(COMMUNITY_STEMS, communities)
    for street in street_names:
        county.streets[street] = []
    for index, stem in enumerate(stems):
        community = f"{stem}社区" if f"{stem}社区" not in taken else f"{short}{stem}社区"
        taken.add(community)
        county.streets[street_names[index % len(street_names)]].append(community)
    county.contractors = [f"{short}城建工程有限公司", f"福建{short}建工集团有限公司", *rng.sample(PROVINCE_FIRMS, 2)]
    county.supervisors = [f"{short}工程建设监理有限公司", rng.choice(PROVINCE_SUPERVISORS)]
    county.engineers = [rng.choice(SURNAMES) + rng.choice(GIVEN) for _ in range(max(4, communities // 8))]
    return county


def compound_names(rng: random.Random, count: int, community: str) -> list[str]:
    """``count`` distinct plausible names of old compounds for one community."""
    stem = community.removesuffix("社区")[-2:]
    pool = [f"{unit}{suffix}" for unit in UNITS for suffix in UNIT_SUFFIXES[:2]]
    pool += [f"{stem}{suffix}" for suffix in PLACE_SUFFIXES]
    rng.shuffle(pool)
    names, round_ = pool[:count], 2
    while len(names) < count:
        names += [f"{name}{round_}区" for name in pool[:count - len(names)]]
        round_ += 1
    return names
