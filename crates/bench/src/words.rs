//! Word pools of the generated organisation, Chinese and English mixed as in
//! a Chinese company's real tools, kept apart so the generators read as logic.

use keel_domain::okr::ThresholdDirection;

// Jira issues.
pub const PROJECTS: &[(&str, &str)] = &[
    ("PAY", "支付平台 Payments"),
    ("PUSH", "推送服务"),
    ("APP", "移动端 App"),
    ("WEB", "Web 前端"),
    ("DATA", "数据平台 Data"),
    ("OPS", "运维 Ops"),
    ("CRM", "客户关系 CRM"),
    ("SRCH", "搜索 Search"),
    ("IAM", "账号与权限"),
    ("BILL", "计费 Billing"),
    ("MSG", "消息中心"),
    ("SHOP", "商城 Shop"),
    ("LOGI", "物流 Logistics"),
    ("HR", "人力系统"),
    ("FIN", "财务系统 Finance"),
    ("BI", "报表 BI"),
    ("SEC", "安全 Security"),
    ("QA", "测试平台"),
    ("INFRA", "基础架构 Infra"),
    ("MKT", "市场营销 Marketing"),
];

pub const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡"];

pub const GIVEN: &[&str] =
    &["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "杰", "涛", "明", "超", "秀英", "晓东", "海燕"];

pub const FIRST_EN: &[&str] = &["Emily", "Jack", "Olivia", "Leo", "Grace", "Henry", "Chloe", "Ethan", "Mia", "Lucas"];

pub const LAST_EN: &[&str] = &["Chen", "Wang", "Smith", "Liu", "Brown", "Zhang", "Taylor", "Lin", "Wilson", "Huang"];

pub const MODULES: &[(&str, &str)] = &[
    ("登录", "login"),
    ("支付", "payment"),
    ("推送", "push"),
    ("订单", "orders"),
    ("搜索", "search"),
    ("报表", "reports"),
    ("权限", "permissions"),
    ("消息中心", "inbox"),
    ("会员", "membership"),
    ("结算", "checkout"),
    ("购物车", "cart"),
    ("数据同步", "data sync"),
];

pub const ACTIONS: &[(&str, &str)] = &[
    ("修复", "Fix"),
    ("优化", "Improve"),
    ("重构", "Refactor"),
    ("新增", "Add"),
    ("调研", "Investigate"),
    ("补充测试：", "Add tests for"),
    ("迁移", "Migrate"),
];

pub const DETAILS: &[(&str, &str)] = &[
    ("页面加载慢", "slow page load"),
    ("在 iOS 17 上白屏", "blank screen on iOS 17"),
    ("接口超时", "API timeout"),
    ("偶发崩溃", "random crash"),
    ("导出 Excel 乱码", "garbled Excel export"),
    ("分页错误", "wrong pagination"),
    ("缓存失效", "stale cache"),
    ("弱网重试", "retries on a poor network"),
    ("灰度发布", "staged rollout"),
    ("埋点缺失", "missing analytics events"),
];

pub const LABELS: &[&str] =
    &["frontend", "backend", "性能", "安全", "tech-debt", "客户反馈", "ios", "android", "Q3-OKR", "migration"];

pub const PRIORITIES: &[&str] = &["Highest", "High", "Medium", "Medium", "Medium", "Low", "Lowest"];

// OKRs.
/// (title, start, target, unit) of metric KRs; some go down (latency, crashes).
pub const METRICS: &[(&str, f64, f64, &str)] = &[
    ("月活跃用户数 MAU", 120_000.0, 200_000.0, "人"),
    ("付费转化率 paid conversion", 2.1, 3.5, "%"),
    ("P99 接口延迟 API latency", 800.0, 300.0, "ms"),
    ("NPS", 32.0, 50.0, ""),
    ("每周客诉 complaints per week", 120.0, 40.0, "件"),
    ("新签客户 new customers", 0.0, 60.0, "家"),
    ("崩溃率 crash rate", 0.8, 0.2, "%"),
    ("季度营收 revenue", 0.0, 1200.0, "万元"),
];

pub const THRESHOLDS: &[(&str, ThresholdDirection, f64, &str)] = &[
    ("可用性 availability", ThresholdDirection::AtLeast, 99.9, "%"),
    ("P0 故障数 P0 incidents", ThresholdDirection::AtMost, 2.0, "次"),
    ("预算 budget", ThresholdDirection::AtMost, 300.0, "万元"),
];

pub const MILESTONES: &[&str] = &[
    "需求评审 requirements review",
    "技术方案 design doc",
    "灰度 10% rollout",
    "全量发布 GA",
    "复盘 retrospective",
    "培训 training",
];

pub const COMPANY: &[&str] = &[
    "成为客户首选的协作平台",
    "Grow revenue 40% year over year",
    "打造稳定可靠的基础设施",
    "Delight customers in every region",
    "提升研发效能 Ship faster",
];

pub const THEMES: &[&str] = &[
    "提升用户留存 retention",
    "降低获客成本 CAC",
    "提高系统稳定性 reliability",
    "加快交付 delivery speed",
    "拓展华南市场 South China",
];

pub const NOTES: &[&str] = &[
    "按计划推进",
    "On track, see weekly report",
    "受假期影响略慢",
    "blocked by vendor API",
    "新版本上线后明显改善",
    "",
];
