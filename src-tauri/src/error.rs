//! Command errors: `desk-core` errors become `IpcError { kind, message }` for the window (the full
//! chain is logged by the conversion in `desk_core::ipc`).

pub use desk_core::ipc::IpcError;

pub type CmdResult<T> = Result<T, IpcError>;
