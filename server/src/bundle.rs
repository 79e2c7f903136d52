//! Which browser bundle the pages reference, found in the site folder itself.
//!
//! cargo-leptos names the bundle's files with content hashes (`kouka.<hash>.js`) and writes
//! the hashes into a `hash.txt` beside the binary, where Leptos looks for them. A binary
//! copied elsewhere without that file served pages referencing `/pkg/kouka.js`, which does
//! not exist: every page unstyled and dead, silently. Here the names are read from
//! `{site}/pkg` at start-up and handed to Leptos in a hash file of our own, and the log says
//! which bundle is served.

use std::path::{Path, PathBuf};

/// The bundle found in a `pkg` folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// Content-hashed names: `hash.txt` lines for Leptos (`js: …`, `wasm: …`, `css: …`, and
    /// with code splitting `split: …` and `manifest: …`).
    Hashed { hashes: Vec<(String, String)> },
    /// Plain names (`kouka.js`, `kouka_bg.wasm`), as a debug build leaves them.
    Plain,
}

/// The file kinds Leptos reads from a hash file, with the file name pattern each has:
/// `{prefix}{hash}{suffix}`.
fn patterns(output_name: &str) -> [(&'static str, String, &'static str); 5] {
    [
        ("js", format!("{output_name}."), ".js"),
        ("wasm", format!("{output_name}."), ".wasm"),
        ("css", format!("{output_name}."), ".css"),
        ("split", "__wasm_split.".to_owned(), ".js"),
        ("manifest", "__wasm_split_manifest.".to_owned(), ".json"),
    ]
}

/// Looks at `pkg_dir`: the hashed bundle (the newest file of each kind, should an older
/// build's files remain), else the plain one, else `None`.
pub fn find(pkg_dir: &Path, output_name: &str) -> Option<Bundle> {
    let mut files: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(pkg_dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let modified = entry.metadata().ok()?.modified().ok()?;
            Some((modified, entry.file_name().to_str()?.to_owned()))
        })
        .collect();
    files.sort();
    let mut hashes = Vec::new();
    for (kind, prefix, suffix) in patterns(output_name) {
        let newest = files.iter().rev().find_map(|(_, name)| {
            let hash = name.strip_prefix(prefix.as_str())?.strip_suffix(suffix)?;
            let is_hash = !hash.is_empty()
                && hash
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            is_hash.then(|| hash.to_owned())
        });
        if let Some(hash) = newest {
            hashes.push((kind.to_owned(), hash));
        }
    }
    let has = |kind: &str| hashes.iter().any(|(k, _)| k == kind);
    if has("js") && has("wasm") {
        return Some(Bundle::Hashed { hashes });
    }
    let plain = pkg_dir.join(format!("{output_name}.js"));
    plain.is_file().then_some(Bundle::Plain)
}

impl Bundle {
    /// The file names a page references, for the log.
    pub fn describe(&self, output_name: &str) -> String {
        match self {
            Bundle::Hashed { hashes } => hashes
                .iter()
                .filter(|(kind, _)| kind == "js" || kind == "wasm")
                .map(|(kind, hash)| format!("{output_name}.{hash}.{kind}"))
                .collect::<Vec<_>>()
                .join(", "),
            Bundle::Plain => format!("{output_name}.js, {output_name}_bg.wasm"),
        }
    }

    /// Writes the hash file Leptos reads, into `dir`; answers its path (absolute, so that
    /// Leptos does not look beside the binary).
    pub fn write_hash_file(&self, dir: &Path) -> std::io::Result<Option<PathBuf>> {
        let Bundle::Hashed { hashes } = self else {
            return Ok(None);
        };
        std::fs::create_dir_all(dir)?;
        let path = std::path::absolute(dir.join("bundle-hashes.txt"))?;
        let text: String = hashes
            .iter()
            .map(|(kind, hash)| format!("{kind}: {hash}\n"))
            .collect();
        // Written whole, then renamed: another process starting at the same time reads
        // the old file or the new one, never half of one.
        let temp = path.with_extension(format!("{}.tmp", std::process::id()));
        std::fs::write(&temp, text)?;
        std::fs::rename(&temp, &path)?;
        Ok(Some(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[&str]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kouka-bundle-{}", uuid_like()));
        std::fs::create_dir_all(&dir).unwrap();
        for file in files {
            std::fs::write(dir.join(file), b"x").unwrap();
        }
        dir
    }

    fn uuid_like() -> String {
        format!(
            "{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        )
    }

    #[test]
    fn hashed_names_are_read_from_the_folder() {
        let dir = site(&[
            "kouka.AbC123.js",
            "kouka.AbC123.wasm",
            "kouka.Zz9.css",
            "__wasm_split.Q1.js",
            "__wasm_split_manifest.M2.json",
            "split_org_chart_page.Xx.wasm",
            "kouka.AbC123.wasm.br",
        ]);
        let bundle = find(&dir, "kouka").expect("a bundle");
        let Bundle::Hashed { hashes } = &bundle else {
            panic!("hashed: {bundle:?}");
        };
        let pairs: Vec<(&str, &str)> = hashes
            .iter()
            .map(|(k, h)| (k.as_str(), h.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("js", "AbC123"),
                ("wasm", "AbC123"),
                ("css", "Zz9"),
                ("split", "Q1"),
                ("manifest", "M2")
            ]
        );
        assert_eq!(
            bundle.describe("kouka"),
            "kouka.AbC123.js, kouka.AbC123.wasm"
        );
        let written = bundle.write_hash_file(&dir.join("data")).unwrap().unwrap();
        assert!(written.is_absolute());
        assert_eq!(
            std::fs::read_to_string(written).unwrap(),
            "js: AbC123\nwasm: AbC123\ncss: Zz9\nsplit: Q1\nmanifest: M2\n"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn plain_names_and_no_bundle() {
        let dir = site(&["kouka.js", "kouka_bg.wasm"]);
        assert_eq!(find(&dir, "kouka"), Some(Bundle::Plain));
        let empty = site(&[]);
        assert_eq!(find(&empty, "kouka"), None);
        assert_eq!(find(&empty.join("missing"), "kouka"), None);
        let _ = std::fs::remove_dir_all(dir);
        let _ = std::fs::remove_dir_all(empty);
    }
}
