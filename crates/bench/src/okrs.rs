//! The benchmark's OKRs: one active cycle (this quarter) with 1,000 objectives
//! and 5,000 key results of every kind, aligned company → unit → person.
//!
//! Written straight through the storage traits (`Tx::insert_*`) in ONE write
//! transaction: the use cases would take a transaction, validation reads and a
//! change record per item, some 25,000 transactions for a set-up step that is
//! not what is measured. What is skipped is exactly that: validation (the
//! data is valid by construction) and change records.
//! The work links go through `App::update_project`, the way a person makes
//! them, because they are few (one call per project).

use crate::rng::Rng;
use crate::words::*;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use keel_app::demo::{quarter_end, quarter_start};
use keel_app::store::{Page, Tx};
use keel_app::work::ProjectPatch;
use keel_app::{Actor, App};
use keel_domain::okr::*;
use keel_domain::org::Unit;
use keel_domain::*;
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct OkrSummary {
    pub cycle_id: i64,
    pub units: usize,
    pub objectives: usize,
    pub private_objectives: usize,
    pub metric: usize,
    pub threshold: usize,
    pub milestone: usize,
    pub work: usize,
    pub children: usize,
    pub check_ins: usize,
    pub items: usize,
    pub project_links: usize,
    pub write_secs: f64,
    pub link_secs: f64,
}

enum Kind {
    Metric,
    Threshold,
    Milestone,
    Work,
    Children,
}

struct Builder<'a> {
    tx: &'a mut dyn Tx,
    rng: Rng,
    cycle: Cycle,
    now: DateTime<Utc>,
    owners: Vec<UserId>,
    summary: OkrSummary,
    /// Work KRs, to link to projects after the commit.
    work_krs: Vec<KeyResultId>,
}

