//! `keel import` as a user runs it: the real exports in shared/data/real,
//! on SQLite and PostgreSQL. Every expected number is counted here from the
//! raw file, never taken from the importer.

mod cli;

use cli::{app_on, keel};
use keel_app::store::{Page, TaskFilter};
use keel_app::{Actor, App};
use keel_domain::work::{StatusCategory, Task};
use keel_domain::{KeyResultId, ProjectId};
use keel_testkit::{BACKENDS, Backend, PgDatabase, TempDir, create_pg_database};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

fn real(path: &str) -> PathBuf {
    keel_testkit::real_data(path)
}

/// A fresh database for the CLI: its URL, and what keeps it alive (the
/// folder holds the SQLite file; a PostgreSQL database is dropped with it).
async fn database(backend: Backend, dir: &TempDir) -> (String, Option<PgDatabase>) {
    match backend {
        Backend::Sqlite => (format!("sqlite://{}", dir.path().join("keel.db").display()), None),
        Backend::Postgres => {
            let pg = create_pg_database().await;
            (pg.url.clone(), Some(pg))
        }
    }
}

fn import_json(url: &str, kind: &str, file: &Path) -> Value {
    let out = keel(url, &["import", kind, file.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "keel import failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("summary is JSON")
}

async fn tasks_of(app: &App, project: i64) -> Vec<Task> {
    let filter =
        TaskFilter { project_ids: Some(vec![ProjectId(project)]), include_archived: true, ..Default::default() };
    app.list_tasks(&Actor::system(), filter, Page::ALL).await.unwrap().0
}

fn project_ids(summary: &Value) -> Vec<i64> {
    summary["projects"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

struct TrelloCounts {
    open_cards_per_list: BTreeMap<String, usize>,
    closed_cards: usize,
    check_items: usize,
    comments: usize,
}

/// Counted straight from the board JSON.
fn count_trello(raw: &Value) -> TrelloCounts {
    let lists: HashMap<&str, &str> = raw["lists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["id"].as_str().unwrap(), l["name"].as_str().unwrap()))
        .collect();
    let mut open_cards_per_list = BTreeMap::new();
    let mut closed_cards = 0;
    for card in raw["cards"].as_array().unwrap() {
        if card["closed"] == true {
            closed_cards += 1;
        } else {
            *open_cards_per_list.entry(lists[card["idList"].as_str().unwrap()].to_string()).or_default() += 1;
        }
    }
    let check_items = raw["checklists"]
        .as_array()
        .map(|c| c.iter().map(|c| c["checkItems"].as_array().unwrap().len()).sum())
        .unwrap_or(0);
    let comments = raw["actions"].as_array().unwrap().iter().filter(|a| a["type"] == "commentCard").count();
    TrelloCounts { open_cards_per_list, closed_cards, check_items, comments }
}

#[tokio::test]
async fn trello_boards_import_exactly_what_the_json_holds() {
    for backend in BACKENDS {
        for file in [
            "trello/deck-fixture-minimal-board.json",
            "trello/kanban-2016-small-board.json",
            "trello/clipkit-2015-japanese-board-minified.json",
        ] {
            let dir = TempDir::new("import");
            let (url, _pg) = database(backend, &dir).await;
            let raw: Value = serde_json::from_slice(&std::fs::read(real(file)).unwrap()).unwrap();
            let expected = count_trello(&raw);
            let summary = import_json(&url, "trello", &real(file));
            let app = app_on(&url).await;
            let tasks = tasks_of(&app, project_ids(&summary)[0]).await;
            let cards: Vec<&Task> = tasks.iter().filter(|t| t.parent_id.is_none()).collect();
            let mut open_per_status = BTreeMap::new();
            for card in cards.iter().filter(|t| !t.archived) {
                *open_per_status.entry(card.status.clone()).or_default() += 1;
            }
            // Lists with no open card appear in neither map.
            assert_eq!(open_per_status, expected.open_cards_per_list, "{backend:?} {file}");
            assert_eq!(cards.iter().filter(|t| t.archived).count(), expected.closed_cards, "{backend:?} {file}");
            assert_eq!(tasks.len() - cards.len(), expected.check_items, "{backend:?} {file} checklist items");
            assert_eq!(summary["created"]["comments"], expected.comments, "{backend:?} {file}");
            assert_eq!(summary["created"]["tasks"], tasks.len(), "{backend:?} {file}");
            // Every card keeps its original id.
            let ids: HashSet<&str> =
                raw["cards"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
            assert!(cards.iter().all(|t| ids.contains(t.external_id.as_deref().unwrap())));

            // Importing again updates instead of duplicating.
            let again = import_json(&url, "trello", &real(file));
            assert_eq!(
                again["created"],
                json!({ "people": 0, "projects": 0, "tasks": 0, "comments": 0 }),
                "{backend:?} {file}"
            );
            assert_eq!(again["unchanged"]["tasks"], tasks.len());
            assert_eq!(tasks_of(&app, project_ids(&again)[0]).await.len(), tasks.len());
        }
    }
}

#[tokio::test]
async fn trello_comments_keep_their_authors_and_dates() {
    let dir = TempDir::new("import");
    let (url, _pg) = database(Backend::Sqlite, &dir).await;
    let file = real("trello/clipkit-2015-japanese-board-minified.json");
    let raw: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let summary = import_json(&url, "trello", &file);
    let app = app_on(&url).await;
    let tasks = tasks_of(&app, project_ids(&summary)[0]).await;
    for action in raw["actions"].as_array().unwrap().iter().filter(|a| a["type"] == "commentCard") {
        let card = action["data"]["card"]["id"].as_str().unwrap();
        let task = tasks.iter().find(|t| t.external_id.as_deref() == Some(card)).expect("commented card imported");
        let detail = app.task_detail(&Actor::system(), task.id).await.unwrap();
        let text = action["data"]["text"].as_str().unwrap();
        let comment = detail.comments.iter().find(|c| c.body == text).expect("comment text kept exactly");
        let date: chrono::DateTime<chrono::Utc> = action["date"].as_str().unwrap().parse().unwrap();
        assert_eq!(comment.created_at, date);
        let author = app.get_user(&Actor::system(), comment.author_id.expect("author")).await.unwrap();
        assert_eq!(author.display_name, action["memberCreator"]["fullName"].as_str().unwrap());
        assert!(!author.can_login, "imported people cannot log in");
    }
}

/// Every row's (key, summary) pair, repeats included.
#[tokio::test]
async fn github_issue_pages_import_one_task_per_issue_and_again_update() {
    let file = "github/octokit-fixture-paginate-issues.json";
    // Counted from the recorded responses: every issue of every page.
    let raw: Value = serde_json::from_slice(&std::fs::read(real(file)).unwrap()).unwrap();
    let issues: Vec<&Value> =
        raw.as_array().unwrap().iter().flat_map(|x| x["response"].as_array().unwrap().iter()).collect();
    let open = issues.iter().filter(|i| i["state"] == "open").count();
    for backend in BACKENDS {
        let dir = TempDir::new("import");
        let (url, _pg) = database(backend, &dir).await;
        let summary = import_json(&url, "github", &real(file));
        assert_eq!(project_ids(&summary).len(), 1, "{backend:?}");
        let app = app_on(&url).await;
        let tasks = tasks_of(&app, project_ids(&summary)[0]).await;
        assert_eq!(tasks.len(), issues.len(), "{backend:?}");
        assert_eq!(tasks.iter().filter(|t| t.category == StatusCategory::Todo).count(), open, "{backend:?}");
        for issue in &issues {
            let id = format!("octokit-fixture-org/paginate-issues#{}", issue["number"]);
            let task = tasks.iter().find(|t| t.external_id.as_deref() == Some(id.as_str())).expect("each issue");
            assert_eq!(task.title, issue["title"].as_str().unwrap(), "{backend:?}");
            // The issue's own number stays its number.
            assert_eq!(task.number, issue["number"].as_i64().unwrap(), "{backend:?}");
        }
        let again = import_json(&url, "github", &real(file));
        assert_eq!(again["created"]["tasks"], 0, "{backend:?}");
        // Numbers with gaps are kept too: #42 becomes KEY-42, not KEY-2.
        let sparse = dir.path().join("sparse.json");
        let issue = |n: i64| {
            json!({"number": n, "title": format!("issue {n}"), "state": "open",
                                    "repository_url": "https://api.github.com/repos/acme/gaps"})
        };
        std::fs::write(&sparse, json!([issue(42), issue(5)]).to_string()).unwrap();
        let summary = import_json(&url, "github", &sparse);
        let tasks = tasks_of(&app, project_ids(&summary)[0]).await;
        let numbers: Vec<(i64, &str)> = tasks.iter().map(|t| (t.number, t.title.as_str())).collect();
        assert_eq!(numbers, [(5, "issue 5"), (42, "issue 42")], "{backend:?}");
        assert_eq!(again["unchanged"]["tasks"], issues.len(), "{backend:?}");
        assert_eq!(tasks_of(&app, project_ids(&again)[0]).await.len(), issues.len());
    }
}

#[tokio::test]
async fn asana_projects_and_their_sectioned_tasks_import_and_again_update() {
    let file = "asana/asana-api-2013-legacy-ids-sections-as-tasks.json";
    let raw: Value = serde_json::from_slice(&std::fs::read(real(file)).unwrap()).unwrap();
    let projects = raw["sample_asana_projects"].as_array().unwrap().len();
    // Tasks whose names end in ':' are sections, not tasks.
    let tasks: usize = raw["sample_asana_kanban_tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| !t["name"].as_str().unwrap().ends_with(':'))
        .count();
    for backend in BACKENDS {
        let dir = TempDir::new("import");
        let (url, _pg) = database(backend, &dir).await;
        let summary = import_json(&url, "asana", &real(file));
        // Every project of the file, plus one for the tasks that name none.
        assert_eq!(summary["created"]["projects"], projects + 1, "{backend:?}");
        assert_eq!(summary["created"]["tasks"], tasks, "{backend:?}");
        let again = import_json(&url, "asana", &real(file));
        assert_eq!(again["created"], json!({ "people": 0, "projects": 0, "tasks": 0, "comments": 0 }), "{backend:?}");
        assert_eq!(again["unchanged"]["tasks"], tasks, "{backend:?}");
    }
}

#[tokio::test]
async fn plane_and_linear_csv_import_with_their_keys_and_a_mapping() {
    let plane = "csv-other/plane-export-sample.csv";
    let mut reader = csv::Reader::from_path(real(plane)).unwrap();
    let headers = reader.headers().unwrap().clone();
    let id_col = headers.iter().position(|h| h == "Identifier").unwrap();
    let ids: Vec<String> = reader.records().map(|r| r.unwrap()[id_col].to_string()).collect();
    for backend in BACKENDS {
        let dir = TempDir::new("import");
        let (url, _pg) = database(backend, &dir).await;
        let summary = import_json(&url, "csv", &real(plane));
        let app = app_on(&url).await;
        let mut keys = Vec::new();
        for project in project_ids(&summary) {
            keys.extend(tasks_of(&app, project).await.into_iter().map(|t| t.key));
        }
        keys.sort();
        let mut expected = ids.clone();
        expected.sort();
        assert_eq!(keys, expected, "{backend:?}: Plane's TEST-1 stays TEST-1");
        let again = import_json(&url, "csv", &real(plane));
        assert_eq!(again["created"]["tasks"], 0, "{backend:?}");
        assert_eq!(again["unchanged"]["tasks"], ids.len(), "{backend:?}");
    }
    // A column named by hand; a wrong one refused with nothing written.
    let dir = TempDir::new("import");
    let url = format!("sqlite://{}", dir.path().join("keel.db").display());
    let linear = real("csv-other/linear-generic-thai-multiline.csv");
    let out = keel(&url, &["import", "csv", linear.to_str().unwrap(), "--map", "status=Nope"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column \"Nope\""));
    let out = keel(&url, &["import", "csv", linear.to_str().unwrap(), "--map", "labels=Milestone", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let app = app_on(&url).await;
    let tasks = tasks_of(&app, project_ids(&summary)[0]).await;
    assert!(tasks.iter().any(|t| t.labels == ["Foundation (Week 1-2)"]), "the milestone column as labels");
}

#[tokio::test]
async fn ms_project_plans_bring_their_links_and_progress_and_never_a_loop() {
    let plan = r#"<Project><Name>Launch</Name><Tasks>
      <Task><UID>1</UID><Name>Design</Name><OutlineNumber>1</OutlineNumber><PercentComplete>100</PercentComplete>
        <Start>2026-01-05T08:00:00</Start><Finish>2026-01-09T17:00:00</Finish></Task>
      <Task><UID>2</UID><Name>Build</Name><OutlineNumber>2</OutlineNumber><PercentComplete>40</PercentComplete>
        <Start>2026-01-12T08:00:00</Start><Finish>2026-01-30T17:00:00</Finish>
        <PredecessorLink><PredecessorUID>1</PredecessorUID></PredecessorLink></Task>
      <Task><UID>3</UID><Name>Test</Name><OutlineNumber>2.1</OutlineNumber>
        <PredecessorLink><PredecessorUID>2</PredecessorUID></PredecessorLink></Task>
      <Task><UID>4</UID><Name>Loop back</Name><OutlineNumber>3</OutlineNumber>
        <PredecessorLink><PredecessorUID>5</PredecessorUID></PredecessorLink></Task>
      <Task><UID>5</UID><Name>Loop forth</Name><OutlineNumber>4</OutlineNumber>
        <PredecessorLink><PredecessorUID>4</PredecessorUID></PredecessorLink></Task>
    </Tasks></Project>"#;
    for backend in BACKENDS {
        let dir = TempDir::new("import");
        let (url, _pg) = database(backend, &dir).await;
        let file = dir.path().join("plan.xml");
        std::fs::write(&file, plan).unwrap();
        let summary = import_json(&url, "ms-project", &file);
        let app = app_on(&url).await;
        let tasks = tasks_of(&app, project_ids(&summary)[0]).await;
        let by = |title: &str| tasks.iter().find(|t| t.title == title).unwrap();
        assert_eq!(by("Build").depends_on, vec![by("Design").id], "{backend:?}");
        assert_eq!(by("Test").depends_on, vec![by("Build").id], "{backend:?}");
        assert_eq!(by("Test").parent_id, Some(by("Build").id), "{backend:?}: 2.1 under 2");
        assert_eq!((by("Design").category, by("Build").progress), (StatusCategory::Done, Some(0.4)), "{backend:?}");
        // Every task's import is in the change record (written in batches), the links' too.
        let mut tx = app.store.read().await.unwrap();
        for t in &tasks {
            let changes = tx.list_changes("task", t.id.0).await.unwrap();
            assert!(changes.iter().any(|c| c.action == "import" && c.before.is_none()), "{backend:?} {}", t.title);
        }
        let build = tasks.iter().find(|t| t.title == "Build").unwrap();
        assert_eq!(tx.list_changes("task", build.id.0).await.unwrap().len(), 2, "{backend:?}: created, then linked");
        drop(tx);
        // Of the two links that make a loop, one is kept and the other reported.
        let looped = by("Loop back").depends_on.len() + by("Loop forth").depends_on.len();
        assert_eq!(looped, 1, "{backend:?}");
        assert!(
            summary["warnings"].as_array().unwrap().iter().any(|w| w["message"].as_str().unwrap().contains("loop"))
        );
        // Again: nothing new, no link twice.
        let again = import_json(&url, "ms-project", &file);
        assert_eq!(again["created"]["tasks"], 0, "{backend:?}");
        let tasks = tasks_of(&app, project_ids(&again)[0]).await;
        assert_eq!(tasks.iter().find(|t| t.title == "Build").unwrap().depends_on.len(), 1, "{backend:?}");
    }
}

#[tokio::test]
async fn jira_rest_json_imports_every_issue_under_its_key() {
    let file = "jira-history/apache-issues-with-changelog.json";
    let raw: Value = serde_json::from_slice(&std::fs::read(real(file)).unwrap()).unwrap();
    // Jira id → key, from the file.
    let keys: HashMap<String, String> = raw["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap().to_string(), i["key"].as_str().unwrap().to_string()))
        .collect();
    for backend in BACKENDS {
        let dir = TempDir::new("import");
        let (url, _pg) = database(backend, &dir).await;
        let summary = import_json(&url, "jira-json", &real(file));
        let app = app_on(&url).await;
        let mut imported = Vec::new();
        for project in project_ids(&summary) {
            imported.extend(tasks_of(&app, project).await);
        }
        assert_eq!(imported.len(), keys.len(), "{backend:?}: every issue");
        for t in &imported {
            let key = &keys[t.external_id.as_deref().unwrap()];
            let (prefix, number) = key.rsplit_once('-').unwrap();
            // CB-12 stays CB-12; DIRECTMEMORY-53 (longer than Keel's 10-character keys) keeps its 53.
            assert_eq!(t.number.to_string(), number, "{backend:?} {key}");
            if prefix.len() <= 10 {
                assert_eq!(&t.key, key, "{backend:?}");
            }
        }
        let again = import_json(&url, "jira-json", &real(file));
        assert_eq!(again["created"]["tasks"], 0, "{backend:?}");
    }
}

#[test]
fn a_dry_run_on_a_new_data_folder_leaves_no_folder_behind() {
    let dir = TempDir::new("dry");
    let data = dir.path().join("not-yet");
    let board = real("trello/kanban-2016-small-board.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_keel"))
        .args(["--data-dir", data.to_str().unwrap(), "import", "trello", board.to_str().unwrap(), "--dry-run", "--json"])
        .env_remove("KEEL_DATABASE_URL")
        .env("KEEL_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["created"]["projects"], 1, "everything would be new: {summary}");
    assert!(!data.exists(), "the dry run wrote nothing, not even a folder");
}

#[test]
fn a_summary_piped_into_a_reader_that_stops_early_ends_quietly() {
    let dir = TempDir::new("pipe");
    let board = real("trello/kanban-2016-small-board.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_keel"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "import", "trello", board.to_str().unwrap(), "--dry-run"])
        .env_remove("KEEL_DATABASE_URL")
        .env("KEEL_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -0`: the reader goes away before anything is printed.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

fn all_rows(file: &str, delimiter: u8, key: &str, summary: &str) -> Vec<(String, String)> {
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_path(real(file)).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h.trim_start_matches('\u{feff}') == name).unwrap();
    let (k, s) = (col(key), col(summary));
    reader.records().map(|r| r.unwrap()).map(|r| (r[k].to_string(), r[s].trim().to_string())).collect()
}

/// Rows of a Jira CSV: (key, parent key or id, status), first occurrence of each key.
fn jira_rows(
    file: &str,
    delimiter: u8,
    key: &str,
    parent: Option<&str>,
    status: Option<&str>,
) -> Vec<(String, String, String)> {
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_path(real(file)).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h.trim_start_matches('\u{feff}') == name).unwrap();
    let (k, p, s) = (col(key), parent.map(col), status.map(col));
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for record in reader.records() {
        let r = record.unwrap();
        let get = |i: Option<usize>| i.and_then(|i| r.get(i)).unwrap_or("").to_string();
        if seen.insert(r[k].to_string()) {
            out.push((r[k].to_string(), get(p), get(s)));
        }
    }
    out
}

#[tokio::test]
async fn jira_csv_exports_import_one_task_per_distinct_issue() {
    // (file, delimiter, key column, issue id column)
    let files = [
        ("jira/jira-plan-export-tsv-named-csv.csv", b'\t', "Key", "Key"),
        ("jira/jira-cloud-all-fields-export-2024.csv", b',', "Issue key", "Issue id"),
        ("jira/jira-cloud-export-spanish-358cols-head.csv", b',', "Clave de incidencia", "ID de la incidencia"),
        ("jira/jira-rest-flattened-support-tickets.csv", b',', "key", "id"),
    ];
    for backend in BACKENDS {
        for (file, delimiter, key, id_column) in files {
            let dir = TempDir::new("import");
            let (url, _pg) = database(backend, &dir).await;
            // Distinct issues: by id where the file has ids, else by key and summary.
            let issues = if id_column == key {
                all_rows(file, delimiter, key, "Summary").into_iter().collect::<HashSet<_>>().len()
            } else {
                jira_rows(file, delimiter, id_column, None, None).len()
            };
            let summary = import_json(&url, "jira-csv", &real(file));
            let app = app_on(&url).await;
            let mut imported = Vec::new();
            for project in project_ids(&summary) {
                imported.extend(tasks_of(&app, project).await);
            }
            assert_eq!(imported.len(), issues, "{backend:?} {file}: one task per issue");
            // Jira keys survive: the first issue with a key keeps it (CGQ-12 stays CGQ-12).
            let keys: HashSet<&str> = imported.iter().map(|t| t.key.as_str()).collect();
            for (original, _, _) in jira_rows(file, delimiter, key, None, None) {
                assert!(keys.contains(original.as_str()), "{backend:?} {file}: {original} kept");
            }
            // …and names the same issue: a reused key's second issue gets a number no row of the file uses.
            if id_column == key {
                let mut first: HashMap<String, String> = HashMap::new();
                for (k, summary) in all_rows(file, delimiter, key, "Summary") {
                    first.entry(k).or_insert(summary);
                }
                for (k, summary) in &first {
                    let task = imported.iter().find(|t| &t.key == k).unwrap();
                    assert_eq!(&task.title, summary, "{backend:?} {file}: {k}");
                }
            }
            let again = import_json(&url, "jira-csv", &real(file));
            assert_eq!(again["created"]["tasks"], 0, "{backend:?} {file}");
        }
    }
}

#[tokio::test]
async fn a_work_kr_bound_to_imported_projects_counts_their_tasks() {
    for backend in BACKENDS {
        let dir = TempDir::new("import");
        let (url, _pg) = database(backend, &dir).await;
        // Jira plan export: sub-tasks under parents, no estimates (each task weighs 1).
        let jira = import_json(&url, "jira-csv", &real("jira/jira-plan-export-tsv-named-csv.csv"));
        // Every row is an issue (a key used twice names two issues); a parent key
        // means the first issue with that key, which then counts through its children.
        let plan = "jira/jira-plan-export-tsv-named-csv.csv";
        let first = jira_rows(plan, b'\t', "Key", Some("Parent"), Some("Status"));
        let keys: HashSet<&str> = first.iter().map(|r| r.0.as_str()).collect();
        let parent_keys: HashSet<String> = all_rows(plan, b'\t', "Parent", "Status")
            .into_iter()
            .map(|r| r.0)
            .filter(|p| keys.contains(p.as_str()))
            .collect();
        let every = all_rows(plan, b'\t', "Key", "Status");
        let leaves = every.len() - parent_keys.len();
        let jira_done = every.iter().filter(|r| r.1 == "Done").count()
            - first.iter().filter(|r| parent_keys.contains(&r.0) && r.2 == "Done").count();
        // Trello board: lists are statuses; クローズ ("closed") is its done list; no checklists.
        let trello = import_json(&url, "trello", &real("trello/clipkit-2015-japanese-board-minified.json"));
        let raw: Value =
            serde_json::from_slice(&std::fs::read(real("trello/clipkit-2015-japanese-board-minified.json")).unwrap())
                .unwrap();
        let done_list =
            raw["lists"].as_array().unwrap().iter().find(|l| l["name"] == "クローズ").unwrap()["id"].clone();
        let cards = raw["cards"].as_array().unwrap();
        let trello_done = cards.iter().filter(|c| c["idList"] == done_list).count();

        let app = app_on(&url).await;
        let sys = Actor::system();
        let today = chrono::Utc::now().date_naive();
        let cycle = app
            .create_cycle(
                &sys,
                keel_app::okr::CycleInput {
                    name: "Q".into(),
                    start_date: today,
                    end_date: today + chrono::Duration::days(90),
                    state: None,
                    parent_id: None,
                },
            )
            .await
            .unwrap();
        let owner = app.add_login_user("owner", "Owner", "password-123", keel_domain::org::Role::Admin).await.unwrap();
        let o = app
            .create_objective(
                &Actor::user(owner.clone()),
                keel_app::okr::ObjectiveInput {
                    cycle_id: cycle.id,
                    title: "交付导入的项目".into(),
                    description: String::new(),
                    level: keel_domain::okr::ObjectiveLevel::Company,
                    unit_id: None,
                    owner_id: None,
                    parent_objective_id: None,
                    parent_key_result_id: None,
                    private: false,
                },
            )
            .await
            .unwrap();
        let mut krs: Vec<KeyResultId> = Vec::new();
        for (summary, title) in [(&jira, "Jira 项目完成"), (&trello, "Trello 看板完成")] {
            let kr = app
                .create_key_result(
                    &sys,
                    keel_app::okr::KeyResultInput {
                        objective_id: o.id,
                        title: title.into(),
                        kind: keel_domain::okr::KrKind::Work,
                        owner_id: Some(owner.id),
                        weight: None,
                        start_value: None,
                        target_value: None,
                        unit_label: None,
                        direction: None,
                        due_date: None,
                        items: vec![],
                    },
                )
                .await
                .unwrap();
            for project in project_ids(summary) {
                let p = app.get_project(&sys, ProjectId(project)).await.unwrap();
                let patch = keel_app::work::ProjectPatch {
                    key_result_ids: Some(vec![kr.id]),
                    version: p.version,
                    ..Default::default()
                };
                app.update_project(&sys, p.id, patch).await.unwrap();
            }
            krs.push(kr.id);
        }
        let tree = app.okr_tree(&sys, cycle.id).await.unwrap();
        let jira_kr = tree.key_result(krs[0]).unwrap();
        assert_eq!(jira_kr.work.as_ref().unwrap().counted_tasks, leaves, "{backend:?}");
        assert!(
            (jira_kr.progress - jira_done as f64 / leaves as f64).abs() < 1e-12,
            "{backend:?} {} vs {jira_done}/{}",
            jira_kr.progress,
            leaves
        );
        let trello_kr = tree.key_result(krs[1]).unwrap();
        assert!(
            (trello_kr.progress - trello_done as f64 / cards.len() as f64).abs() < 1e-12,
            "{backend:?} {} vs {trello_done}/{}",
            trello_kr.progress,
            cards.len()
        );
        let done_tasks: usize = {
            let mut n = 0;
            for p in project_ids(&trello) {
                n += tasks_of(&app, p).await.iter().filter(|t| t.category == StatusCategory::Done).count();
            }
            n
        };
        assert_eq!(done_tasks, trello_done);
    }
}

/// Damaged copies of the real files: a clear error naming the file and
/// where, a non-zero exit, and nothing written.
#[tokio::test]
async fn damaged_files_are_refused_and_nothing_is_written() {
    let dir = TempDir::new("damaged");
    let board = std::fs::read(real("trello/kanban-2016-small-board.json")).unwrap();
    let csv_file = std::fs::read(real("jira/jira-plan-export-tsv-named-csv.csv")).unwrap();
    let mut flipped = csv_file.clone();
    flipped[csv_file.len() / 2] = 0xFF;
    flipped[csv_file.len() / 2 + 1] = 0xFE;
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        ("trello", "half-board.json", board[..board.len() / 2].to_vec(), "line"),
        ("jira-csv", "flipped.csv", flipped, "line"),
        ("jira-csv", "board-named.csv", board.clone(), "Trello"),
        ("trello", "export.json", csv_file[..csv_file.len() / 2].to_vec(), "half-board"),
        ("trello", "empty.json", Vec::new(), "empty"),
    ];
    for backend in BACKENDS {
        let db_dir = TempDir::new("db");
        let (url, _pg) = database(backend, &db_dir).await;
        for (kind, name, bytes, mention) in &cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let out = keel(&url, &["import", kind, path.to_str().unwrap()]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{name} must fail");
            assert!(stderr.contains(name), "{name}: error names the file: {stderr}");
            let mention = if *mention == "half-board" { "line" } else { mention };
            assert!(stderr.to_lowercase().contains(&mention.to_lowercase()), "{name}: error says {mention}: {stderr}");
            assert!(stderr.contains("nothing was imported"), "{stderr}");
        }
        // A dry run of a good file writes nothing either.
        let out = keel(
            &url,
            &["import", "trello", real("trello/kanban-2016-small-board.json").to_str().unwrap(), "--dry-run"],
        );
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("nothing was written"));
        let app = app_on(&url).await;
        assert!(
            app.list_projects(&Actor::system(), Page::ALL).await.unwrap().is_empty(),
            "{backend:?}: nothing written"
        );
    }
}
