"""Name lists of the demo Jiaozuo: counties, schools, majors, occupations with standards, trades.

Everything here is demo data. County codes are GB/T 2260; school names follow the local
pattern (职业教育中心, 职业中等专业学校, 技工学校, 民办职业学校) and a few well-known
institutions; standard numbers are demo values, not real publication numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_CODE = "410800"
CITY_NAME = "焦作市"

# 焦作城乡一体化示范区 has no GB/T 2260 code of its own (it is carved out of 山阳区 and
# 武陟县). 410871 is the code used for it in practice (provincial statistics systems use
# 4108 + 71 for the city's 示范区), and it passes core.rules.check_org_placement (4108xx).
DEMONSTRATION_ZONE_CODE = "410871"

# (code, name, short name); GB/T 2260 codes plus the 示范区.
COUNTIES: list[tuple[str, str, str]] = [
    ("410802", "解放区", "解放"),
    ("410803", "中站区", "中站"),
    ("410804", "马村区", "马村"),
    ("410811", "山阳区", "山阳"),
    ("410821", "修武县", "修武"),
    ("410822", "博爱县", "博爱"),
    ("410823", "武陟县", "武陟"),
    ("410825", "温县", "温县"),
    ("410882", "沁阳市", "沁阳"),
    ("410883", "孟州市", "孟州"),
    (DEMONSTRATION_ZONE_CODE, "焦作城乡一体化示范区", "示范区"),
]

# ID numbers carry the birth registration region; the 示范区 has none of its own, so
# people registered there were born under 山阳区 or 武陟县 codes.
BIRTH_REGIONS: dict[str, list[str]] = {code: [code] for code, _, _ in COUNTIES}
BIRTH_REGIONS[DEMONSTRATION_ZONE_CODE] = ["410811", "410823"]
ALL_BIRTH_REGIONS = [code for code, _, _ in COUNTIES if code != DEMONSTRATION_ZONE_CODE]


@dataclass(frozen=True)
class SchoolSpec:
    county: str
    name: str
    kind: str  # SchoolKind value
    private: bool
    opened: int
    closed: int | None = None
    weight: float = 1.0  # relative size of the student body


def _s(
    county: str,
    name: str,
    kind: str = "secondary",
    private: bool = False,
    opened: int = 1985,
    closed: int | None = None,
    weight: float = 1.0,
) -> SchoolSpec:
    return SchoolSpec(county, name, kind, private, opened, closed, weight)


# School codes are "S" + county code + a two-digit serial in this order (S41080201, …).
SCHOOLS: list[SchoolSpec] = [
    _s("410802", "焦作市职业技术学校", opened=1980, weight=2.0),
    _s("410802", "焦作市工业学校", opened=1958, weight=1.6),
    _s("410802", "焦作卫生医药学校", opened=1951, weight=1.5),
    _s("410802", "解放区职业中等专业学校", opened=1986),
    _s("410802", "焦作市华夏职业学校", private=True, opened=2003, weight=0.6),
    _s("410802", "焦作市外国语职业学校", private=True, opened=2008, weight=0.4),
    _s("410802", "焦作大学", kind="higher", opened=1981, weight=3.0),
    _s("410803", "中站区职业中专", opened=1988, weight=0.8),
    _s("410803", "焦作市化工技工学校", opened=1975),
    _s("410803", "焦作市远航职业技术学校", private=True, opened=2010, weight=0.5),
    _s("410803", "焦作工贸职业学院", kind="higher", opened=2004, weight=2.4),
    _s("410804", "马村区职业中专", opened=1990, weight=0.7),
    _s("410804", "焦作市煤炭工业学校", opened=1956, closed=2019, weight=0.3),
    _s("410804", "焦作市东方职业学校", private=True, opened=2006, weight=0.5),
    _s("410811", "山阳区职业中专", opened=1987),
    _s("410811", "焦作市财经学校", opened=1979, weight=1.2),
    _s("410811", "焦作市交通技工学校", opened=1984),
    _s("410811", "焦作市新星艺术职业学校", private=True, opened=2012, weight=0.4),
    _s("410811", "焦作师范高等专科学校", kind="higher", opened=1978, weight=2.2),
    _s("410811", "河南理工大学", kind="undergraduate", opened=1909, weight=3.5),
    _s("410821", "修武县职业教育中心", opened=1984, weight=1.3),
    _s("410821", "修武县云台职业学校", private=True, opened=2011, weight=0.5),
    _s("410821", "修武县农业职业学校", opened=1982, closed=2021, weight=0.3),
    _s("410822", "博爱县职业教育中心", opened=1983, weight=1.3),
    _s("410822", "博爱县职业中等专业学校", opened=1992),
    _s("410822", "博爱县竹林职业学校", private=True, opened=2009, weight=0.4),
    _s("410823", "武陟县职业教育中心", opened=1983, weight=1.5),
    _s("410823", "武陟县职业中等专业学校", opened=1991),
    _s("410823", "武陟县卫生职业学校", opened=1997, weight=0.8),
    _s("410823", "武陟县嘉应职业学校", private=True, opened=2007, weight=0.5),
    _s("410825", "温县职业教育中心", opened=1984, weight=1.4),
    _s("410825", "温县职业中等专业学校", opened=1993),
    _s("410825", "温县太极武术职业学校", private=True, opened=2002, weight=0.6),
    _s("410882", "沁阳市职业教育中心", opened=1982, weight=1.5),
    _s("410882", "沁阳市职业中等专业学校", opened=1990),
    _s("410882", "沁阳市技工学校", opened=1986, weight=0.8),
    _s("410882", "沁阳市神农职业学校", private=True, opened=2013, weight=0.4),
    _s("410883", "孟州市职业教育中心", opened=1983, weight=1.4),
    _s("410883", "孟州市职业中等专业学校", opened=1994),
    _s("410883", "孟州市工业技工学校", opened=1988, weight=0.8),
    _s("410883", "孟州市韩园职业学校", private=True, opened=2014, weight=0.4),
    _s("410871", "焦作城乡一体化示范区职业技术学校", opened=2015, weight=1.0),
    _s("410871", "焦作市现代职业技术学校", private=True, opened=2016, weight=0.6),
    _s("410871", "焦作城市学院", kind="undergraduate", private=True, opened=2018, weight=1.2),
    _s("410871", "焦作科技职业学院", kind="higher", private=True, opened=2017, weight=1.0),
]

MAJORS: dict[str, list[str]] = {
    "secondary": [
        "数控技术应用",
        "机电技术应用",
        "电子技术应用",
        "计算机应用",
        "电子商务",
        "物流服务与管理",
        "汽车运用与维修",
        "会计事务",
        "幼儿保育",
        "护理",
        "中餐烹饪",
        "旅游服务与管理",
        "电气设备运行与控制",
        "工业机器人技术应用",
        "建筑工程施工",
        "服装设计与工艺",
        "农业机械使用与维护",
        "智慧健康养老服务",
        "焊接技术应用",
        "美容美体艺术",
    ],
    "junior_college": [
        "机电一体化技术",
        "数控技术",
        "电气自动化技术",
        "计算机应用技术",
        "软件技术",
        "大数据技术",
        "电子商务",
        "现代物流管理",
        "汽车检测与维修技术",
        "学前教育",
        "护理",
        "药学",
        "大数据与会计",
        "旅游管理",
        "工业机器人技术",
        "建筑工程技术",
        "智能控制技术",
    ],
    "undergraduate": [
        "机械设计制造及其自动化",
        "电气工程及其自动化",
        "计算机科学与技术",
        "软件工程",
        "采矿工程",
        "安全工程",
        "测绘工程",
        "土木工程",
        "物流管理",
        "电子商务",
        "会计学",
    ],
}

DEPARTMENTS = [
    "机电工程系",
    "信息工程系",
    "财经商贸系",
    "医药护理系",
    "学前教育系",
    "汽车工程系",
    "基础部",
    "建筑工程系",
]
TITLES = ["正高级讲师", "高级讲师", "讲师", "助理讲师", "高级实习指导教师", "实习指导教师", "教授", "副教授"]
EMPLOYERS = [
    "焦作市中站区农业合作社",
    "多氟多新材料股份有限公司",
    "风神轮胎股份有限公司",
    "焦作市龙源纸业有限公司",
    "武陟县家政服务中心",
    "温县铁棍山药专业合作社",
    "沁阳市汽车零部件产业园",
    "孟州市皮毛加工企业",
    "修武县云台山旅游服务公司",
    "博爱县物流园",
    "焦作市养老服务中心",
    "",
]

# Occupations common in vocational schools with a (demo) national standard:
# code → (standard number, levels, key field). Numbers follow the "职业编码(年份)" style of
# the published standards but are DEMO VALUES, not checked against real publications.
STANDARDS: dict[str, tuple[str, list[int], str]] = {
    "6-31-01-03": ("6-31-01-03(2018)", [5, 4, 3, 2, 1], "smart_manufacturing"),  # 电工
    "6-18-01-01": ("6-18-01-01(2018)", [5, 4, 3, 2, 1], "smart_manufacturing"),  # 车工
    "6-18-01-02": ("6-18-01-02(2018)", [5, 4, 3, 2, 1], "smart_manufacturing"),  # 铣工
    "6-18-01-07": ("6-18-01-07(2019)", [5, 4, 3, 2, 1], "smart_manufacturing"),  # 多工序数控机床操作调整工
    "6-18-02-04": ("6-18-02-04(2018)", [5, 4, 3, 2, 1], "smart_manufacturing"),  # 焊工
    "6-18-04-06": ("6-18-04-06(2019)", [5, 4, 3, 2, 1], "smart_manufacturing"),  # 工具钳工
    "6-20-01-01": ("6-20-01-01(2019)", [5, 4, 3, 2, 1], "smart_manufacturing"),  # 装配钳工
    "6-31-01-02": ("6-31-01-02(2019)", [5, 4, 3, 2, 1], "smart_manufacturing"),  # 机修钳工
    "6-20-03-01": ("6-20-03-01(2020)", [4, 3, 2, 1], "smart_manufacturing"),  # 机床装调维修工
    "6-31-07-03": ("6-31-07-03(2020)", [5, 4, 3, 2, 1], "smart_manufacturing"),  # 工业机器人系统操作员
    "6-31-07-01": ("6-31-07-01(2020)", [5, 4, 3, 2, 1], "smart_manufacturing"),  # 工业机器人系统运维员
    "6-22-02-01": ("6-22-02-01(2019)", [5, 4, 3, 2, 1], "smart_manufacturing"),  # 汽车装调工
    "6-25-04-07": ("6-25-04-07(2019)", [5, 4, 3, 2, 1], "smart_manufacturing"),  # 电子设备装接工
    "4-12-01-01": ("4-12-01-01(2018)", [5, 4, 3, 2, 1], "other"),  # 汽车维修工
    "4-12-02-01": ("4-12-02-01(2018)", [5, 4, 3], "other"),  # 计算机维修工
    "4-04-05-01": ("4-04-05-01(2018)", [4, 3, 2, 1], "software"),  # 计算机程序设计员
    "4-04-05-05": ("4-04-05-05(2021)", [5, 4, 3, 2, 1], "big_data"),  # 人工智能训练师
    "4-04-04-02": ("4-04-04-02(2020)", [5, 4, 3, 2, 1], "software"),  # 网络与信息安全管理员
    "4-04-04-01": ("4-04-04-01(2020)", [4, 3, 2, 1], "big_data"),  # 信息通信网络运行管理员
    "4-01-06-01": ("4-01-06-01(2018)", [5, 4, 3, 2, 1], "e_commerce"),  # 电子商务师
    "4-01-06-02": ("4-01-06-02(2021)", [5, 4, 3, 2, 1], "e_commerce"),  # 互联网营销师
    "4-01-02-01": ("4-01-02-01(2019)", [5, 4, 3, 2, 1], "e_commerce"),  # 营销员
    "4-02-06-03": ("4-02-06-03(2020)", [4, 3, 2, 1], "logistics"),  # 物流服务师
    "4-02-06-01": ("4-02-06-01(2019)", [5, 4, 3, 2, 1], "logistics"),  # 仓储管理员
    "4-02-07-08": ("4-02-07-08(2019)", [5, 4, 3, 2, 1], "logistics"),  # 快递员
    "4-10-01-05": ("4-10-01-05(2019)", [5, 4, 3, 2, 1], "housekeeping"),  # 养老护理员
    "4-10-01-03": ("4-10-01-03(2021)", [5, 4, 3, 2, 1], "housekeeping"),  # 保育师
    "4-10-01-01": ("4-10-01-01(2019)", [5, 4, 3, 2, 1], "housekeeping"),  # 婴幼儿发展引导员
    "4-10-01-06": ("4-10-01-06(2019)", [5, 4, 3, 2, 1], "housekeeping"),  # 家政服务员
    "4-03-02-01": ("4-03-02-01(2018)", [5, 4, 3, 2, 1], "culture_tourism"),  # 中式烹调师
    "4-03-02-02": ("4-03-02-02(2018)", [5, 4, 3, 2, 1], "culture_tourism"),  # 中式面点师
    "4-03-02-04": ("4-03-02-04(2018)", [5, 4, 3, 2, 1], "culture_tourism"),  # 西式面点师
    "4-03-02-07": ("4-03-02-07(2018)", [5, 4, 3, 2, 1], "culture_tourism"),  # 茶艺师
    "4-07-04-01": ("4-07-04-01(2019)", [5, 4, 3, 2, 1], "culture_tourism"),  # 导游
    "4-10-03-01": ("4-10-03-01(2018)", [5, 4, 3, 2, 1], "other"),  # 美容师
    "4-10-03-02": ("4-10-03-02(2018)", [5, 4, 3, 2, 1], "other"),  # 美发师
    "4-14-02-02": ("4-14-02-02(2019)", [3, 2, 1], "healthcare"),  # 健康管理师
    "4-14-01-02": ("4-14-01-02(2024)", [5, 4, 3], "healthcare"),  # 医疗护理员
    "4-09-10-01": ("4-09-10-01(2018)", [5, 4, 3, 2, 1], "ecology"),  # 园林绿化工
    "5-05-01-02": ("5-05-01-02(2019)", [5, 4, 3, 2, 1], "other"),  # 农业经理人
    "4-08-08-23": ("4-08-08-23(2021)", [5, 4, 3, 2, 1], "software"),  # 建筑信息模型技术员
    "4-02-04-06": ("4-02-04-06(2021)", [5, 4, 3, 2, 1], "smart_manufacturing"),  # 无人机驾驶员
}

# Trades (工种) under occupations: (occupation code, trade name, trade code).
TRADES: list[tuple[str, str, str]] = [
    ("4-10-01-01", "育婴员", "4-10-01-01-01"),
    ("6-18-01-07", "数控车工", "6-18-01-07-01"),
    ("6-18-01-07", "数控铣工", "6-18-01-07-02"),
    ("6-18-01-07", "加工中心操作调整工", "6-18-01-07-03"),
    ("6-18-02-04", "电焊工", "6-18-02-04-01"),
    ("6-18-02-04", "气焊工", "6-18-02-04-02"),
    ("6-31-01-03", "维修电工", "6-31-01-03-01"),
    ("6-31-01-03", "低压电工", "6-31-01-03-02"),
    ("4-12-01-01", "汽车机械维修工", "4-12-01-01-01"),
    ("4-12-01-01", "汽车电器维修工", "4-12-01-01-02"),
    ("4-12-01-01", "汽车车身整形修复工", "4-12-01-01-03"),
    ("4-12-01-01", "汽车美容装潢工", "4-12-01-01-04"),
    ("4-02-06-01", "仓储管理员（冷链）", "4-02-06-01-01"),
    ("4-03-02-01", "中式烹调师（豫菜）", "4-03-02-01-01"),
]
