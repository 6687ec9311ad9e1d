//! A small W3C WebDriver client for end-to-end tests through tauri-driver and
//! WebKitWebDriver: start the driver with a throwaway home, open sessions (each one starts
//! the real app), find elements by CSS, click, type, read text, wait, take screenshots.
//!
//! Everything here panics with a message that says what to do, because a test that cannot
//! drive the window must fail loudly rather than pass silently.

#![allow(dead_code)] // each test file uses a different subset

use base64::Engine as _;
use serde_json::{json, Value};
use std::fs::File;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Windows opened in parallel overlap without a window manager: one e2e test at a time,
/// across every e2e module of the test binary.
pub static SERIAL: Mutex<()> = Mutex::new(());

/// How long a screen may take to appear or change.
pub const WAIT: Duration = Duration::from_secs(20);

/// Waits until the app has loaded its snapshot and drawn its first screen.
pub fn wait_ready(s: &Session<'_>) {
    s.wait_until(WAIT, "the app to finish loading", |s| {
        let ready = s.execute("return document.body.dataset.ready || ''", json!([]));
        (ready.as_str() == Some("true")).then_some(())
    });
}

/// The app's data directory under the test's XDG_DATA_HOME (`directories` on Linux).
pub fn data_dir(home: &Path) -> PathBuf {
    home.join("data").join("lockstep")
}

