//! One backend, start to end: fresh database, timed import, an admin and a
//! token, the OKRs, then `keel serve` under load, and the figures.

use crate::db::{Opened, PgDatabase};
use crate::jira::Generated;
use crate::process::Keel;
use crate::report::{BackendReport, Measure};
use crate::{Args, big_board, load, okrs, pages};
use anyhow::Context;
use keel_app::{App, Settings};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// Targets of the performance issue.
const LIST_RPS: f64 = 8_000.0;
const CREATE_P50_MS: f64 = 1.0;
const TREE_MS: f64 = 50.0;
const IMPORT_S: f64 = 5.0;
const RSS_MIB: f64 = 60.0;
/// Issue 3: server time of each browser page, p95.
const PAGE_P95_MS: f64 = 50.0;

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn say(backend: &str, what: String) {
    eprintln!("[{backend}] {what}");
}

pub async fn backend(
    args: &Args,
    backend: &str,
    bin: &Path,
    work: &Path,
    csv: &Path,
    generated: &Generated,
) -> anyhow::Result<BackendReport> {
    let dir = work.join(backend);
    std::fs::create_dir_all(&dir)?;
    // Declared before the server, so the server stops before the database is dropped.
    let pg = match backend {
        "postgres" => Some(PgDatabase::create(&args.pg_url, args.keep).await?),
        _ => None,
    };
    let url = match &pg {
        Some(pg) => pg.url.clone(),
        None => format!("sqlite://{}", dir.join("keel.db").display()),
    };
    let keel = Keel { bin: bin.to_path_buf(), url: url.clone(), dir: dir.clone() };
    let mut details: Vec<(String, String)> = Vec::new();
    let mut commands = Vec::new();

    // 1. The import, as its own process: wall time and peak RSS.
    let csv_arg = csv.display().to_string();
    let import_args = ["import", "jira-csv", csv_arg.as_str(), "--json"];
    say(backend, format!("importing {} rows: {}", generated.rows, keel.display(&import_args)));
    let import = keel.run_measured("import", &import_args)?;
    let summary: Value = serde_json::from_str(&import.stdout).context("keel import --json printed no JSON")?;
    let created = summary["created"]["tasks"].as_u64().unwrap_or(0) as usize;
    anyhow::ensure!(created == generated.rows, "keel import created {created} tasks of {} rows", generated.rows);
    let imported: Vec<(String, i64)> = summary["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["key"].as_str()?.to_string(), p["id"].as_i64()?)))
        .collect();
    let projects: Vec<i64> = imported.iter().map(|(_, id)| *id).collect();
    // The generator's first project is the largest (its sizes are skewed): list
    // there, the worst case for the page's COUNT(*); create in the second.
    let by_key = |n: usize| imported.iter().find(|(k, _)| *k == crate::jira::project(n).0).map(|(_, id)| *id);
    let (list_project, create_project) = (by_key(0).unwrap_or(projects[0]), by_key(1).unwrap_or(projects[0]));
    say(
        backend,
        format!(
            "imported {created} tasks in {:.1} s, peak RSS {:.0} MiB",
            import.wall.as_secs_f64(),
            mib(import.max_rss_kib)
        ),
    );
    commands.push(keel.display(&import_args));

    // 2. A person to act as over HTTP.
    keel.run(&["user", "add", "bench", "--admin", "--name", "Bench 基准"], &[("KEEL_PASSWORD", "bench-password-1")])?;
    let token = keel.run(&["token", "create", "bench", "--name", "keel-bench"], &[])?.trim().to_string();
    anyhow::ensure!(token.starts_with("kt_"), "keel token create printed {token:?}, not a token");

    // 3. The OKRs, written in this process through the storage traits.
    let opened = Opened::open(&url).await?;
    let app = App::new(opened.store(), Settings::default());
    let okr = okrs::generate(&app, args.objectives, args.krs, &projects, args.seed).await?;
    let big = big_board::generate(&app).await?;
    drop(app);
    opened.close().await;
    say(
        backend,
        format!(
            "wrote the big board project ({} archived + {} open tasks) in {:.1} s",
            big_board::ARCHIVED,
            big_board::OPEN,
            big.write_secs
        ),
    );
    say(
        backend,
        format!(
            "wrote {} objectives, {} KRs, {} check-ins in {:.1} s (one transaction), linked {} work KRs to projects in {:.1} s",
            okr.objectives,
            okr.metric + okr.threshold + okr.milestone + okr.work + okr.children,
            okr.check_ins,
            okr.write_secs,
            okr.project_links,
            okr.link_secs
        ),
    );

    // 4. The real server under load.
    let server = keel.serve()?;
    say(backend, format!("{} listening on {} (pid {})", bin.display(), server.base, server.pid()));
    commands.push(server.command.clone());
    let list = load::list_tasks(
        &server.base,
        &token,
        list_project,
        args.clients,
        Duration::from_secs(args.warmup),
        Duration::from_secs(args.seconds),
    )
    .await?;
    let hwm_list = server.status_kib("VmHWM:").unwrap_or(0);
    say(backend, format!("list: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms", list.per_second, list.p50_ms, list.p99_ms));
    commands.push(format!(
        "GET {}/api/v1/tasks?limit=200&project_id={list_project} — {} clients, {} s warm-up, {} s measured",
        server.base, args.clients, args.warmup, args.seconds
    ));
    let creates = load::create_tasks(&server.base, &token, create_project, args.creates, 5).await?;
    let hwm_create = server.status_kib("VmHWM:").unwrap_or(0);
    say(backend, format!("create: p50 {:.2} ms, p99 {:.2} ms", creates.ms(50.0), creates.ms(99.0)));
    commands.push(format!(
        "POST {}/api/v1/tasks (project {create_project}) — {} sequential after 5 untimed",
        server.base, args.creates
    ));
    let tree = load::okr_tree(&server.base, &token, okr.cycle_id, args.tree_runs).await?;
    say(
        backend,
        format!(
            "tree: median {:.1} ms, p90 {:.1} ms, {:.1} MB",
            tree.median_ms,
            tree.p90_ms,
            tree.body_bytes as f64 / 1e6
        ),
    );
    commands.push(format!(
        "GET {}/api/v1/cycles/{}/tree — {} sequential after 1 untimed",
        server.base, okr.cycle_id, args.tree_runs
    ));
    // The browser pages of the same organisation, as the benchmark user sees them.
    let session = pages::log_in(&server.base, "bench", "bench-password-1").await?;
    let page_list: Vec<(String, String)> = vec![
        ("OKR tree page".into(), format!("/okrs?cycle={}", okr.cycle_id)),
        ("board page".into(), format!("/projects/{list_project}/board")),
        ("Gantt page".into(), format!("/projects/{list_project}/gantt")),
        ("table page".into(), format!("/projects/{list_project}/table")),
        ("list page".into(), format!("/projects/{list_project}/list")),
        ("calendar page".into(), format!("/projects/{list_project}/calendar")),
        ("big board page (2,000 archived + 300 open)".into(), format!("/projects/{}/board", big.project)),
        ("big board page, archived page 1".into(), format!("/projects/{}/board?archived=1", big.project)),
    ];
    let mut page_runs = pages::time_pages(&server.base, &session, &page_list, args.tree_runs).await?;
    // The views of the big project again, each right after a write: pages
    // kept between requests must be read afresh then.
    let changed: Vec<(String, String)> =
        page_list.iter().filter(|(_, path)| path.starts_with(&format!("/projects/{list_project}/"))).cloned().collect();
    page_runs.extend(
        pages::time_pages_after_change(&server.base, &session, &token, list_project, &changed, args.tree_runs).await?,
    );
    for page in &page_runs {
        match (page.p50_ms, page.p95_ms) {
            (Some(p50), Some(p95)) => say(
                backend,
                format!("{}: p50 {p50:.1} ms, p95 {p95:.1} ms, {:.1} MB", page.name, page.body_bytes as f64 / 1e6),
            ),
            _ => say(backend, format!("{}: not in this build ({} answered 404)", page.name, page.path)),
        }
        let how = if page.name.ends_with("after a change") {
            "each right after POST /api/v1/tasks"
        } else {
            "sequential after 1 untimed"
        };
        commands.push(format!("GET {}{} — {} {how}, logged in", server.base, page.path, args.tree_runs));
    }
    let hwm = server.status_kib("VmHWM:").unwrap_or(0);
    let rss_now = server.status_kib("VmRSS:").unwrap_or(0);
    drop(server);

    let db_bytes = match &pg {
        Some(pg) => pg.size_bytes().await.unwrap_or(0) as u64,
        None => {
            ["keel.db", "keel.db-wal"].iter().filter_map(|f| std::fs::metadata(dir.join(f)).ok()).map(|m| m.len()).sum()
        }
    };

    let mut measures = vec![
        Measure::new(&format!("list 200 tasks, {} clients", args.clients), list.per_second, LIST_RPS, "req/s", true),
        Measure::new("create task p50", creates.ms(50.0), CREATE_P50_MS, "ms", false),
        Measure::new("OKR tree of the cycle (median)", tree.median_ms, TREE_MS, "ms", false),
        Measure::new(
            &format!("import {} Jira CSV rows", generated.rows),
            import.wall.as_secs_f64(),
            IMPORT_S,
            "s",
            false,
        ),
        Measure::new("peak RSS, keel serve (VmHWM)", mib(hwm), RSS_MIB, "MiB", false),
        Measure::new("peak RSS, keel import (ru_maxrss)", mib(import.max_rss_kib), RSS_MIB, "MiB", false),
    ];
    for page in &page_runs {
        if let Some(p95) = page.p95_ms {
            measures.push(Measure::new(&format!("{} p95", page.name), p95, PAGE_P95_MS, "ms", false));
            let first = page.first_ms.map(|ms| format!(" / first {ms:.1} ms")).unwrap_or_default();
            details.push((
                format!("{} p50{} / body", page.name, if first.is_empty() { "" } else { " / first" }),
                format!("{:.1} ms{first} / {:.0} KB", page.p50_ms.unwrap_or(f64::NAN), page.body_bytes as f64 / 1e3),
            ));
        } else {
            details.push((page.name.clone(), "not in this build".into()));
        }
    }
    details.push((
        "list latency p50 / p99".into(),
        format!("{:.2} / {:.2} ms ({} requests)", list.p50_ms, list.p99_ms, list.requests),
    ));
    details.push((
        "list body / project total".into(),
        format!("{:.0} KB / {} tasks", list.body_bytes as f64 / 1e3, list.project_total),
    ));
    details.push(("create latency p99".into(), format!("{:.2} ms (n = {})", creates.ms(99.0), creates.len())));
    details.push(("OKR tree p90 / first request".into(), format!("{:.1} / {:.1} ms", tree.p90_ms, tree.first_ms)));
    details.push((
        "OKR tree body".into(),
        format!("{:.2} MB, {} objectives, {} KRs", tree.body_bytes as f64 / 1e6, tree.objectives, tree.key_results),
    ));
    details
        .push(("import throughput".into(), format!("{:.0} rows/s", generated.rows as f64 / import.wall.as_secs_f64())));
    let count = |k: &str| summary["created"][k].as_u64().unwrap_or(0);
    let notes = |k: &str| summary[k].as_array().map_or(0, Vec::len);
    details.push((
        "import created".into(),
        format!(
            "{} projects, {} tasks ({} sub-tasks/children), {} comments, {} people; {} warnings, {} skipped",
            count("projects"),
            count("tasks"),
            generated.with_parent,
            count("comments"),
            count("people"),
            notes("warnings"),
            notes("skipped")
        ),
    ));
    // The peak only grows: reading it after each phase shows which phase raised it.
    details.push((
        "keel serve VmHWM after list / create / tree".into(),
        format!("{:.1} / {:.1} / {:.1} MiB", mib(hwm_list), mib(hwm_create), mib(hwm)),
    ));
    details.push(("keel serve RSS at the end (VmRSS)".into(), format!("{:.1} MiB", mib(rss_now))));
    details.push(("OKR set-up (Tx inserts, one transaction)".into(), format!(
        "{:.1} s: {} objectives ({} private), KRs {} metric / {} threshold / {} milestone / {} work / {} children, {} check-ins, {} checklist items",
        okr.write_secs, okr.objectives, okr.private_objectives, okr.metric, okr.threshold, okr.milestone, okr.work, okr.children, okr.check_ins, okr.items)));
    details.push((
        "work links (App::update_project)".into(),
        format!("{:.1} s: {} KR links over {} projects", okr.link_secs, okr.project_links, projects.len()),
    ));
    details.push(("database size after the run".into(), format!("{:.0} MB", db_bytes as f64 / 1e6)));
    Ok(BackendReport {
        backend: backend.to_string(),
        database: if pg.is_some() { "PostgreSQL, fresh database".into() } else { "SQLite file, fresh".into() },
        measures,
        details,
        commands,
    })
}
