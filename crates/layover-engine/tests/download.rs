//! Downloading single-file titles from the development origin.

mod common;

use std::sync::{Arc, Mutex};

use layover_devserver::{Config, DevServer, Fault, FaultPlan};

use layover_engine::{DataDir, DataDirSource, Engine, ErrorCode, TitleState};

/// An MP4-shaped file: ftyp, then a 2 MB mdat.
fn mp4() -> Vec<u8> {
    layover_devserver::stub::stub_mp4(2_000_000)
}

async fn setup() -> (tempfile::TempDir, tempfile::TempDir, DevServer, Engine) {
    let media = tempfile::tempdir().expect("tempdir");
    std::fs::write(media.path().join("seed_film.mp4"), mp4()).expect("write");
    std::fs::write(media.path().join("page.mp4"), "<html>not found</html>").expect("write");
    let server = DevServer::start(Config::loopback(media.path()))
        .await
        .expect("server");
    let data = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(DataDir::at(data.path(), DataDirSource::Flag))
        .await
        .expect("engine")
        .with_fetcher(common::instant_fetcher());
    (media, data, server, engine)
}

#[tokio::test]
async fn a_title_downloads_through_faults_to_identical_bytes_with_progress() {
    let (_media, _data, server, engine) = setup().await;
    for fault in [
        Fault::Drop {
            after_bytes: 700_000,
        },
        Fault::Status {
            code: 503,
            retry_after: Some(0),
        },
    ] {
        server.faults().push(FaultPlan {
            fault,
            times: 1,
            path_prefix: "/media/".into(),
        });
    }
    let url = format!("{}/media/seed_film.mp4", server.base_url());
    let title = engine.add_link(&url).await.expect("added");
    assert_eq!(
        (title.state, title.name.as_str()),
        (TitleState::Queued, "seed film")
    );

    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let done = engine
        .download(title.id, &move |p| {
            sink.lock().expect("lock").push(p.bytes_done)
        })
        .await
        .expect("downloads");
    assert_eq!(done.state, TitleState::Completed, "{:?}", done.state_reason);
    assert_eq!(done.bytes_done, mp4().len() as i64);
    assert!(done.completed_at.is_some());
    let file = engine.titles_dir().join(&done.folder).join("seed_film.mp4");
    assert_eq!(std::fs::read(file).expect("read"), mp4());
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(
        seen.last(),
        Some(&(mp4().len() as i64)),
        "the last report is the whole title"
    );
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "progress never goes back: {seen:?}"
    );

    // Adding the same link after it completed adds a new copy; adding while unfinished does not.
    let again = engine.add_link(&url).await.expect("added");
    assert_ne!(again.id, title.id);
    assert_eq!(engine.add_link(&url).await.expect("added").id, again.id);
    assert_eq!(engine.titles().await.expect("list").len(), 2);
}

#[tokio::test]
async fn missing_files_fail_and_error_pages_pause_with_a_reason() {
    let (_media, _data, server, engine) = setup().await;
    let gone = engine
        .add_link(&format!("{}/media/withdrawn.mp4", server.base_url()))
        .await
        .expect("added");
    let gone = engine.download(gone.id, &|_| {}).await.expect("runs");
    assert_eq!(gone.state, TitleState::Failed);
    let reason = gone.state_reason.unwrap_or_default();
    assert!(
        reason.contains("withdrawn.mp4") && reason.contains("does not exist"),
        "{reason}"
    );

    let page = engine
        .add_link(&format!("{}/media/page.mp4", server.base_url()))
        .await
        .expect("added");
    let page = engine.download(page.id, &|_| {}).await.expect("runs");
    assert_eq!(page.state, TitleState::Paused);
    let reason = page.state_reason.unwrap_or_default();
    assert!(reason.contains("HTML error page"), "{reason}");
    let folder = engine.titles_dir().join(&page.folder);
    let left: Vec<_> = std::fs::read_dir(folder)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".owner")
        .collect();
    assert!(left.is_empty(), "nothing half-written is kept: {left:?}");
}

