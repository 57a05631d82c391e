//! mp4decrypt-style demo of the library (the real command lives in `layover-cli`):
//! `cargo run --example decrypt -- --key KID:KEY [--key KID:KEY ...] INPUT OUTPUT`.

use layover_media::decrypt::{KeyStore, decrypt_file};

fn main() {
    let mut keys = KeyStore::new();
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--key" {
            let pair = args.next().unwrap_or_default();
            if let Err(e) = keys.insert_pair(&pair) {
                eprintln!("bad --key: {e}");
                std::process::exit(2);
            }
        } else {
            files.push(a);
        }
    }
    let [input, output] = files.as_slice() else {
        eprintln!("usage: decrypt --key KID:KEY [--key ...] INPUT OUTPUT");
        std::process::exit(2);
    };
    let result = std::fs::read(input)
        .map_err(|e| e.to_string())
        .and_then(|data| decrypt_file(&data, &keys).map_err(|e| e.to_string()))
        .and_then(|clear| std::fs::write(output, clear).map_err(|e| e.to_string()));
    if let Err(e) = result {
        eprintln!("{input}: {e}");
        std::process::exit(1);
    }
}