impl Builder<'_> {
    /// Instant `share` (0–1) of the way from the cycle's start to now.
    fn at(&self, share: f64) -> DateTime<Utc> {
        let start = self.cycle.start_date.and_hms_opt(9, 0, 0).unwrap().and_utc();
        let span = (self.now - start).num_seconds().max(3600);
        start + Duration::seconds((span as f64 * share) as i64)
    }

    async fn objective(
        &mut self,
        title: String,
        level: ObjectiveLevel,
        unit_id: Option<UnitId>,
        parent: (Option<ObjectiveId>, Option<KeyResultId>),
    ) -> anyhow::Result<ObjectiveId> {
        let private = level == ObjectiveLevel::Individual && self.rng.chance(0.03);
        self.summary.private_objectives += usize::from(private);
        let objective = Objective {
            id: ObjectiveId(0),
            cycle_id: self.cycle.id,
            description: format!("{title}：对齐公司战略，季度末复盘。Reviewed at the end of the quarter."),
            title,
            level,
            unit_id,
            owner_id: *self.rng.pick(&self.owners),
            parent_objective_id: parent.0,
            parent_key_result_id: parent.1,
            private,
            version: 1,
            created_at: self.at(0.0),
        };
        self.summary.objectives += 1;
        Ok(self.tx.insert_objective(&objective).await?)
    }

    async fn key_result(
        &mut self,
        objective_id: ObjectiveId,
        position: i64,
        kind: Kind,
    ) -> anyhow::Result<KeyResultId> {
        let owner_id = *self.rng.pick(&self.owners);
        let due_date = Some(self.cycle.end_date);
        let mut kr = KeyResult {
            id: KeyResultId(0),
            objective_id,
            title: String::new(),
            owner_id,
            kind: KrKind::Metric,
            weight: if self.rng.chance(0.2) { 2.0 } else { 1.0 },
            start_value: None,
            target_value: None,
            current_value: None,
            unit_label: None,
            direction: None,
            due_date,
            status_override: None,
            override_reason: None,
            position,
            version: 1,
        };
        // Values typed in check-ins, oldest first; the KR's current value is the last.
        let mut values: Vec<f64> = Vec::new();
        match kind {
            Kind::Metric => {
                let (title, start, target, unit) = *self.rng.pick(METRICS);
                kr.title = format!("{title} {start} → {target}");
                (kr.start_value, kr.target_value, kr.unit_label) = (Some(start), Some(target), Some(unit.to_string()));
                let pace = 0.3 + self.rng.unit() * 0.9;
                for i in 0..self.rng.below(7) {
                    let share = (i + 1) as f64 / 7.0 * pace + (self.rng.unit() - 0.5) * 0.1;
                    values.push(start + (target - start) * share);
                }
                self.summary.metric += 1;
            }
            Kind::Threshold => {
                let (title, direction, line, unit) = *self.rng.pick(THRESHOLDS);
                kr.title = format!(
                    "{title} {} {line}{unit}",
                    if direction == ThresholdDirection::AtLeast { "≥" } else { "≤" }
                );
                (kr.kind, kr.target_value, kr.direction, kr.unit_label) =
                    (KrKind::Threshold, Some(line), Some(direction), Some(unit.to_string()));
                for _ in 0..self.rng.range(1, 4) {
                    values.push(line * (0.97 + self.rng.unit() * 0.06));
                }
                self.summary.threshold += 1;
            }
            Kind::Milestone => {
                kr.kind = KrKind::Milestone;
                kr.title = format!("按期完成里程碑 milestones #{position}");
                self.summary.milestone += 1;
            }
            Kind::Work => {
                kr.kind = KrKind::Work;
                kr.title = "完成关联项目的交付 deliver the linked projects".into();
                self.summary.work += 1;
            }
            Kind::Children => {
                kr.kind = KrKind::Children;
                kr.title = "下属目标平均完成度 children's average".into();
                self.summary.children += 1;
            }
        }
        kr.current_value = values.last().copied();
        let id = self.tx.insert_key_result(&kr).await?;
        kr.id = id;
        let n = values.len();
        for (i, value) in values.into_iter().enumerate() {
            let progress = keel_app::compute::value_progress(&kr, value)?;
            let check_in = CheckIn {
                id: CheckInId(0),
                key_result_id: id,
                author_id: owner_id,
                at: self.at((i + 1) as f64 / (n + 1) as f64),
                value: Some(value),
                progress,
                confidence: Some(self.rng.range(3, 9) as u8),
                note: self.rng.pick(NOTES).to_string(),
            };
            self.tx.insert_check_in(&check_in).await?;
            self.summary.check_ins += 1;
        }
        if matches!(kr.kind, KrKind::Milestone) {
            let count = self.rng.range(3, 6) as usize;
            let done = self.rng.below(count as u64 + 1) as usize;
            for (i, title) in MILESTONES.iter().take(count).enumerate() {
                let item = KrItem {
                    id: KrItemId(0),
                    key_result_id: id,
                    title: title.to_string(),
                    weight: 1.0,
                    done: i < done,
                    position: i as i64,
                };
                self.tx.insert_kr_item(&item).await?;
                self.summary.items += 1;
            }
        }
        if matches!(kr.kind, KrKind::Work) {
            self.work_krs.push(id);
        }
        Ok(id)
    }

    fn roll_kind(&mut self) -> Kind {
        let r = self.rng.unit();
        if r < 0.08 {
            Kind::Work
        } else if r < 0.14 {
            Kind::Milestone
        } else if r < 0.20 {
            Kind::Threshold
        } else {
            Kind::Metric
        }
    }
}

async fn units(tx: &mut dyn Tx) -> anyhow::Result<Vec<UnitId>> {
    let unit = |name: String, parent: Option<UnitId>| Unit {
        id: UnitId(0),
        parent_id: parent,
        name,
        region: Some("Shenzhen".into()),
        lead_id: None,
        version: 1,
    };
    let company = tx.insert_unit(&unit("启航科技 Keel Corp".into(), None)).await?;
    let mut out = Vec::new();
    for d in 0..8 {
        let dept = tx.insert_unit(&unit(format!("事业部 {} Division", d + 1), Some(company))).await?;
        out.push(dept);
        for t in 0..3 {
            out.push(tx.insert_unit(&unit(format!("小组 {}-{} Team", d + 1, t + 1), Some(dept))).await?);
        }
    }
    Ok(out)
}

