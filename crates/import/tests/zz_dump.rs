#[test]
#[ignore]
fn dump() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/real/");
    for f in std::env::var("DUMP").unwrap().split(',') {
        let bytes = std::fs::read(format!("{dir}{f}")).unwrap();
        let r = if f.ends_with(".csv") { keel_import::jira_csv::parse(f, &bytes) } else { keel_import::trello::parse(f, &bytes) };
        match r {
            Ok(b) => println!("{}", serde_json::to_string_pretty(&b).unwrap()),
            Err(e) => println!("ERR {e}"),
        }
    }
}
