//! `layover license parse`: what did the server grant, from a file support staff saved.

use std::process::{Command, Output};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use layover_drm::Kid;
use layover_drm::xmr::{CipherType, ContentKey, KeyType, LicenseTemplate};

/// Parses `file` as of 2026-06-01, so the numbers do not move with the calendar.
fn parse(file: &std::path::Path, json: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_layover"));
    cmd.args(["license", "parse", "--at", "2026-06-01"])
        .arg(file);
    if json {
        cmd.arg("--json");
    }
    // No data folder is needed (or created) to read a file.
    cmd.env("LAYOVER_FORBID_DEFAULT_DATA_DIR", "1")
        .env_remove("LAYOVER_DATA_DIR");
    cmd.output().expect("runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A persistent license, valid for ten years from 2026-01-01, 48 h after first play, SL2000.
fn license() -> Vec<u8> {
    let mut t = LicenseTemplate::new([0xab; 16], 1_767_225_600);
    t.persistent = true;
    t.begin = Some(1_767_225_600);
    t.end = Some(1_767_225_600 + 10 * 365 * 86_400);
    t.expire_after_first_play = Some(48 * 3600);
    t.security_level = 2000;
    t.keys = vec![ContentKey {
        kid: Kid::parse_hex("f81d4fae-7dec-11d0-a765-00a0c91e6bf6").expect("kid"),
        key_type: KeyType::AesCtr,
        cipher_type: CipherType::Ecc256,
        encrypted_key: vec![7; 128],
    }];
    t.build_signed(&[5; 16]).expect("builds")
}

fn soap(licenses: &[Vec<u8>]) -> String {
    let items: String = licenses
        .iter()
        .map(|l| format!("<License>{}</License>", STANDARD.encode(l)))
        .collect();
    format!(
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>\
         <AcquireLicenseResponse xmlns=\"http://schemas.microsoft.com/DRM/2007/03/protocols\">\
         <AcquireLicenseResult><Response xmlns=\"http://schemas.microsoft.com/DRM/2007/03/protocols/messages\">\
         <LicenseResponse xmlns=\"http://schemas.microsoft.com/DRM/2007/03/protocols\"><Version>1</Version>\
         <Licenses>{items}</Licenses></LicenseResponse></Response></AcquireLicenseResult>\
         </AcquireLicenseResponse></soap:Body></soap:Envelope>"
    )
}

#[test]
fn a_saved_soap_response_prints_what_was_granted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("response.xml");
    std::fs::write(&file, soap(&[license(), license()])).expect("write");

    let out = parse(&file, false);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    for line in [
        "SOAP AcquireLicense response with 2 licenses",
        "License 1 of 2 (rights id abababababababababababababababab, XMR v3)",
        "License window:    from 2026-01-01 00:00:00 UTC until 2035-12-30 00:00:00 UTC",
        "Playback window:   2 d after first play",
        "Persistent:        yes",
        "Security level:    2000",
        "f81d4fae-7dec-11d0-a765-00a0c91e6bf6 (PlayReady rk8d+Ox90BGnZQCgyR5r9g==): AesCtr, protected by Ecc256",
        "State:             valid",
        "Time left:         3499 d (license window); 2 d once first played (playback window)",
        "(evaluated at 2026-06-01 00:00:00 UTC)",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    // The data folder guard is on and no folder was given: nothing was opened or created.
    assert!(!dir.path().join("logs").exists());
}

#[test]
fn json_for_scripts_and_every_input_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let raw = dir.path().join("license.xmr");
    std::fs::write(&raw, license()).expect("write");
    let b64 = dir.path().join("license.b64");
    std::fs::write(&b64, STANDARD.encode(license())).expect("write");

    for (file, kind) in [(&raw, "raw-xmr"), (&b64, "base64-xmr")] {
        let out = parse(file, true);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
        assert_eq!(v["input"], kind);
        let l = &v["licenses"][0];
        assert_eq!(l["policy"]["persistent"], true);
        assert_eq!(l["policy"]["expire_after_first_play"], 172_800);
        assert_eq!(
            l["keys"][0]["kid_playready_base64"],
            "rk8d+Ox90BGnZQCgyR5r9g=="
        );
        assert_eq!(l["evaluation"]["state"], "valid");
    }
}

#[test]
fn faults_and_junk_are_explained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fault = dir.path().join("fault.xml");
    std::fs::write(
        &fault,
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><soap:Fault>\
         <faultcode>soap:Server</faultcode><faultstring>System.Web.Services.Protocols.SoapException</faultstring>\
         <detail><Exception><StatusCode>0x8004C602</StatusCode></Exception></detail></soap:Fault></soap:Body></soap:Envelope>",
    )
    .expect("write");
    let out = parse(&fault, false);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("fault.xml") && stderr.to_lowercase().contains("device limit"),
        "{stderr}"
    );

    let html = dir.path().join("page.html");
    std::fs::write(&html, "<html><body>502 Bad Gateway</body></html>").expect("write");
    let out = parse(&html, false);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("page.html"), "{}", text(&out).1);

    let out = parse(&dir.path().join("missing.xml"), false);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("cannot read") && text(&out).1.contains("missing.xml"));
}
