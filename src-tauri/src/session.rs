//! Who is signed in on this desk: `desk_core::people::desk::DeskSessions` (a stack of token
//! sessions over the desk's database, resolved again at each authorisation), with the clock.
//! Permissions are decided by `desk_core::ipc::authorize_command`; this only holds the sessions.

use desk_core::ipc::{IpcError, SessionState};
use desk_core::people::desk::DeskSessions;
use desk_core::people::{now_ms, Session};

#[derive(Clone)]
pub struct Sessions(pub DeskSessions);

impl Sessions {
    /// Checks that the current user (or nobody, for public commands) may call `command` now,
    /// and returns the session, if any.
    pub async fn authorize(&self, command: &str) -> Result<Option<Session>, IpcError> {
        Ok(self.0.authorize(command, now_ms()).await?)
    }

    /// As [`Sessions::authorize`], for commands that need a signed-in user.
    pub async fn require(&self, command: &str) -> Result<Session, IpcError> {
        Ok(self.0.require(command, now_ms()).await?)
    }

    pub async fn state(&self) -> SessionState {
        self.0.state(now_ms()).await
    }

    /// The session at the desk as last resolved: for whom to notify, never for authorising.
    pub fn current_cached(&self) -> Option<Session> {
        self.0.current_cached()
    }
}
