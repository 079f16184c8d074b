//! The OKR tree's unit picker and pages, and the objective page with its
//! edit form, driven through the real router over the demo organisation.
//! Which objectives a page must show is worked out here from what the test
//! created and the demo's documented org chart, never read off a page.

mod page_site;

use axum::http::StatusCode;
use chrono::Duration;
use keel_app::Actor;
use keel_app::okr::{CycleInput, ObjectiveInput};
use keel_domain::okr::{CycleState, Objective, ObjectiveLevel};
use keel_domain::{CycleId, UnitId, UserId};
use page_site::{Site, form, site, today};
use std::collections::BTreeSet;

/// The ids of the objectives a tree page shows, in page order.
fn shown(body: &str) -> Vec<i64> {
    body.split(r#"<li class="objective card"#)
        .skip(1)
        .filter_map(|s| s.split(r#"id="obj-"#).nth(1)?.split('"').next()?.parse().ok())
        .collect()
}

async fn unit(site: &Site, name: &str) -> UnitId {
    let units = site.app.list_units(&Actor::system()).await.unwrap();
    units.iter().find(|u| u.name == name).unwrap_or_else(|| panic!("no unit {name}")).id
}

async fn current_cycle(site: &Site) -> CycleId {
    site.app.current_cycle(&Actor::system()).await.unwrap().expect("the demo has a current cycle").id
}

fn objective(
    cycle: CycleId,
    title: &str,
    level: ObjectiveLevel,
    unit: Option<UnitId>,
    owner: UserId,
) -> ObjectiveInput {
    ObjectiveInput {
        cycle_id: cycle,
        title: title.into(),
        description: String::new(),
        level,
        unit_id: unit,
        owner_id: Some(owner),
        parent_objective_id: None,
        parent_key_result_id: None,
        private: false,
    }
}

async fn create(site: &Site, input: ObjectiveInput) -> Objective {
    site.app.create_objective(&Actor::system(), input).await.expect("objective created")
}

#[tokio::test]
async fn the_unit_picker_keeps_the_unit_its_sub_units_and_their_peoples_own_objectives() {
    let site = site().await;
    let cycle = current_cycle(&site).await;
    let (saas, admin_team) = (unit(&site, "SaaS事业部").await, unit(&site, "后台管理组").await);
    let (zhaolei, lina) = (site.user("zhaolei").await, site.user("lina").await);
    // 赵磊 belongs to 后台管理组 (under SaaS); 李娜 to 增长部.
    let mine = create(&site, objective(cycle, "赵磊的个人目标", ObjectiveLevel::Individual, None, zhaolei)).await;
    let other = create(&site, objective(cycle, "李娜的个人目标", ObjectiveLevel::Individual, None, lina)).await;
    let team = create(&site, objective(cycle, "后台组目标", ObjectiveLevel::Unit, Some(admin_team), zhaolei)).await;
    let (cookie, _) = site.admin().await;

    let all = site.get(&format!("/okrs?cycle={}", cycle.0), &cookie).await;
    let every: BTreeSet<i64> = shown(&all.body).into_iter().collect();
    for o in [&mine, &other, &team] {
        assert!(every.contains(&o.id.0), "unfiltered, {} shows", o.title);
    }
    let scoped = site.get(&format!("/okrs?cycle={}&unit={}", cycle.0, saas.0), &cookie).await;
    assert_eq!(scoped.status, StatusCode::OK);
    let ids: BTreeSet<i64> = shown(&scoped.body).into_iter().collect();
    // Expected: objectives whose unit is SaaS or 后台管理组, plus individual
    // objectives without a unit owned by their people.
    let tree = site.app.okr_tree(&Actor::system(), cycle).await.unwrap();
    let mut people = Vec::new();
    for login in ["yangfan", "zhaolei", "huangmin", "zhoujie"] {
        people.push(site.user(login).await);
    }
    let expected: BTreeSet<i64> = tree
        .objectives
        .iter()
        .map(|o| &o.objective)
        .filter(|o| match o.unit_id {
            Some(u) => u == saas || u == admin_team,
            None => o.level == ObjectiveLevel::Individual && people.contains(&o.owner_id),
        })
        .map(|o| o.id.0)
        .collect();
    assert_eq!(ids, expected);
    assert!(ids.contains(&mine.id.0) && ids.contains(&team.id.0) && !ids.contains(&other.id.0));
    assert!(scoped.body.contains(&format!(r#"<option value="{}" selected>"#, saas.0)));
    // A unit that does not exist is not found.
    assert_eq!(site.get(&format!("/okrs?cycle={}&unit=999999", cycle.0), &cookie).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_large_tree_is_paged_without_cutting_a_subtree() {
    let site = site().await;
    let sys = Actor::system();
    let start = today();
    let cycle = site
        .app
        .create_cycle(
            &sys,
            CycleInput {
                name: "分页周期".into(),
                start_date: start,
                end_date: start + Duration::days(80),
                state: Some(CycleState::Planning),
                parent_id: None,
            },
        )
        .await
        .unwrap()
        .id;
    let owner = site.user("lina").await;
    // One company objective with 3 aligned children, then 130 more roots: 134.
    let head = create(&site, objective(cycle, "总目标", ObjectiveLevel::Company, None, owner)).await;
    let mut children = Vec::new();
    for i in 0..3 {
        let mut child = objective(cycle, &format!("子目标{i}"), ObjectiveLevel::Individual, None, owner);
        child.parent_objective_id = Some(head.id);
        children.push(create(&site, child).await.id.0);
    }
    for i in 0..130 {
        create(&site, objective(cycle, &format!("目标{i:03}"), ObjectiveLevel::Individual, None, owner)).await;
    }
    let (cookie, _) = site.admin().await;
    let first = site.get(&format!("/okrs?cycle={}", cycle.0), &cookie).await;
    let second = site.get(&format!("/okrs?cycle={}&page=2", cycle.0), &cookie).await;
    let (a, b) = (shown(&first.body), shown(&second.body));
    assert_eq!(a.len(), 100, "the first page is full");
    assert_eq!(b.len(), 34);
    assert!(first.body.contains("第 1 页，共 2 页") && second.body.contains("第 2 页，共 2 页"));
    assert!(first.body.contains(&format!(r#"href="/okrs?cycle={}&#38;page=2" rel="next""#, cycle.0)));
    // Every objective once; the head and its children together.
    let union: BTreeSet<i64> = a.iter().chain(&b).copied().collect();
    assert_eq!(union.len(), 134);
    let at = |id: i64| a.iter().position(|x| *x == id).expect("on the first page");
    for child in children {
        assert!(at(child) > at(head.id.0) && at(child) <= at(head.id.0) + 3);
    }
    // A page past the end shows the last one.
    assert_eq!(shown(&site.get(&format!("/okrs?cycle={}&page=9", cycle.0), &cookie).await.body), b);
}

#[tokio::test]
async fn the_objective_page_edits_aligns_and_refuses_stale_or_forbidden_changes() {
    let site = site().await;
    let cycle = current_cycle(&site).await;
    let (lina, yangfan) = (site.user("lina").await, site.user("yangfan").await);
    let growth = unit(&site, "增长部").await;
    let hostile = "<img src=x onerror=alert(1)> <b>增长";
    let parent = create(&site, objective(cycle, "公司目标", ObjectiveLevel::Company, None, lina)).await;
    let mine = create(&site, objective(cycle, hostile, ObjectiveLevel::Unit, Some(growth), lina)).await;
    let mut below = objective(cycle, "对齐在下面", ObjectiveLevel::Individual, None, lina);
    below.parent_objective_id = Some(mine.id);
    let below = create(&site, below).await;

    let (cookie, csrf) = site.log_in_as("lina").await;
    let page = site.get(&format!("/objectives/{}", mine.id.0), &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<img src=x") && !page.body.contains("<b>增长"));
    assert!(page.body.contains("&#60;img src=x onerror=alert(1)&#62; &#60;b&#62;增长"), "the title is shown as text");
    assert!(page.body.contains(&format!(r#"href="/objectives/{}">对齐在下面</a>"#, below.id.0)));
    // Its own child is no parent it may pick; the company objective is.
    assert!(!page.body.contains(&format!(r#"value="o:{}""#, below.id.0)));
    assert!(page.body.contains(&format!(r#"value="o:{}""#, parent.id.0)));

    let version = mine.version.to_string();
    let owner = lina.0.to_string();
    let growth_id = growth.0.to_string();
    let align = format!("o:{}", parent.id.0);
    let edit = |title: &'static str, version: String, align: String| {
        form(&[
            ("csrf", &csrf),
            ("version", &version),
            ("title", title),
            ("description", "写清楚"),
            ("level", "unit"),
            ("unit", &growth_id),
            ("owner", &owner),
            ("align", &align),
        ])
    };
    let done = site
        .post(&format!("/objectives/{}/edit", mine.id.0), &cookie, edit("新的标题", version.clone(), align.clone()))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), format!("/objectives/{}", mine.id.0));
    let now = site.app.get_objective(&Actor::system(), mine.id).await.unwrap();
    assert_eq!((now.title.as_str(), now.description.as_str()), ("新的标题", "写清楚"));
    assert_eq!(now.parent_objective_id, Some(parent.id));
    assert!(!now.private, "an unticked box makes it public");

    // The old version again: 409, the form shows the objective as it is now.
    let stale = site.post(&format!("/objectives/{}/edit", mine.id.0), &cookie, edit("旧的标题", version, align)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains(r#"value="新的标题""#));
    assert_eq!(site.app.get_objective(&Actor::system(), mine.id).await.unwrap().title, "新的标题");

    // Making the company objective an individual one aligned under its own
    // child would close a loop: refused (422), nothing changes.
    let (admin, admin_csrf) = site.admin().await;
    let p_version = parent.version.to_string();
    let cyclic = form(&[
        ("csrf", &admin_csrf),
        ("version", &p_version),
        ("title", "公司目标"),
        ("level", "individual"),
        ("owner", &owner),
        ("align", &format!("o:{}", mine.id.0)),
    ]);
    let refused = site.post(&format!("/objectives/{}/edit", parent.id.0), &admin, cyclic).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(r#"id="eo-align""#) && refused.body.contains(r#"aria-invalid="true""#));
    let unchanged = site.app.get_objective(&Actor::system(), parent.id).await.unwrap();
    assert_eq!((unchanged.parent_objective_id, unchanged.level), (None, ObjectiveLevel::Company));
    let why = site
        .app
        .update_objective(
            &Actor::system(),
            parent.id,
            keel_app::okr::ObjectivePatch {
                level: Some(ObjectiveLevel::Individual),
                parent_objective_id: Some(Some(mine.id)),
                version: parent.version,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(format!("{why:?}").contains("loop"), "the refusal is the loop: {why:?}");

    // Someone outside the unit who does not own it sees no form and may not post one.
    let (other, other_csrf) = site.log_in_as("yangfan").await;
    let theirs = site.get(&format!("/objectives/{}", mine.id.0), &other).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.body.contains("/edit\""));
    let now = site.app.get_objective(&Actor::system(), mine.id).await.unwrap();
    let body = form(&[
        ("csrf", &other_csrf),
        ("version", &now.version.to_string()),
        ("title", "抢改"),
        ("level", "unit"),
        ("unit", &growth_id),
        ("owner", &yangfan.0.to_string()),
    ]);
    assert_eq!(site.post(&format!("/objectives/{}/edit", mine.id.0), &other, body).await.status, StatusCode::FORBIDDEN);
    // A private objective is not there for them: not on its page, not in the tree.
    let mut secret = objective(cycle, "只给增长部看的目标", ObjectiveLevel::Unit, Some(growth), lina);
    secret.private = true;
    let secret = create(&site, secret).await;
    assert_eq!(site.get(&format!("/objectives/{}", secret.id.0), &other).await.status, StatusCode::NOT_FOUND);
    let tree = site.get(&format!("/okrs?cycle={}", cycle.0), &other).await;
    assert!(!tree.body.contains("只给增长部看的目标") && !shown(&tree.body).contains(&secret.id.0));
}

#[tokio::test]
async fn a_key_results_owner_is_typed_with_suggestions_and_must_name_one_person() {
    let site = site().await;
    let cycle = current_cycle(&site).await;
    let lina = site.user("lina").await;
    let growth = unit(&site, "增长部").await;
    let o = create(&site, objective(cycle, "增长目标", ObjectiveLevel::Unit, Some(growth), lina)).await;
    let (cookie, csrf) = site.log_in_as("lina").await;
    let tree = site.get(&format!("/okrs?cycle={}", cycle.0), &cookie).await;
    // One list of people for the whole page; her own form starts with her.
    assert_eq!(tree.body.matches("<datalist").count(), 1);
    assert!(tree.body.contains(r#"<option value="王强 (wangqiang)">"#));
    assert!(
        tree.body.contains(&format!(r#"id="nk{}-owner" name="owner" list="kr-owners" value="李娜 (lina)""#, o.id.0))
    );
    let uri = format!("/objectives/{}/key-results", o.id.0);
    let post = |title: &'static str, owner: &'static str| {
        let body = form(&[
            ("csrf", &csrf),
            ("title", title),
            ("kind", "metric"),
            ("owner", owner),
            ("start", "0"),
            ("target", "10"),
        ]);
        site.post(&uri, &cookie, body)
    };
    let wang = site.user("wangqiang").await;
    for (title, owner) in [("按标签", "王强 (wangqiang)"), ("按登录名", "wangqiang"), ("按姓名", "王强")]
    {
        assert_eq!(post(title, owner).await.status, StatusCode::SEE_OTHER, "{owner}");
    }
    let nobody = post("没人", "某某人").await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nobody.body.contains(r#"value="某某人""#), "what was typed comes back");
    let krs = site.app.okr_tree(&Actor::system(), cycle).await.unwrap();
    let mine: Vec<_> = krs
        .objective(o.id)
        .unwrap()
        .key_results
        .iter()
        .map(|k| (k.key_result.title.clone(), k.key_result.owner_id))
        .collect();
    assert_eq!(mine, vec![("按标签".to_string(), wang), ("按登录名".to_string(), wang), ("按姓名".to_string(), wang)]);
}
