//! Environment passwords in a real OS keychain: a private D-Bus session bus with
//! gnome-keyring-daemon serving the Secret Service (`org.freedesktop.secrets`), started by this
//! test and stopped by its own pids, so the user's real keyring is never touched.
//!
//! Only this binary changes `DBUS_SESSION_BUS_ADDRESS`, and everything runs in one test, in order:
//! libdbus reads the variable once per process and keeps the address for the process's lifetime,
//! so the test fixes one address (a socket path in a temporary directory) before the first
//! connection. First nothing listens there: storing is refused with an error naming the
//! variable to set. Then a bus and a keyring daemon are started on that path: a stored password
//! comes from the keychain, resolves the `${NAME}` of an environment's URL when connecting, is in
//! no file the app wrote, and is gone once forgotten.
//!
//! The daemons run with a throwaway HOME, XDG_DATA_HOME, XDG_CONFIG_HOME and XDG_RUNTIME_DIR;
//! `gnome-keyring-daemon --unlock` reads a throwaway password from stdin and creates and unlocks
//! the "login" collection, which holds the "default" alias the `keyring` crate creates items in,
//! so nothing prompts. The bus activates no services, so no second, locked keyring daemon can
//! take the name first. Without `dbus-daemon` or `gnome-keyring-daemon` the keychain part is
//! skipped (with a message), unless DUALWRITE_REQUIRE_KEYCHAIN=1 (scripts/test), where it fails.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dualwrite::demo::{self, DemoOptions};
use dualwrite::model::Side;
use dualwrite::studio::secrets::SecretOrigin;
use dualwrite::studio::{AppError, Studio};

const NAME: &str = "DW_KEYCHAIN_TEST_PASSWORD";
const VALUE: &str = "kc-s3cret-Q7wX9";

#[tokio::test(flavor = "multi_thread")]
async fn passwords_live_in_the_os_keychain_and_its_absence_names_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let bus = dir.path().join("bus");
    let address = format!("unix:path={}", bus.display());
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
    std::env::remove_var(NAME);

    without_a_keychain_storing_is_refused_naming_the_variable(dir.path());

    let Some(service) = SecretService::start(dir.path(), &bus) else {
        return;
    };
    with_a_keychain_the_password_is_stored_used_and_forgotten(dir.path()).await;
    drop(service);

    // The bus is gone again: a dead socket, refused the same way.
    without_a_keychain_storing_is_refused_naming_the_variable(dir.path());
}

fn without_a_keychain_storing_is_refused_naming_the_variable(dir: &Path) {
    let studio = Studio::new(&dir.join("config"), &dir.join("data"));
    let error = AppError::from(studio.store_secret(NAME, VALUE).unwrap_err());
    assert_eq!(error.code, "secret");
    assert!(error.message.contains(NAME), "{}", error.message);
    assert!(
        error.message.contains("no keychain service"),
        "{}",
        error.message
    );
    assert!(!error.message.contains(VALUE), "{}", error.message);

    let status = studio.secret_status(NAME);
    assert_eq!(status.origin, SecretOrigin::Missing);
    assert!(!status.keychain_available);
    assert!(status.message.contains(NAME), "{}", status.message);

    let error = AppError::from(studio.forget_secret(NAME).unwrap_err());
    assert_eq!(error.code, "secret");
    assert!(error.message.contains(NAME), "{}", error.message);
}

async fn with_a_keychain_the_password_is_stored_used_and_forgotten(dir: &Path) {
    let workspace = dir.join("workspace");
    let studio = Studio::new(&workspace.join("config"), &workspace.join("data"));
    let before = studio.secret_status(NAME);
    assert!(before.keychain_available, "{}", before.message);
    assert_eq!(before.origin, SecretOrigin::Missing);

    let stored = studio.store_secret(NAME, VALUE).unwrap();
    assert_eq!(stored.origin, SecretOrigin::Keychain);
    assert!(stored.keychain_available);
    assert!(!stored.message.contains(VALUE));

    // The F&O database is named by the password, so connecting succeeds only when the
    // `${NAME}` of the URL is resolved to exactly the stored value.
    let created = demo::create(&workspace.join("project"), &DemoOptions::small())
        .await
        .unwrap();
    let renamed = created.fno_path.with_file_name(format!("fno-{VALUE}.db"));
    std::fs::rename(&created.fno_path, &renamed).unwrap();
    let mut project = studio.open_project(&created.project_path).unwrap().project;
    let fno = project
        .environments
        .iter_mut()
        .find(|e| e.side == Side::Fno)
        .unwrap();
    fno.url = format!("fno-${{{NAME}}}.db");
    let fno = fno.clone();
    let saved = studio.save_project(&created.project_path, project).unwrap();
    let project_path = PathBuf::from(saved.path.unwrap());
    let text = std::fs::read_to_string(&project_path).unwrap();
    assert!(text.contains(&format!("${{{NAME}}}")), "{text}");

    let report = studio
        .test_environment(Some(&project_path), &fno)
        .await
        .unwrap();
    assert!(!report.tables.is_empty());
    assert_eq!(report.secrets.len(), 1);
    assert_eq!(report.secrets[0].name, NAME);
    assert_eq!(report.secrets[0].origin, SecretOrigin::Keychain);
    assert!(!report.url.contains(VALUE), "{}", report.url);

    // The environment variable wins over the keychain.
    std::env::set_var(NAME, "elsewhere");
    assert_eq!(
        studio.secret_status(NAME).origin,
        SecretOrigin::EnvironmentVariable
    );
    let error = AppError::from(
        studio
            .test_environment(Some(&project_path), &fno)
            .await
            .unwrap_err(),
    );
    assert!(
        error.message.contains("fno-elsewhere.db"),
        "{}",
        error.message
    );
    std::env::remove_var(NAME);

    // Neither the project file nor anything else the app wrote holds the value.
    for file in files_under(&workspace) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(VALUE.len()).any(|w| w == VALUE.as_bytes()),
            "{} holds the password",
            file.display()
        );
    }

    let forgotten = studio.forget_secret(NAME).unwrap();
    assert_eq!(forgotten.origin, SecretOrigin::Missing);
    assert!(forgotten.keychain_available);
    assert!(forgotten.message.contains(NAME), "{}", forgotten.message);
    assert_eq!(studio.secret_status(NAME).origin, SecretOrigin::Missing);
    let error = AppError::from(
        studio
            .test_environment(Some(&project_path), &fno)
            .await
            .unwrap_err(),
    );
    assert!(error.message.contains(NAME), "{}", error.message);
    // Forgetting what is not there is fine.
    assert_eq!(
        studio.forget_secret(NAME).unwrap().origin,
        SecretOrigin::Missing
    );
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(!files.is_empty(), "nothing written under {}", dir.display());
    files
}

