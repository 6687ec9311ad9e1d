//! Why the window cannot open, told where the user will see it.
//!
//! On Windows the window is drawn by Microsoft's WebView2 runtime. Without it tauri panics
//! while creating the window ("Failed to setup app"), and a release build (a GUI program, no
//! console) would vanish without a word. So the runtime is looked for first, and any reason
//! the window cannot open goes to the terminal the app was started from or, when there is
//! none, to a message box.

/// Where Microsoft's installer for the WebView2 runtime is (the "Evergreen" runtime).
#[cfg(windows)]
const WEBVIEW2_DOWNLOAD: &str = "https://developer.microsoft.com/microsoft-edge/webview2/";

/// `Some(message)` when the WebView2 runtime is missing, so the window cannot open.
#[cfg(windows)]
pub fn missing_webview() -> Option<String> {
    match tauri::webview_version() {
        Ok(_) => None,
        Err(e) => Some(format!(
            "Lockstep cannot open its window: the Microsoft Edge WebView2 Runtime, which \
             draws it, was not found on this computer.\n\n\
             Install the Evergreen WebView2 Runtime from {WEBVIEW2_DOWNLOAD} and start \
             Lockstep again.\n\n\
             The checks also run without the window: open a terminal and run \
             `lockstep check` (see `lockstep --help`).\n\n\
             (Details: {e})"
        )),
    }
}

/// Other systems draw the window with their own web view, which the package depends on.
#[cfg(not(windows))]
pub fn missing_webview() -> Option<String> {
    None
}

/// Tells the user why the window did not open.
#[cfg(not(windows))]
pub fn report(message: &str) {
    eprintln!("lockstep: {message}");
}

/// Tells the user why the window did not open: on the terminal the app was started from (or
/// wherever its error output goes), otherwise in a message box, since a release build has no
/// console of its own.
#[cfg(windows)]
pub fn report(message: &str) {
    if has_error_output() {
        eprintln!("lockstep: {message}");
    } else {
        message_box(message);
    }
}

/// True when error output reaches someone: a console (its own, or the one of the terminal
/// it was started from) or a redirected file or pipe.
#[cfg(windows)]
fn has_error_output() -> bool {
    use windows_sys::Win32::Storage::FileSystem::{GetFileType, FILE_TYPE_UNKNOWN};
    use windows_sys::Win32::System::Console::{
        AttachConsole, GetStdHandle, ATTACH_PARENT_PROCESS, STD_ERROR_HANDLE,
    };
    // SAFETY: these calls take no pointers; a null or invalid handle is reported by
    // GetFileType as FILE_TYPE_UNKNOWN, never dereferenced here.
    unsafe {
        let usable = || {
            let handle = GetStdHandle(STD_ERROR_HANDLE);
            !handle.is_null()
                && handle != windows_sys::Win32::Foundation::INVALID_HANDLE_VALUE
                && GetFileType(handle) != FILE_TYPE_UNKNOWN
        };
        usable() || (AttachConsole(ATTACH_PARENT_PROCESS) != 0 && usable())
    }
}

#[cfg(windows)]
fn message_box(message: &str) {
    use windows_sys::Win32::UI::WindowsAndMessaging::{
        MessageBoxW, MB_ICONERROR, MB_OK, MB_SETFOREGROUND,
    };
    let wide = |s: &str| s.encode_utf16().chain(Some(0)).collect::<Vec<u16>>();
    let text = wide(message);
    let caption = wide("Lockstep cannot open its window");
    // SAFETY: both strings are NUL-terminated UTF-16 buffers that outlive the call; a null
    // owner window is allowed.
    unsafe {
        MessageBoxW(
            std::ptr::null_mut(),
            text.as_ptr(),
            caption.as_ptr(),
            MB_OK | MB_ICONERROR | MB_SETFOREGROUND,
        );
    }
}
