//! The demo organisation from Keel's product brief, dated in the current
//! quarter: a retention objective bound to a real project tree, a SaaS
//! unit's objective, people in Shenzhen, Chengdu and Hangzhou, and work in
//! every state. Built through the same use cases a person would use, so it
//! is validated and recorded like any other data.

use crate::auth::{Actor, new_secret};
use crate::okr::{CheckInInput, CycleInput, KeyResultInput, KrItemInput, ObjectiveInput};
use crate::org::{UnitInput, UserInput, UserPatch};
use crate::work::{ProjectInput, TaskInput, WorklogInput};
use crate::{App, AppResult};
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use keel_domain::okr::*;
use keel_domain::org::{Lang, Role};
use keel_domain::work::*;
use keel_domain::*;

const DEMO_FLAG: &str = "demo_loaded";
pub const DEMO_ADMIN: &str = "zhangwei";
/// Everyone in the demo who logs in, the admin first.
pub const DEMO_LOGINS: [&str; 9] =
    [DEMO_ADMIN, "lina", "wangqiang", "liuyang", "chenjing", "yangfan", "zhaolei", "huangmin", "zhoujie"];

pub struct DemoLogin {
    pub login: String,
    pub password: String,
    pub created: bool,
}

/// First day of the quarter containing `day`.
pub fn quarter_start(day: NaiveDate) -> NaiveDate {
    let month = (day.month0() / 3) * 3 + 1;
    NaiveDate::from_ymd_opt(day.year(), month, 1).expect("valid quarter start")
}

pub fn quarter_end(day: NaiveDate) -> NaiveDate {
    let start = quarter_start(day);
    let next = if start.month() == 10 {
        NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(start.year(), start.month() + 3, 1)
    };
    next.expect("valid date") - Duration::days(1)
}

struct TaskSpec {
    title: &'static str,
    status: &'static str,
    assignee: usize,
    /// Due date relative to today, in days.
    due_in: i64,
    estimate: f64,
    blocked: Option<&'static str>,
}

const fn t(title: &'static str, status: &'static str, assignee: usize, due_in: i64, estimate: f64) -> TaskSpec {
    TaskSpec { title, status, assignee, due_in, estimate, blocked: None }
}

impl App {
    /// Loads the demo once; on every call the demo admin gets a fresh random
    /// password, returned so `keel serve --demo` can print it.
    pub async fn load_demo(&self, today: NaiveDate) -> AppResult<DemoLogin> {
        let sys = Actor::system();
        let loaded = { self.store.read().await?.get_setting(DEMO_FLAG).await?.is_some() };
        let password = new_secret("").chars().take(16).collect::<String>();
        if loaded {
            // Every demo person shares the new password (their older sessions end).
            for login in DEMO_LOGINS {
                let found = self.store.read().await?.find_user_by_login(login).await?;
                if let Some((person, _)) = found {
                    let patch =
                        UserPatch { password: Some(password.clone()), version: person.version, ..Default::default() };
                    self.update_user(&sys, person.id, patch).await?;
                }
            }
            return Ok(DemoLogin { login: DEMO_ADMIN.into(), password, created: false });
        }
        self.build_demo(&sys, today, &password).await?;
        let mut tx = self.store.write().await?;
        tx.put_setting(DEMO_FLAG, &today.to_string()).await?;
        tx.commit().await?;
        Ok(DemoLogin { login: DEMO_ADMIN.into(), password, created: true })
    }