/// A private session bus and a gnome-keyring-daemon on it; both are stopped (by their pids)
/// when this is dropped, also when an assertion fails.
struct SecretService {
    bus: Child,
    keyring: Option<Child>,
}

impl SecretService {
    /// Starts the bus on `socket` and the keyring daemon with its files under `dir`; `None`
    /// (after saying so) when the binaries are missing and the keychain may be skipped.
    fn start(dir: &Path, socket: &Path) -> Option<SecretService> {
        let home = dir.join("home");
        let runtime = dir.join("runtime");
        for sub in [&home, &runtime] {
            std::fs::create_dir_all(sub).unwrap();
        }
        std::fs::set_permissions(
            &runtime,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let isolated = |command: &mut Command| {
            command
                .env("HOME", &home)
                .env("XDG_DATA_HOME", home.join("data"))
                .env("XDG_CONFIG_HOME", home.join("config"))
                .env("XDG_RUNTIME_DIR", &runtime)
                .env(
                    "DBUS_SESSION_BUS_ADDRESS",
                    format!("unix:path={}", socket.display()),
                );
        };

        // The session bus's own configuration minus service activation: the standard one would
        // start a second, locked gnome-keyring-daemon (from its .service file) when the first
        // call reaches the bus before ours has taken the name.
        let config = dir.join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                socket.display()
            ),
        )
        .unwrap();
        let mut command = Command::new("dbus-daemon");
        command
            .args(["--nofork", "--print-address"])
            .arg(format!("--config-file={}", config.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        isolated(&mut command);
        let mut bus = spawn_or_skip(&mut command)?;
        // The address is printed once the bus listens.
        let mut line = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let mut service = SecretService { bus, keyring: None };
        assert!(
            line.starts_with("unix:"),
            "dbus-daemon did not start: {line:?}"
        );

        let log = dir.join("gnome-keyring-daemon.log");
        let mut command = Command::new("gnome-keyring-daemon");
        command
            .args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        isolated(&mut command);
        let mut keyring = spawn_or_skip(&mut command)?;
        // The login keyring's password, only for this throwaway keyring; closing stdin ends it.
        let mut stdin = keyring.stdin.take().unwrap();
        stdin.write_all(b"throwaway").unwrap();
        drop(stdin);
        service.keyring = Some(keyring);
        service.wait_for_default_collection(&log);
        Some(service)
    }

    /// Waits until the daemon owns the bus name and the login collection holds the "default"
    /// alias, which is where the `keyring` crate creates items.
    fn wait_for_default_collection(&mut self, log: &Path) {
        use dbus_secret_service::{EncryptionType, SecretService as Bus};
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ready = Bus::connect(EncryptionType::Plain)
                .and_then(|ss| ss.get_default_collection().map(|_| ()));
            match ready {
                Ok(()) => return,
                Err(error) if Instant::now() > deadline => {
                    let log = std::fs::read_to_string(log).unwrap_or_default();
                    panic!("gnome-keyring-daemon serves no default collection after 10 s: {error}\n{log}")
                }
                Err(_) => {}
            }
            if let Some(keyring) = &mut self.keyring {
                if let Ok(Some(status)) = keyring.try_wait() {
                    panic!("gnome-keyring-daemon exited: {status}");
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        if let Some(keyring) = &mut self.keyring {
            let _ = keyring.kill();
            let _ = keyring.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

fn spawn_or_skip(command: &mut Command) -> Option<Child> {
    let program = command.get_program().to_string_lossy().into_owned();
    match command.spawn() {
        Ok(child) => Some(child),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            if std::env::var("DUALWRITE_REQUIRE_KEYCHAIN").as_deref() == Ok("1") {
                panic!(
                    "DUALWRITE_REQUIRE_KEYCHAIN=1 but {program} is not installed \
                     (apt-get install dbus-daemon gnome-keyring)"
                );
            }
            eprintln!(
                "skipped the keychain part: {program} is not installed \
                 (apt-get install dbus-daemon gnome-keyring)"
            );
            None
        }
        Err(error) => panic!("{program} did not start: {error}"),
    }
}