/// Opens a screen from the navigation and waits until it is drawn.
pub fn open_screen(s: &Session<'_>, route: &str) {
    s.click_css(&format!(r#"#nav [data-route="{route}"]"#));
    s.wait_for(&format!(r#"main[data-screen="{route}"]"#), WAIT);
}

/// Fails the test when the window shows an error banner, naming what it says.
#[track_caller]
pub fn no_error_banner(s: &Session<'_>, when: &str) {
    let errors = s.find_all(".banner-error");
    assert!(
        errors.is_empty(),
        "{when}: the window shows an error: {}",
        errors
            .iter()
            .map(|e| s.text(e))
            .collect::<Vec<_>>()
            .join(" | ")
    );
}

/// The W3C key under which an element reference is returned.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Panics unless a display is available: the window cannot open without one.
pub fn require_display() {
    let has = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    assert!(
        has("DISPLAY") || has("WAYLAND_DISPLAY"),
        "end-to-end tests open the real Lockstep window and need a display; none is set (DISPLAY/WAYLAND_DISPLAY). \
         Run them under Xvfb: `xvfb-run -a cargo test --test e2e -- --test-threads=1`"
    );
}

/// The tauri-driver binary: `$TAURI_DRIVER`, `~/.cargo/bin/tauri-driver`, or on `PATH`.
fn tauri_driver_path() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        let p = home.join("bin").join("tauri-driver");
        if p.exists() {
            return p;
        }
    }
    PathBuf::from("tauri-driver")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port for tauri-driver")
}

fn accepts(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
}

/// A running tauri-driver whose app sessions see a throwaway home directory.
/// Dropping it sends SIGTERM (tauri-driver then stops WebKitWebDriver too).
pub struct Driver {
    child: Child,
    port: u16,
    home: PathBuf,
    log: PathBuf,
    http: reqwest::blocking::Client,
}

impl Driver {
    /// Starts tauri-driver with HOME and XDG_{DATA,CONFIG,CACHE}_HOME under `home`, and
    /// waits until both its port and WebKitWebDriver's native port accept connections.
    pub fn start(home: &Path) -> Driver {
        Driver::start_with_env(home, &[])
    }

    /// Like [`Driver::start`], with extra environment for the app (e.g. `LOCKSTEP_GITHUB_URL`
    /// pointing at a loopback server, `LOCKSTEP_GITHUB_TOKEN` with a fake token).
    pub fn start_with_env(home: &Path, env: &[(&str, &str)]) -> Driver {
        require_display();
        let (port, native_port) = (free_port(), free_port());
        let dirs = ["data", "config", "cache"].map(|d| home.join(d));
        for d in &dirs {
            std::fs::create_dir_all(d).expect("create the test's XDG directories");
        }
        let log = home.join("tauri-driver.log");
        let log_file = File::create(&log).expect("create the driver log");
        let driver = tauri_driver_path();
        let child = Command::new(&driver)
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("HOME", home)
            .env("XDG_DATA_HOME", &dirs[0])
            .env("XDG_CONFIG_HOME", &dirs[1])
            .env("XDG_CACHE_HOME", &dirs[2])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("clone the log handle"))
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "could not start {} ({e}). Install it with `cargo install tauri-driver --locked`, \
                     and WebKitWebDriver with `apt-get install webkit2gtk-driver`, or set TAURI_DRIVER.",
                    driver.display()
                )
            });
        let mut d = Driver {
            child,
            port,
            home: home.to_path_buf(),
            log,
            http: {
                // reqwest is built without a TLS provider of its own (see Cargo.toml).
                let _ = rustls::crypto::ring::default_provider().install_default();
                reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(60))
                    .build()
                    .expect("an HTTP client")
            },
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !(accepts(port) && accepts(native_port)) {
            if let Ok(Some(status)) = d.child.try_wait() {
                panic!(
                    "tauri-driver exited early ({status}); its log:\n{}",
                    d.log_text()
                );
            }
            assert!(
                Instant::now() < deadline,
                "tauri-driver's ports did not open within 30 s; its log:\n{}",
                d.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        d
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    /// One WebDriver call; returns `value`, or the driver's error as `Err(message)`.
    fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        // tauri-driver now and then reuses a pooled connection to WebKitWebDriver that the
        // latter has closed, and drops our request unanswered; such a request never reached
        // the page, so sending it once more is safe.
        let send = || {
            let mut req = self.http.request(method.clone(), self.url(path));
            if let Some(b) = &body {
                req = req.json(b);
            }
            req.send()
        };
        let resp = match send() {
            Ok(r) => r,
            Err(first) if first.is_connect() || first.is_request() => {
                std::thread::sleep(Duration::from_millis(250));
                send().map_err(|e| format!("request to {path} failed twice: {first}; then {e}"))?
            }
            Err(e) => return Err(format!("request to {path} failed: {e}")),
        };
        let ok = resp.status().is_success();
        let body: Value = resp
            .json()
            .map_err(|e| format!("{path}: unreadable response: {e}"))?;
        let value = body.get("value").cloned().unwrap_or(Value::Null);
        if ok {
            Ok(value)
        } else {
            Err(format!(
                "{path}: {} — {}",
                value
                    .get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("error"),
                value.get("message").and_then(Value::as_str).unwrap_or("")
            ))
        }
    }

    /// Starts the app (a new WebDriver session). `LOCKSTEP_E2E_APP` names another build to
    /// drive (an absolute path), e.g. the previous main, to show a test fails there.
    pub fn session(&self) -> Session<'_> {
        match std::env::var("LOCKSTEP_E2E_APP") {
            Ok(app) if !app.trim().is_empty() => self.session_for(app.trim()),
            _ => self.session_for(env!("CARGO_BIN_EXE_lockstep")),
        }
    }

    pub fn session_for(&self, application: &str) -> Session<'_> {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": application}
        }}});
        let mut last = String::new();
        for _ in 0..3 {
            match self.call(reqwest::Method::POST, "/session", Some(caps.clone())) {
                Ok(v) => {
                    let id = v["sessionId"].as_str().expect("a session id").to_string();
                    return Session {
                        driver: self,
                        id,
                        closed: false,
                    };
                }
                Err(e) => {
                    last = e;
                    std::thread::sleep(Duration::from_millis(500));
                }
            }
        }
        panic!(
            "could not start the app through tauri-driver: {last}\ndriver log:\n{}",
            self.log_text()
        );
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM lets tauri-driver stop WebKitWebDriver and the app; SIGKILL would orphan them.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A reference to an element in the page.
#[derive(Debug, Clone)]
pub struct Element(String);

/// One run of the app. Dropping it ends the session, which closes the app.
pub struct Session<'d> {
    driver: &'d Driver,
    id: String,
    closed: bool,
}