    async fn build_demo(&self, sys: &Actor, today: NaiveDate, password: &str) -> AppResult<()> {
        let unit = |name: &str, parent: Option<UnitId>, region: Option<&str>| UnitInput {
            name: name.into(),
            parent_id: parent,
            region: region.map(str::to_string),
            lead_id: None,
        };
        let company = self.create_unit(sys, unit("启航科技", None, Some("Shenzhen"))).await?.id;
        let growth = self.create_unit(sys, unit("增长部", Some(company), Some("Hangzhou"))).await?.id;
        let rnd = self.create_unit(sys, unit("产品研发部", Some(company), Some("Shenzhen"))).await?.id;
        let saas = self.create_unit(sys, unit("SaaS事业部", Some(company), Some("Chengdu"))).await?.id;
        let push_team = self.create_unit(sys, unit("推送组", Some(rnd), Some("Shenzhen"))).await?.id;
        let community_team = self.create_unit(sys, unit("社区组", Some(growth), Some("Hangzhou"))).await?.id;
        let admin_team = self.create_unit(sys, unit("后台管理组", Some(saas), Some("Chengdu"))).await?.id;

        // (login, name, role, units, zone)
        let people: [(&str, &str, Role, Vec<UnitId>); 9] = [
            (DEMO_ADMIN, "张伟", Role::Admin, vec![company]),
            ("lina", "李娜", Role::Member, vec![growth]),
            ("wangqiang", "王强", Role::Member, vec![rnd, growth]),
            ("liuyang", "刘洋", Role::Member, vec![push_team]),
            ("chenjing", "陈静", Role::Member, vec![community_team]),
            ("yangfan", "杨帆", Role::Member, vec![saas]),
            ("zhaolei", "赵磊", Role::Member, vec![admin_team]),
            ("huangmin", "黄敏", Role::Member, vec![admin_team]),
            ("zhoujie", "周杰", Role::Viewer, vec![saas]),
        ];
        let mut ids = Vec::new();
        for (login, name, role, units) in people {
            let user = self
                .create_user(
                    sys,
                    UserInput {
                        login: Some(login.into()),
                        display_name: name.into(),
                        email: Some(format!("{login}@example.com")),
                        password: Some(password.to_string()),
                        role: Some(role),
                        lang: Some(Lang::Zh),
                        time_zone: Some("Asia/Shanghai".into()),
                        units,
                    },
                )
                .await?;
            ids.push(user.id);
        }
        let [ceo, growth_lead, pm, push_dev, designer, saas_lead, saas_dev, qa, _viewer] = ids[..] else {
            unreachable!()
        };
        for (u, lead) in [(company, ceo), (growth, growth_lead), (rnd, pm), (saas, saas_lead), (admin_team, saas_dev)] {
            let current = self.get_unit(sys, u).await?;
            self.update_unit(
                sys,
                u,
                crate::org::UnitPatch { lead_id: Some(Some(lead)), version: current.version, ..Default::default() },
            )
            .await?;
        }

        let q_start = quarter_start(today);
        let q_end = quarter_end(today);
        let year = self
            .create_cycle(
                sys,
                CycleInput {
                    name: format!("{}", today.year()),
                    start_date: NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("1 Jan"),
                    end_date: NaiveDate::from_ymd_opt(today.year(), 12, 31).expect("31 Dec"),
                    state: Some(CycleState::Active),
                    parent_id: None,
                },
            )
            .await?;
        let quarter = self
            .create_cycle(
                sys,
                CycleInput {
                    name: format!("{}-Q{}", today.year(), today.month0() / 3 + 1),
                    start_date: q_start,
                    end_date: q_end,
                    state: Some(CycleState::Active),
                    parent_id: Some(year.id),
                },
            )
            .await?
            .id;

        let objective =
            |title: &str, level, unit_id, owner, parent_objective_id, parent_key_result_id| ObjectiveInput {
                cycle_id: quarter,
                title: title.into(),
                description: String::new(),
                level,
                unit_id,
                owner_id: Some(owner),
                parent_objective_id,
                parent_key_result_id,
                private: false,
            };
        let metric = |objective_id, title: &str, owner, start, target, unit: &str| KeyResultInput {
            objective_id,
            title: title.into(),
            kind: KrKind::Metric,
            owner_id: Some(owner),
            weight: None,
            start_value: Some(start),
            target_value: Some(target),
            unit_label: Some(unit.into()),
            direction: None,
            due_date: Some(q_end),
            items: vec![],
        };
        let kind = |objective_id, title: &str, owner, kind| KeyResultInput {
            kind,
            unit_label: None,
            start_value: None,
            target_value: None,
            ..metric(objective_id, title, owner, 0.0, 1.0, "")
        };

        // Company: retention, bound to the activity project.
        let retention = self
            .create_objective(sys, objective("提升用户留存率", ObjectiveLevel::Company, Some(company), ceo, None, None))
            .await?
            .id;
        let kr1 =
            self.create_key_result(sys, metric(retention, "留存率提升至45%", growth_lead, 38.0, 45.0, "%")).await?;
        let kr2 = self
            .create_key_result(sys, metric(retention, "新用户7日留存率从20%提升至28%", growth_lead, 20.0, 28.0, "%"))
            .await?;
        let kr3 =
            self.create_key_result(sys, kind(retention, "用户活跃度优化专项按计划交付", pm, KrKind::Work)).await?;

        // SaaS unit: an easier admin console, numbers going both ways.
        let console = self
            .create_objective(
                sys,
                objective("打造更易用的后台管理系统", ObjectiveLevel::Unit, Some(saas), saas_lead, None, None),
            )
            .await?
            .id;
        let release = self
            .create_key_result(sys, metric(console, "新功能上线时间缩短30%（20天→14天）", saas_lead, 20.0, 14.0, "天"))
            .await?;
        let bugs =
            self.create_key_result(sys, metric(console, "内测bug数减少50%（120→60）", qa, 120.0, 60.0, "个")).await?;
        let requests = self
            .create_key_result(
                sys,
                metric(console, "每位产品经理每天处理需求数提升20%（10→12）", saas_dev, 10.0, 12.0, "个/天"),
            )
            .await?;

        // Stability: a threshold and a KR measured by the unit objectives under it.
        let stability = self
            .create_objective(sys, objective("夯实平台稳定性", ObjectiveLevel::Company, Some(company), ceo, None, None))
            .await?
            .id;
        let uptime = self
            .create_key_result(
                sys,
                KeyResultInput {
                    direction: Some(ThresholdDirection::AtLeast),
                    target_value: Some(99.9),
                    ..kind(stability, "核心服务可用性保持在99.9%以上", saas_lead, KrKind::Threshold)
                },
            )
            .await?;
        let units_kr =
            self.create_key_result(sys, kind(stability, "各事业部稳定性目标达成", ceo, KrKind::Children)).await?;
        let saas_stable = self
            .create_objective(
                sys,
                objective("后台系统稳定运行", ObjectiveLevel::Unit, Some(saas), saas_lead, None, Some(units_kr.id)),
            )
            .await?
            .id;
        let incidents = self
            .create_key_result(sys, metric(saas_stable, "线上P1故障从每月4次降至1次", saas_dev, 4.0, 1.0, "次"))
            .await?;

        // Growth unit and the PM's own objective, aligned upwards.
        let growth_o = self
            .create_objective(
                sys,
                objective(
                    "推送与社区驱动用户活跃",
                    ObjectiveLevel::Unit,
                    Some(growth),
                    growth_lead,
                    Some(retention),
                    None,
                ),
            )
            .await?
            .id;
        let dau = self
            .create_key_result(sys, metric(growth_o, "日活从120万提升至150万", growth_lead, 120.0, 150.0, "万"))
            .await?;
        let pm_o = self
            .create_objective(
                sys,
                objective("按期交付活跃度优化专项", ObjectiveLevel::Individual, None, pm, Some(growth_o), None),
            )
            .await?
            .id;
        let phases = self
            .create_key_result(
                sys,
                KeyResultInput {
                    items: vec![
                        KrItemInput { title: "方案评审通过".into(), weight: Some(1.0), done: true },
                        KrItemInput { title: "灰度上线".into(), weight: Some(2.0), done: true },
                        KrItemInput { title: "全量上线并复盘".into(), weight: Some(2.0), done: false },
                    ],
                    ..kind(pm_o, "三个子项目按里程碑上线", pm, KrKind::Milestone)
                },
            )
            .await?;
        let unsubscribe = self
            .create_key_result(
                sys,
                KeyResultInput {
                    direction: Some(ThresholdDirection::AtMost),
                    target_value: Some(2.0),
                    unit_label: Some("%".into()),
                    ..kind(pm_o, "推送退订率不高于2%", push_dev, KrKind::Threshold)
                },
            )
            .await?;

        // Projects and the work behind KR1 and KR3.
        let project = |key: &str, name: &str, parent, owner, unit, krs: Vec<KeyResultId>| ProjectInput {
            key: key.into(),
            name: name.into(),
            description: String::new(),
            parent_id: parent,
            owner_id: Some(owner),
            unit_id: Some(unit),
            status: Some(ProjectStatus::Active),
            start_date: Some(q_start),
            target_date: Some(q_end - Duration::days(7)),
            private: false,
            workflow: None,
            key_result_ids: krs,
        };
        let ret = self
            .create_project(sys, project("RET", "用户活跃度优化专项", None, pm, growth, vec![kr1.id, kr3.id]))
            .await?
            .id;
        let subprojects: [(&str, &str, UnitId, Vec<TaskSpec>); 3] = [
            (
                "PUSH",
                "推送策略优化",
                push_team,
                vec![
                    t("梳理现有推送场景与触达数据", "Done", 3, -40, 8.0),
                    t("设计分层推送策略", "Done", 3, -25, 16.0),
                    t("推送频控与免打扰时段开发", "In progress", 3, -4, 24.0),
                    TaskSpec {
                        blocked: Some("等待法务审核推送文案"),
                        ..t("个性化推送文案A/B测试", "In progress", 3, 10, 12.0)
                    },
                    t("推送效果看板", "To do", 3, 20, 8.0),
                ],
            ),
            (
                "COMM",
                "社区激励机制建设",
                community_team,
                vec![
                    t("社区积分规则设计", "Done", 4, -30, 12.0),
                    t("签到与勋章体系开发", "In review", 4, -2, 20.0),
                    t("优质内容创作者激励计划", "In progress", 1, 14, 16.0),
                    t("积分商城上线", "To do", 4, 25, 24.0),
                ],
            ),
            (
                "ONB",
                "新手引导流程重构",
                rnd,
                vec![
                    t("新用户流失路径分析", "Done", 2, -35, 10.0),
                    t("新手引导交互稿", "Done", 4, -21, 12.0),
                    t("引导流程前端开发", "In progress", 3, -6, 30.0),
                    t("引导流程埋点与漏斗看板", "To do", 3, 12, 8.0),
                ],
            ),
        ];
        // Tasks are filed by the project's PM, who becomes their reporter.
        let pm_actor = Actor::user(self.get_user(sys, pm).await?);
        let saas_actor = Actor::user(self.get_user(sys, saas_lead).await?);
        let mut demo_tasks = Vec::new();
        for (key, name, unit_id, specs) in subprojects {
            let sub = self.create_project(sys, project(key, name, Some(ret), pm, unit_id, vec![])).await?.id;
            for spec in specs {
                let task = self.demo_task(&pm_actor, sub, &spec, &ids, today).await?;
                demo_tasks.push(task);
            }
        }
        let adm = self
            .create_project(
                sys,
                project("ADM", "后台管理系统易用性改版", None, saas_lead, saas, vec![release.id, requests.id]),
            )
            .await?
            .id;
        for spec in [
            t("需求处理流程调研", "Done", 7, -45, 8.0),
            t("批量审批功能", "Done", 6, -20, 16.0),
            t("发布流水线提速", "In progress", 6, -3, 24.0),
            t("内测缺陷分级与自动分派", "In review", 7, 5, 12.0),
            t("后台导航与搜索改版", "To do", 6, 21, 20.0),
        ] {
            let task = self.demo_task(&saas_actor, adm, &spec, &ids, today).await?;
            demo_tasks.push(task);
        }
        // Hours on the work, for the manpower-input ratio.
        for (i, task) in demo_tasks.iter().enumerate().filter(|(_, t)| t.category != StatusCategory::Todo) {
            let person = Actor::user(self.get_user(sys, task.assignee_id.unwrap_or(pm)).await?);
            for back in [9, 5, 2] {
                let day = today - Duration::days(back + (i as i64 % 3));
                self.log_work(&person, task.id, WorklogInput { day, hours: 2.0 + (i % 4) as f64, note: String::new() })
                    .await?;
            }
        }

        // Weekly check-ins from the start of the quarter until last week.
        let weeks = ((today - q_start).num_days() / 7).max(1);
        let series: [(&KeyResult, f64, f64, UserId); 8] = [
            (&kr1, 38.0, 41.6, growth_lead),
            (&kr2, 20.0, 23.1, growth_lead),
            (&release, 20.0, 16.5, saas_lead),
            (&bugs, 120.0, 95.0, qa),
            (&requests, 10.0, 11.6, saas_dev),
            (&incidents, 4.0, 2.0, saas_dev),
            (&dau, 120.0, 133.0, growth_lead),
            (&unsubscribe, 2.4, 1.8, push_dev),
        ];
        for (kr, from, to, owner) in series {
            let actor = Actor::user(self.get_user(sys, owner).await?);
            for week in 1..=weeks {
                let share = week as f64 / weeks as f64;
                let noise = if week % 2 == 0 { 0.02 } else { -0.02 } * (to - from).abs();
                let value =
                    ((from + (to - from) * share + if week == weeks { 0.0 } else { noise }) * 10.0).round() / 10.0;
                let day = q_start + Duration::days(week * 7 - 3);
                let at = Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).expect("2 am"));
                let confidence = Some(if share > 0.5 { 7 } else { 6 });
                self.check_in(
                    &actor,
                    kr.id,
                    CheckInInput { value: Some(value), confidence, note: format!("第{week}周进展"), at: Some(at) },
                )
                .await?;
            }
        }
        let uptime_owner = Actor::user(self.get_user(sys, saas_lead).await?);
        for (week, value) in [(2, 99.95), (4, 99.82), (6, 99.93)] {
            let day = q_start + Duration::days(week * 7);
            if day < today {
                let at = Utc.from_utc_datetime(&day.and_hms_opt(3, 0, 0).expect("3 am"));
                self.check_in(
                    &uptime_owner,
                    uptime.id,
                    CheckInInput {
                        value: Some(value), confidence: Some(8), note: "月度可用性".into(), at: Some(at)
                    },
                )
                .await?;
            }
        }
        let _ = (phases, designer);
        Ok(())
    }

    async fn demo_task(
        &self,
        sys: &Actor,
        project: ProjectId,
        spec: &TaskSpec,
        people: &[UserId],
        today: NaiveDate,
    ) -> AppResult<Task> {
        let due = today + Duration::days(spec.due_in);
        let done = spec.status == "Done";
        self.create_task(
            sys,
            TaskInput {
                project_id: project,
                title: spec.title.into(),
                description: format!("**{}**\n\n- 负责人跟进\n- 每周同步进展", spec.title),
                status: Some(spec.status.into()),
                priority: Some(if spec.due_in < 0 && !done { Priority::High } else { Priority::Medium }),
                assignee_id: people.get(spec.assignee).copied(),
                start_date: Some(due - Duration::days(14)),
                due_date: Some(due),
                estimate: Some(spec.estimate),
                progress: if spec.status == "In progress" { Some(0.4) } else { None },
                parent_id: None,
                labels: vec![],
                key_result_ids: vec![],
                depends_on: vec![],
                blocked: spec.blocked.is_some(),
                blocked_reason: spec.blocked.map(str::to_string),
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(quarter_start(d(2026, 12, 3)), d(2026, 10, 1));
        assert_eq!(quarter_end(d(2026, 12, 3)), d(2026, 12, 31));
        assert_eq!(quarter_start(d(2026, 2, 28)), d(2026, 1, 1));
        assert_eq!(quarter_end(d(2026, 5, 1)), d(2026, 6, 30));
    }
}
