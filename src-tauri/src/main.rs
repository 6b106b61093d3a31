//! Dual-write Studio's executable: everything is in the library (`lib.rs`) so that the commands
//! can be tested through `tauri::test`.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    dualwrite_studio::run();
}
