//! Compiled modules cached on disk, so that loading ig's 2-4 MB Go gadgets
//! again (the next `gadget-host run`, the next `cargo test`) skips cranelift.
//!
//! An entry is wasmtime's own serialisation of a compiled module
//! ([`Module::serialize`]) under a key: the SHA-256 of a format tag, the
//! engine's compatibility hash (cranelift target and flags, tunables, wasm
//! features and the wasmtime version) and the module's bytes. A file is
//! `MAGIC`, the key, the SHA-256 of the payload, then the payload.
//!
//! Where: `$GADGET_HOST_CACHE_DIR` when set (`off` turns the cache off);
//! else `gadget-host-modules` in the cargo target directory this program
//! runs from (tests, `cargo run`); else `$XDG_CACHE_HOME/gadget-host/modules`
//! or `~/.cache/gadget-host/modules`.

use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

/// First bytes of every cache file (format version 1).
const MAGIC: &[u8; 16] = b"gadget-host-cw1\n";
const HEADER: usize = MAGIC.len() + 32 + 32;

/// The key of a module: what it is compiled from and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ModuleKey([u8; 32]);

impl ModuleKey {
    pub fn new(engine: &Engine, wasm: &[u8]) -> Self {
        /// Feeds what `Hash` writes into the digest.
        struct DigestHasher<'a>(&'a mut Sha256);
        impl Hasher for DigestHasher<'_> {
            fn write(&mut self, bytes: &[u8]) {
                self.0.update(bytes);
            }
            fn finish(&self) -> u64 {
                0
            }
        }
        let mut digest = Sha256::new();
        digest.update(MAGIC);
        digest.update(env!("CARGO_PKG_VERSION").as_bytes());
        std::hash::Hash::hash(
            &engine.precompile_compatibility_hash(),
            &mut DigestHasher(&mut digest),
        );
        digest.update((wasm.len() as u64).to_le_bytes());
        digest.update(wasm);
        ModuleKey(digest.finalize().into())
    }

    fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A directory of compiled modules.
#[derive(Debug, Clone)]
pub struct ModuleCache {
    dir: PathBuf,
}

impl ModuleCache {
    /// A cache in `dir` (created on the first store).
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The cache [`Host::compile`](crate::Host::compile) uses (see the
    /// module docs for where), or `None` when it is turned off or no place
    /// is found.
    pub fn default_location() -> Option<Self> {
        if let Some(dir) = std::env::var_os("GADGET_HOST_CACHE_DIR") {
            return (dir != "off").then(|| Self::at(dir));
        }
        let exe = std::env::current_exe().ok();
        let target = exe
            .as_deref()
            .and_then(Path::parent)
            .and_then(|p| p.ancestors().find(|a| a.join("CACHEDIR.TAG").is_file()));
        if let Some(target) = target {
            return Some(Self::at(target.join("gadget-host-modules")));
        }
        let base = match std::env::var_os("XDG_CACHE_HOME") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => PathBuf::from(std::env::var_os("HOME")?).join(".cache"),
        };
        Some(Self::at(base.join("gadget-host/modules")))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, key: &ModuleKey) -> PathBuf {
        self.dir.join(format!("{}.cwasm", key.hex()))
    }

    /// The module cached under `key`, if a valid entry is there. An entry
    /// that fails a check is deleted (it is rewritten by the next store).
    pub(crate) fn load(&self, engine: &Engine, key: &ModuleKey) -> Option<Module> {
        let path = self.file(key);
        let bytes = std::fs::read(&path).ok()?;
        let valid = bytes.len() > HEADER
            && bytes[..MAGIC.len()] == MAGIC[..]
            && bytes[MAGIC.len()..MAGIC.len() + 32] == key.0
            && bytes[MAGIC.len() + 32..HEADER] == Sha256::digest(&bytes[HEADER..])[..];
        if !valid {
            let _ = std::fs::remove_file(&path);
            return None;
        }
        // SAFETY: `deserialize` must only be given the unmodified output of
        // `Module::serialize`. The payload comes from a file named after
        // `key` in this cache; such files are written only by `store` below,
        // whole (a temporary file renamed into place), with the payload
        // produced by `Module::serialize` of a module compiled from exactly
        // what `key` hashes (module bytes, engine settings, wasmtime
        // version). The header repeats the key and the payload's SHA-256,
        // checked above, so a file truncated, corrupted or renamed is
        // refused before wasmtime sees it. wasmtime itself refuses, with an
        // error, output of another version or of incompatible settings.
        // What stays trusted is that nobody else writes crafted files into
        // the user's own target or cache directory.
        match unsafe { Module::deserialize(engine, &bytes[HEADER..]) } {
            Ok(module) => Some(module),
            Err(_) => {
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Stores `module` under `key`; best effort (a read-only or full disk
    /// only costs the next run a compilation). Returns whether it was stored.
    pub(crate) fn store(&self, key: &ModuleKey, module: &Module) -> bool {
        let Ok(payload) = module.serialize() else {
            return false;
        };
        if std::fs::create_dir_all(&self.dir).is_err() {
            return false;
        }
        let final_path = self.file(key);
        let nonce = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let tmp = self
            .dir
            .join(format!("{}.{}.{nonce}.tmp", key.hex(), std::process::id()));
        let written = std::fs::File::create(&tmp).and_then(|mut f| {
            f.write_all(MAGIC)?;
            f.write_all(&key.0)?;
            f.write_all(&Sha256::digest(&payload))?;
            f.write_all(&payload)?;
            f.sync_all()
        });
        // Renaming is atomic: readers see no file or a whole one.
        let stored = written.is_ok() && std::fs::rename(&tmp, &final_path).is_ok();
        if !stored {
            let _ = std::fs::remove_file(&tmp);
        }
        stored
    }
}