#[tokio::test]
async fn links_layover_cannot_download_are_refused_in_words() {
    let (_media, _data, _server, engine) = setup().await;
    for (link, words) in [
        ("not a link", "not a web address"),
        ("ftp://host/film.mp4", "only http and https"),
        ("https://cdn.example/index.html", "cannot tell what it is"),
    ] {
        let err = engine.add_link(link).await.expect_err(link);
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(err.to_string().contains(words), "{link}: {err}");
    }
    assert!(engine.titles().await.expect("list").is_empty());
    assert_eq!(
        engine.title(99).await.expect_err("none").code(),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn two_processes_never_download_the_same_title_at_once() {
    let (_media, data, server, engine) = setup().await;
    let url = format!("{}/media/seed_film.mp4", server.base_url());
    let title = engine.add_link(&url).await.expect("added");
    // Another process holds the title: simulated by locking its owner file as that process would.
    let folder = engine.titles_dir().join(&title.folder);
    std::fs::create_dir_all(&folder).expect("mkdir");
    let other = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(folder.join(".owner"))
        .expect("open");
    other.lock().expect("lock");
    let err = engine.download(title.id, &|_| {}).await.expect_err("busy");
    assert_eq!(err.code(), ErrorCode::Busy);
    assert!(err.to_string().contains("another Layover process"), "{err}");
    other.unlock().expect("unlock");
    drop(other);
    let done = engine.download(title.id, &|_| {}).await.expect("downloads");
    assert_eq!(done.state, TitleState::Completed);
    drop(data);
}

#[tokio::test]
async fn queued_and_interrupted_titles_carry_on_at_start() {
    let (_media, data, server, engine) = setup().await;
    let url = format!("{}/media/seed_film.mp4", server.base_url());
    let queued = engine.add_link(&url).await.expect("added");
    // A second queued title, whose file the server no longer has.
    let gone = engine
        .add_link(&format!("{}/media/withdrawn.mp4", server.base_url()))
        .await
        .expect("added");
    let done = engine.resume_unfinished(&|_| {}).await.expect("resumes");
    assert_eq!(done.len(), 2);
    assert_eq!(
        engine.title(queued.id).await.expect("t").state,
        TitleState::Completed
    );
    assert_eq!(
        engine.title(gone.id).await.expect("t").state,
        TitleState::Failed
    );
    // Nothing left to carry on.
    assert!(
        engine
            .resume_unfinished(&|_| {})
            .await
            .expect("resumes")
            .is_empty()
    );
    drop(data);
}

async fn wait_for_bytes(engine: &Engine, id: i64) {
    for _ in 0..400 {
        if engine.title(id).await.expect("t").bytes_done > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the download never started");
}

#[tokio::test]
async fn pause_stops_a_running_download_and_resume_finishes_it_identical() {
    let (_media, _data, server, engine) = setup().await;
    server.faults().push(FaultPlan {
        fault: Fault::Slow {
            bytes_per_sec: 300_000,
        },
        times: 1,
        path_prefix: "/media/".into(),
    });
    let url = format!("{}/media/seed_film.mp4", server.base_url());
    let title = engine.add_link(&url).await.expect("added");
    let running = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.download(title.id, &|_| {}).await })
    };
    wait_for_bytes(&engine, title.id).await;
    // By name, as a person types it (the pause goes through the database, as from the CLI).
    let found = engine.find_title("SEED").await.expect("found");
    let paused = engine.pause(found.id).await.expect("paused");
    assert_eq!(paused.state, TitleState::Paused);
    let stopped = running.await.expect("joined").expect("downloads");
    assert_eq!(stopped.state, TitleState::Paused);
    assert_eq!(stopped.state_reason.as_deref(), Some("paused by you"));
    assert!(
        stopped.bytes_done < mp4().len() as i64,
        "it stopped part-way"
    );

    assert_eq!(
        engine.resume(title.id).await.expect("resumed").state,
        TitleState::Queued
    );
    let done = engine.download(title.id, &|_| {}).await.expect("downloads");
    assert_eq!(done.state, TitleState::Completed);
    let file = engine.titles_dir().join(&done.folder).join("seed_film.mp4");
    assert_eq!(std::fs::read(file).expect("read"), mp4());
    let err = engine.pause(title.id).await.expect_err("complete");
    assert!(
        err.to_string()
            .contains("is completed and cannot be paused"),
        "{err}"
    );
}

