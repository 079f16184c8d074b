//! `keel serve --demo` on a database that has the demo already: everyone in
//! the demo shares the newly printed password, and the old one stops working.

use keel_app::demo::DEMO_LOGINS;
use keel_app::{App, Settings};
use keel_testkit::{Backend, fresh};

#[tokio::test]
async fn a_second_start_gives_every_demo_person_the_new_password() {
    let db = fresh(Backend::Sqlite).await;
    let app = App::new(db.store.clone(), Settings::default());
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    let first = app.load_demo(today).await.unwrap();
    assert!(first.created);
    let second = app.load_demo(today).await.unwrap();
    assert!(!second.created);
    assert_ne!(first.password, second.password);
    for login in DEMO_LOGINS {
        assert!(app.login(login, &second.password).await.is_ok(), "{login} with the new password");
        assert!(app.login(login, &first.password).await.is_err(), "{login} with the old password");
    }
}
