// Hide the console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match handoff_desk_lib::cli::run(&args) {
        Some(code) => std::process::exit(code),
        None => handoff_desk_lib::run(),
    }
}
