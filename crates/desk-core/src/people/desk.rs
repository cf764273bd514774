//! Who is signed in at one desk in embedded mode: a stack of token sessions
//! ([`super::tokens`]) over the desk's own database. A supervisor who signs in on an agent's desk
//! with "Switch user" goes on top; their session ends after one approval decision or two
//! minutes, or when they hand back, and the desk returns to the agent. Every authorisation
//! resolves the top session again, so roles and the `active` flag count at once, an idle
//! session is locked, and an ended one is never used.

use std::sync::{Arc, Mutex};

use super::tokens::TokenSessions;
use super::{PeopleError, Session};
use crate::ipc::{authorize_command, Access, SessionState, COMMAND_ACCESS};

struct Held {
    token: String,
    /// As last resolved (for who to notify; never for authorising).
    last: Session,
}

/// The desk's sessions. Cheap to clone.
#[derive(Clone)]
pub struct DeskSessions {
    tokens: TokenSessions,
    stack: Arc<Mutex<Vec<Held>>>,
}

impl DeskSessions {
    pub fn new(tokens: TokenSessions) -> Self {
        Self { tokens, stack: Arc::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Held>> {
        self.stack.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn top(&self) -> Option<String> {
        self.lock().last().map(|h| h.token.clone())
    }

    fn forget(&self, token: &str) {
        self.lock().retain(|h| h.token != token);
    }

    /// Signs a user in: on top of who is here with `switch_user` (for one decision, two
    /// minutes at most), otherwise instead of everyone (whose sessions end).
    pub async fn sign_in(&self, username: &str, password: &str, switch_user: bool, now: i64) -> Result<SessionState, PeopleError> {
        let switching = switch_user && self.top().is_some();
        let (token, r) = if switching {
            self.tokens.sign_in_switched(username, password, now).await?
        } else {
            self.tokens.sign_in(username, password, now).await?
        };
        let replaced: Vec<String> = {
            let mut stack = self.lock();
            let gone = if switching {
                // Signing in again as someone already on the stack brings them back, not twice.
                let (same, keep): (Vec<Held>, Vec<Held>) = stack.drain(..).partition(|h| h.last.actor.user_id == r.session.actor.user_id);
                *stack = keep;
                same
            } else {
                stack.drain(..).collect()
            };
            stack.push(Held { token, last: r.session });
            gone.into_iter().map(|h| h.token).collect()
        };
        for t in replaced {
            let _ = self.tokens.sign_out(&t, now).await;
        }
        Ok(self.state(now).await)
    }

    /// Checks that whoever is at the desk now may call `command`, and returns their session
    /// (none for public commands with nobody signed in). A top session that ended is taken off
    /// the stack and the command refused, so nothing runs as someone the user did not choose.
    pub async fn authorize(&self, command: &str, now: i64) -> Result<Option<Session>, PeopleError> {
        let public = COMMAND_ACCESS.iter().any(|(c, a)| *c == command && *a == Access::Public);
        let Some(token) = self.top() else {
            authorize_command(None, command, now)?;
            return Ok(None);
        };
        match self.tokens.resolve(&token, now).await {
            Ok(s) => {
                if let Some(h) = self.lock().iter_mut().find(|h| h.token == token) {
                    h.last = s.clone();
                }
                authorize_command(Some(&s), command, now)?;
                Ok(Some(s))
            }
            Err(PeopleError::NotSignedIn) => {
                let ended = self.lock().iter().find(|h| h.token == token).map(|h| h.last.actor.display_name.clone()).unwrap_or_default();
                self.forget(&token);
                if public {
                    return Ok(None);
                }
                match self.lock().last() {
                    Some(back) => Err(PeopleError::SessionEnded(format!("{ended}'s session ended; the desk is back with {}. Nothing was done.", back.last.actor.display_name))),
                    None => Err(PeopleError::NotSignedIn),
                }
            }
            Err(PeopleError::Locked { .. }) if public => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// As [`DeskSessions::authorize`], for commands that need a signed-in user.
    pub async fn require(&self, command: &str, now: i64) -> Result<Session, PeopleError> {
        self.authorize(command, now).await?.ok_or(PeopleError::NotSignedIn)
    }

    /// Signs the current user out (locked or not), handing the desk back to the one before.
    pub async fn sign_out(&self, now: i64) -> SessionState {
        if let Some(token) = self.top() {
            if let Err(e) = self.tokens.sign_out(&token, now).await {
                tracing::debug!(error = %e, "the session had ended already");
            }
            self.forget(&token);
        }
        self.state(now).await
    }

    /// The password again: a step-up for sensitive actions, and the unlock of an idle desk.
    pub async fn step_up(&self, password: &str, now: i64) -> Result<SessionState, PeopleError> {
        let token = self.top().ok_or(PeopleError::NotSignedIn)?;
        let r = self.tokens.step_up(&token, password, now).await?;
        if let Some(h) = self.lock().iter_mut().find(|h| h.token == token) {
            h.last = r.session;
        }
        Ok(self.state(now).await)
    }

    /// The person at the desk did something: the idle clock starts again.
    pub async fn activity(&self, now: i64) -> Result<(), PeopleError> {
        match self.top() {
            Some(token) => self.tokens.touch(&token, now).await,
            None => Ok(()),
        }
    }

    /// Runs an approval decision (approve or deny) as whoever may make it now; after it is
    /// made, a "Switch user" session has done what it was opened for and ends.
    pub async fn decide<T, E, Fut>(&self, command: &str, now: i64, act: impl FnOnce(Session) -> Fut) -> Result<T, E>
    where
        Fut: std::future::Future<Output = Result<T, E>>,
        E: From<PeopleError>,
    {
        let s = self.require(command, now).await?;
        let out = act(s).await?;
        self.decided(now).await?;
        Ok(out)
    }

    /// After an approval decision: a "Switch user" session ends and the desk goes back to its
    /// owner. Returns whether it ended.
    pub async fn decided(&self, now: i64) -> Result<bool, PeopleError> {
        let Some(token) = self.top() else { return Ok(false) };
        let ended = self.tokens.end_if_switched(&token, now).await?;
        if ended {
            self.forget(&token);
        }
        Ok(ended)
    }

    /// Who is at the desk now, as the window shows it (sessions that ended are dropped).
    pub async fn state(&self, now: i64) -> SessionState {
        loop {
            let Some(token) = self.top() else { return SessionState { current: None, previous: None } };
            match self.tokens.look_up(&token, now).await {
                Ok(r) => {
                    let previous = {
                        let stack = self.lock();
                        stack.len().checked_sub(2).and_then(|i| stack.get(i)).map(|h| h.last.actor.clone())
                    };
                    return SessionState { current: Some(r.info()), previous };
                }
                Err(PeopleError::NotSignedIn) => self.forget(&token),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the session");
                    let stack = self.lock();
                    return SessionState { current: stack.last().map(|h| h.last.info()), previous: None };
                }
            }
        }
    }

    /// The session at the desk as last resolved, for deciding whom to notify; never for
    /// authorising anything.
    pub fn current_cached(&self) -> Option<Session> {
        self.lock().last().map(|h| h.last.clone())
    }
}
