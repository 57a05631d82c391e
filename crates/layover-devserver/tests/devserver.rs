//! The devserver over real HTTP.

use layover_devserver::{Config, DevServer, Fault, FaultPlan};

fn data() -> Vec<u8> {
    (0..200_000u32).map(|i| (i % 253) as u8).collect()
}

async fn start() -> (tempfile::TempDir, DevServer) {
    let root = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(root.path().join("title")).expect("mkdir");
    std::fs::write(root.path().join("title/seg-1.m4s"), data()).expect("write");
    std::fs::write(root.path().join("title/manifest.mpd"), "<MPD/>").expect("write");
    std::fs::write(root.path().join("secret.txt"), "outside").expect("write");
    let server = DevServer::start(Config::loopback(&root.path().join("title")))
        .await
        .expect("starts");
    (root, server)
}

#[tokio::test]
async fn files_ranges_and_content_types() {
    let (_root, server) = start().await;
    let http = reqwest::Client::new();
    let url = format!("{}/media/seg-1.m4s", server.base_url());

    let r = http.get(&url).send().await.expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "video/mp4");
    assert_eq!(r.headers()["accept-ranges"], "bytes");
    assert_eq!(r.bytes().await.expect("body").to_vec(), data());

    let r = http
        .get(&url)
        .header("range", "bytes=100-199")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 206);
    assert_eq!(r.headers()["content-range"], "bytes 100-199/200000");
    assert_eq!(
        r.bytes().await.expect("body").to_vec(),
        data()[100..200].to_vec()
    );

    let r = http
        .get(&url)
        .header("range", "bytes=999999-")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 416);

    let r = http.head(&url).send().await.expect("head");
    assert_eq!(r.headers()["content-length"], "200000");

    let mpd = format!("{}/media/manifest.mpd", server.base_url());
    let r = http.get(&mpd).send().await.expect("get");
    assert_eq!(r.headers()["content-type"], "application/dash+xml");

    let r = http
        .get(format!("{}/media/nope.m4s", server.base_url()))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    server.stop().await;
}

#[tokio::test]
async fn nothing_outside_the_media_folder_is_served() {
    let (_root, server) = start().await;
    let http = reqwest::Client::new();
    for path in [
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/..%2Fsecret.txt",
    ] {
        let r = http
            .get(format!("{}{path}", server.base_url()))
            .send()
            .await
            .expect("get");
        let status = r.status();
        let body = r.text().await.expect("body");
        assert!(!body.contains("outside"), "{path} leaked: {status}");
        assert_ne!(status, 200, "{path}");
    }
    server.stop().await;
}

#[tokio::test]
async fn faults_from_the_query_string() {
    let (_root, server) = start().await;
    let http = reqwest::Client::new();
    let url = |f: &str| format!("{}/media/seg-1.m4s?fault={f}", server.base_url());

    let r = http.get(url("status:503:7")).send().await.expect("get");
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "7");

    let r = http.get(url("html")).send().await.expect("get");
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["content-type"].to_str().ok()
        ),
        (200, Some("text/html"))
    );

    let r = http
        .get(url("ignore-range"))
        .header("range", "bytes=0-9")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.expect("body").len(), 200_000);

    let r = http.get(url("slow:1000000")).send().await.expect("get");
    assert_eq!(r.bytes().await.expect("body").to_vec(), data());

    let r = http.get(url("drop:5000")).send().await.expect("get");
    assert_eq!(r.status(), 200, "headers arrive; the body is cut");
    assert!(r.bytes().await.is_err(), "the body fails part-way");

    let r = http.get(url("explode")).send().await.expect("get");
    assert_eq!(r.status(), 400);
    assert!(r.text().await.expect("body").contains("unknown fault"));
    server.stop().await;
}

#[tokio::test]
async fn fault_plans_apply_to_the_next_requests_then_stop() {
    let (_root, server) = start().await;
    let http = reqwest::Client::new();
    let plan = FaultPlan {
        fault: Fault::Status {
            code: 500,
            retry_after: None,
        },
        times: 2,
        path_prefix: "/media/".into(),
    };
    let r = http
        .post(format!("{}/_faults", server.base_url()))
        .header("content-type", "application/json")
        .body(serde_json::to_string(&plan).expect("json"))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 204);
    let pending = http
        .get(format!("{}/_faults", server.base_url()))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let pending: Vec<FaultPlan> = serde_json::from_str(&pending).expect("json");
    assert_eq!(pending, vec![plan]);

    let url = format!("{}/media/seg-1.m4s", server.base_url());
    let statuses: Vec<u16> = futures_statuses(&http, &url, 3).await;
    assert_eq!(statuses, vec![500, 500, 200]);
    server.stop().await;
}

async fn futures_statuses(http: &reqwest::Client, url: &str, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(http.get(url).send().await.expect("get").status().as_u16());
    }
    out
}

#[tokio::test]
async fn a_missing_media_folder_is_a_clear_error() {
    let err = DevServer::start(Config::loopback(std::path::Path::new("/no/such/folder")))
        .await
        .expect_err("no folder");
    assert!(err.to_string().contains("/no/such/folder"));
}
