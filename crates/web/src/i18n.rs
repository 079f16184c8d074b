//! Interface text in Simplified Chinese and English. Every message is one
//! variant of [`Msg`] with both translations side by side, so a missing
//! translation is a compile error, not a blank on a page.

use keel_domain::org::Lang;
use std::fmt::Display;

macro_rules! catalog {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg { $($key),* }

        impl Msg {
            /// Every message, for tests that check the catalog is complete.
            pub const ALL: &'static [Msg] = &[$(Msg::$key),*];
        }

        /// The text of a message in a language.
        pub fn t(lang: Lang, key: Msg) -> &'static str {
            match (lang, key) {
                $((Lang::Zh, Msg::$key) => $zh, (Lang::En, Msg::$key) => $en,)*
            }
        }
    };
}

/// A message with its `{}` placeholders filled in order.
pub fn tf(lang: Lang, key: Msg, args: &[&dyn Display]) -> String {
    fill(t(lang, key), args)
}

/// Fills each `{}` with the next argument; `{one|many}` (English plurals,
/// "{} member{|s}") takes `one` when the argument before it was 1.
fn fill(text: &str, args: &[&dyn Display]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut last_was_one = false;
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let inner = &after[..close];
        match inner.split_once('|') {
            _ if inner.is_empty() => match args.next() {
                Some(arg) => {
                    let shown = arg.to_string();
                    last_was_one = shown == "1";
                    out.push_str(&shown);
                }
                None => out.push_str("{}"),
            },
            Some((one, many)) => out.push_str(if last_was_one { one } else { many }),
            None => {
                out.push('{');
                out.push_str(inner);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

catalog! {
    // Frame of every page.
    SkipToContent => "跳到正文", "Skip to content";
    MainNav => "主导航", "Main navigation";
    NavOkrs => "目标与关键结果", "OKRs";
    NavProjects => "项目", "Projects";
    Logout => "退出登录", "Log out";
    SignedInAs => "当前用户", "Signed in as";
    Language => "界面语言", "Interface language";
    LangZh => "中文", "中文";
    LangEn => "English", "English";
    // Log in and first start.
    LoginTitle => "登录 Keel", "Log in to Keel";
    LoginName => "登录名", "Login";
    Password => "密码", "Password";
    LoginButton => "登录", "Log in";
    LoginFailed => "登录名或密码不正确。", "Wrong login or password.";
    SetupTitle => "首次启动：创建管理员", "First start: create the administrator";
    SetupIntro => "这是全新的 Keel 实例。请创建第一个管理员账号，之后可以在系统中添加其他成员。", "This Keel instance is new. Create the first administrator; you can add everyone else afterwards.";
    DisplayName => "显示名称", "Display name";
    PasswordRule => "至少 8 个字符", "At least 8 characters";
    SetupButton => "创建并登录", "Create and log in";
    SetupUnavailable => "初始化已完成，或此链接无效。请直接登录。", "Setup is complete or this link is not valid. Please log in.";
    SetupLinkInvalid => "此初始化链接无效（可能已被使用）。", "This setup link is not valid (it may have been used already).";
    FieldInvalid => "请检查此项：{}", "Please check this field: {}";
    PasswordTooShort => "密码至少需要 8 个字符。", "The password needs at least 8 characters.";
    // Errors.
    ErrorTitle => "出错了", "Something is wrong";
    ErrForbidden => "你没有权限执行此操作。", "You are not allowed to do this.";
    ErrCsrf => "表单已过期或并非来自 Keel，请刷新页面后重试。", "This form has expired or did not come from Keel. Reload the page and try again.";
    ErrNotFound => "找不到该页面或条目，或你无权查看。", "This page or item does not exist, or you may not see it.";
    ErrInvalid => "输入有误。", "Some input is not valid.";
    ErrConflict => "该条目刚被他人修改，请刷新页面后重试。", "Someone else changed this item just now. Reload the page and try again.";
    ErrInternal => "服务器出错了，错误已记录。", "Something went wrong on the server; it has been logged.";
    BackToOkrs => "返回目标总览", "Back to OKRs";
    // OKR overview.
    OkrsTitle => "目标与关键结果", "Objectives and key results";
    Cycle => "周期", "Cycle";
    Cycles => "选择周期", "Choose a cycle";
    NoCycles => "还没有 OKR 周期。管理员可以在本页下方创建周期。", "There is no OKR cycle yet. An administrator can create one below.";
    NoObjectives => "这个周期还没有目标。", "This cycle has no objectives yet.";
    ExpectedToday => "按时间进度，今天（{}）应完成 {}", "Expected by today ({}): {}";
    ExpectedShare => "按时间进度应完成 {}", "expected by today: {}";
    ForecastLabel => "期末预测", "Forecast";
    CycleDates => "{} 至 {}", "{} to {}";
    Owner => "负责人", "Owner";
    Level => "层级", "Level";
    LevelCompany => "公司", "Company";
    LevelUnit => "部门", "Unit";
    LevelIndividual => "个人", "Individual";
    Private => "私密", "Private";
    Objective => "目标", "Objective";
    KeyResults => "关键结果", "Key results";
    NoKeyResults => "还没有关键结果。", "No key results yet.";
    Progress => "进度", "Progress";
    StatusNotStarted => "未开始", "Not started";
    StatusOnTrack => "正常", "On track";
    StatusAtRisk => "有风险", "At risk";
    StatusOffTrack => "落后", "Off track";
    StatusDone => "已完成", "Done";
    KindMetric => "指标", "Metric";
    KindThreshold => "阈值", "Threshold";
    KindMilestone => "里程碑", "Milestones";
    KindWork => "工作进度", "Work";
    KindChildren => "下级目标", "Aligned objectives";
    Confidence => "信心 {}/10", "Confidence {}/10";
    Forecast => "预计期末 {}", "Forecast at cycle end: {}";
    ForecastReaches => "（可达 70%）", " (reaches 70%)";
    ForecastMisses => "（达不到 70%）", " (below 70%)";
    Current => "当前", "Current";
    Start => "起始", "Start";
    Target => "目标值", "Target";
    NoValueYet => "尚未填报", "Nothing recorded yet";
    // Key result page.
    Numbers => "数值", "Numbers";
    Kind => "类型", "Kind";
    Weight => "权重", "Weight";
    DueDate => "截止日期", "Due date";
    Status => "状态", "Status";
    StatusOverridden => "状态由负责人手动设定，原因：{}", "Status set by the owner because: {}";
    Rule => "进度计算规则", "How progress is computed";
    RuleMetric => "(当前值 − 起始值) / (目标值 − 起始值)", "(current − start) / (target − start)";
    RuleThresholdAtLeast => "数值不低于 {} 时为 100%，否则为 0", "100% while the value stays at or above {}, else 0";
    RuleThresholdAtMost => "数值不高于 {} 时为 100%，否则为 0", "100% while the value stays at or below {}, else 0";
    RuleMilestone => "已完成里程碑的权重 / 里程碑总权重", "weight of done milestones / total weight";
    RuleWork => "Σ 估时×进度 / Σ 估时，按关联任务计", "Σ estimate × progress / Σ estimate, over the linked tasks";
    RuleWorkNumbers => "已完成权重 {} / 总权重 {}，计入 {} 个任务", "{} of {} weight done; tasks counted: {}";
    RuleChildren => "对齐到此关键结果的各目标进度的平均值", "mean progress of the objectives aligned under it";
    AlignedCount => "{} 个下级目标", "Aligned objectives: {}";
    Milestones => "里程碑清单", "Milestone checklist";
    MarkDone => "标记为完成", "Mark done";
    MarkUndone => "标记为未完成", "Mark not done";
    Finished => "已完成", "Done";
    NotFinished => "未完成", "Not done";
    LinkedProjects => "关联项目", "Linked projects";
    NoLinkedProjects => "没有关联项目。", "No linked projects.";
    CheckIns => "进展记录", "Check-ins";
    NoCheckIns => "还没有进展记录。", "No check-ins yet.";
    When => "时间", "When";
    Author => "填写人", "By";
    Value => "数值", "Value";
    Note => "说明", "Note";
    NewCheckIn => "更新进展", "Check in";
    ValueLabel => "新数值（{}）", "New value ({})";
    ConfidenceLabel => "信心（0–10）", "Confidence (0–10)";
    Submit => "提交", "Submit";
    NotANumber => "请输入一个数字。", "Enter a number.";
    ConfidenceRange => "信心必须是 0 到 10 之间的整数。", "Confidence must be a whole number from 0 to 10.";
    DerivedNoValue => "此关键结果的进度由系统计算，更新进展时无需填写数值。", "This key result's progress is computed; a check-in records confidence and a note.";
    // Projects.
    ProjectsTitle => "项目", "Projects";
    NoProjects => "还没有项目。", "There are no projects yet.";
    Project => "项目", "Project";
    Key => "编号", "Key";
    Name => "名称", "Name";
    Health => "健康度", "Health";
    HealthGreen => "健康", "Healthy";
    HealthYellow => "需关注", "Needs attention";
    HealthRed => "危险", "In trouble";
    HealthAllGood => "进度符合计划，没有逾期或受阻的任务。", "On schedule, nothing overdue or blocked.";
    ReasonBehind => "进度落后：按时间应完成 {}，实际完成 {}", "Behind schedule: {} expected by today, {} done";
    ReasonPastTarget => "已超过目标日期 {} 天", "{} d past the target date";
    ReasonOverdue => "{} 个任务逾期", "Overdue tasks: {}";
    ReasonBlocked => "{} 个任务受阻", "Blocked tasks: {}";
    Supports => "支撑的关键结果", "Supports key results";
    StartDate => "开始日期", "Start date";
    TargetDate => "目标日期", "Target date";
    ProjectPlanned => "计划中", "Planned";
    ProjectActive => "进行中", "Active";
    ProjectOnHold => "已暂停", "On hold";
    ProjectDone => "已完成", "Done";
    ProjectCancelled => "已取消", "Cancelled";
    OpenTasks => "未完成任务", "Open tasks";
    DoneTasks => "已完成任务", "Done tasks";
    OverdueTasks => "逾期任务", "Overdue tasks";
    BlockedTasks => "受阻任务", "Blocked tasks";
    SubProjects => "子项目", "Sub-projects";
    Tasks => "任务", "Tasks";
    NoTasks => "没有任务。", "No tasks.";
    Title => "标题", "Title";
    Assignee => "经办人", "Assignee";
    Unassigned => "未分配", "Unassigned";
    Blocked => "受阻", "Blocked";
    OverdueDays => "逾期 {} 天", "{} d overdue";
    Nothing => "无", "None";
    // Task page.
    Reporter => "报告人", "Reporter";
    Priority => "优先级", "Priority";
    PriorityLowest => "最低", "Lowest";
    PriorityLow => "低", "Low";
    PriorityMedium => "中", "Medium";
    PriorityHigh => "高", "High";
    PriorityHighest => "最高", "Highest";
    Estimate => "估时", "Estimate";
    Hours => "{} 小时", "{} h";
    HoursLogged => "已登记工时", "Hours logged";
    Labels => "标签", "Labels";
    BlockedReason => "受阻原因", "Blocked because";
    Description => "描述", "Description";
    NoDescription => "暂无描述。", "No description.";
    ParentTask => "父任务", "Parent task";
    SubTasks => "子任务", "Sub-tasks";
    Comments => "评论", "Comments";
    NoComments => "暂无评论。", "No comments yet.";
    CommentLabel => "评论（支持 Markdown）", "Comment (Markdown)";
    AddComment => "发表评论", "Add comment";
    ChangeStatus => "更改状态", "Change status";
    Save => "保存", "Save";
    History => "变更记录", "History";
    NoHistory => "暂无变更记录。", "No changes recorded.";
    Who => "操作人", "Who";
    Action => "操作", "Action";
    ActionCreate => "创建", "Created";
    ActionUpdate => "修改", "Changed";
    ActionDelete => "删除", "Deleted";
    LiveStale => "此页面已被他人更新，点此刷新", "Someone changed this page — reload";
    ActionImport => "导入", "Imported";
    ChangedFields => "修改了：{}", "Changed: {}";
    SystemActor => "系统", "System";
    Created => "创建于", "Created";
    Updated => "更新于", "Updated";
    Cancelled => "已取消", "Cancelled";
    Archived => "已归档", "Archived";
    Dependencies => "前置任务", "Depends on";
    // Default workflow statuses, shown translated; stored names stay as they are.
    WfTodo => "待办", "To do";
    WfInProgress => "进行中", "In progress";
    WfInReview => "评审中", "In review";
    WfDone => "已完成", "Done";
    // Task fields named in the history.
    FieldDescription => "描述", "description";
    FieldStatus => "状态", "status";
    FieldTitle => "标题", "title";
    FieldBlocked => "受阻", "blocked";
    FieldPriority => "优先级", "priority";
    FieldAssignee => "经办人", "assignee";
    FieldStartDate => "开始日期", "start date";
    FieldDueDate => "截止日期", "due date";
    FieldEstimate => "估时", "estimate";
    FieldProgress => "进度", "progress";
    FieldLabels => "标签", "labels";
    FieldParent => "父任务", "parent task";
    FieldKeyResults => "关联关键结果", "key results";
    FieldDependencies => "前置任务", "dependencies";
    FieldCancelled => "取消", "cancelled";
    FieldArchived => "归档", "archived";
    // Forms that plan a cycle: cycles, objectives, key results.
    NewCycle => "新建周期", "New cycle";
    CreateCycle => "创建周期", "Create cycle";
    EndDate => "结束日期", "End date";
    CycleState => "周期状态", "State";
    CyclePlanning => "规划中", "Planning";
    CycleActive => "进行中", "Active";
    CycleClosed => "已结束", "Closed";
    ParentCycle => "上级周期（可选）", "Parent cycle (optional)";
    NoneChosen => "（无）", "(none)";
    NewObjective => "新建目标", "New objective";
    NewObjectiveIn => "在周期 {} 中新建目标", "New objective in {}";
    CreateObjective => "创建目标", "Create objective";
    UnitLabelOfObjective => "所属部门", "Unit";
    PrivateHint => "私密：仅负责人、所属部门成员和管理员可见", "Private: only the owner, the unit's members and admins see it";
    AlignsTo => "对齐到", "Aligns to";
    AlignNothing => "不对齐（顶层目标）", "Nothing (a top-level objective)";
    AlignHint => "个人目标对齐到部门或公司，部门目标对齐到公司或上级部门。", "Individual objectives align to a unit or the company; unit objectives to the company or a parent unit.";
    NewKeyResult => "添加关键结果", "Add a key result";
    CreateKeyResult => "创建关键结果", "Create key result";
    StartValue => "起始值", "Start value";
    TargetValue => "目标值", "Target value";
    UnitLabel => "单位（如 %、万、天）", "Unit label (e.g. %, k, days)";
    Line => "阈值线", "Line to hold";
    Direction => "方向", "Direction";
    AtLeast => "不低于（≥）", "At or above (≥)";
    AtMost => "不高于（≤）", "At or below (≤)";
    ChecklistLabel => "里程碑清单：每行一项，可用“| 权重”指定权重", "Milestones: one per line, optionally “| weight”";
    LegendMetric => "指标类：从起始值到目标值", "Metric: from a start value to a target";
    LegendThreshold => "阈值类：保持在一条线以上或以下", "Threshold: stay on one side of a line";
    LegendMilestone => "里程碑类：加权的清单", "Milestones: a weighted checklist";
    DerivedKindsHint => "工作进度类和下级目标类的进度由系统计算，无需填写数值。", "Work and aligned-objective kinds are computed; they need no numbers.";
    // Editing a key result.
    EditKeyResult => "修改关键结果", "Edit key result";
    StatusOverride => "状态", "Status";
    StatusAutomatic => "按进度自动计算", "Computed from the schedule";
    OverrideReason => "手动设定状态的原因", "Reason for overriding the status";
    // Linking projects to key results.
    LinkKeyResult => "关联关键结果", "Link a key result";
    LinkFromCycle => "从当前周期（{}）选择", "From the current cycle ({})";
    LinkButton => "关联", "Link";
    Unlink => "取消关联", "Unlink";
    NothingToLink => "当前周期没有可关联的关键结果。", "The current cycle has no key result left to link.";
    NoSupportedKrs => "此项目尚未关联关键结果。", "This project supports no key result yet.";
    Reload => "重新加载页面", "Reload the page";
    // Why a form was refused, with the field named as the form labels it.
    FieldProblem => "“{}”有误：{}", "{}: {}";
    WhyRequired => "此项必填。", "This is required.";
    WhyStartEqualsTarget => "目标值与起始值相同，无法衡量进度；要把数值保持在某条线以上或以下，请改用阈值类关键结果。", "The target equals the start value, so progress cannot be measured; to keep a value on one side of a line, use a threshold key result.";
    WhyDate => "请按“年-月-日”填写日期，例如 2026-03-31。", "Enter a date as year-month-day, e.g. 2026-03-31.";
    WhyEndBeforeStart => "结束日期不能早于开始日期。", "The end date must not be before the start date.";
    WhyTooLong => "内容太长。", "This is too long.";
    WhyNotNegative => "必须是不小于 0 的数字。", "Enter a number of at least 0.";
    WhyNoSuch => "所选条目不存在，或你无权查看。", "The chosen item does not exist, or you may not see it.";
    WhyChoose => "请从列表中选择一项。", "Choose one from the list.";
    WhyAlignLevel => "只能对齐到上一级：个人目标对齐到部门或公司，部门目标对齐到公司或上级部门。", "An objective aligns one level up: individual to a unit or the company, unit to the company or a parent unit.";
    WhyAlignLoop => "这样对齐会形成循环。", "This alignment would make a loop.";
    WhyAlignOne => "只能对齐到一个目标或一个关键结果。", "Align to one objective or one key result, not both.";
    WhyItemsNeeded => "请至少填写一个里程碑，每行一个。", "Enter at least one milestone, one per line.";
    WhyItemWeight => "第 {} 行“|”后的权重不是数字。", "Line {}: the weight after “|” is not a number.";
    WhyOverrideReason => "手动设定状态时请说明原因。", "Say why the status is overridden.";
    WhyCheck => "请检查此项。", "Please check this field.";
    WhyComma => "小数请用小数点（如 1.5）；逗号只能用作千位分隔符，每三位数字一组（如 1,000,000）。", "Use a point for decimals (e.g. 1.5); a comma may only separate groups of three digits (e.g. 1,000,000).";
    // The kanban board.
    Board => "看板", "Board";
    BoardOptions => "看板选项", "Board options";
    Swimlanes => "泳道", "Swimlanes";
    LanesNone => "不分泳道", "No swimlanes";
    LanesAssignee => "按经办人", "By assignee";
    LanesKr => "按关键结果", "By key result";
    NoKr => "未关联关键结果", "No key result";
    ShowArchived => "显示已归档任务", "Show archived tasks";
    HideArchived => "隐藏已归档任务", "Hide archived tasks";
    BoardHint => "拖动卡片即可更改状态；也可以使用卡片上的“移动到”。", "Drag a card to change its status, or use “Move to” on the card.";
    BoardEmptyColumn => "暂无任务", "No tasks";
    CellLabel => "{}（泳道：{}）", "{} (lane: {})";
    ColumnCount => "{} 个任务", "Tasks: {}";
    ColumnWip => "{} 个任务，上限 {} 个", "Tasks: {}, limit {}";
    ColumnOverWip => "{} 个任务，超过上限 {} 个", "Tasks: {}, over the limit of {}";
    SubTaskOf => "{} 的子任务", "Sub-task of {}";
    MoveTo => "移动到", "Move to";
    Move => "移动", "Move";
    MovedTo => "{} 已移动到“{}”。", "{} moved to {}.";
    MoveFailed => "移动失败，卡片已放回原处。", "The move failed; the card is back where it was.";
    MoveSession => "登录已过期，请重新加载页面后再试。", "Your session has ended. Reload the page and try again.";
    NoSuchStatus => "该任务所属项目的流程中没有这个状态。", "This task's project has no such status.";
    WipLimits => "在制品（WIP）上限", "WIP limits";
    WipLimitOf => "{}列的上限", "Limit of {}";
    WipHint => "每列最多同时进行的任务数；留空表示不限制。", "The most tasks a column should hold at once; leave blank for no limit.";
    WhyWip => "请填写不小于 1 的整数，或留空表示不限制。", "Enter a whole number of at least 1, or leave it blank for no limit.";
    // Home, search, shortcuts
    NavHome => "首页", "Home";
    HomeTitle => "首页", "Home";
    HomeHello => "你好，{}", "Hello, {}";
    HomeToday => "今天是 {}（按你的时区），本周到 {} 为止。", "Today is {} in your time zone; this week runs to {}.";
    HomeNoCycle => "目前没有进行中的 OKR 周期，因此没有要跟进的关键结果。", "No OKR cycle is running now, so there are no key results to follow.";
    HomeMyKrs => "我负责的关键结果", "My key results";
    HomeNoMyKrs => "你在当前周期没有负责的关键结果。", "You own no key result in the current cycle.";
    HomeWaiting => "等待我更新进展", "Waiting for my check-in";
    HomeWaitingHint => "{} 天以上没有更新进展的关键结果。", "Key results with no check-in for {} days or more.";
    HomeNoWaiting => "没有等待你更新进展的关键结果。", "Nothing is waiting for your check-in.";
    HomeLastCheckIn => "上次更新：{}", "Last check-in: {}";
    HomeNeverCheckedIn => "还没有更新过进展", "Never checked in";
    HomeOverdue => "我的逾期任务", "My overdue tasks";
    HomeNoOverdue => "没有逾期的任务。", "Nothing of yours is overdue.";
    HomeDueThisWeek => "本周到期的任务", "Due this week";
    HomeNoDueThisWeek => "本周没有到期的任务。", "Nothing of yours is due this week.";
    HomeDueToday => "今天到期", "Due today";
    HomeAtRisk => "我所在部门中有风险的关键结果", "At-risk key results in my units";
    HomeNoAtRisk => "你所在部门的关键结果都没有风险或落后。", "No key result in your units is at risk or off track.";
    SearchTitle => "搜索", "Search";
    SearchLabel => "搜索目标、关键结果、项目和任务", "Search objectives, key results, projects and tasks";
    SearchPlaceholder => "搜索…", "Search…";
    SearchButton => "搜索", "Search";
    SearchResultsFor => "“{}”的搜索结果：{} 条", "Results for “{}”: {}";
    SearchNothing => "没有找到与“{}”匹配的内容。", "Nothing matches “{}”.";
    SearchStart => "输入关键词或任务编号（如 RET-3），搜索你可以查看的目标、关键结果、项目和任务。", "Type a word or a task key (such as RET-3) to search the objectives, key results, projects and tasks you may see.";
    SearchTooLong => "搜索内容太长，最多 {} 个字符。", "The search text is too long: at most {} characters.";
    SearchObjectives => "目标", "Objectives";
    SearchMore => "只显示前 {} 条，请输入更具体的关键词。", "Only the first {} are shown; try a more specific word.";
    ShortcutsTitle => "键盘快捷键", "Keyboard shortcuts";
    ShortcutSearch => "跳到搜索框", "Go to the search box";
    ShortcutCreate => "打开本页的新建表单（如新建目标、项目或任务）", "Open this page's create form (a new objective, project or task)";
    ShortcutHelp => "显示本帮助", "Show this help";
    ShortcutClose => "关闭本帮助", "Close this help";
    ShortcutsNote => "在输入框中打字时快捷键不起作用。使用中文、日文等输入法时，按回车只会确认候选词，不会提交表单。", "Shortcuts do not act while you type in a field. With an input method (Chinese, Japanese …), Enter only confirms the candidate and never submits a form.";
    Close => "关闭", "Close";
    // Key result chart, coach, editing
    ChartHeading => "历史趋势", "History";
    ChartSvgTitle => "{} 的历史趋势", "History of {}";
    ChartActual => "实际值", "Actual";
    ChartExpected => "期望进度", "Expected";
    ChartForecast => "预测至期末", "Forecast to cycle end";
    ChartToday => "今天", "Today";
    ChartDescActual => "共 {} 次进展记录：首次 {}（{}），最近 {}（{}）。", "{} check-in{|s}: first {} ({}), latest {} ({}).";
    ChartDescLine => "阈值线为 {}。", "The line to hold is {}.";
    ChartDescExpected => "期望从周期开始时的 {}（{}）到周期结束时的 {}（{}）。", "Expected: from {} at the cycle start ({}) to {} at its end ({}).";
    ChartDescForecast => "按趋势预测，周期结束（{}）时为 {}。", "Forecast at the cycle end ({}): {}.";
    ChartDescTable => "每次记录的数值见下方“进展记录”表格。", "The check-ins table below lists every value.";
    ChartAxisValue => "数值（{}）", "Value ({})";
    ChartAxisDate => "日期（{} 时区）", "Date ({} time)";
    CoachLabel => "OKR 教练提示", "OKR coach";
    CoachTooFew => "关键结果太少：{} 个（至少 {} 个）", "Too few key results: {} (at least {})";
    CoachTooFewHint => "每个目标设 {}–{} 个关键结果，从不同角度衡量目标是否达成。", "Give each objective {}–{} key results that measure it from different sides.";
    CoachTooMany => "关键结果太多：{} 个（最多 {} 个）", "Too many key results: {} (at most {})";
    CoachTooManyHint => "只保留最重要的 {} 个，其余的放到下个周期或转为任务。", "Keep the {} that matter most; move the rest to a later cycle or to tasks.";
    CoachNoNumber => "没有可衡量的数字", "Nothing to measure";
    CoachNoNumberHint => "写明起点和目标值，如“NPS 从 30 提升到 45”。", "Give it a start and a target, e.g. “NPS from 30 to 45”.";
    CoachNoDueDate => "没有截止日期", "No due date";
    CoachNoDueDateHint => "设定截止日期，通常是周期的最后一天。", "Set a due date, usually the last day of the cycle.";
    CoachActivity => "写成了一项活动（“{}”），而不是结果", "Written as an activity (“{}”), not an outcome";
    CoachActivityHint => "把“完成调研”写成可衡量的结果，如“调研覆盖 50 位客户”。", "Write the result the work should bring, e.g. “Survey covers 50 customers” rather than “Complete the survey”.";
    CoachTooManyProjects => "关联了 {} 个项目（超过 {} 个）", "Bound to {} projects (more than {})";
    CoachTooManyProjectsHint => "分散在太多项目上难以推进；合并项目，或把关键结果拆小。", "Spread over so many projects it is hard to steer; merge projects or split the key result.";
    CoachNoCheckIn => "已 {} 天没有更新进展", "No check-in for {} day{|s}";
    CoachNoCheckInHint => "至少每 {} 天更新一次（最好每周一次）：数值、信心和一句说明。", "Check in at least every {} days (weekly is better): the value, your confidence and a note.";
    OtherCycles => "其他周期", "Other cycles";
    WhyDependencyCycle => "这样会形成循环依赖：{}", "This would make a dependency cycle: {}";
    WhyKeyTaken => "编号 {} 已被其他项目使用。", "The key {} is taken by another project.";
    WhyParentLoop => "不能放在自己或自己的下级之下。", "It cannot sit under itself or one of its own children.";
    WhySameProject => "只能选择同一项目中的任务。", "Pick tasks of the same project.";
    WhyBlockedReason => "标记为受阻时请说明原因。", "Say what blocks the task.";
    WhyProgressRange => "进度必须在 0 到 100 之间。", "Progress must be from 0 to 100.";
    WhyHours => "工时须大于 0，且不超过 24 小时。", "Hours must be more than 0 and at most 24.";
    WhyProjectKey => "编号须为 2–10 个字母或数字，以字母开头（如 RET）。", "A key is 2–10 letters or digits, starting with a letter (e.g. RET).";
    EstimateHours => "估时（小时）", "Estimate (hours)";
    LabelsHint => "标签（用逗号分隔）", "Labels (separated by commas)";
    ParentProject => "上级项目", "Parent project";
    NoParentProject => "无（顶层项目）", "None (a top-level project)";
    SupportsPick => "支撑的关键结果", "Key results it supports";
    MultiSelectHint => "可多选：按住 Ctrl（Mac 上为 ⌘）点击。", "Pick several with Ctrl-click (⌘-click on a Mac).";
    NewTask => "新建任务", "New task";
    CreateTask => "创建任务", "Create task";
    DescriptionMarkdown => "描述（支持 Markdown）", "Description (Markdown)";
    NewSubProject => "新建子项目", "New sub-project";
    CreateSubProject => "创建子项目", "Create sub-project";
    NewProject => "新建项目", "New project";
    CreateProject => "创建项目", "Create project";
    ProjectKeyHint => "编号：2–10 个字母或数字，以字母开头，如 RET；任务编号将是 RET-1、RET-2……", "Key: 2–10 letters or digits, starting with a letter, e.g. RET; tasks become RET-1, RET-2 …";
    EditTask => "修改任务", "Edit task";
    ProgressPercent => "进度（%）", "Progress (%)";
    BlockedCheck => "此任务受阻", "This task is blocked";
    DependsPick => "前置任务（同一项目）", "Depends on (same project)";
    Worklogs => "工时记录", "Worklogs";
    NoWorklogs => "暂无工时记录。", "No work logged yet.";
    WorkDay => "日期", "Date";
    HoursLabel => "工时（小时）", "Hours";
    LogWork => "登记工时", "Log work";
    WorkBehind => "数字背后的工作", "The work behind the number";
    DirectTasks => "直接关联的任务", "Tasks linked directly";
    // Gantt
    Gantt => "甘特图", "Gantt chart";
    GanttChartLabel => "{} 的甘特图", "Gantt chart of {}";
    GanttZoom => "时间刻度", "Zoom";
    GanttZoomDay => "按日", "Days";
    GanttZoomWeek => "按周", "Weeks";
    GanttZoomMonth => "按月", "Months";
    GanttToday => "今天", "Today";
    GanttLegend => "图例", "Legend";
    GanttLegendBar => "任务：从开始日期到截止日期", "Task: start to due date";
    GanttLegendProgress => "已完成的部分", "Done so far";
    GanttLegendCritical => "关键路径：任何延误都会推迟项目完成", "Critical path: any delay moves the project's finish";
    GanttLegendOverdue => "已逾期", "Overdue";
    GanttLegendMilestone => "里程碑", "Milestone";
    GanttLegendDependency => "依赖：前一项完成后才能开始", "Dependency: finish to start";
    GanttCriticalPath => "关键路径：{}，共 {} 天（{} 至 {}）", "Critical path: {}, {} day{|s} ({} to {})";
    GanttNoCriticalPath => "没有带日期的任务，无法计算关键路径。", "No task has dates, so there is no critical path.";
    GanttCycle => "依赖关系形成了循环（{}），无法计算关键路径。", "The dependencies form a cycle ({}), so there is no critical path.";
    GanttHint => "拖动条形可整体移动任务，拖动条形右端可修改截止日期；也可以在“修改日期”中直接填写。", "Drag a bar to move a task, or its right end to change the due date; or type the dates under “Change dates”.";
    GanttDates => "修改日期", "Change dates";
    GanttDatesOf => "修改 {} 的日期", "Change the dates of {}";
    GanttUndated => "没有日期的任务（未显示在图中）", "Tasks without dates (not on the chart)";
    GanttEmpty => "此项目还没有带日期的任务或里程碑。", "No task or milestone of this project has dates yet.";
    GanttBarTitle => "{} {}：{} 至 {}", "{} {}: {} to {}";
    GanttSlack => "可延后 {} 天而不影响项目完成", "Can slip {} d without moving the finish";
    GanttOnCritical => "在关键路径上", "On the critical path";
    GanttPushed => "开始时前置任务尚未完成", "Starts before a predecessor finishes";
    GanttSaved => "{} 已改为 {} 至 {}。", "{} now runs {} to {}.";
    GanttMoveFailed => "未能保存，条形已放回原处。", "Not saved; the bar is back where it was.";
    GanttBeforePredecessor => "{} 不能在前置任务 {} 完成（截止 {}）之前开始；最早可在 {} 开始。", "{} cannot start before its predecessor {} is finished (due {}); it can start on {} at the earliest.";
    GanttAfterSuccessor => "{} 须在依赖它的任务 {} 开始（{}）之前完成。", "{} must finish before {}, which depends on it, starts ({}).";
    GanttPage => "第 {} 页，共 {} 页", "Page {} of {}";
    GanttPrev => "上一页", "Previous page";
    GanttNext => "下一页", "Next page";
    GanttRows => "任务与里程碑", "Tasks and milestones";
    GanttMilestoneTitle => "里程碑 {}：{}", "Milestone {}: {}";
    GanttUndatedMore => "另有 {} 个没有日期的任务未列出。", "{} more task{|s} without dates {is|are} not listed.";
    // OKR tree scope (unit picker, pages) and the objective page
    OkrPageOf => "第 {} 页，共 {} 页", "Page {} of {}";
    OkrPrev => "上一页", "Previous";
    OkrNext => "下一页", "Next";
    OkrUnitPicker => "部门", "Unit";
    OkrAllUnits => "全部部门", "All units";
    OkrShow => "查看", "Show";
    OkrScopeHint => "只看所选部门及其下级部门的目标，以及其成员的个人目标。", "Only the objectives of the chosen unit and the units under it, and their people's own objectives.";
    EditObjective => "修改目标", "Edit objective";
    SaveObjective => "保存目标", "Save objective";
    ObjectiveAlignsTo => "对齐到", "Aligns to";
    AlignedHere => "对齐到此目标的目标", "Objectives aligned to this one";
    NoneAlignedHere => "还没有目标对齐到这里。", "No objective aligns here yet.";
    BackToTree => "返回目标树", "Back to the OKR tree";
    WhyNoSuchPerson => "没有找到这个人，请从建议中选择。", "No one by that name; pick someone from the suggestions.";
    BoardMoreCards => "还有 {} 张卡片未显示，显示全部", "{} more card{|s} not shown: show all";
    // Project views: tab bar, list view, calendars
    ProjectViews => "项目视图", "Project views";
    TabOverview => "概览", "Overview";
    TabList => "列表", "List";
    TabBoard => "看板", "Board";
    TabGantt => "甘特图", "Gantt";
    TabTable => "表格", "Table";
    TabCalendar => "日历", "Calendar";
    ListTitle => "任务列表", "Task list";
    ListOptions => "列表选项", "List options";
    ListSort => "排序", "Sort by";
    ListSortNumber => "编号", "Number";
    ListSortDue => "截止日期", "Due date";
    ListSortPriority => "优先级", "Priority";
    ListShow => "显示", "Show";
    ListShowAll => "全部", "All";
    ListShowOpen => "未完成", "Open";
    ListShowDone => "已完成", "Done";
    ListIncludeSub => "包含子项目的任务", "Include sub-projects' tasks";
    ListOwnOnly => "只看本项目的任务", "This project's tasks only";
    ListEmpty => "没有符合条件的任务。", "No task matches.";
    ListSubCount => "子任务 {} 个，已完成 {} 个", "Sub-tasks: {}, done: {}";
    ListDueOn => "截止日期为 {} 的任务", "Tasks due on {}";
    ListClearDay => "显示所有日期", "Show every date";
    ListPage => "第 {} 页，共 {} 页（{} 个顶层任务）", "Page {} of {} ({} top-level tasks)";
    ListPrev => "上一页", "Previous";
    ListNext => "下一页", "Next";
    ListArchivedPage => "已归档任务第 {} 页，共 {} 页", "Archived tasks, page {} of {}";
    CalTitle => "日历", "Calendar";
    CalMine => "我的日历", "My calendar";
    CalMineHint => "你负责的、你可以查看的所有项目中的任务，按截止日期排列。", "Tasks assigned to you in every project you may see, on their due dates.";
    CalPrev => "上个月", "Previous month";
    CalNext => "下个月", "Next month";
    CalToday => "今天", "Today";
    CalTodayMark => "今天", "Today";
    CalMon => "周一", "Mon";
    CalTue => "周二", "Tue";
    CalWed => "周三", "Wed";
    CalThu => "周四", "Thu";
    CalFri => "周五", "Fri";
    CalSat => "周六", "Sat";
    CalSun => "周日", "Sun";
    CalMore => "还有 {} 项", "+{} more";
    CalAgenda => "日程", "Agenda";
    CalEmpty => "这个月没有到期的任务或里程碑。", "Nothing is due this month.";
    CalMilestone => "里程碑", "Milestone";
    CalOverdue => "已逾期", "Overdue";
    CalDone => "已完成", "Done";
    CalMonthNav => "切换月份", "Change month";
    NavCalendar => "日历", "Calendar";
    // People and units, settings, and the key result's work and comments (issue 3).
    NavPeople => "人员", "People";
    NavSettings => "设置", "Settings";
    PeopleTitle => "人员与组织", "People and units";
    OrgTree => "组织架构", "Organisation";
    NoUnits => "还没有部门。", "No units yet.";
    UnitRegion => "地区", "Region";
    UnitLead => "负责人", "Lead";
    UnitMembers => "{} 名成员", "{} member{|s}";
    PeopleSearch => "按姓名、登录名或邮箱搜索人员", "Search people by name, login or email";
    PeopleFound => "共 {} 人", "{} {person|people}";
    NoPeopleFound => "没有找到匹配的人员。", "No one matches.";
    PersonRole => "角色", "Role";
    PersonUnits => "所属部门", "Units";
    TimeZone => "时区", "Time zone";
    RoleAdmin => "管理员", "Admin";
    RoleMember => "成员", "Member";
    RoleViewer => "只读成员", "Viewer";
    PagePrev => "上一页", "Previous";
    PageNext => "下一页", "Next";
    PageOf => "第 {} 页，共 {} 页", "Page {} of {}";
    SubUnits => "下级部门", "Sub-units";
    NoSubUnits => "没有下级部门。", "No sub-units.";
    Members => "成员", "Members";
    NoMembers => "还没有成员。", "No members yet.";
    UnitObjectives => "本部门的目标（{}）", "The unit's objectives ({})";
    NoVisibleObjectives => "没有你可以查看的目标。", "No objectives you may see.";
    ParentUnitOf => "上级部门", "Parent unit";
    TopLevel => "（无，顶层部门）", "(none: top level)";
    NoLead => "（未指定）", "(none)";
    PersonKrs => "负责的关键结果（{}）", "Key results they own ({})";
    NoPersonKrs => "没有你可以查看的关键结果。", "No key results you may see.";
    PersonTasks => "未完成的任务", "Open tasks";
    NoPersonTasks => "没有未完成的任务。", "No open tasks.";
    Manage => "管理（仅管理员）", "Manage (admins only)";
    NewUnit => "新建部门", "New unit";
    EditUnit => "修改部门", "Edit unit";
    AddMember => "添加成员", "Add a member";
    RemoveMember => "移出", "Remove";
    RemoveMemberOf => "把 {} 移出本部门", "Remove {} from this unit";
    ChangeRole => "修改角色", "Change role";
    UnitCycle => "不能把“{}”移到“{}”之下：后者本身就在前者之内。", "“{}” cannot move under “{}”, which sits inside it.";
    UnitSelf => "部门不能位于自身之下。", "A unit cannot sit inside itself.";
    LastAdmin => "不能降级最后一位管理员：请先把另一个人设为管理员。", "The last admin cannot be demoted: make someone else an admin first.";
    Saved => "已保存。", "Saved.";
    SettingsTitle => "个人设置", "Your settings";
    LangFollowBrowser => "跟随浏览器", "Follow the browser";
    TimeZoneHint => "日期和“今天”“逾期”都按这个时区计算。", "Dates, “today” and “overdue” follow this zone.";
    BadZone => "不是有效的 IANA 时区（例如 Asia/Shanghai）。", "is not an IANA time zone (such as Asia/Shanghai).";
    Notifications => "通知", "Notifications";
    NotifyEventCol => "事件", "Event";
    EvAssigned => "分配给我", "Assigned to me";
    EvComment => "我的事项有评论或提到我", "Comments and mentions on my items";
    EvDue => "即将到期和已逾期", "Due soon and overdue";
    EvCheckIn => "我的关键结果该更新进展了", "Check-in reminders for my key results";
    EvReports => "报告", "Reports";
    ChInApp => "站内", "In app";
    ChEmail => "邮件", "Email";
    ChChat => "聊天工具", "Chat";
    EmailDigest => "邮件汇总", "Email digest";
    DigestOff => "关闭", "Off";
    DigestImmediate => "即时发送", "Right away";
    DigestDaily => "每天一封", "Once a day";
    DigestAt => "每天发送时间（本地时间）", "Daily at (local time)";
    QuietHours => "免打扰时段", "Quiet hours";
    QuietOn => "启用免打扰（邮件和聊天消息推迟到结束后）", "Use quiet hours (email and chat wait until they end)";
    QuietFrom => "开始", "From";
    QuietUntil => "结束", "Until";
    BadTime => "请输入时间，例如 09:00。", "Enter a time such as 09:00.";
    QuietSame => "免打扰的开始和结束时间不能相同。", "Quiet hours must start and end at different times.";
    DigestNoEmail => "每日汇总至少需要一项事件开启邮件通知。", "A daily digest needs at least one event switched on for email.";
    SettingsSaved => "设置已保存。", "Settings saved.";
    KrWorkCounts => "已完成 {} · 未完成 {} · 已逾期 {}", "{} done · {} open · {} overdue";
    KrWorkNote => "直接关联此关键结果的任务，以及关联项目中的任务。", "Tasks linked to this key result directly or through its projects.";
    NoOpenWork => "没有未完成的任务。", "No open tasks.";
    NoDueDate => "无截止日期", "No due date";
    HealthWhy => "原因：{}", "Why: {}";
    // Table view
    Table => "表格", "Table";
    TableCaption => "{} 的任务表格", "Tasks of {} as a table";
    ColKey => "编号", "Key";
    ColTitle => "标题", "Title";
    ColStatus => "状态", "Status";
    ColAssignee => "负责人", "Assignee";
    ColPriority => "优先级", "Priority";
    ColStart => "开始日期", "Start";
    ColDue => "截止日期", "Due";
    ColEstimate => "估算（小时）", "Estimate (h)";
    ColProgress => "进度", "Progress";
    ColLabels => "标签", "Labels";
    ColKrs => "关键结果", "Key results";
    ColParent => "父任务", "Parent";
    ColCreated => "创建时间", "Created";
    ColUpdated => "更新时间", "Updated";
    OpIs => "是", "is";
    OpIsNot => "不是", "is not";
    OpContains => "包含", "contains";
    OpEmpty => "为空", "is empty";
    OpNotEmpty => "不为空", "is not empty";
    OpGt => "大于", "greater than";
    OpLt => "小于", "less than";
    OpBetween => "介于", "between";
    OpBefore => "早于", "before";
    OpAfter => "晚于", "after";
    OpAnyOf => "是其中之一", "is any of";
    FieldKindText => "文本", "Text";
    FieldKindNumber => "数字", "Number";
    FieldKindSingle => "单选", "Single select";
    FieldKindMulti => "多选", "Multiple select";
    FieldKindDate => "日期", "Date";
    FieldKindPerson => "人员", "Person";
    FieldKindCheckbox => "复选框", "Checkbox";
    FieldKindUrl => "链接", "URL";
    TableView => "视图设置", "View settings";
    TableColumns => "显示的列", "Columns";
    TableFilters => "筛选条件", "Filters";
    TableFilterColumn => "第 {} 个条件的列", "Column of condition {}";
    TableFilterOp => "第 {} 个条件的运算", "Operator of condition {}";
    TableFilterValue => "第 {} 个条件的值", "Value of condition {}";
    TableFilterValue2 => "第 {} 个条件的第二个值（介于）", "Second value of condition {} (between)";
    TableNewFilter => "（添加条件）", "(add a condition)";
    TableJoin => "条件之间", "Conditions";
    TableJoinAnd => "满足全部条件", "match all";
    TableJoinOr => "满足任一条件", "match any";
    TableSort => "排序", "Sort";
    TableSortKey => "第 {} 排序依据", "Sort key {}";
    TableNoSort => "（不排序）", "(none)";
    TableAsc => "升序", "ascending";
    TableDesc => "降序", "descending";
    TableGroup => "分组", "Group by";
    TableNoGroup => "（不分组）", "(no grouping)";
    TableApply => "应用", "Apply";
    TableReset => "恢复默认", "Reset";
    TableRowCount => "共 {} 行", "{} row{|s}";
    TableEmpty => "没有符合此视图的任务。", "No task matches this view.";
    TableNoValue => "（空）", "(empty)";
    TableUnchecked => "（未勾选）", "(unchecked)";
    TableGroupHead => "{}：{}，{} 项", "{}: {} — {}";
    TableContinued => "（续）", "(continued)";
    TableEdit => "编辑", "Edit";
    TableEditOf => "编辑 {} 的“{}”", "Edit {} of {}";
    TableCancel => "取消", "Cancel";
    TableSaved => "{} 已保存。", "{} saved.";
    TableStale => "{} 刚被其他人修改，你的更改没有保存。请刷新页面查看最新内容后再改。", "Someone else changed {} just now, so your change was not saved. Reload the page to see theirs, then try again.";
    TableSaveFailed => "未能保存：{}", "Not saved: {}";
    TableHint => "点击可编辑的单元格即可直接修改；也可以使用单元格里的“编辑”链接。", "Click an editable cell to change it in place, or use the Edit link in the cell.";
    TableChecked => "已勾选", "checked";
    TableNone => "（无）", "(none)";
    TableSortBy => "按“{}”排序", "Sort by {}";
    TableMoveLeft => "将“{}”左移", "Move {} left";
    TableMoveRight => "将“{}”右移", "Move {} right";
    TableIgnored => "以下条件无法使用，已忽略：{}", "Some conditions could not be used and were left out: {}";
    TableViews => "已保存的视图", "Saved views";
    TableDefaultView => "默认视图", "Default view";
    TableSaveView => "将当前视图保存为", "Save this view as";
    TableViewName => "视图名称", "View name";
    TableShare => "共享给能查看此项目的所有人", "Share with everyone who can see the project";
    TableShared => "共享", "shared";
    TablePersonal => "仅自己可见", "only you";
    TableDeleteView => "删除视图“{}”", "Delete the view {}";
    TableFields => "自定义字段", "Custom fields";
    TableNoFields => "此项目还没有自定义字段。", "This project has no custom fields yet.";
    TableAddField => "添加字段", "Add a field";
    TableFieldName => "字段名称", "Field name";
    TableFieldKind => "字段类型", "Type";
    TableFieldOptions => "选项（每行一个，仅单选和多选）", "Options (one per line; select fields only)";
    TableFieldSave => "保存字段", "Save field";
    TableFieldUp => "将“{}”上移", "Move {} up";
    TableFieldDown => "将“{}”下移", "Move {} down";
    TableFieldDelete => "删除字段“{}”及其所有值", "Delete {} and all its values";
    TableFieldFrom => "来自上级项目 {}", "from the parent project {}";
    TableExport => "导出当前视图", "Export this view";
    TableExportCsv => "导出 CSV", "Export CSV";
    TableExportXlsx => "导出 Excel", "Export Excel";
    TableGroupColumn => "分组：{}", "Group: {}";
    TableDenied => "你没有修改此任务的权限。", "You may not change this task.";
    TableWhyOption => "不是此字段的选项之一。", "It is not one of the field's options.";
    TableWhyUrl => "请填写以 http:// 或 https:// 开头的网址。", "Enter a web address starting with http:// or https://.";
    TableWhyNameTaken => "此项目已有同名字段。", "The project already has a field of that name.";
    TableWhyOptions => "单选和多选字段至少需要一个选项，且选项不能重复。", "A select field needs at least one option, each only once.";
    ErrBadAddress => "这个地址无法识别（例如编号不是数字）。", "This address cannot be read (an id that is not a number, say).";
    ForecastHolds => "（守得住底线）", " (keeps the line)";
    ForecastBreaks => "（将越过底线）", " (would cross the line)";
    ErrConflictKept => "该任务刚被他人修改。下面保留了你填写的内容，再次保存将以你的为准。", "Someone else changed this task just now. What you typed is kept below; saving again makes it the task's.";
    ConflictDiscard => "放弃我的修改，查看最新内容", "Discard mine and see theirs";
    ExportUnit => "单元", "Unit";
    ExportObjectiveOwner => "目标负责人", "Objective owner";
    ExportObjectiveProgress => "目标进度", "Objective progress";
    ExportKeyResult => "关键结果", "Key result";
    ExportUnitLabel => "单位", "Unit of measure";
    ExportConfidence => "信心（0–10）", "Confidence (0–10)";
    OkrExport => "导出本周期的 OKR", "Export this cycle's OKRs";
    ImportTitle => "导入", "Import";
    ImportFromOtherTools => "从 Jira、Trello、Asana、GitHub、MS Project 或 CSV 导入…", "Import from Jira, Trello, Asana, GitHub, MS Project or CSV…";
    ImportKind => "来源格式", "Format";
    ImportFile => "文件", "File";
    ImportHint => "先预览：导入前会显示将新建、更新和跳过的内容。", "You see a preview first: what would be created, updated and skipped.";
    ImportPreview => "上传并预览", "Upload and preview";
    ImportWould => "导入将会", "Importing would";
    ImportDone => "已导入", "Imported";
    ImportProjects => "项目", "Projects";
    ImportTasks => "任务", "Tasks";
    ImportComments => "评论", "Comments";
    ImportPeople => "人员", "People";
    ImportCreated => "新建", "Create";
    ImportUpdated => "更新", "Update";
    ImportUnchanged => "不变", "Leave as is";
    ImportNotices => "提示与跳过的记录", "Warnings and skipped records";
    ImportMapping => "列对应关系", "Which column is which";
    ImportNoColumn => "（不导入）", "(not imported)";
    ImportRepreview => "按此对应重新预览", "Preview with these columns";
    ImportConfirm => "确认导入", "Import now";
    ImportRefused => "无法导入，未写入任何内容：{}", "Nothing was imported: {}";
    ImportChooseKind => "请选择来源格式。", "Choose a format.";
    ImportNoFile => "请选择要上传的文件。", "Choose a file to upload.";
    ImportGone => "找不到这次上传（可能已导入）。请重新上传。", "This upload is gone (perhaps imported already). Upload the file again.";
    ImportKindTrello => "Trello 看板 JSON", "Trello board JSON";
    ImportKindJiraCsv => "Jira CSV 导出", "Jira CSV export";
    ImportKindJiraJson => "Jira REST JSON 格式", "Jira REST JSON";
    ImportKindGithub => "GitHub issues JSON 格式", "GitHub issues JSON";
    ImportKindAsana => "Asana（JSON 或 CSV）", "Asana (JSON or CSV)";
    ImportKindCsv => "任意 CSV（Plane、Linear、表格）", "Any CSV (Plane, Linear, a spreadsheet)";
    ImportKindMsProject => "MS Project XML 文件", "MS Project XML";
    MapId => "编号", "Id";
    MapTitle => "标题", "Title";
    MapDescription => "描述", "Description";
    MapStatus => "状态", "Status";
    MapPriority => "优先级", "Priority";
    MapAssignee => "负责人", "Assignee";
    MapReporter => "报告人", "Reporter";
    MapLabels => "标签", "Labels";
    MapStart => "开始日期", "Start date";
    MapDue => "截止日期", "Due date";
    MapEstimate => "估算（小时）", "Estimate (hours)";
    MapParent => "父任务", "Parent";
    MapProject => "项目", "Project";
    MapCreated => "创建时间", "Created";
    MapUpdated => "更新时间", "Updated";
    MapCompleted => "完成时间", "Completed";
    MapArchived => "已归档", "Archived";
    MapComments => "评论", "Comments";
    MapMilestone => "里程碑", "Milestone";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Messages spelled the same in both languages on purpose: language names
    /// are shown in their own language so a reader can always find theirs.
    const SAME_IN_BOTH: &[Msg] = &[Msg::LangZh, Msg::LangEn];

    #[test]
    fn english_counts_agree_with_their_nouns() {
        assert_eq!(tf(Lang::En, Msg::UnitMembers, &[&1]), "1 member");
        assert_eq!(tf(Lang::En, Msg::UnitMembers, &[&2]), "2 members");
        assert_eq!(tf(Lang::En, Msg::UnitMembers, &[&0]), "0 members");
        assert_eq!(tf(Lang::En, Msg::PeopleFound, &[&1]), "1 person");
        assert_eq!(tf(Lang::En, Msg::GanttUndatedMore, &[&1]), "1 more task without dates is not listed.");
        assert_eq!(tf(Lang::En, Msg::GanttUndatedMore, &[&3]), "3 more tasks without dates are not listed.");
        // The count that decides is the one just before: 11 is not 1.
        assert_eq!(tf(Lang::En, Msg::TableRowCount, &[&11]), "11 rows");
        assert_eq!(tf(Lang::Zh, Msg::UnitMembers, &[&1]), "1 名成员");
    }

    #[test]
    fn every_message_exists_in_both_languages() {
        assert!(Msg::ALL.len() > 100);
        for &key in Msg::ALL {
            let (zh, en) = (t(Lang::Zh, key), t(Lang::En, key));
            assert!(!zh.trim().is_empty(), "{key:?} has no Chinese text");
            assert!(!en.trim().is_empty(), "{key:?} has no English text");
            if !SAME_IN_BOTH.contains(&key) {
                assert_ne!(zh, en, "{key:?} is not translated");
                assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{key:?} zh has no Chinese: {zh}");
            }
            assert_eq!(zh.matches("{}").count(), en.matches("{}").count(), "{key:?} placeholders differ");
        }
    }

    #[test]
    fn placeholders_fill_in_order() {
        assert_eq!(tf(Lang::Zh, Msg::Forecast, &[&"72%"]), "预计期末 72%");
        assert_eq!(tf(Lang::En, Msg::RuleWorkNumbers, &[&3, &10, &4]), "3 of 10 weight done; tasks counted: 4");
        // A missing argument leaves the placeholder visible rather than panicking.
        assert_eq!(tf(Lang::En, Msg::OverdueDays, &[]), "{} d overdue");
    }
}
