//! `ask`: a command on a database that a running `serve` holds is sent to it
//! and its answer printed here (see `owner`).

use crate::cli::*;

/// Runs this command in the process that owns the database (a running
/// `serve`): sends it the command line, prints what it says, writes `-o`
/// files here with this user's rights, and exits with its exit code.
pub(crate) async fn ask_owner(cli: &Cli, owner: crate::owner::OwnerFile) -> Result<u8, Failure> {
    use crate::owner::{self, FRAME_ERR, FRAME_EXIT, FRAME_OUT};
    let argv: Vec<String> = std::env::args().collect();
    let cwd = std::env::current_dir().map_err(|e| Failure::runtime(format!("cwd: {e}")))?;
    let (argv, output) = owner::strip_output(&argv);
    let mut argv = owner::absolute_argv(&argv, &cwd);
    if matches!(cli.command, Command::Export(_)) {
        // `export warc` needs an -o; the owner sends the archive back.
        argv.extend(["-o".to_string(), "-".to_string()]);
    }
    if cli.catalogue.is_none() {
        if let Some(dir) = catalogue_dir(None) {
            argv.extend([
                "--catalogue".to_string(),
                cwd.join(dir).to_string_lossy().into_owned(),
            ]);
        }
    }
    say!(
        "{}",
        tr(
            format!(
                "{}: von `ozgcheck serve` (pid {}) belegt; der Befehl läuft dort",
                cli.db.display(),
                owner.pid
            ),
            format!(
                "{}: used by `ozgcheck serve` (pid {}); asking it to run the command",
                cli.db.display(),
                owner.pid
            )
        )
    );
    let unreachable = |e: &dyn std::fmt::Display| {
        Failure::runtime(format!(
            "{} is held by `ozgcheck serve` (pid {}, {}), which does not answer: {e}",
            cli.db.display(),
            owner.pid,
            owner.url
        ))
    };
    let body = serde_json::to_vec(&owner::Ask {
        token: owner.token.clone(),
        argv,
    })
    .map_err(|e| Failure::runtime(e.to_string()))?;
    let mut resp = reqwest::Client::new()
        .post(format!("{}/api/ask", owner.url))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| unreachable(&e))?;
    if !resp.status().is_success() {
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        return Err(unreachable(&format!("{status} {}", text.trim())));
    }
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut code = None;
    while let Some(chunk) = resp.chunk().await.map_err(|e| unreachable(&e))? {
        buf.extend_from_slice(&chunk);
        for (kind, payload) in owner::take_frames(&mut buf) {
            match kind {
                FRAME_ERR => {
                    let _ = std::io::stderr().lock().write_all(&payload);
                }
                FRAME_OUT if output.is_some() => out.extend_from_slice(&payload),
                FRAME_OUT => {
                    let mut o = std::io::stdout().lock();
                    let _ = o.write_all(&payload).and_then(|_| o.flush());
                }
                FRAME_EXIT => code = payload.first().copied(),
                _ => {}
            }
        }
    }
    let code = code.ok_or_else(|| unreachable(&"the answer ended before the command did"))?;
    if let Some(path) = output.filter(|_| code != 3) {
        // As locally: a temporary file first, so a failure leaves no half file.
        let tmp = path.with_extension("partial");
        std::fs::write(&tmp, &out)
            .and_then(|_| std::fs::rename(&tmp, &path))
            .map_err(|e| Failure::runtime(cannot_write(&path, &e)))?;
    }
    Ok(code)
}
