//! One owner of the database, many askers. sled lets one process open a
//! database; `serve` keeps it open for the web view, so it becomes the
//! owner: it writes an owner file beside the database (`DB.owner`, mode
//! 0600, with its loopback address and a random token) and runs other
//! commands on their behalf. A command that finds a live owner sends it
//! its arguments and prints what comes back (output, messages, exit code);
//! a nightly `crawl` then runs inside the server, and the view shows the
//! run as it grows. Whoever may read the owner file may ask the owner, the
//! same people who could open the database themselves. Without a live
//! owner nothing changes: a second process gets the database's lock error.
//!
//! Inside the server a delegated command runs in a task-local [`Asked`]
//! context: its stdout and stderr go back over the HTTP response as framed
//! chunks, it uses the server's open [`Store`], and a closed connection
//! (the asker stopped with Ctrl-C) stops a crawl as a signal would.

use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What the owner file says (JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OwnerFile {
    /// Base URL on loopback, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    pub pid: u32,
    pub token: String,
    /// The database the server holds, as it opened it (canonical).
    pub db: PathBuf,
}

/// The owner file of the database at `db`.
pub fn owner_path(db: &Path) -> PathBuf {
    let s = db.as_os_str().to_string_lossy();
    PathBuf::from(format!("{}.owner", s.trim_end_matches('/')))
}

/// The request a command sends to the owner.
#[derive(Debug, Serialize, Deserialize)]
pub struct Ask {
    pub token: String,
    /// The command line, program name first, paths made absolute.
    pub argv: Vec<String>,
}

/// Frame kinds on the answer stream: 1 byte kind, 4 bytes length (big
/// endian), then the payload.
pub const FRAME_OUT: u8 = b'o';
pub const FRAME_ERR: u8 = b'e';
pub const FRAME_EXIT: u8 = b'x';

pub fn frame(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(5 + payload.len());
    v.push(kind);
    v.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    v.extend_from_slice(payload);
    v
}

/// Splits complete frames off the front of `buf`.
pub fn take_frames(buf: &mut Vec<u8>) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 0;
    while buf.len() >= at + 5 {
        let len = u32::from_be_bytes([buf[at + 1], buf[at + 2], buf[at + 3], buf[at + 4]]) as usize;
        if buf.len() < at + 5 + len {
            break;
        }
        out.push((buf[at], buf[at + 5..at + 5 + len].to_vec()));
        at += 5 + len;
    }
    buf.drain(..at);
    out
}

/// A random token (hex) from the kernel's generator; the owner file is
/// the secret's only copy.
pub fn new_token() -> std::io::Result<String> {
    use std::io::Read as _;
    let mut b = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut b)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Writes the owner file (readable by its user only) and removes it when
/// dropped.
pub struct OwnerGuard(PathBuf);

impl OwnerGuard {
    pub fn write(db: &Path, file: &OwnerFile) -> std::io::Result<OwnerGuard> {
        let path = owner_path(db);
        let text = serde_json::to_string_pretty(file).map_err(std::io::Error::other)?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(0o600);
        }
        use std::io::Write as _;
        opts.open(&path)?.write_all(text.as_bytes())?;
        Ok(OwnerGuard(path))
    }
}

impl Drop for OwnerGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The live owner of `db`, if its file is there, readable, names this
/// database and a process that still exists. A stale file (the server was
/// killed) names a dead process and is ignored.
pub fn live_owner(db: &Path) -> Option<OwnerFile> {
    let text = std::fs::read_to_string(owner_path(db)).ok()?;
    let f: OwnerFile = serde_json::from_str(&text).ok()?;
    let same_db = std::fs::canonicalize(db).ok().is_some_and(|c| c == f.db);
    let alive = Path::new(&format!("/proc/{}", f.pid)).exists() || !cfg!(target_os = "linux");
    (same_db && alive).then_some(f)
}