/// Builds the cycle and its OKRs, then links the work KRs to `projects`.
pub async fn generate(
    app: &App,
    objectives: usize,
    krs: usize,
    projects: &[i64],
    seed: u64,
) -> anyhow::Result<OkrSummary> {
    anyhow::ensure!(objectives >= 3, "--objectives must be at least 3 (company, unit and individual levels)");
    let started = std::time::Instant::now();
    let now = Utc::now();
    let today: NaiveDate = now.date_naive();
    let mut tx = app.store.write().await?;
    let owners: Vec<UserId> = tx.list_users(Page::ALL).await?.into_iter().map(|u| u.id).collect();
    anyhow::ensure!(
        !owners.is_empty(),
        "no people in the database to own objectives (the import should have made them)"
    );
    let unit_ids = units(&mut *tx).await?;
    let start = quarter_start(today);
    let mut cycle = Cycle {
        id: CycleId(0),
        name: format!("{} Q{}", start.year(), start.month0() / 3 + 1),
        start_date: start,
        end_date: quarter_end(today),
        state: CycleState::Active,
        parent_id: None,
        version: 1,
    };
    cycle.id = tx.insert_cycle(&cycle).await?;
    let mut b = Builder {
        tx: &mut *tx,
        rng: Rng::new(seed ^ 0x6f6b72),
        cycle,
        now,
        owners,
        summary: OkrSummary::default(),
        work_krs: Vec::new(),
    };
    b.summary.units = unit_ids.len() + 1;

    let company_n = (objectives / 50).max(1);
    let unit_n = (objectives / 5).max(1);
    let krs_for = |i: usize| krs / objectives + usize::from(i < krs % objectives);
    let mut index = 0;
    let mut company = Vec::new();
    for c in 0..company_n {
        let id = b
            .objective(
                format!("{} #{}", COMPANY[c % COMPANY.len()], c + 1),
                ObjectiveLevel::Company,
                None,
                (None, None),
            )
            .await?;
        for p in 0..krs_for(index) {
            let kind = b.roll_kind();
            b.key_result(id, p as i64, kind).await?;
        }
        company.push(id);
        index += 1;
    }
    // Unit objectives; every fourth has a "children" KR its people align under.
    let mut unit_parents: Vec<(ObjectiveId, Option<KeyResultId>)> = Vec::new();
    for u in 0..unit_n {
        let theme = THEMES[u % THEMES.len()];
        let parent = company[u % company.len()];
        let id = b
            .objective(
                format!("{theme}（部门目标 {}）", u + 1),
                ObjectiveLevel::Unit,
                Some(unit_ids[u % unit_ids.len()]),
                (Some(parent), None),
            )
            .await?;
        let mut children_kr = None;
        for p in 0..krs_for(index) {
            let kind = if p == 0 && u % 4 == 0 { Kind::Children } else { b.roll_kind() };
            let is_children = matches!(kind, Kind::Children);
            let kr = b.key_result(id, p as i64, kind).await?;
            if is_children {
                children_kr = Some(kr);
            }
        }
        unit_parents.push((id, children_kr));
        index += 1;
    }
    for i in 0..objectives.saturating_sub(company_n + unit_n) {
        let (parent, children_kr) = unit_parents[i % unit_parents.len()];
        let align = match children_kr {
            Some(kr) => (None, Some(kr)),
            None => (Some(parent), None),
        };
        let theme = THEMES[i % THEMES.len()];
        let id = b.objective(format!("个人目标 {}: {theme}", i + 1), ObjectiveLevel::Individual, None, align).await?;
        for p in 0..krs_for(index) {
            let kind = b.roll_kind();
            b.key_result(id, p as i64, kind).await?;
        }
        index += 1;
    }
    let mut summary = std::mem::take(&mut b.summary);
    let work_krs = std::mem::take(&mut b.work_krs);
    let mut rng = Rng::new(seed ^ 0x6c696e6b);
    summary.cycle_id = b.cycle.id.0;
    drop(b);
    tx.commit().await?;
    summary.write_secs = started.elapsed().as_secs_f64();

    // Each work KR is delivered by one project, a fifth of them by two.
    let linked = std::time::Instant::now();
    let mut by_project: BTreeMap<i64, Vec<KeyResultId>> = BTreeMap::new();
    if !projects.is_empty() {
        for kr in work_krs {
            let n = if rng.chance(0.2) { 2 } else { 1 };
            for _ in 0..n {
                by_project.entry(*rng.pick(projects)).or_default().push(kr);
            }
        }
    }
    let actor = Actor::system();
    for (project, mut links) in by_project {
        links.dedup();
        let current = app.get_project(&actor, ProjectId(project)).await?;
        summary.project_links += links.len();
        let patch = ProjectPatch { key_result_ids: Some(links), version: current.version, ..Default::default() };
        app.update_project(&actor, ProjectId(project), patch).await?;
    }
    summary.link_secs = linked.elapsed().as_secs_f64();
    Ok(summary)
}
