//! Who is signed in on this desk. A stack: a supervisor who signs in on an agent's desk to
//! approve something is pushed on top, and signing out hands the desk back to the agent.
//! Permissions are decided by `desk_core::ipc::authorize_command`; this only holds the sessions.

use std::sync::{Arc, Mutex};

use desk_core::ipc::{authorize_command, IpcError, SessionState};
use desk_core::people::{now_ms, Session};

#[derive(Clone, Default)]
pub struct Sessions(Arc<Mutex<Vec<Session>>>);

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Session>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn current(&self) -> Option<Session> {
        self.lock().last().cloned()
    }

    /// Checks that the current user (or nobody, for public commands) may call `command` now,
    /// and returns the session, if any.
    pub fn authorize(&self, command: &str) -> Result<Option<Session>, IpcError> {
        let current = self.current();
        authorize_command(current.as_ref(), command, now_ms())?;
        Ok(current)
    }

    /// As [`Sessions::authorize`], for commands that need a signed-in user.
    pub fn require(&self, command: &str) -> Result<Session, IpcError> {
        self.authorize(command)?.ok_or_else(|| desk_core::people::PeopleError::NotSignedIn.into())
    }

    /// A new sign-in: on top of the current one when switching user, otherwise instead of all.
    pub fn push(&self, s: Session, switch_user: bool) {
        let mut stack = self.lock();
        if !switch_user {
            stack.clear();
        }
        // Signing in again as someone already on the stack brings them back, not twice.
        stack.retain(|x| x.actor.user_id != s.actor.user_id);
        stack.push(s);
    }

    /// Replaces the current session (after a step-up).
    pub fn replace_current(&self, s: Session) {
        let mut stack = self.lock();
        if let Some(top) = stack.last_mut() {
            if top.actor.user_id == s.actor.user_id {
                *top = s;
            }
        }
    }

    /// Signs the current user out, handing the desk back to the one before, if any.
    pub fn pop(&self) {
        self.lock().pop();
    }

    pub fn state(&self) -> SessionState {
        let stack = self.lock();
        SessionState {
            current: stack.last().map(Session::info),
            previous: stack.len().checked_sub(2).and_then(|i| stack.get(i)).map(|s| s.actor.clone()),
        }
    }
}
