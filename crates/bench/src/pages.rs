//! Server time of the browser pages: logs in through the login form (as a
//! browser does: a CSRF cookie and field, then the session cookie) and asks
//! for each page a number of times, one after another.

use crate::load::{Latencies, client};
use anyhow::{Context, bail};
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Client, StatusCode};
use std::time::Instant;

#[derive(Debug, Clone, serde::Serialize)]
pub struct PageRun {
    pub name: String,
    pub path: String,
    /// None when the page does not exist (yet) in this build.
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    /// The untimed first request, timed anyway: nothing kept from before.
    pub first_ms: Option<f64>,
    pub body_bytes: usize,
}

/// The value of cookie `name` among a response's Set-Cookie headers.
fn cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Logs in and returns the Cookie header of the session.
pub async fn log_in(base: &str, login: &str, password: &str) -> anyhow::Result<String> {
    let http = Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let form_page = http.get(format!("{base}/login")).send().await?;
    let csrf = cookie(&form_page, "keel_csrf").context("the login page sets no keel_csrf cookie")?;
    let resp = http
        .post(format!("{base}/login"))
        .header(COOKIE, format!("keel_csrf={csrf}"))
        .form(&[("csrf", csrf.as_str()), ("login", login), ("password", password)])
        .send()
        .await?;
    if resp.status() != StatusCode::SEE_OTHER {
        bail!("logging in as {login} answered {}", resp.status());
    }
    let session = cookie(&resp, "keel_session").context("no session cookie after logging in")?;
    Ok(format!("keel_session={session}"))
}

/// Each page `runs` times after one untimed request.
pub async fn time_pages(
    base: &str,
    session: &str,
    pages: &[(String, String)],
    runs: usize,
) -> anyhow::Result<Vec<PageRun>> {
    let http = client()?;
    let mut out = Vec::new();
    for (name, path) in pages {
        let url = format!("{base}{path}");
        let t0 = Instant::now();
        let first = http.get(&url).header(COOKIE, session).send().await?;
        let status = first.status();
        let body = first.bytes().await?;
        let first_ms = t0.elapsed().as_secs_f64() * 1e3;
        if status == StatusCode::NOT_FOUND {
            out.push(PageRun {
                name: name.clone(),
                path: path.clone(),
                p50_ms: None,
                p95_ms: None,
                first_ms: None,
                body_bytes: 0,
            });
            continue;
        }
        if status != StatusCode::OK {
            bail!("GET {path} answered {status}");
        }
        let mut samples = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t0 = Instant::now();
            let resp = http.get(&url).header(COOKIE, session).send().await?;
            resp.bytes().await?;
            samples.push(t0.elapsed());
        }
        let lat = Latencies::new(samples);
        out.push(PageRun {
            name: name.clone(),
            path: path.clone(),
            p50_ms: Some(lat.ms(50.0)),
            p95_ms: Some(lat.ms(95.0)),
            first_ms: Some(first_ms),
            body_bytes: body.len(),
        });
    }
    Ok(out)
}

/// Each page `runs` times, each right after a task is created in `project`
/// through the API (untimed): what a viewer waits for when the page cannot
/// be served from what an earlier request read.
pub async fn time_pages_after_change(
    base: &str,
    session: &str,
    token: &str,
    project: i64,
    pages: &[(String, String)],
    runs: usize,
) -> anyhow::Result<Vec<PageRun>> {
    let http = client()?;
    let mut out = Vec::new();
    for (name, path) in pages {
        let url = format!("{base}{path}");
        let mut samples = Vec::with_capacity(runs);
        let mut body_bytes = 0;
        for i in 0..runs {
            let change = serde_json::json!({ "project_id": project, "title": format!("页面基准 page bench {i}") });
            let resp = http.post(format!("{base}/api/v1/tasks")).bearer_auth(token).json(&change).send().await?;
            if resp.status() != StatusCode::CREATED {
                bail!("creating a task before GET {path} answered {}", resp.status());
            }
            let t0 = Instant::now();
            let resp = http.get(&url).header(COOKIE, session).send().await?;
            let status = resp.status();
            body_bytes = resp.bytes().await?.len();
            samples.push(t0.elapsed());
            if status != StatusCode::OK {
                bail!("GET {path} answered {status}");
            }
        }
        let lat = Latencies::new(samples);
        out.push(PageRun {
            name: format!("{name} after a change"),
            path: path.clone(),
            p50_ms: Some(lat.ms(50.0)),
            p95_ms: Some(lat.ms(95.0)),
            first_ms: None,
            body_bytes,
        });
    }
    Ok(out)
}
