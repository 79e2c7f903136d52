//! The browser bundle under `/pkg`: served straight from disk with precompressed
//! brotli/gzip variants and, when file names carry content hashes, cached for a year.

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodRouter, get_service};
use http::HeaderValue;
use http::header::CACHE_CONTROL;
use std::io::Write;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;

/// The `/pkg` service. `immutable`: names are content-hashed, so a cached copy never goes
/// stale; otherwise browsers revalidate every time.
pub fn pkg_service(pkg_dir: PathBuf, immutable: bool) -> MethodRouter {
    let serve = ServeDir::new(pkg_dir)
        .precompressed_br()
        .precompressed_gzip();
    get_service(serve).layer(middleware::from_fn(move |req: Request, next: Next| {
        cache_headers(req, next, immutable)
    }))
}

async fn cache_headers(request: Request, next: Next, immutable: bool) -> Response {
    let mut response = next.run(request).await;
    let status = response.status();
    let value = if (status.is_success() || status == http::StatusCode::NOT_MODIFIED) && immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// Extensions worth compressing; the wasm bundle above all.
const COMPRESSIBLE: [&str; 5] = ["wasm", "js", "css", "svg", "json"];

/// Writes `x.br` and `x.gz` beside every compressible file of `dir` that lacks them or has
/// changed since. Runs once at start-up in the background: until it is done, the plain files
/// are served. Returns how many files it compressed.
pub fn precompress_dir(dir: &Path) -> std::io::Result<usize> {
    let mut done = 0;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            done += precompress_dir(&path)?;
            continue;
        }
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e));
        if compressible && precompress_file(&path)? {
            done += 1;
        }
    }
    Ok(done)
}

fn precompress_file(path: &Path) -> std::io::Result<bool> {
    let source_modified = std::fs::metadata(path)?.modified()?;
    let variant = |ext: &str| PathBuf::from(format!("{}.{ext}", path.display()));
    let fresh = |p: &Path| {
        std::fs::metadata(p)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= source_modified)
    };
    let (br, gz) = (variant("br"), variant("gz"));
    if fresh(&br) && fresh(&gz) {
        return Ok(false);
    }
    let data = std::fs::read(path)?;
    let mut brotli_bytes = Vec::new();
    {
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut data.as_slice(), &mut brotli_bytes, &params)?;
    }
    let mut gz_encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz_encoder.write_all(&data)?;
    let gzip_bytes = gz_encoder.finish()?;
    write_atomically(&br, &brotli_bytes)?;
    write_atomically(&gz, &gzip_bytes)?;
    Ok(true)
}

/// Another process serving the same folder never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = PathBuf::from(format!("{}.tmp{}", path.display(), std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn precompressed_variants_decode_to_the_original_and_are_not_redone() {
        let dir = std::env::temp_dir().join(format!("kouka-pc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let original = "console.log('考課');\n".repeat(500);
        std::fs::write(dir.join("app.js"), &original).expect("write");
        std::fs::write(dir.join("photo.png"), b"not compressible").expect("write");

        assert_eq!(precompress_dir(&dir).expect("compress"), 1);
        assert_eq!(
            precompress_dir(&dir).expect("again"),
            0,
            "fresh variants are kept"
        );
        assert!(!dir.join("photo.png.br").exists());

        let mut gunzipped = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(dir.join("app.js.gz")).expect("gz"))
            .read_to_string(&mut gunzipped)
            .expect("gunzip");
        assert_eq!(gunzipped, original);
        let mut unbrotli = Vec::new();
        brotli::BrotliDecompress(
            &mut std::fs::File::open(dir.join("app.js.br")).expect("br"),
            &mut unbrotli,
        )
        .expect("unbrotli");
        assert_eq!(unbrotli, original.as_bytes());
        let _ = std::fs::remove_dir_all(dir);
    }
}
