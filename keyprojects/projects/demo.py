"""The demo city: a deterministic, realistic data set in the shape of Nanning (南宁市).

`load_projects_demo()` builds organisations, users and projects (with stage history, preliminary items and
factor needs) with bulk inserts so that 1,200 projects take seconds. The city is
built around TODAY (the day it is loaded, or the one given): its history ends there, last month's
reports are coming in, problems sit on the ladder with running clocks, tasks fall due, a meeting is
coming up. Every value comes from one `random.Random(seed)` and TODAY, so the same seed and day give
the same city. Names of companies, people and projects are made up in the usual style; they describe
no real record.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from keyprojects.lib.money import wan_to_yuan
from keyprojects.lib.numbers import cn_numeral
from keyprojects.orgs.models import Organisation, User
from keyprojects.projects.models import FactorNeed, PrelimItem, Project, Sector, Stage, StageChange
from keyprojects.projects.services import project_refresh_search_text

PASSWORD = "demo2026"
# The year the fixed reference data (rail line start dates and codes) were written for: they move
# with the year the city is built in.
BASE_YEAR = 2026

Kind = Organisation.Kind
Role = User.Role
Item = PrelimItem.Kind

OFFICE_NAME = "南宁市重点项目建设办公室"
GOVERNMENT_NAME = "南宁市人民政府"
RAIL_OWNER_NAME = "南宁轨道交通集团有限责任公司"

# ---------------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------------

# name, short name, region code, centre latitude, centre longitude, spread (degrees), weight, places
# fmt: off
DISTRICTS = (
    ("兴宁区", "", "450102", 22.870, 108.380, 0.040, 7,
     ("三塘镇", "五塘镇", "昆仑镇", "民生街道", "朝阳街道", "兴东街道", "东部新城")),
    ("青秀区", "", "450103", 22.815, 108.420, 0.045, 10,
     ("凤岭北片区", "仙葫片区", "长塘镇", "伶俐镇", "南湖街道", "埌东片区", "东盟商务区", "青秀山片区")),
    ("江南区", "", "450105", 22.775, 108.285, 0.040, 8,
     ("沙井街道", "吴圩镇", "苏圩镇", "延安镇", "江西镇", "福建园街道", "白沙片区")),
    ("西乡塘区", "", "450107", 22.850, 108.270, 0.040, 9,
     ("安吉街道", "心圩街道", "石埠街道", "金陵镇", "双定镇", "坛洛镇", "北湖街道", "相思湖片区")),
    ("良庆区", "", "450108", 22.745, 108.400, 0.040, 10,
     ("五象新区", "大塘镇", "南晓镇", "那马镇", "良庆镇", "玉洞街道", "蟠龙片区", "五象湖片区")),
    ("邕宁区", "", "450109", 22.760, 108.500, 0.040, 6,
     ("蒲庙镇", "新江镇", "那楼镇", "百济镇", "中和镇", "龙岗片区")),
    ("武鸣区", "", "450110", 23.160, 108.270, 0.060, 6,
     ("城厢镇", "双桥镇", "宁武镇", "锣圩镇", "甘圩镇", "太平镇", "府城镇", "伊岭工业集中区")),
    ("隆安县", "", "450123", 23.170, 107.700, 0.060, 3,
     ("城厢镇", "那桐镇", "乔建镇", "丁当镇", "雁江镇", "南圩镇")),
    ("马山县", "", "450124", 23.710, 108.180, 0.060, 3,
     ("白山镇", "百龙滩镇", "林圩镇", "古零镇", "金钗镇", "周鹿镇")),
    ("上林县", "", "450125", 23.430, 108.600, 0.060, 3,
     ("大丰镇", "明亮镇", "巷贤镇", "白圩镇", "三里镇", "澄泰乡")),
    ("宾阳县", "", "450126", 23.220, 108.810, 0.060, 4,
     ("宾州镇", "黎塘镇", "新桥镇", "古辣镇", "大桥镇", "露圩镇", "王灵镇")),
    ("横州市", "", "450181", 22.680, 109.260, 0.070, 5,
     ("横州镇", "六景镇", "峦城镇", "百合镇", "校椅镇", "云表镇", "南乡镇")),
    ("南宁高新技术产业开发区", "南宁高新区", "450171", 22.855, 108.250, 0.025, 6,
     ("高新大道沿线", "科园大道沿线", "总部路片区", "高新工业园", "安宁片区", "相思湖北片区")),
    ("南宁经济技术开发区", "南宁经开区", "450172", 22.730, 108.240, 0.030, 5,
     ("那洪片区", "吴圩片区", "银海大道沿线", "国凯大道沿线", "金凯片区", "综合保税区")),
    ("广西—东盟经济技术开发区", "东盟经开区", "450173", 23.030, 108.220, 0.030, 4,
     ("里建片区", "宁武片区", "华侨投资区", "食品产业园", "新材料产业园")),
)
# fmt: on
URBAN = ("兴宁区", "青秀区", "江南区", "西乡塘区", "良庆区", "邕宁区")

# name, short name
DEPARTMENTS = (
    ("市发展和改革委员会", "市发改委"),
    ("市自然资源和规划局", "市自然资源局"),
    ("市住房和城乡建设局", "市住建局"),
    ("市生态环境局", ""),
    ("市财政局", ""),
    ("市交通运输局", "市交通局"),
    ("市水利局", ""),
    ("市工业和信息化局", "市工信局"),
    ("市商务局", ""),
    ("市教育局", ""),
    ("市卫生健康委员会", "市卫健委"),
    ("市文化广电和旅游局", "市文广旅局"),
    ("市体育局", ""),
    ("市农业农村局", "市农业局"),
    ("市林业和园林局", "市林园局"),
    ("市城市管理综合执法局", "市城管局"),
    ("市市场监督管理局", "市市场监管局"),
    ("市行政审批局", ""),
    ("市科学技术局", "市科技局"),
    ("市民政局", ""),
    ("市应急管理局", "市应急局"),
    ("市人力资源和社会保障局", "市人社局"),
    ("市投资促进局", "市投促局"),
    ("市大数据发展局", ""),
    ("市人民政府国有资产监督管理委员会", "市国资委"),
)
DEVELOPMENT_REFORM = "市发展和改革委员会"

# name, OC4IDS projectSector code, weight in the generated list
SECTORS = (
    ("产业", "economy", 36),
    ("基础设施", "transport", 30),
    ("社会民生", "socialHousing", 20),
    ("生态环保", "naturalResources", 9),
    ("科技产业", "communications", 5),
)

# Responsible departments by sector: the usual lead units first.
SECTOR_DEPARTMENTS = {
    "产业": (
        "市工业和信息化局",
        "市商务局",
        "市投资促进局",
        "市自然资源和规划局",
        "市农业农村局",
        "市文化广电和旅游局",
    ),
    "基础设施": (
        "市交通运输局",
        "市住房和城乡建设局",
        "市自然资源和规划局",
        "市水利局",
        "市城市管理综合执法局",
        "市财政局",
    ),
    "社会民生": (
        "市住房和城乡建设局",
        "市教育局",
        "市卫生健康委员会",
        "市民政局",
        "市体育局",
        "市文化广电和旅游局",
        "市财政局",
    ),
    "生态环保": ("市生态环境局", "市水利局", "市林业和园林局", "市城市管理综合执法局", "市住房和城乡建设局"),
    "科技产业": ("市科学技术局", "市工业和信息化局", "市大数据发展局", "市投资促进局"),
}

# City-level owners: name, short name, district, category.
CITY_OWNERS = (
    (RAIL_OWNER_NAME, "南宁轨道集团", "青秀区", "rail"),
    ("南宁城市建设投资集团有限责任公司", "南宁城投", "青秀区", "city_infra"),
    ("南宁交通投资集团有限责任公司", "南宁交投", "青秀区", "city_infra"),
    ("南宁五象新区投资开发集团有限公司", "五象投资", "良庆区", "city_infra"),
    ("南宁沛宁资产经营有限责任公司", "沛宁资产", "青秀区", "city_infra"),
    ("南宁市城市道路建设管理中心", "", "青秀区", "city_infra"),
    ("南宁产业投资集团有限责任公司", "南宁产投", "青秀区", "city_industry"),
    ("南宁威宁投资集团有限责任公司", "威宁集团", "青秀区", "city_industry"),
    ("南宁金融投资集团有限责任公司", "南宁金投", "青秀区", "city_industry"),
    ("南宁临空经济发展投资有限公司", "", "江南区", "city_industry"),
    ("南宁国际铁路港投资建设有限公司", "", "江南区", "city_industry"),
    ("南宁建宁水务投资集团有限责任公司", "建宁水务", "青秀区", "water"),
    ("广西绿城水务股份有限公司", "绿城水务", "西乡塘区", "water"),
    ("南宁市排水有限责任公司", "", "西乡塘区", "water"),
    ("南宁市城市内河管理处", "", "青秀区", "water"),
    ("南宁市园林绿化建设中心", "", "青秀区", "eco"),
    ("南宁市城市生活垃圾处理中心", "", "江南区", "eco"),
    ("南宁安居集团有限公司", "南宁安居", "青秀区", "housing"),
    ("南宁市保障性住房建设管理中心", "", "青秀区", "housing"),
    ("南宁文化旅游投资集团有限责任公司", "南宁文旅", "青秀区", "tourism"),
    ("南宁市体育产业投资有限公司", "", "良庆区", "culture"),
    ("南宁市文化设施建设管理中心", "", "青秀区", "culture"),
    ("南宁市社会福利事业发展中心", "", "兴宁区", "culture"),
    ("南宁农业投资集团有限责任公司", "南宁农投", "江南区", "agri"),
    ("广西交通投资集团有限公司", "广西交投", "青秀区", "highway"),
    ("广西新发展交通集团有限公司", "", "青秀区", "highway"),
    ("中国铁路南宁局集团有限公司", "南宁局集团", "西乡塘区", "highway"),
    ("广西机场管理集团有限责任公司", "机场集团", "江南区", "airport"),
    ("广西电网有限责任公司南宁供电局", "南宁供电局", "青秀区", "power"),
    ("广西广投能源集团有限公司", "广投能源", "青秀区", "power"),
    ("南宁华润燃气有限公司", "", "青秀区", "power"),
    ("中国移动通信集团广西有限公司南宁分公司", "南宁移动", "青秀区", "telecom"),
    ("中国铁塔股份有限公司南宁市分公司", "南宁铁塔", "青秀区", "telecom"),
    ("中国电信股份有限公司南宁分公司", "南宁电信", "青秀区", "telecom"),
)

# Hospitals and schools that own projects: name, district.
HOSPITALS = (
    ("南宁市第一人民医院", "兴宁区"),
    ("南宁市第二人民医院", "江南区"),
    ("南宁市第三人民医院", "青秀区"),
    ("南宁市第四人民医院", "西乡塘区"),
    ("南宁市第五人民医院", "西乡塘区"),
    ("南宁市第六人民医院", "良庆区"),
    ("南宁市第七人民医院", "兴宁区"),
    ("南宁市第八人民医院", "邕宁区"),
    ("南宁市中医医院", "青秀区"),
    ("南宁市妇幼保健院", "青秀区"),
    ("南宁市红十字会医院", "西乡塘区"),
    ("南宁市社会福利医院", "兴宁区"),
    ("广西医科大学第一附属医院", "青秀区"),
    ("广西壮族自治区人民医院", "青秀区"),
    ("广西中医药大学第一附属医院", "西乡塘区"),
    ("广西壮族自治区妇幼保健院", "良庆区"),
    ("武鸣区人民医院", "武鸣区"),
    ("横州市人民医院", "横州市"),
    ("宾阳县人民医院", "宾阳县"),
    ("上林县人民医院", "上林县"),
    ("马山县人民医院", "马山县"),
    ("隆安县人民医院", "隆安县"),
    ("邕宁区人民医院", "邕宁区"),
    ("横州市中医医院", "横州市"),
    ("宾阳县中医医院", "宾阳县"),
)
SCHOOLS = (
    ("南宁市第二中学", "江南区"),
    ("南宁市第三中学", "青秀区"),
    ("南宁市第十四中学", "青秀区"),
    ("南宁市第二十六中学", "西乡塘区"),
    ("南宁市第三十三中学", "西乡塘区"),
    ("南宁市第四十二中学", "良庆区"),
    ("南宁市天桃实验学校", "青秀区"),
    ("南宁市滨湖路小学", "青秀区"),
    ("南宁市五象新区第一实验小学", "良庆区"),
    ("南宁师范大学", "西乡塘区"),
    ("南宁职业技术大学", "青秀区"),
    ("南宁学院", "兴宁区"),
    ("广西大学", "西乡塘区"),
    ("广西民族大学", "西乡塘区"),
    ("南宁市第一职业技术学校", "西乡塘区"),
    ("南宁市卫生学校", "兴宁区"),
    ("武鸣高级中学", "武鸣区"),
    ("横州中学", "横州市"),
    ("宾阳中学", "宾阳县"),
)

# Industrial parks: name, district.
PARKS = (
    ("南宁·中关村科技园", "南宁高新技术产业开发区"),
    ("南宁高新区电子信息产业园", "南宁高新技术产业开发区"),
    ("南宁经开区新能源汽车产业园", "南宁经济技术开发区"),
    ("南宁临空经济示范区", "南宁经济技术开发区"),
    ("东盟经开区食品产业园", "广西—东盟经济技术开发区"),
    ("东盟经开区新材料产业园", "广西—东盟经济技术开发区"),
    ("六景工业园区", "横州市"),
    ("伊岭工业集中区", "武鸣区"),
    ("黎塘工业园区", "宾阳县"),
    ("邕宁新兴产业园", "邕宁区"),
    ("那桐工业园区", "隆安县"),
    ("马山县工业集中区", "马山县"),
    ("上林县产业园区", "上林县"),
    ("南宁东部新城产业园", "兴宁区"),
    ("五象新区总部基地", "良庆区"),
    ("江南区先进制造产业园", "江南区"),
    ("西乡塘区坛洛工业园", "西乡塘区"),
    ("青秀区仙葫经济开发区", "青秀区"),
)

# Enterprise industries: word in the company name, sector, products (name, unit of yearly output or "").
INDUSTRIES = (
    (
        "电子科技",
        "产业",
        (("电子元器件", "亿只"), ("智能终端", "万台"), ("新型显示模组", "万片"), ("印制电路板", "万平方米")),
    ),
    (
        "新材料",
        "产业",
        (
            ("高性能铝合金材料", "万吨"),
            ("特种玻璃纤维", "万吨"),
            ("新型环保建材", "万吨"),
            ("碳酸钙深加工", "万吨"),
        ),
    ),
    ("新能源科技", "产业", (("锂电池正极材料", "万吨"), ("储能电池", "GWh"), ("光伏组件", "GW"))),
    ("汽车零部件", "产业", (("新能源汽车零部件", "万套"), ("汽车线束", "万套"), ("汽车轻量化部件", "万件"))),
    ("生物医药", "产业", (("中成药", "吨"), ("生物制剂", "万支"), ("原料药", "吨"))),
    (
        "食品",
        "产业",
        (
            ("休闲食品", "万吨"),
            ("预制菜", "万吨"),
            ("茉莉花茶深加工", "吨"),
            ("果蔬精深加工", "万吨"),
            ("粮油加工", "万吨"),
        ),
    ),
    ("铝业", "产业", (("铝型材", "万吨"), ("高端铝箔", "万吨"))),
    ("智能装备", "产业", (("智能农机装备", "台"), ("工业机器人", "台"), ("智能电网装备", "台套"))),
    ("林产", "产业", (("高端人造板", "万立方米"), ("林产化工", "万吨"))),
    ("家居", "产业", (("定制家居", "万套"), ("高端实木家具", "万件"))),
    ("糖业", "产业", (("制糖及综合利用", "万吨"),)),
    ("医疗器械", "产业", (("医用耗材", "亿件"), ("体外诊断试剂", "万人份"))),
    ("供应链管理", "产业", (("冷链物流中心", ""), ("智慧物流园", ""), ("跨境电商物流中心", ""))),
    ("文化旅游发展", "产业", (("文旅小镇", ""), ("旅游度假区", ""), ("文化创意园", ""))),
    ("置业", "产业", (("商业综合体", ""), ("总部大楼", ""), ("星级酒店", ""))),
    ("现代农业", "产业", (("现代农业产业园", ""), ("生猪养殖基地", ""), ("智慧农业示范基地", ""))),
    ("数据科技", "科技产业", (("数据中心", ""), ("算力中心", ""), ("智能计算中心", ""))),
    ("信息技术", "科技产业", (("软件研发中心", ""), ("工业互联网平台", ""), ("数字经济产业园", ""))),
    ("光电科技", "科技产业", (("光电芯片封装测试", "万片"), ("激光器件", "万只"))),
    ("半导体", "科技产业", (("功率半导体器件", "亿只"), ("集成电路封装测试", "亿颗"))),
)
ENERGY_INTENSIVE = ("新材料", "新能源科技", "铝业", "糖业", "林产", "数据科技", "半导体")

BRAND_CHARS = "华泰瑞盛鑫源博创达联航凯宏远嘉信恒润邕绿桂德丰正科元鼎晟浩新弘益隆兴祥和宁海"
ENTERPRISE_PREFIXES = ("广西", "广西", "南宁", "南宁市", "")
ENTERPRISE_SUFFIXES = ("有限公司", "有限公司", "有限责任公司", "股份有限公司", "集团有限公司")

ROADS = (
    "五象大道",
    "玉洞大道",
    "龙岗大道",
    "平乐大道",
    "良庆大道",
    "秋月路",
    "歌海路",
    "金象路",
    "那洪大道",
    "银海大道",
    "邕武路",
    "昆仑大道",
    "长堽路",
    "凤岭北路",
    "青山路",
    "友谊路",
    "大学东路",
    "秀灵路",
    "安吉大道",
    "高新大道",
    "科园大道",
    "邕宾路",
    "星光大道",
    "白沙大道",
    "江南大道",
    "仙葫大道",
    "长湖路",
    "厢竹大道",
    "民族大道东段",
    "园湖南路",
    "嘉宾路",
    "清川大道",
    "沙井大道",
    "壮锦大道",
    "那安快速路",
)
ROAD_CHARS = "象秋月平乐龙岗玉洞凤岭青秀良庆邕宁那坛福兴华明安康和顺桂荔茉莉蟠云锦"
RIVERS = (
    "那考河",
    "心圩江",
    "竹排江",
    "良凤江",
    "八尺江",
    "可利江",
    "凤凰江",
    "水塘江",
    "石灵河",
    "亭子冲",
    "马巢河",
    "大岸冲",
    "武鸣河",
    "西明江",
    "楞塘冲",
    "二坑溪",
    "那平江",
    "朝阳溪",
    "土桥冲",
    "降桥江",
)
MOUNTAINS = ("五象岭", "大明山", "老虎岭", "凤凰山", "昆仑关", "九曲湾", "良凤江", "金鸡山")
TOWNS = (
    "南宁",
    "武鸣",
    "宾阳",
    "上林",
    "马山",
    "隆安",
    "横州",
    "吴圩",
    "大塘",
    "那马",
    "邕宁",
    "钦州",
    "贵港",
    "来宾",
    "崇左",
    "百色",
    "平果",
    "黎塘",
    "六景",
    "苏圩",
)

SURNAMES = "黄韦陆覃李梁农蒙莫卢陈刘张王周何杨罗廖潘谢林吴邓蓝甘苏唐曾冯"
GIVEN = "建华志强明国平海军伟丽芳燕红文斌涛勇敏静宇峰辉玲春晓东振宏新德杰琳婷"

# username, full name, title, sectors the leader links with; "leader" is the demo login.
LEADERS = (
    ("leader", "韦建平", "副市长", ("基础设施", "生态环保")),
    ("leader2", "黄志强", "市委副书记、市长", ()),
    ("leader3", "陆振宇", "市委常委、常务副市长", ("产业", "科技产业")),
    ("leader4", "覃丽华", "副市长", ("社会民生",)),
    ("leader5", "梁海涛", "副市长", ("生态环保", "社会民生")),
    ("leader6", "蒙晓东", "副市长", ("产业", "基础设施")),
    ("leader7", "农卫国", "市委常委、南宁高新区党工委书记", ("科技产业", "产业")),
    ("leader8", "李明远", "市委常委、秘书长", ("基础设施", "社会民生")),
)

# The rail lines: name, code, start date, investment (万元), district, sections, stations (name, district).
RAIL_LINES = (
    (
        "南宁市轨道交通6号线一期工程",
        "2312-450100-04-01-386205",
        dt.date(2024, 3, 28),
        "2986500",
        "青秀区",
        (22.862, 108.455),
        (22.700, 108.360),
        ("土建施工1标", "土建施工2标", "土建施工3标", "机电设备安装工程"),
        (
            ("仙葫大道", "青秀区"),
            ("凤岭北", "青秀区"),
            ("青秀山", "青秀区"),
            ("五象湖", "良庆区"),
            ("龙岗大道", "良庆区"),
            ("玉洞", "良庆区"),
            ("蟠龙", "良庆区"),
            ("大塘", "良庆区"),
        ),
    ),
    (
        "南宁市轨道交通7号线一期工程",
        "2403-450100-04-01-529718",
        dt.date(2024, 12, 26),
        "2453218.56",
        "西乡塘区",
        (22.840, 108.200),
        (22.905, 108.385),
        ("土建施工1标", "土建施工2标", "土建施工3标", "车辆段及停车场工程"),
        (
            ("石埠", "西乡塘区"),
            ("相思湖", "西乡塘区"),
            ("心圩江", "南宁高新技术产业开发区"),
            ("安吉客运站", "西乡塘区"),
            ("北湖", "西乡塘区"),
            ("秀厢", "西乡塘区"),
            ("昆仑大道", "兴宁区"),
            ("三塘", "兴宁区"),
        ),
    ),
)

# Investment (万元, low–high) by a word in the project name; the first match wins over the template's range.
SIZE_BY_KEYWORD = (
    ("高速公路", 800000, 3000000),
    ("机场", 150000, 1200000),
    ("院区", 80000, 400000),
    ("校区", 50000, 300000),
    ("综合管廊", 30000, 250000),
    ("水厂", 10000, 120000),
    ("风电场", 60000, 300000),
    ("光伏", 20000, 120000),
    ("立交", 30000, 200000),
    ("流域", 30000, 300000),
    ("焚烧发电", 60000, 250000),
    ("城中村", 50000, 600000),
    ("安置房", 20000, 200000),
    ("幼儿园", 1500, 12000),
    ("小学", 5000, 40000),
    ("初级中学", 8000, 60000),
    ("九年一贯制", 10000, 80000),
    ("农贸市场", 800, 8000),
    ("公交首末站", 1500, 12000),
    ("充电", 2000, 30000),
    ("数据中心", 50000, 500000),
    ("算力中心", 50000, 600000),
    ("商业综合体", 80000, 600000),
    ("旅游度假区", 50000, 500000),
    ("物流园", 20000, 300000),
)

STAGE_WEIGHTS = (
    (Stage.RESERVE, 10),
    (Stage.PRELIMINARY, 19),
    (Stage.CONSTRUCTION, 52),
    (Stage.COMPLETED, 9),
    (Stage.OPERATING, 6),
    (Stage.SUSPENDED, 3),
    (Stage.CANCELLED, 1),
)
SUSPEND_NOTES = (
    "资金未落实，暂缓实施",
    "规划调整，暂停推进",
    "用地手续未完善，暂停推进",
    "企业经营调整，项目暂停",
)
CANCEL_NOTES = ("业主投资计划调整，终止实施", "选址与国土空间规划冲突，项目终止", "与其他项目合并实施")

GOVERNMENT_ITEMS = (
    Item.APPROVAL,
    Item.FEASIBILITY,
    Item.LAND_PRECHECK,
    Item.LAND_GRANT,
    Item.LAND_PLANNING,
    Item.WORKS_PLANNING,
    Item.EIA,
    Item.ENERGY,
    Item.PRELIM_DESIGN,
    Item.DRAWING_REVIEW,
    Item.TENDER,
    Item.CONSTRUCTION_PERMIT,
)
ENTERPRISE_ITEMS = (
    Item.APPROVAL,
    Item.LAND_GRANT,
    Item.LAND_PLANNING,
    Item.WORKS_PLANNING,
    Item.EIA,
    Item.ENERGY,
    Item.DRAWING_REVIEW,
    Item.CONSTRUCTION_PERMIT,
)
LAND_ITEMS = (Item.LAND_PRECHECK, Item.LAND_GRANT, Item.LAND_PLANNING)
DOCUMENT_PREFIXES = {
    Item.APPROVAL: "南发改投资〔{y}〕{n}号",
    Item.FEASIBILITY: "南发改审批〔{y}〕{n}号",
    Item.LAND_PRECHECK: "用字第450100{y}{n:05d}号",
    Item.LAND_GRANT: "南府地〔{y}〕{n}号",
    Item.LAND_PLANNING: "地字第450100{y}{n:05d}号",
    Item.WORKS_PLANNING: "建字第450100{y}{n:05d}号",
    Item.EIA: "南审批环评〔{y}〕{n}号",
    Item.ENERGY: "南审批能审〔{y}〕{n}号",
    Item.PRELIM_DESIGN: "南住建设计〔{y}〕{n}号",
    Item.DRAWING_REVIEW: "图审第{y}{n:05d}号",
    Item.TENDER: "NNZB{y}{n:05d}",
    Item.CONSTRUCTION_PERMIT: "450100{y}{n:06d}0101",
}


def shift_years(day: dt.date, years: int) -> dt.date:
    """DAY moved by whole YEARS (29 February becomes the 28th in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class _District:
    def __init__(self, org, code, lat, lng, spread, weight, places):
        self.org, self.code, self.lat, self.lng = org, code, lat, lng
        self.spread, self.weight, self.places = spread, weight, places

    @property
    def label(self):
        return self.org.short_name or self.org.name


class _Owner:
    def __init__(self, org, category, district, brand="", industry=None):
        self.org, self.category, self.district = org, category, district
        self.brand, self.industry = brand, industry


class _Draft:
    """A generated project before it becomes a Project: what the sector templates decide."""

    def __init__(
        self, name, content, owner, district, place, wan_range, *, gov=True, land=True, energy=False
    ):
        self.name, self.content, self.owner, self.district, self.place = name, content, owner, district, place
        self.wan_range, self.gov, self.land, self.energy = wan_range, gov, land, energy
        self.wan = None


class _Plan:
    """One project to be inserted, with the rows that hang off it."""

    def __init__(self, project, gov, land, energy):
        self.project = project
        self.gov, self.land, self.energy = gov, land, energy
        self.departments = []
        self.history = []  # (from_stage, to_stage, date, note)
        self.district = None  # the _District it lies in
        self.prelim_from = None  # date preliminary work began
        self.planned_start = None


class _Builder:
    def __init__(self, seed, stdout, today):
        self.rng = random.Random(seed)
        self.stdout = stdout
        # History ends a little before TODAY: what happened today is the other demos' business.
        self.ref = today
        self.shift = today.year - BASE_YEAR
        self.names = set()
        self.codes = set()
        self.credit_codes = set()

    def say(self, text):
        if self.stdout is not None:
            self.stdout.write(text + "\n")

    # -- small random helpers ---------------------------------------------------------------------

    def pick(self, weighted):
        """One item of ((item, weight), …)."""
        items = [item for item, _ in weighted]
        weights = [weight for _, weight in weighted]
        return self.rng.choices(items, weights)[0]

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        """A day in [START, END]; END when the window is empty, so that no date passes END."""
        if end <= start:
            return end
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def person(self):
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.7 else "")
        return self.rng.choice(SURNAMES) + given

    def phone(self):
        if self.rng.random() < 0.5:
            return f"0771-{self.rng.randint(2000000, 5999999)}"
        return f"1{self.rng.choice('3578')}{self.rng.randint(0, 9)}{self.rng.randint(10000000, 99999999)}"

    def credit_code(self, prefix, region):
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        while True:
            code = prefix + region + "".join(self.rng.choice(alphabet) for _ in range(10))
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    def new_road(self):
        a, b = self.rng.sample(ROAD_CHARS, 2)
        return a + b + self.rng.choice(("路", "路", "路", "大道", "街"))

    def wan(self, low, high):
        """An investment in 万元, log-uniform in [low, high]: mostly round figures, some to the yuan."""
        value = low * (high / low) ** self.rng.random()
        roll = self.rng.random()
        if roll < 0.5:
            step = 1000 if value >= 100_000 else 100 if value >= 10_000 else 10
            return Decimal(max(step, round(value / step) * step))
        if roll < 0.85:
            return Decimal(round(value))
        if roll < 0.95:
            return Decimal(f"{value:.2f}")
        return Decimal(f"{value:.4f}")

    def point(self, district):
        lat = district.lat + self.rng.uniform(-district.spread, district.spread)
        lng = district.lng + self.rng.uniform(-district.spread, district.spread)
        return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")

    def unique_name(self, make):
        """Call MAKE until it gives an unused project name; after a few tries, number the phase."""
        name = make()
        for _ in range(6):
            if name not in self.names:
                break
            name = make()
        base, phase = name, 2
        while name in self.names:
            if base.endswith("项目") or base.endswith("工程"):
                name = f"{base[:-2]}（{cn_numeral(phase) if phase < 100 else phase}期）{base[-2:]}"
            else:
                name = f"{base}（{phase}）"
            phase += 1
        self.names.add(name)
        return name

    def project_code(self, region, issued: dt.date, gov):
        """National project code: YYMM-RRRRRR-DD-TT-NNNNNN since 2020-11, YYYY-… before."""
        kind = "01" if gov else self.rng.choice(("03", "03", "03", "02"))
        guide = self.rng.choice(("04", "48", "88", "89", "89", "05", "27"))
        while True:
            serial = f"{self.rng.randint(0, 999999):06d}"
            if issued >= dt.date(2020, 11, 1):
                code = f"{issued:%y%m}-{region}-{guide}-{kind}-{serial}"
            else:
                code = f"{issued.year}-{region}-{guide}-{kind}-{serial}"
                if self.rng.random() < 0.3:
                    code += "-000"
            if code not in self.codes:
                self.codes.add(code)
                return code

    # -- organisations and people -------------------------------------------------------------------

    def build_organisations(self):
        orgs = [
            Organisation(
                kind=Kind.OFFICE,
                name=OFFICE_NAME,
                short_name="市重点办",
                sort=1,
                contact=self.person(),
                phone=self.phone(),
            ),
            Organisation(kind=Kind.OFFICE, name=GOVERNMENT_NAME, short_name="市政府", sort=2),
        ]
        for i, (name, short, code, *_rest) in enumerate(DISTRICTS):
            orgs.append(
                Organisation(
                    kind=Kind.DISTRICT,
                    name=name,
                    short_name=short,
                    code=code,
                    sort=i + 1,
                    contact=self.person(),
                    phone=self.phone(),
                )
            )
        for i, (name, short) in enumerate(DEPARTMENTS):
            orgs.append(
                Organisation(
                    kind=Kind.DEPARTMENT,
                    name=name,
                    short_name=short,
                    sort=i + 1,
                    code=self.credit_code("11", "450100"),
                    contact=self.person(),
                    phone=self.phone(),
                )
            )
        Organisation.objects.bulk_create(orgs)
        self.office, self.government = orgs[0], orgs[1]
        self.districts = []
        self.district_by_name = {}
        for org, (_name, _short, code, lat, lng, spread, weight, places) in zip(
            orgs[2 : 2 + len(DISTRICTS)], DISTRICTS, strict=True
        ):
            district = _District(org, code, lat, lng, spread, weight, places)
            self.districts.append(district)
            self.district_by_name[org.name] = district
        self.departments = {org.name: org for org in orgs[2 + len(DISTRICTS) :]}

    def build_owners(self, count=300):
        owners = []
        for name, short, district, category in CITY_OWNERS:
            owners.append((name, short, self.district_by_name[district], category, "", None, "91"))
        for name, district in HOSPITALS:
            owners.append((name, "", self.district_by_name[district], "hospital", "", None, "12"))
        for name, district in SCHOOLS:
            owners.append((name, "", self.district_by_name[district], "school", "", None, "12"))
        for district in self.districts:
            name = district.org.name
            if district.org.short_name:
                first = f"{district.org.short_name}投资建设集团有限公司"
                second = f"{district.org.short_name}产业发展有限公司"
            elif name in URBAN:
                first = f"南宁市{name}城市建设投资集团有限公司"
                second = f"南宁市{name}国有资产投资经营有限公司"
            else:
                first = f"{name}城市建设投资有限责任公司"
                second = f"{name}乡村振兴投资发展有限公司"
            owners.append((first, "", district, "district_platform", "", None, "91"))
            owners.append((second, "", district, "district_platform", "", None, "91"))
        # Enterprises fill the rest, more of them in the zones and counties where the factories are.
        enterprise_weights = [
            (d, d.weight * (3 if d.org.short_name else 1 if d.org.name in URBAN else 2))
            for d in self.districts
        ]
        taken = {owner[0] for owner in owners}
        while len(owners) < count:
            industry = self.rng.choice(INDUSTRIES)
            brand = "".join(self.rng.sample(BRAND_CHARS, 2))
            name = (
                self.rng.choice(ENTERPRISE_PREFIXES)
                + brand
                + industry[0]
                + self.rng.choice(ENTERPRISE_SUFFIXES)
            )
            if name in taken:
                continue
            taken.add(name)
            district = self.pick(enterprise_weights)
            owners.append((name, "", district, "enterprise", brand, industry, "91"))

        orgs = [
            Organisation(
                kind=Kind.OWNER,
                name=name,
                short_name=short,
                district=district.org,
                sort=i + 1,
                code=self.credit_code(prefix, district.code),
                contact=self.person(),
                phone=self.phone(),
            )
            for i, (name, short, district, _category, _brand, _industry, prefix) in enumerate(owners)
        ]
        Organisation.objects.bulk_create(orgs)
        self.owners = [
            _Owner(org, category, district, brand, industry)
            for org, (_n, _s, district, category, brand, industry, _p) in zip(orgs, owners, strict=True)
        ]
        self.owners_by_category = {}
        for owner in self.owners:
            self.owners_by_category.setdefault(owner.category, []).append(owner)
        self.rail_owner = self.owners[0]

    def build_users(self):
        password = make_password(PASSWORD)  # hashing is slow by design: once for every demo login
        district = self.district_by_name["青秀区"].org
        department = self.departments[DEVELOPMENT_REFORM]
        users = [
            User(
                username="admin",
                role=Role.OFFICE_ADMIN,
                organisation=self.office,
                full_name="周敏",
                title="系统管理员",
                is_staff=True,
                is_superuser=True,
            ),
            User(
                username="staff",
                role=Role.OFFICE_STAFF,
                organisation=self.office,
                full_name="陈立新",
                title="项目管理科科长",
            ),
        ]
        for username, full_name, title, _sectors in LEADERS:
            users.append(
                User(
                    username=username,
                    role=Role.LEADER,
                    organisation=self.government,
                    full_name=full_name,
                    title=title,
                )
            )
        users += [
            User(
                username="district",
                role=Role.DISTRICT,
                organisation=district,
                full_name="罗海燕",
                title="青秀区重大项目服务中心主任",
            ),
            User(
                username="department",
                role=Role.DEPARTMENT,
                organisation=department,
                full_name="潘志刚",
                title="重大项目办公室主任",
            ),
            User(
                username="owner",
                role=Role.OWNER,
                organisation=self.rail_owner.org,
                full_name="谢文斌",
                title="计划合约部经理",
            ),
        ]
        for user in users:
            user.password = password
            user.phone = self.phone()
        User.objects.bulk_create(users)
        self.staff = users[1]
        self.leaders = users[2 : 2 + len(LEADERS)]
        self.users = users

    # -- project names ----------------------------------------------------------------------------

    def owner_for(self, categories):
        category = self.rng.choice(categories)
        return self.rng.choice(self.owners_by_category[category])

    def district_for(self, owner):
        """Where a project of OWNER lies: its own district mostly; city-wide owners anywhere."""
        if (
            owner.category in ("district_platform", "enterprise", "hospital", "school")
            and self.rng.random() < 0.9
        ):
            return owner.district
        return self.pick([(d, d.weight) for d in self.districts])

    def template(self, sector):
        """Name, content, owner, place and kind of one project in SECTOR, as a _Draft."""
        if sector in ("产业", "科技产业"):
            draft = self.industry_project(sector)
        elif sector == "基础设施":
            draft = self.infrastructure_project()
        elif sector == "社会民生":
            draft = self.social_project()
        else:
            draft = self.ecology_project()
        draft.place = draft.place or self.rng.choice(draft.district.places)
        low, high = draft.wan_range
        for keyword, keyword_low, keyword_high in SIZE_BY_KEYWORD:
            if keyword in draft.name:
                low, high = keyword_low, keyword_high
                break
        draft.wan = self.wan(low, high)
        return draft

    def industry_project(self, sector):
        rng = self.rng
        candidates = [o for o in self.owners_by_category["enterprise"] if o.industry[1] == sector]
        if candidates and rng.random() < 0.75:
            owner = rng.choice(candidates)
            district = self.district_for(owner)
            place = rng.choice(district.places)
            product, unit = rng.choice(owner.industry[2])
            quantity = rng.choice((1, 2, 3, 5, 8, 10, 12, 15, 20, 30, 50, 100))
            area = rng.randint(30, 600)
            if unit:  # a factory
                forms = (
                    "{b}{p}项目",
                    "{b}{p}生产基地项目",
                    "{b}{p}项目（一期）",
                    "{b}{p}扩能技改项目",
                    "{b}年产{q}{u}{p}项目",
                )
                content = (
                    f"项目总用地面积约{area}亩，新建生产厂房、研发楼、仓储及配套设施，"
                    f"总建筑面积约{area * rng.randint(400, 900):,}平方米，购置生产及检测设备"
                    f"{rng.randint(50, 800)}台（套），建成后形成年产{quantity}{unit}{product}的生产能力。"
                )
            else:  # a park, a centre, a complex
                forms = ("{b}{p}项目", "{b}{p}项目（一期）", "{b}{place}{p}项目", "{d}{place}{p}项目")
                content = (
                    f"项目总用地面积约{area}亩，总建筑面积约{area * rng.randint(300, 1200):,}平方米，"
                    f"建设{product}主体建筑、配套用房及室外工程。"
                )
            name = self.unique_name(
                lambda: rng.choice(forms).format(
                    b=owner.brand, p=product, q=quantity, u=unit, place=place, d=district.label
                )
            )
            energy = owner.industry[0] in ENERGY_INTENSIVE
            return _Draft(name, content, owner, district, place, (3000, 400000), gov=False, energy=energy)
        park, park_district = rng.choice(PARKS)
        district = self.district_by_name[park_district]
        if rng.random() < 0.5:
            owner = rng.choice(self.owners_by_category["city_industry"])
        else:
            owner = rng.choice(
                [o for o in self.owners_by_category["district_platform"] if o.district is district]
            )
        forms = (
            "{park}标准厂房项目（{n}期）",
            "{park}基础设施配套（{n}期）工程",
            "{park}产业孵化中心项目",
            "{park}综合服务中心项目",
        )
        name = self.unique_name(lambda: rng.choice(forms).format(park=park, n=cn_numeral(rng.randint(1, 5))))
        content = (
            f"新建标准厂房、研发办公用房及配套设施，总建筑面积约{rng.randint(5, 60)}万平方米，"
            f"同步建设园区道路、给排水、供电、绿化等配套工程。"
        )
        return _Draft(name, content, owner, district, park, (5000, 150000))

    def infrastructure_project(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.34:  # new roads
            owner = self.owner_for(("city_infra", "district_platform", "district_platform"))
            district = self.district_for(owner)
            place = rng.choice(district.places)

            def make():
                road = self.new_road()
                if district.org.name == "良庆区" and rng.random() < 0.5:
                    return f"南宁市五象新区{road}道路工程"
                return rng.choice(
                    (
                        f"{district.label}{road}道路工程",
                        f"{district.label}{place}{road}道路工程",
                        f"{district.label}{place}路网工程（{cn_numeral(rng.randint(1, 3))}期）",
                    )
                )

            content = (
                f"新建道路全长约{rng.uniform(0.6, 8.0):.2f}公里，"
                f"红线宽度{rng.choice((24, 30, 36, 40, 50, 60))}米，"
                f"双向{rng.choice(('两', '四', '六', '八'))}车道，主要建设道路、桥涵、给排水、照明、"
                f"绿化及交通设施等工程。"
            )
            return _Draft(self.unique_name(make), content, owner, district, place, (3000, 180000))
        if roll < 0.48:  # existing roads
            owner = self.owner_for(("city_infra", "district_platform"))
            district = self.district_for(owner)
            road = rng.choice(ROADS)
            forms = (
                f"{road}改造提升工程",
                f"{road}综合整治工程",
                f"{road}与{rng.choice(ROADS)}立交工程",
                f"{district.label}{road}延长线工程",
            )
            name = self.unique_name(lambda: rng.choice(forms))
            content = (
                f"对现状道路约{rng.uniform(1, 9):.1f}公里进行提质改造，包括路面改造、人行道及非机动车道"
                f"改造、排水管网改造、照明及绿化提升等。"
            )
            return _Draft(name, content, owner, district, road, (2000, 80000), land=False)
        if roll < 0.56:  # highways and trunk roads
            owner = self.owner_for(("highway", "city_infra"))
            district = self.pick([(d, d.weight) for d in self.districts if d.org.name not in URBAN])
            a, b = rng.sample(TOWNS, 2)
            forms = (
                f"{a}至{b}高速公路（南宁段）",
                f"G{rng.choice((210, 322, 324, 325, 357))}线{a}至{b}段公路改扩建工程",
                f"{a}至{b}一级公路工程",
            )
            name = self.unique_name(lambda: rng.choice(forms))
            grade = "高速公路" if "高速" in name else "一级公路"
            content = (
                f"路线全长约{rng.randint(12, 160)}公里，按{grade}标准建设，设计速度"
                f"{rng.choice((80, 100, 120)) if grade == '高速公路' else 80}公里/小时，"
                f"同步建设互通立交、桥梁隧道及交通工程。"
            )
            return _Draft(name, content, owner, district, "", (50000, 400000))
        if roll < 0.64:  # water supply and pipes
            owner = self.owner_for(("water", "city_infra", "district_platform"))
            district = self.district_for(owner)
            place = rng.choice(district.places)
            forms = (
                f"{district.label}{place}水厂（{cn_numeral(rng.randint(1, 3))}期）工程",
                f"{district.label}{place}地下综合管廊工程",
                f"{district.label}城市排水防涝设施建设项目",
                f"{district.label}{place}供水管网工程",
            )
            name = self.unique_name(lambda: rng.choice(forms))
            if "水厂" in name:
                content = (
                    f"新建供水规模{rng.choice((5, 10, 15, 20, 30))}万立方米/日，配套建设输配水管网约"
                    f"{rng.randint(5, 60)}公里及加压泵站。"
                )
            else:
                content = f"建设管道（管廊）约{rng.uniform(2, 25):.1f}公里及附属设施。"
            return _Draft(name, content, owner, district, place, (3000, 80000), land="管网" not in name)
        if roll < 0.76:  # power and gas
            owner = self.owner_for(("power",))
            district = self.district_for(owner)
            place = rng.choice(district.places)
            forms = (
                f"南宁{place}220千伏输变电工程",
                f"{district.label}{place}110千伏输变电工程",
                f"{district.label}{place}{rng.choice((50, 100, 150, 200))}兆瓦农光互补光伏发电项目",
                f"{district.label}{place}风电场项目",
                f"{district.label}天然气管网工程",
                f"{district.label}公共充电基础设施建设项目",
            )
            name = self.unique_name(lambda: rng.choice(forms))
            content = (
                f"建设{name.removesuffix('项目').removesuffix('工程').removeprefix('南宁')}，"
                "包括主体工程、配套线路（管网）及附属设施。"
            )
            return _Draft(name, content, owner, district, place, (2000, 60000), gov=False)
        if roll < 0.84:  # telecommunications
            owner = self.owner_for(("telecom",))
            district = self.district_for(owner)
            phase = cn_numeral(rng.randint(1, 3))
            forms = (
                f"南宁市5G网络建设（{phase}期）项目",
                f"{district.label}千兆光网建设（{phase}期）项目",
                f"{district.label}通信基础设施建设（{phase}期）项目",
            )
            name = self.unique_name(lambda: rng.choice(forms))
            content = f"新建5G基站{rng.randint(300, 3000)}个，扩容传输及机房配套设施。"
            return _Draft(name, content, owner, district, "", (2000, 60000), gov=False, land=False)
        # The airport is one place with a handful of projects, not a category to draw from evenly.
        owner = self.owner_for(("airport",) if rng.random() < 0.06 else ("city_industry", "city_infra"))
        district = self.district_for(owner)
        place = rng.choice(district.places)
        if owner.category == "airport":
            district = self.district_by_name["南宁经济技术开发区"]
            place = "吴圩片区"
            forms = (
                "南宁吴圩国际机场T3航站区工程",
                "南宁吴圩国际机场第二跑道工程",
                "南宁吴圩国际机场货运区工程",
                "南宁吴圩国际机场综合交通枢纽工程",
            )
        elif district.org.name == "江南区":
            forms = (
                f"南宁国际铁路港{place}物流园项目",
                f"南宁国际铁路港多式联运中心（{cn_numeral(rng.randint(1, 3))}期）项目",
                f"{district.label}{place}综合交通枢纽工程",
            )
        else:
            forms = (
                f"{district.label}{place}公交首末站工程",
                f"{district.label}公共停车场及充电设施建设项目",
                f"{district.label}{place}综合交通枢纽工程",
                f"{district.label}{place}物流园项目",
            )
        name = self.unique_name(lambda: rng.choice(forms))
        content = f"建设{name.removesuffix('项目').removesuffix('工程')}，包括主体建筑、场站及配套设施。"
        return _Draft(name, content, owner, district, place, (5000, 200000))

    def social_project(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.28:  # hospitals
            owner = self.owner_for(("hospital",))
            district = self.district_for(owner)
            place = rng.choice(district.places)
            hospital = owner.org.name
            forms = (
                f"{hospital}门诊综合楼建设项目",
                f"{hospital}住院综合楼建设项目",
                f"{hospital}医技综合楼建设项目",
                f"{hospital}急诊急救中心建设项目",
                f"{hospital}传染病区建设项目",
                f"{hospital}康复医学中心建设项目",
                f"{hospital}{place}院区（一期）建设项目",
            )
            name = self.unique_name(lambda: rng.choice(forms))
            content = (
                f"新建{'院区' if '院区' in name else '业务用房'}，总建筑面积约{rng.randint(2, 25)}万平方米，"
                f"设置床位{rng.choice((200, 300, 400, 500, 600, 800, 1000))}张，"
                f"配套建设地下停车场、医用设备用房及室外工程。"
            )
            return _Draft(name, content, owner, district, place, (5000, 80000), land="院区" in name)
        if roll < 0.48:  # schools
            if rng.random() < 0.5:
                owner = self.owner_for(("school",))
                district = self.district_for(owner)
                place = rng.choice(district.places)
                school = owner.org.name
                forms = (
                    f"{school}{place}校区建设项目",
                    f"{school}教学综合楼建设项目",
                    f"{school}学生宿舍楼建设项目",
                    f"{school}体育馆建设项目",
                    f"{school}图书馆建设项目",
                )
            else:
                owner = self.owner_for(("district_platform",))
                district = owner.district
                place = rng.choice(district.places)
                forms = (
                    f"{district.label}{place}第{cn_numeral(rng.randint(1, 40))}小学建设项目",
                    f"{district.label}{place}第{cn_numeral(rng.randint(1, 30))}初级中学建设项目",
                    f"{district.label}{place}九年一贯制学校建设项目",
                    f"{district.label}{place}公办幼儿园建设项目",
                )
            name = self.unique_name(lambda: rng.choice(forms))
            content = (
                f"新建教学楼、实验楼、食堂、宿舍及运动场等，总建筑面积约{rng.randint(8, 120)}千平方米，"
                f"办学规模{rng.choice((12, 18, 24, 36, 48, 60))}个班。"
            )
            return _Draft(name, content, owner, district, place, (3000, 60000))
        if roll < 0.8:  # housing
            owner = self.owner_for(("housing", "district_platform", "district_platform"))
            district = self.district_for(owner)
            place = rng.choice(district.places)
            phase = cn_numeral(rng.randint(1, 4))
            forms = (
                f"{district.label}{place}保障性租赁住房项目",
                f"{district.label}{place}城中村改造项目",
                f"{district.label}老旧小区改造（{phase}期）项目",
                f"{district.label}{place}安置房项目",
                f"{district.label}{place}城市更新项目",
            )
            name = self.unique_name(lambda: rng.choice(forms))
            if "老旧小区" in name:
                content = (
                    f"改造老旧小区{rng.randint(8, 90)}个，涉及居民{rng.randint(1500, 20000)}户，"
                    f"改造内容包括水电气路、加装电梯、停车及适老化设施。"
                )
            else:
                content = (
                    f"新建住房{rng.randint(500, 6000)}套，总建筑面积约{rng.randint(5, 60)}万平方米，"
                    f"配套建设社区服务用房、地下车库及室外工程。"
                )
            return _Draft(name, content, owner, district, place, (5000, 350000), land="老旧小区" not in name)
        owner = self.owner_for(("culture", "district_platform", "tourism"))
        district = self.district_for(owner)
        place = rng.choice(district.places)
        forms = (
            f"{district.label}全民健身中心建设项目",
            f"{district.label}文化馆图书馆建设项目",
            f"{district.label}{place}养老服务中心建设项目",
            f"{district.label}{place}社区卫生服务中心建设项目",
            f"{district.label}{place}农贸市场升级改造项目",
            f"南宁市{place}体育公园建设项目",
            f"{district.label}殡仪服务中心建设项目",
        )
        name = self.unique_name(lambda: rng.choice(forms))
        content = (
            f"新建业务用房及配套设施，总建筑面积约{rng.randint(3, 80)}千平方米，同步建设室外场地及停车设施。"
        )
        return _Draft(name, content, owner, district, place, (1500, 60000))

    def ecology_project(self):
        rng = self.rng
        roll = rng.random()
        owner = self.owner_for(("water", "eco", "district_platform"))
        district = self.district_for(owner)
        place = rng.choice(district.places)
        river = rng.choice(RIVERS)
        phase = cn_numeral(rng.randint(1, 3))
        if roll < 0.35:
            forms = (
                f"{river}流域水环境综合治理工程",
                f"{river}（{place}段）河道综合整治工程",
                f"{district.label}{river}防洪堤工程",
                f"邕江{place}段防洪及生态修复工程",
            )
        elif roll < 0.6:
            forms = (
                f"{district.label}{place}污水处理厂（{cn_numeral(rng.randint(1, 4))}期）工程",
                f"{district.label}农村生活污水治理（{phase}期）项目",
                f"{district.label}{place}污水管网完善工程",
            )
        elif roll < 0.8:
            forms = (
                f"{district.label}生活垃圾焚烧发电厂（二期）项目",
                f"南宁市{place}餐厨垃圾处理厂项目",
                f"{district.label}生活垃圾分类处理中心项目",
                f"{district.label}建筑垃圾资源化利用项目",
            )
        else:
            forms = (
                f"{place}湿地公园建设项目",
                f"{rng.choice(MOUNTAINS)}森林公园提升改造工程",
                f"{district.label}废弃矿山生态修复工程",
                f"{river}生态公园建设项目",
            )
        name = self.unique_name(lambda: rng.choice(forms))
        content = (
            f"实施{name.removesuffix('项目').removesuffix('工程')}，主要建设内容包括"
            f"{rng.choice(('截污管网', '河道清淤', '生态护岸', '处理设施', '绿化景观'))}、"
            f"{rng.choice(('配套管网', '监测设施', '附属用房', '生态修复', '智慧管理平台'))}等，"
            f"治理（处理）规模约{rng.randint(2, 60)}{rng.choice(('公里', '万吨/日', '公顷'))}。"
        )
        return _Draft(
            name, content, owner, district, place, (2000, 150000), land=roll >= 0.6, energy=roll < 0.8
        )

    # -- stages and their history -----------------------------------------------------------------

    def duration_years(self, yuan):
        wan = yuan // 10_000
        if wan < 20_000:
            return self.rng.randint(1, 2)
        if wan < 100_000:
            return self.rng.randint(2, 3)
        if wan < 500_000:
            return self.rng.randint(2, 4)
        return self.rng.randint(3, 6)

    def years_back(self, years):
        """A day in the year that ends a week before the reference date, YEARS years earlier: the
        windows slide with the reference date, so a January start gives no pile of 1 January starts."""
        latest = self.ref - dt.timedelta(days=7 + 365 * years)
        return self.day_between(latest - dt.timedelta(days=364), latest)

    def plan_stage(self, plan, stage):
        """Set years, dates and the history that brings PLAN's project to STAGE by the reference date."""
        rng, ref, project = self.rng, self.ref, plan.project
        years = self.duration_years(project.total_investment)
        history = plan.history

        def year_day(year, latest=ref):
            return self.day_between(dt.date(year, 1, 1), min(dt.date(year, 12, 31), latest))

        if stage == Stage.RESERVE or (stage == Stage.CANCELLED and rng.random() < 0.5):
            entry = self.day_between(ref - dt.timedelta(days=883), ref - dt.timedelta(days=20))
            history.append(("", Stage.RESERVE, entry, "项目入库"))
            project.start_year = ref.year + rng.choice((1, 1, 2, 3))
            if stage == Stage.CANCELLED:
                history.append(
                    (Stage.RESERVE, Stage.CANCELLED, self.day_between(entry, ref), rng.choice(CANCEL_NOTES))
                )
            project.end_year = project.start_year + years - 1
            return entry

        if stage in (Stage.PRELIMINARY, Stage.CANCELLED) or (stage == Stage.SUSPENDED and rng.random() < 0.5):
            entry = self.day_between(ref - dt.timedelta(days=1035), ref - dt.timedelta(days=154))
            prelim = self.day_between(
                entry + dt.timedelta(days=20),
                min(entry + dt.timedelta(days=300), ref - dt.timedelta(days=10)),
            )
            history.append(("", Stage.RESERVE, entry, "项目入库"))
            history.append((Stage.RESERVE, Stage.PRELIMINARY, prelim, "转入前期工作"))
            plan.prelim_from = prelim
            project.start_year = ref.year + rng.choice((0, 1, 1))
            plan.planned_start = max(
                year_day(project.start_year, dt.date(ref.year + 4, 1, 1)), prelim + dt.timedelta(days=120)
            )
            project.start_year = plan.planned_start.year
            project.end_year = project.start_year + years - 1
            if stage == Stage.SUSPENDED:
                history.append(
                    (
                        Stage.PRELIMINARY,
                        Stage.SUSPENDED,
                        self.day_between(prelim + dt.timedelta(days=30), ref),
                        rng.choice(SUSPEND_NOTES),
                    )
                )
            elif stage == Stage.CANCELLED:
                history.append(
                    (
                        Stage.PRELIMINARY,
                        Stage.CANCELLED,
                        self.day_between(prelim + dt.timedelta(days=30), ref),
                        rng.choice(CANCEL_NOTES),
                    )
                )
            return entry

        # Started projects: under construction, completed, operating, or suspended while building.
        # How many years before the reference date it started.
        if stage in (Stage.COMPLETED, Stage.OPERATING):
            back = self.pick(((5, 15), (4, 25), (3, 30), (2, 25), (1, 5)))
        elif stage == Stage.SUSPENDED:
            back = self.pick(((3, 30), (2, 40), (1, 30)))
        else:
            back = self.pick(((4, 8), (3, 14), (2, 22), (1, 28), (0, 28)))
        start = self.years_back(back)
        entry = start - dt.timedelta(days=rng.randint(150, 800))
        prelim = entry + dt.timedelta(days=rng.randint(20, max(21, (start - entry).days - 90)))
        history.append(("", Stage.RESERVE, entry, "项目入库"))
        history.append((Stage.RESERVE, Stage.PRELIMINARY, prelim, "转入前期工作"))
        history.append((Stage.PRELIMINARY, Stage.CONSTRUCTION, start, "项目开工建设"))
        plan.prelim_from, plan.planned_start = prelim, start
        project.start_date = start
        project.start_year = start.year
        project.end_year = start.year + years - 1
        if stage == Stage.CONSTRUCTION and project.end_year < ref.year and rng.random() < 0.85:
            project.end_year = ref.year + rng.randint(0, 1)
        if stage == Stage.SUSPENDED:
            history.append(
                (
                    Stage.CONSTRUCTION,
                    Stage.SUSPENDED,
                    self.day_between(start + dt.timedelta(days=60), ref),
                    rng.choice(SUSPEND_NOTES),
                )
            )
        elif stage in (Stage.COMPLETED, Stage.OPERATING):
            days = max(150, int(years * 365 * rng.uniform(0.5, 1.0)))
            done = min(start + dt.timedelta(days=days), ref - dt.timedelta(days=rng.randint(10, 90)))
            if stage == Stage.COMPLETED:  # completed, not yet operating: lately, or it would be by now
                done = max(done, ref - dt.timedelta(days=rng.randint(20, 200)))
            done = max(done, start + dt.timedelta(days=90))
            project.completion_date = done
            project.end_year = done.year
            history.append((Stage.CONSTRUCTION, Stage.COMPLETED, done, "项目竣工验收"))
            if stage == Stage.OPERATING:
                running = self.day_between(done + dt.timedelta(days=30), done + dt.timedelta(days=365))
                history.append((Stage.COMPLETED, Stage.OPERATING, min(running, ref), "项目投产达效"))
        return entry

    # -- preliminary items and factor needs ---------------------------------------------------------

    def prelim_items(self, plan):
        """The approvals checklist: all done before a start; partly done, partly planned in 前期."""
        project, rng = plan.project, self.rng
        kinds = GOVERNMENT_ITEMS if plan.gov else ENTERPRISE_ITEMS
        kinds = [k for k in kinds if (plan.land or k not in LAND_ITEMS) and (plan.energy or k != Item.ENERGY)]
        begin, end = plan.prelim_from, plan.planned_start
        span = max(30, (end - begin).days)
        started = project.start_date is not None
        items = []
        for i, kind in enumerate(kinds):
            planned = begin + dt.timedelta(days=round(span * (i + 1) / len(kinds)) - rng.randint(0, 20))
            planned = max(planned, begin)
            if started:
                planned = min(planned, end)
                actual = min(max(begin, planned + dt.timedelta(days=rng.randint(-20, 30))), end)
            elif planned <= self.ref and rng.random() < (
                0.97 if planned < self.ref - dt.timedelta(days=30) else 0.6
            ):
                # Done, mostly: an office chases the items past their date; a rare one is stuck.
                actual = min(max(begin, planned + dt.timedelta(days=rng.randint(-15, 20))), self.ref)
            else:
                actual = None
            document = ""
            if actual:
                document = DOCUMENT_PREFIXES[kind].format(y=actual.year, n=rng.randint(1, 999))
            items.append(
                PrelimItem(
                    project=project, kind=kind, planned_date=planned, actual_date=actual, document_no=document
                )
            )
        return items

    def factor_needs(self, plan):
        project, rng = plan.project, self.rng
        started = project.start_date is not None
        needs = []
        if plan.land:
            need = Decimal(rng.randint(1000, 80000)) / 100
            share = rng.uniform(0.7, 1.0) if started else rng.uniform(0.0, 0.8)
            needs.append(
                FactorNeed(
                    project=project,
                    kind=FactorNeed.Kind.LAND,
                    need_quantity=need,
                    secured_quantity=(need * Decimal(f"{share:.2f}")).quantize(Decimal("0.01")),
                )
            )
        total_wan = Decimal(project.total_investment) / 10_000
        sources = (
            (
                FactorNeed.FundSource.SPECIAL_BOND,
                FactorNeed.FundSource.CENTRAL_BUDGET,
                FactorNeed.FundSource.LOAN,
                FactorNeed.FundSource.SELF,
            )
            if plan.gov
            else (FactorNeed.FundSource.SELF, FactorNeed.FundSource.LOAN)
        )
        chosen = sorted(rng.sample(range(len(sources)), rng.randint(1, len(sources))))
        remaining = total_wan * Decimal(f"{rng.uniform(0.3, 0.9):.2f}")
        for n, index in enumerate(chosen):
            if n == len(chosen) - 1:
                amount = remaining
            else:
                amount = remaining * Decimal(f"{rng.uniform(0.2, 0.6):.2f}")
            amount = amount.quantize(Decimal("1") if rng.random() < 0.7 else Decimal("0.01"))
            remaining -= amount
            share = rng.uniform(0.5, 1.0) if started else rng.uniform(0.0, 0.6)
            secured = (amount * Decimal(f"{share:.2f}")).quantize(Decimal("0.01"))
            needs.append(
                FactorNeed(
                    project=project,
                    kind=FactorNeed.Kind.FUNDS,
                    fund_source=sources[index],
                    need_yuan=wan_to_yuan(amount),
                    secured_yuan=wan_to_yuan(secured),
                )
            )
        if plan.energy:
            need = Decimal(rng.randint(500, 60000))
            needs.append(
                FactorNeed(
                    project=project,
                    kind=FactorNeed.Kind.ENERGY,
                    need_quantity=need,
                    secured_quantity=need if started else (need * Decimal("0.5")).quantize(Decimal("1")),
                )
            )
        return needs

    # -- projects ---------------------------------------------------------------------------------

    def departments_for(self, sector):
        lead = self.rng.choice(SECTOR_DEPARTMENTS[sector][:3])
        chosen = [lead]
        if self.rng.random() < 0.4:
            chosen.append(DEVELOPMENT_REFORM)
        if self.rng.random() < 0.35:
            chosen.append(self.rng.choice(SECTOR_DEPARTMENTS[sector]))
        unique = []
        for name in chosen:
            if name not in unique:
                unique.append(name)
        return [self.departments[name] for name in unique[:3]]

    def new_plan(
        self,
        *,
        name,
        content,
        owner,
        district,
        sector,
        wan,
        gov,
        land,
        energy,
        location,
        point=None,
        parent=None,
    ):
        lat, lng = point or self.point(district)
        project = Project(
            name=name,
            owner=owner.org,
            district=district.org,
            sector=sector,
            parent=parent,
            location=location,
            latitude=lat,
            longitude=lng,
            content=content,
            total_investment=wan_to_yuan(wan),
            contact=self.person(),
            phone=self.phone(),
        )
        plan = _Plan(project, gov, land, energy)
        plan.district = district
        return plan

    def finish_plan(self, plan, stage, *, code_share):
        """Stage, history, code and search text of a project whose other fields are set."""
        project = plan.project
        entry = self.plan_stage(plan, stage)
        project.stage = stage
        if self.rng.random() < code_share:
            # Codes carry the region that issued them: the district's, or the city's for city-level approvals.
            region = "450100" if self.rng.random() < 0.2 else plan.district.code
            project.code = self.project_code(region, plan.prelim_from or entry, plan.gov)
        project_refresh_search_text(project)

    def build_projects(self, count):
        # The standard sectors come from the migrations; the demo adds only the ones they lack.
        sectors = Sector.objects.in_bulk([name for name, _o, _w in SECTORS], field_name="name")
        missing = [
            Sector(name=name, oc4ids_sector=oc4ids, sort=i + 1)
            for i, (name, oc4ids, _weight) in enumerate(SECTORS)
            if name not in sectors
        ]
        sectors.update({s.name: s for s in Sector.objects.bulk_create(missing)})
        sector_weights = [(name, weight) for name, _o, weight in SECTORS]

        rail_parents = []
        for line in RAIL_LINES:
            name, code, start, wan, district_name, a, b, *_rest = line
            start, code = self.rail_start(start, code)
            district = self.district_by_name[district_name]
            point = (Decimal(f"{(a[0] + b[0]) / 2:.6f}"), Decimal(f"{(a[1] + b[1]) / 2:.6f}"))
            plan = self.new_plan(
                name=name,
                owner=self.rail_owner,
                district=district,
                sector=sectors["基础设施"],
                wan=Decimal(wan),
                gov=True,
                land=True,
                energy=True,
                location="南宁市"
                + "、".join(
                    dict.fromkeys(
                        dn for _s, dn in line[8] if not dn.startswith("南宁") and not dn.startswith("广西")
                    )
                ),
                point=point,
                content=f"线路全长约{self.rng.randint(24, 36)}.{self.rng.randint(1, 9)}公里，全部为地下线，"
                f"设车站{len(line[8]) + self.rng.randint(8, 14)}座，配套建设车辆基地、控制中心及主变电所。",
            )
            self.names.add(name)
            self.codes.add(code)
            project = plan.project
            project.code = code
            entry = start - dt.timedelta(days=720)
            prelim = start - dt.timedelta(days=540)
            plan.history += [
                ("", Stage.RESERVE, entry, "项目入库"),
                (Stage.RESERVE, Stage.PRELIMINARY, prelim, "转入前期工作"),
                (Stage.PRELIMINARY, Stage.CONSTRUCTION, start, "项目开工建设"),
            ]
            plan.prelim_from, plan.planned_start = prelim, start
            project.stage, project.start_date = Stage.CONSTRUCTION, start
            project.start_year, project.end_year = start.year, start.year + 5
            project_refresh_search_text(project)
            plan.departments = [
                self.departments[n] for n in (DEVELOPMENT_REFORM, "市交通运输局", "市自然资源和规划局")
            ]
            rail_parents.append(plan)

        plans = []
        for _ in range(max(0, count - len(rail_parents) * 13)):
            sector_name = self.pick(sector_weights)
            draft = self.template(sector_name)
            district = draft.district
            location = draft.place
            if not location.startswith((district.label, "南宁", "邕江")):
                location = district.label + location
            plan = self.new_plan(
                name=draft.name,
                content=draft.content,
                owner=draft.owner,
                district=district,
                sector=sectors[sector_name],
                wan=draft.wan,
                gov=draft.gov,
                land=draft.land,
                energy=draft.energy,
                location=location,
            )
            stage = self.pick(STAGE_WEIGHTS)
            code_share = 0.3 if stage == Stage.RESERVE else 0.85 if stage == Stage.PRELIMINARY else 0.96
            self.finish_plan(plan, stage, code_share=code_share)
            plan.departments = self.departments_for(sector_name)
            plans.append(plan)

        # Liaison leaders for the biggest projects: the mayor the top ten, the others by portfolio.
        ranked = sorted(range(len(plans)), key=lambda i: (-plans[i].project.total_investment, i))
        for rank, i in enumerate(ranked[: max(1, len(plans) // 8)]):
            project = plans[i].project
            if rank < 10:
                project.leader = self.leaders[1]
                continue
            candidates = [
                (leader, 2 if leader.username == "leader" else 1)
                for leader, (_u, _n, _t, portfolio) in zip(self.leaders, LEADERS, strict=True)
                if project.sector.name in portfolio
            ]
            project.leader = self.pick(candidates)
        for plan in rail_parents:
            plan.project.leader = self.leaders[0]

        Project.objects.bulk_create([p.project for p in rail_parents + plans], batch_size=500)

        children = []
        for parent, line in zip(rail_parents, RAIL_LINES, strict=True):
            name, _code, start, _wan, district_name, a, b, sections, stations = line
            start = parent.project.start_date
            for n, section in enumerate(sections):
                district = self.district_by_name[district_name]
                plan = self.new_plan(
                    name=f"{name}{section}",
                    owner=self.rail_owner,
                    district=district,
                    sector=sectors["基础设施"],
                    wan=self.wan(180000, 420000),
                    gov=True,
                    land=False,
                    energy=False,
                    parent=parent.project,
                    content=f"{name}{section}，包括区间隧道、车站主体结构及附属工程等。",
                    location=parent.project.location,
                )
                self.child_history(plan, start + dt.timedelta(days=30 * n + self.rng.randint(0, 25)))
                children.append(plan)
            for n, (station, station_district) in enumerate(stations):
                share = (n + 0.5) / len(stations)
                lat = a[0] + (b[0] - a[0]) * share + self.rng.uniform(-0.004, 0.004)
                lng = a[1] + (b[1] - a[1]) * share + self.rng.uniform(-0.004, 0.004)
                district = self.district_by_name[station_district]
                plan = self.new_plan(
                    name=f"{name}{station}站",
                    owner=self.rail_owner,
                    district=district,
                    sector=sectors["基础设施"],
                    wan=self.wan(25000, 70000),
                    gov=True,
                    land=True,
                    energy=False,
                    parent=parent.project,
                    point=(Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")),
                    content=f"地下{self.rng.choice(('两', '三'))}层岛式车站，"
                    f"车站总长约{self.rng.randint(180, 260)}米，"
                    f"设出入口{self.rng.randint(3, 6)}个。",
                    location=f"{district.label}{station}",
                )
                if n < 6:
                    self.child_history(plan, start + dt.timedelta(days=self.rng.randint(30, 600)))
                else:
                    plan.history += [
                        ("", Stage.RESERVE, start - dt.timedelta(days=700), "项目入库"),
                        (Stage.RESERVE, Stage.PRELIMINARY, start - dt.timedelta(days=500), "转入前期工作"),
                    ]
                    plan.prelim_from = start - dt.timedelta(days=500)
                    plan.planned_start = self.ref + dt.timedelta(days=self.rng.randint(60, 300))
                    plan.project.stage = Stage.PRELIMINARY
                    plan.project.start_year = plan.planned_start.year
                    plan.project.end_year = parent.project.end_year
                children.append(plan)
        for plan in children:
            project = plan.project
            project.leader = self.leaders[0]
            project_refresh_search_text(project)
            plan.departments = [self.departments["市交通运输局"]]
        Project.objects.bulk_create([p.project for p in children], batch_size=500)
        return rail_parents + children + plans

    def rail_start(self, start, code):
        """A rail line's start date and code (YYMM-…, issued before the start) moved to the year the
        city is built in, so the lines are as far along whatever the date."""
        if not self.shift:
            return start, code
        return shift_years(start, self.shift), f"{int(code[:2]) + self.shift:02d}{code[2:]}"

    def child_history(self, plan, start):
        start = min(start, self.ref - dt.timedelta(days=7))
        project = plan.project
        parent_entry = project.parent.start_date - dt.timedelta(days=700)
        prelim = parent_entry + dt.timedelta(days=200)
        plan.history += [
            ("", Stage.RESERVE, parent_entry, "项目入库"),
            (Stage.RESERVE, Stage.PRELIMINARY, prelim, "转入前期工作"),
            (Stage.PRELIMINARY, Stage.CONSTRUCTION, start, "项目开工建设"),
        ]
        plan.prelim_from, plan.planned_start = prelim, start
        project.stage, project.start_date = Stage.CONSTRUCTION, start
        project.start_year, project.end_year = start.year, project.parent.end_year

    def build_rows(self, plans):
        changes, items, needs, links = [], [], [], []
        through = Project.departments.through
        for plan in plans:
            project = plan.project
            for from_stage, to_stage, date, note in plan.history:
                changes.append(
                    StageChange(
                        project=project,
                        from_stage=from_stage,
                        to_stage=to_stage,
                        date=date,
                        note=note,
                        by=self.staff,
                    )
                )
            for department in plan.departments:
                links.append(through(project_id=project.pk, organisation_id=department.pk))
            if plan.prelim_from and project.stage in (Stage.PRELIMINARY, Stage.CONSTRUCTION, Stage.SUSPENDED):
                items += self.prelim_items(plan)
            if project.stage in (Stage.RESERVE, Stage.PRELIMINARY, Stage.CONSTRUCTION, Stage.SUSPENDED) and (
                project.parent_id is None and self.rng.random() < 0.35
            ):
                needs += self.factor_needs(plan)
        StageChange.objects.bulk_create(changes, batch_size=2000)
        PrelimItem.objects.bulk_create(items, batch_size=2000)
        FactorNeed.objects.bulk_create(needs, batch_size=2000)
        through.objects.bulk_create(links, batch_size=2000)
        return len(changes), len(items), len(needs)


def load_projects_demo(*, seed, projects, today: dt.date, stdout=None) -> dict:
    """The first part of the demo city (keyprojects/demo/loader.py runs the rest): organisations,
    users and PROJECTS projects with stage history, preliminary items and factor needs, built
    around TODAY inside the caller's transaction. Returns the counts of what was created."""
    builder = _Builder(seed, stdout, today)
    builder.build_organisations()
    builder.build_owners()
    builder.build_users()
    builder.say(f"单位 {Organisation.objects.count()} 个，用户 {len(builder.users)} 个")
    plans = builder.build_projects(projects)
    builder.say(f"项目 {len(plans)} 个")
    changes, items, needs = builder.build_rows(plans)
    builder.say(f"阶段变更 {changes} 条，前期事项 {items} 项，要素需求 {needs} 项")
    return {
        "organisations": Organisation.objects.count(),
        "users": len(builder.users),
        "projects": len(plans),
        "stage_changes": changes,
        "prelim_items": items,
        "factor_needs": needs,
    }
