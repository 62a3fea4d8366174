//! `msez zone validate`, `msez zone lock` and `msez pack digest`: the pack trilogy and zone
//! configuration offline (file-system side only).
//!
//! Owns reading a pack from disk into `PackFiles` (a directory walked recursively with
//! `/`-separated relative paths, or a single file). Never: decides what a pack or zone means;
//! `msez_protocol::{packs, zone}` do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use msez_protocol::packs::regpack::{Regpack, parse_regpack_files};
use msez_protocol::packs::{PackFiles, PackKind, pack_digest};
use msez_protocol::zone::{
    ZoneConfig, ZoneError, ZoneLock, check_lock, lock_zone, parse_zone_config,
};
use serde_json::json;

use super::{CliError, Output, json_output};

/// Files read from one pack directory at most. Real packs hold tens of documents; 10,000 bounds
/// a mistaken `msez pack digest /`.
pub const PACK_FILES_MAX: usize = 10_000;
/// Bytes read from one pack at most (all files together).
pub const PACK_BYTES_MAX: u64 = 256 << 20;

/// `msez zone validate`: parses the zone file, digests every pack it names, checks pinned
/// digests, and compares with `zone.lock` beside it when there is one (a stale lock exits 1).
pub(super) fn validate(zone_file: &Path) -> Result<Output, CliError> {
    let (lock, lock_bytes, lock_path) = build_lock(zone_file)?;
    let lock_state = match std::fs::read(&lock_path) {
        Ok(existing) => match check_lock(&lock, &existing) {
            Ok(()) => "current",
            Err(ZoneError::LockStale) => {
                return Err(CliError::LockStale {
                    path: lock_path.display().to_string(),
                });
            }
            Err(error) => return Err(zone_error(zone_file, error)),
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => "absent",
        Err(error) => {
            return Err(CliError::Read {
                source_name: lock_path.display().to_string(),
                error,
            });
        }
    };
    let lock: serde_json::Value =
        serde_json::from_slice(&lock_bytes).map_err(|error| CliError::Write(error.into()))?;
    json_output(
        &json!({"zone": zone_file.display().to_string(), "lock": lock_state, "locked": lock}),
    )
}

/// `msez zone lock`: the deterministic lock, printed (redirect it to `zone.lock`).
pub(super) fn lock(zone_file: &Path) -> Result<Output, CliError> {
    Ok(Output::success(build_lock(zone_file)?.1))
}

/// `msez pack digest PATH`: the pack's kind and digest.
pub(super) fn pack(path: &Path) -> Result<Output, CliError> {
    let files = read_pack(path)?;
    let summary = pack_digest(&files).map_err(|error| CliError::Pack {
        source_name: path.display().to_string(),
        error: Box::new(error),
    })?;
    json_output(&json!({"kind": summary.kind, "digest": summary.digest}))
}

fn zone_error(zone_file: &Path, error: ZoneError) -> CliError {
    CliError::Zone {
        source_name: zone_file.display().to_string(),
        error: Box::new(error),
    }
}

/// The lock, its bytes, and where `zone.lock` lives (beside the zone file).
fn build_lock(zone_file: &Path) -> Result<(ZoneLock, Vec<u8>, PathBuf), CliError> {
    let (_, lock, _) = load_zone(zone_file)?;
    let bytes = lock
        .to_bytes()
        .map_err(|error| zone_error(zone_file, error))?;
    let base = zone_file.parent().unwrap_or(Path::new("."));
    Ok((lock, bytes, base.join("zone.lock")))
}

/// The checked zone file, the lock of the packs it names (read relative to the zone file), and
/// its regpacks parsed, in the order the zone file lists them: what `msez zone lock` prints and
/// what `msez serve --zone` runs on.
pub(super) fn load_zone(
    zone_file: &Path,
) -> Result<(ZoneConfig, ZoneLock, Vec<Regpack>), CliError> {
    let text = std::fs::read(zone_file).map_err(|error| CliError::Read {
        source_name: zone_file.display().to_string(),
        error,
    })?;
    let config = parse_zone_config(&text).map_err(|error| zone_error(zone_file, error))?;
    let base = zone_file.parent().unwrap_or(Path::new("."));
    let mut packs = BTreeMap::new();
    for pin in &config.packs {
        packs.insert(pin.path.clone(), read_pack(&base.join(&pin.path))?);
    }
    let lock = lock_zone(&config, &packs).map_err(|error| zone_error(zone_file, error))?;
    let mut regpacks = Vec::new();
    for pin in config
        .packs
        .iter()
        .filter(|pin| pin.kind == PackKind::Regpack)
    {
        let Some(files) = packs.get(&pin.path) else {
            continue;
        };
        regpacks.push(parse_regpack_files(files).map_err(|error| CliError::Pack {
            source_name: base.join(&pin.path).display().to_string(),
            error: Box::new(error),
        })?);
    }
    Ok((config, lock, regpacks))
}

fn read_pack(path: &Path) -> Result<PackFiles, CliError> {
    let read_error = |at: &Path, error| CliError::Read {
        source_name: at.display().to_string(),
        error,
    };
    let metadata = std::fs::metadata(path).map_err(|error| read_error(path, error))?;
    let mut files = PackFiles::new();
    if metadata.is_file() {
        let name = path.file_name().map_or_else(
            || "pack".to_owned(),
            |name| name.to_string_lossy().into_owned(),
        );
        files.insert(
            name,
            std::fs::read(path).map_err(|error| read_error(path, error))?,
        );
        return Ok(files);
    }
    let mut pending = vec![path.to_path_buf()];
    let mut bytes_total: u64 = 0;
    while let Some(directory) = pending.pop() {
        let entries =
            std::fs::read_dir(&directory).map_err(|error| read_error(&directory, error))?;
        for entry in entries {
            let entry = entry.map_err(|error| read_error(&directory, error))?;
            let entry_path = entry.path();
            let file_type = entry
                .file_type()
                .map_err(|error| read_error(&entry_path, error))?;
            if file_type.is_dir() {
                pending.push(entry_path);
                continue;
            }
            let content =
                std::fs::read(&entry_path).map_err(|error| read_error(&entry_path, error))?;
            bytes_total += content.len() as u64;
            if files.len() >= PACK_FILES_MAX || bytes_total > PACK_BYTES_MAX {
                return Err(CliError::PackTooLarge {
                    path: path.display().to_string(),
                });
            }
            files.insert(relative_key(path, &entry_path), content);
        }
    }
    Ok(files)
}

/// `a/b/c.xml` relative to the pack root, with `/` separators on every platform.
fn relative_key(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap_or(file);
    relative
        .components()
        .map(|component| component.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
