//! A small HTTP load client for the three API measures.
//!
//! Each client has its own connection (keep-alive) and sends its next request
//! only when the last answer is fully read, so "4 clients" means exactly 4
//! requests in flight. Bodies are read but not parsed in the timed loops;
//! one untimed request before each run checks that the answer is right.

use anyhow::{Context, bail};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Sorted latencies of one run.
#[derive(Debug, Clone, Default)]
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn new(mut samples: Vec<Duration>) -> Latencies {
        samples.sort();
        Latencies(samples)
    }
    /// Nearest-rank percentile, in milliseconds.
    pub fn ms(&self, p: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil().max(1.0) as usize;
        self.0[rank.min(self.0.len()) - 1].as_secs_f64() * 1000.0
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ListRun {
    pub clients: usize,
    pub seconds: f64,
    pub requests: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub body_bytes: usize,
    pub project_total: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TreeRun {
    pub runs: usize,
    pub median_ms: f64,
    pub p90_ms: f64,
    pub first_ms: f64,
    pub body_bytes: usize,
    pub objectives: usize,
    pub key_results: usize,
}

pub fn client() -> anyhow::Result<Client> {
    Ok(Client::builder().pool_max_idle_per_host(1).timeout(Duration::from_secs(120)).build()?)
}

/// GET, check for 200, and return the body's length (read whole, not parsed).
async fn get(client: &Client, url: &str, token: &str) -> anyhow::Result<usize> {
    Ok(get_body(client, url, token).await?.len())
}

async fn get_body(client: &Client, url: &str, token: &str) -> anyhow::Result<Vec<u8>> {
    let resp = client.get(url).bearer_auth(token).send().await?;
    let status = resp.status();
    let body = resp.bytes().await?;
    if status != StatusCode::OK {
        bail!("GET {url} answered {status}: {}", String::from_utf8_lossy(&body[..body.len().min(300)]));
    }
    Ok(body.to_vec())
}

/// GET one page of tasks at `clients` concurrent clients: warm-up, then `seconds` measured.
pub async fn list_tasks(
    base: &str,
    token: &str,
    project: i64,
    clients: usize,
    warmup: Duration,
    seconds: Duration,
) -> anyhow::Result<ListRun> {
    let url = format!("{base}/api/v1/tasks?limit=200&project_id={project}");
    let check: Value = serde_json::from_slice(&get_body(&client()?, &url, token).await?)?;
    let items = check["items"].as_array().map(Vec::len).unwrap_or(0);
    let total = check["total"].as_i64().unwrap_or(0);
    if items != 200.min(total as usize) {
        bail!("GET {url} returned {items} tasks of {total}; expected 200");
    }
    let warm_end = Instant::now() + warmup;
    let end = warm_end + seconds;
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (url, token, client) = (url.clone(), token.to_string(), client()?);
        workers.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut bytes = 0;
            loop {
                let t0 = Instant::now();
                if t0 >= end {
                    break;
                }
                let len = get(&client, &url, &token).await?;
                let t1 = Instant::now();
                // Only requests wholly inside the measured window count.
                if t0 >= warm_end && t1 <= end {
                    samples.push(t1 - t0);
                    bytes = len;
                }
            }
            anyhow::Ok((samples, bytes))
        }));
    }
    let mut all = Vec::new();
    let mut body_bytes = 0;
    for w in workers {
        let (samples, bytes) = w.await.context("a load client panicked")??;
        all.extend(samples);
        body_bytes = body_bytes.max(bytes);
    }
    let lat = Latencies::new(all);
    let secs = seconds.as_secs_f64();
    Ok(ListRun {
        clients,
        seconds: secs,
        requests: lat.len(),
        per_second: lat.len() as f64 / secs,
        p50_ms: lat.ms(50.0),
        p99_ms: lat.ms(99.0),
        body_bytes,
        project_total: total,
    })
}

/// POST `n` tasks one after another (after `warmup` untimed ones).
pub async fn create_tasks(base: &str, token: &str, project: i64, n: usize, warmup: usize) -> anyhow::Result<Latencies> {
    let url = format!("{base}/api/v1/tasks");
    let client = client()?;
    let mut samples = Vec::with_capacity(n);
    for i in 0..n + warmup {
        let body = serde_json::json!({
            "project_id": project,
            "title": format!("基准测试任务 bench task {i}"),
            "description": "由 keel-bench 创建。Created by keel-bench, with a description of a usual length.",
            "priority": "high",
            "labels": ["bench", "性能"],
            "estimate": 2.5,
        });
        let t0 = Instant::now();
        let resp = client.post(&url).bearer_auth(token).json(&body).send().await?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        let took = t0.elapsed();
        if status != StatusCode::CREATED {
            bail!("POST {url} answered {status}: {}", String::from_utf8_lossy(&bytes[..bytes.len().min(300)]));
        }
        if i >= warmup {
            samples.push(took);
        }
    }
    Ok(Latencies::new(samples))
}

/// GET the cycle's OKR tree `runs` times after one untimed (but reported) first request.
pub async fn okr_tree(base: &str, token: &str, cycle: i64, runs: usize) -> anyhow::Result<TreeRun> {
    let url = format!("{base}/api/v1/cycles/{cycle}/tree");
    let client = client()?;
    let t0 = Instant::now();
    let first = get_body(&client, &url, token).await?;
    let first_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let tree: Value = serde_json::from_slice(&first)?;
    let objectives = tree["objectives"].as_array().map(Vec::as_slice).unwrap_or_default();
    let key_results = objectives.iter().map(|o| o["key_results"].as_array().map_or(0, Vec::len)).sum();
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t0 = Instant::now();
        get(&client, &url, token).await?;
        samples.push(t0.elapsed());
    }
    let lat = Latencies::new(samples);
    Ok(TreeRun {
        runs,
        median_ms: lat.ms(50.0),
        p90_ms: lat.ms(90.0),
        first_ms,
        body_bytes: first.len(),
        objectives: objectives.len(),
        key_results,
    })
}