impl Session<'_> {
    fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        self.driver
            .call(method, &format!("/session/{}{}", self.id, path), body)
    }

    fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The first element matching `css`, if any (no waiting).
    pub fn try_find(&self, css: &str) -> Option<Element> {
        self.call(
            reqwest::Method::POST,
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        )
        .ok()
        .and_then(|v| {
            v.get(ELEMENT_KEY)
                .and_then(Value::as_str)
                .map(|s| Element(s.to_string()))
        })
    }

    /// All elements matching `css`.
    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let v = self.post("/elements", json!({"using": "css selector", "value": css}));
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.get(ELEMENT_KEY)?.as_str().map(|s| Element(s.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits up to `timeout` for `css` to match, then returns the element.
    #[track_caller]
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Element {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(e) = self.try_find(css) {
                return e;
            }
            if Instant::now() > deadline {
                let page = self.execute(
                    "return document.body ? document.body.innerText.slice(0, 2000) : ''",
                    json!([]),
                );
                panic!(
                    "`{css}` did not appear within {timeout:?}; the window showed:\n{}",
                    page.as_str().unwrap_or("")
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until `css`'s text satisfies `pred`; returns the text.
    #[track_caller]
    pub fn wait_text(
        &self,
        css: &str,
        timeout: Duration,
        what: &str,
        pred: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        let mut last = String::new();
        loop {
            if let Some(e) = self.try_find(css) {
                if let Ok(t) = self.call(
                    reqwest::Method::GET,
                    &format!("/element/{}/text", e.0),
                    None,
                ) {
                    last = t.as_str().unwrap_or_default().to_string();
                    if pred(&last) {
                        return last;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "`{css}` never showed {what} within {timeout:?}; last text: {last:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Polls `probe` until it returns `Some`, up to `timeout`; panics with `what` and the
    /// page's text otherwise. For conditions that span several elements.
    #[track_caller]
    pub fn wait_until<T>(
        &self,
        timeout: Duration,
        what: &str,
        mut probe: impl FnMut(&Self) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = probe(self) {
                return v;
            }
            if Instant::now() > deadline {
                let page = self.execute(
                    "return document.body ? document.body.innerText.slice(0, 3000) : ''",
                    json!([]),
                );
                panic!(
                    "never saw {what} within {timeout:?}; the window showed:\n{}",
                    page.as_str().unwrap_or("")
                );
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    pub fn click(&self, e: &Element) {
        self.post(&format!("/element/{}/click", e.0), json!({}));
    }

    /// Waits for `css` and clicks it.
    #[track_caller]
    pub fn click_css(&self, css: &str) {
        let e = self.wait_for(css, Duration::from_secs(10));
        self.click(&e);
    }

    pub fn send_keys(&self, e: &Element, text: &str) {
        self.post(&format!("/element/{}/value", e.0), json!({"text": text}));
    }

    pub fn text(&self, e: &Element) -> String {
        self.get(&format!("/element/{}/text", e.0))
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn attr(&self, e: &Element, name: &str) -> Option<String> {
        self.get(&format!("/element/{}/attribute/{name}", e.0))
            .as_str()
            .map(str::to_string)
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page.
    pub fn execute(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args}))
    }

    /// Presses and releases one key (a character, or a WebDriver key code like "\u{E014}").
    pub fn press_key(&self, key: &str) {
        self.post(
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
                {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}
            ]}]}),
        );
        let _ = self.call(reqwest::Method::DELETE, "/actions", None);
    }

    /// Asks for an outer window size; returns false when the driver cannot resize.
    pub fn set_window_size(&self, width: u32, height: u32) -> bool {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .is_ok()
    }

    /// Focuses `css` from script and presses Enter on it, as a keyboard user would.
    #[track_caller]
    pub fn focus_and_enter(&self, css: &str) {
        self.wait_for(css, Duration::from_secs(10));
        let ok = self.execute(
            "const e = document.querySelector(arguments[0]); if (!e) return false; e.focus(); return document.activeElement === e;",
            json!([css]),
        );
        assert_eq!(ok, Value::Bool(true), "`{css}` could not take the focus");
        self.press_key("\u{E007}");
    }

    /// A short description of the focused element: tag, id and data-* attributes, or "body".
    pub fn focused(&self) -> String {
        self.execute(
            "const e = document.activeElement; if (!e || e === document.body) return 'body';
             return [e.tagName.toLowerCase(), e.id ? '#' + e.id : '',
               ...[...e.attributes].filter((a) => a.name.startsWith('data-')).map((a) => `[${a.name}=${a.value}]`)].join('');",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Runs `script` in the page and waits for the promise it returns (an `invoke` call).
    pub fn execute_async(&self, script: &str, args: Value) -> Value {
        self.post("/execute/async", json!({"script": script, "args": args}))
    }

    /// A PNG of the window's page.
    pub fn screenshot(&self) -> Vec<u8> {
        let b64 = self.get("/screenshot");
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().expect("a base64 screenshot"))
            .expect("the screenshot is valid base64")
    }

    /// Ends the session; the app closes.
    pub fn close(mut self) {
        self.end();
    }

    fn end(&mut self) {
        if !self.closed {
            self.closed = true;
            let _ = self.driver.call(
                reqwest::Method::DELETE,
                &format!("/session/{}", self.id),
                None,
            );
        }
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        self.end();
    }
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