#[tokio::test]
async fn remove_stops_a_running_download_and_frees_its_space() {
    let (_media, _data, server, engine) = setup().await;
    let url = format!("{}/media/seed_film.mp4", server.base_url());
    let done = engine.add_link(&url).await.expect("added");
    let done = engine.download(done.id, &|_| {}).await.expect("downloads");
    assert_eq!(
        engine.remove(done.id).await.expect("removed"),
        mp4().len() as u64
    );
    assert!(!engine.titles_dir().join(&done.folder).exists());

    server.faults().push(FaultPlan {
        fault: Fault::Slow {
            bytes_per_sec: 300_000,
        },
        times: 1,
        path_prefix: "/media/".into(),
    });
    let title = engine.add_link(&url).await.expect("added");
    let running = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.download(title.id, &|_| {}).await })
    };
    wait_for_bytes(&engine, title.id).await;
    let freed = engine.remove(title.id).await.expect("removed");
    assert!(
        freed > 0 && freed < mp4().len() as u64,
        "the partial file was freed: {freed}"
    );
    // The download stopped: it saw the removal (or found the title already gone).
    match running.await.expect("joined") {
        Ok(t) => assert_eq!(t.state, TitleState::Removing),
        Err(e) => assert_eq!(e.code(), ErrorCode::NotFound),
    }
    assert!(!engine.titles_dir().join(&title.folder).exists());
    assert!(engine.titles().await.expect("list").is_empty());
    assert!(
        engine
            .find_title("seed")
            .await
            .is_err_and(|e| e.code() == ErrorCode::NotFound)
    );
}

#[tokio::test]
async fn a_manifest_that_cannot_be_read_is_refused_in_words() {
    let (_media, _data, server, engine) = setup().await;
    let err = engine
        .add_link(&format!("{}/media/missing.mpd", server.base_url()))
        .await
        .expect_err("404");
    assert!(err.to_string().contains("HTTP 404"), "{err}");
    assert!(engine.titles().await.expect("list").is_empty());
}

#[tokio::test]
async fn a_title_larger_than_the_free_space_pauses_before_downloading() {
    let (media, _data, server, engine) = setup().await;
    // A manifest whose bitrate makes the estimate far larger than any disk.
    std::fs::write(
        media.path().join("huge.mpd"),
        r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S">
          <Period><AdaptationSet contentType="video" mimeType="video/mp4" codecs="avc1.64001f">
            <SegmentTemplate timescale="1" duration="2" initialization="init.mp4" media="seg-$Number$.m4s"/>
            <Representation id="v" bandwidth="4000000000000000" width="1920" height="1080"/>
          </AdaptationSet></Period></MPD>"#,
    )
    .expect("write");
    let title = engine
        .add_link(&format!("{}/media/huge.mpd", server.base_url()))
        .await
        .expect("added");
    let done = engine.download(title.id, &|_| {}).await.expect("runs");
    assert_eq!(done.state, TitleState::Paused);
    let reason = done.state_reason.unwrap_or_default();
    assert!(
        reason.starts_with("disk full:") && reason.contains("MB more needed"),
        "{reason}"
    );
    assert_eq!(done.bytes_done, 0, "nothing was fetched");
}