/// The command line with what names a file made absolute for the owner,
/// which runs elsewhere in the file system: arguments that name an
/// existing path, and the value of `-o`/`--output` (written here by the
/// asker, see [`strip_output`]).
pub fn absolute_argv(argv: &[String], cwd: &Path) -> Vec<String> {
    argv.iter()
        .enumerate()
        .map(|(i, a)| {
            if i == 0 || a.starts_with('-') {
                return a.clone();
            }
            let p = Path::new(a);
            if p.is_relative() && cwd.join(p).exists() {
                cwd.join(p).to_string_lossy().into_owned()
            } else {
                a.clone()
            }
        })
        .collect()
}

/// Takes `-o FILE` / `--output FILE` / `--output=FILE` out of the command
/// line: the asker writes the output itself, with its own rights.
pub fn strip_output(argv: &[String]) -> (Vec<String>, Option<PathBuf>) {
    let mut out = Vec::with_capacity(argv.len());
    let mut file = None;
    let mut it = argv.iter();
    while let Some(a) = it.next() {
        if a == "-o" || a == "--output" {
            file = it.next().map(PathBuf::from);
        } else if let Some(v) = a.strip_prefix("--output=") {
            file = Some(PathBuf::from(v));
        } else if let Some(v) = a
            .strip_prefix("-o")
            .filter(|v| !v.is_empty() && !a.starts_with("--"))
        {
            file = Some(PathBuf::from(v));
        } else {
            out.push(a.clone());
        }
    }
    (out, file)
}

/// The context of a command the owner runs for an asker.
#[derive(Clone)]
pub struct Asked {
    pub store: Store,
    pub tx: tokio::sync::mpsc::UnboundedSender<Vec<u8>>,
    pub quiet: bool,
    /// `--lang en` of the asker.
    pub english: bool,
}

tokio::task_local! {
    pub static ASKED: Asked;
}

/// The asked context, when this task runs a command for an asker.
pub fn asked() -> Option<Asked> {
    ASKED.try_with(Clone::clone).ok()
}

/// Human messages: to the asker when asked, else to stderr.
pub fn say(text: &str) {
    match asked() {
        Some(a) => {
            if !a.quiet {
                let _ = a.tx.send(frame(FRAME_ERR, text.as_bytes()));
            }
        }
        None => {
            use std::io::Write as _;
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        }
    }
}

/// Machine output: to the asker when asked; `None` means not asked.
pub fn out(bytes: &[u8]) -> Option<()> {
    let a = asked()?;
    let _ = a.tx.send(frame(FRAME_OUT, bytes));
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_survive_any_split() {
        let mut wire = frame(FRAME_ERR, b"crawl: 3 pages\n");
        wire.extend(frame(FRAME_OUT, &[0, 1, 2, 255]));
        wire.extend(frame(FRAME_EXIT, &[3]));
        for cut in 0..wire.len() {
            let mut buf = wire[..cut].to_vec();
            let mut got = take_frames(&mut buf);
            buf.extend_from_slice(&wire[cut..]);
            got.extend(take_frames(&mut buf));
            assert!(buf.is_empty());
            assert_eq!(
                got,
                vec![
                    (FRAME_ERR, b"crawl: 3 pages\n".to_vec()),
                    (FRAME_OUT, vec![0, 1, 2, 255]),
                    (FRAME_EXIT, vec![3])
                ]
            );
        }
    }

    #[test]
    fn output_files_stay_with_the_asker() {
        let argv: Vec<String> = [
            "ozgcheck", "report", "latest", "-o", "r.html", "--format", "html",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (rest, file) = strip_output(&argv);
        assert_eq!(file, Some(PathBuf::from("r.html")));
        assert_eq!(rest, ["ozgcheck", "report", "latest", "--format", "html"]);
        let (_, file) = strip_output(&["x".into(), "--output=a b.csv".into()]);
        assert_eq!(file, Some(PathBuf::from("a b.csv")));
    }

    #[test]
    fn existing_relative_paths_become_absolute() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("city.toml"), "").unwrap_or_else(|e| panic!("{e}"));
        let argv: Vec<String> = ["ozgcheck", "crawl", "city.toml", "--rate", "2", "latest"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let abs = absolute_argv(&argv, dir.path());
        assert_eq!(abs[2], dir.path().join("city.toml").to_string_lossy());
        assert_eq!(abs[3..], ["--rate", "2", "latest"]);
    }
}
