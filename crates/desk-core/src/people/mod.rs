//! People: users, their roles, sign-in, and what each role may do.
//!
//! Every permission is decided here, in `desk-core`; the window only hides what a user cannot
//! do. A command that changes something takes a [`Session`] and calls [`Session::authorize`].

mod accounts;
pub mod desk;
pub mod tokens;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use accounts::{Accounts, NewUser, UserSummary, DEMO_PASSWORD, DEMO_USERS, PASSWORD_MIN};

/// A role a user holds; a user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Agent,
    Supervisor,
    TeamLead,
    Admin,
}

impl Role {
    pub const ALL: &'static [Role] = &[Role::Agent, Role::Supervisor, Role::TeamLead, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::TeamLead => "team_lead",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.as_str() == s)
    }

    /// The permission matrix.
    pub fn grants(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Agent => matches!(p, ViewQueue | ViewQuarantine | ClaimHandoff | ProposeToolCalls | ReplyToCustomers | ViewAudit),
            Role::Supervisor => matches!(
                p,
                ViewQueue | ViewQuarantine | ClaimHandoff | ReassignHandoff | ImportHandoffs | ViewAnalytics | ProposeToolCalls
                    | ApproveToolCalls | ReplyToCustomers | ViewAudit
            ),
            Role::TeamLead => matches!(p, ViewQueue | ViewQuarantine | RateHandoffs | ViewAnalytics | ExportData | ViewAudit),
            Role::Admin => {
                matches!(
                    p,
                    ViewQueue | ViewQuarantine | ImportHandoffs | ViewAnalytics | ExportData | ManageUsers | ChangePolicy | ViewAudit
                        | ConfigureDrafts
                )
            }
        }
    }
}

/// Something a user may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    ViewQueue,
    ViewQuarantine,
    ClaimHandoff,
    /// Take over or release an escalation someone else has claimed.
    ReassignHandoff,
    ImportHandoffs,
    RateHandoffs,
    ViewAnalytics,
    ExportData,
    ManageUsers,
    /// Propose (and confirm or retry) tool calls on a customer's account.
    ProposeToolCalls,
    ApproveToolCalls,
    ChangePolicy,
    /// See the audit log and verify its chain.
    ViewAudit,
    /// Approve, edit or reject draft replies, and send replies to customers.
    ReplyToCustomers,
    /// Configure the draft engines (model server, API key) and the knowledge base.
    ConfigureDrafts,
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Permission::ViewQueue,
        Permission::ViewQuarantine,
        Permission::ClaimHandoff,
        Permission::ReassignHandoff,
        Permission::ImportHandoffs,
        Permission::RateHandoffs,
        Permission::ViewAnalytics,
        Permission::ExportData,
        Permission::ManageUsers,
        Permission::ProposeToolCalls,
        Permission::ApproveToolCalls,
        Permission::ChangePolicy,
        Permission::ViewAudit,
        Permission::ReplyToCustomers,
        Permission::ConfigureDrafts,
    ];

    /// Sensitive actions ask for the password again (step-up) within [`STEP_UP_WINDOW_MS`].
    pub fn needs_step_up(self) -> bool {
        matches!(self, Permission::ExportData | Permission::ManageUsers | Permission::ChangePolicy | Permission::ConfigureDrafts)
    }
}

/// How long a step-up (password asked again) lasts.
pub const STEP_UP_WINDOW_MS: i64 = 5 * 60 * 1000;
/// Failed sign-ins allowed per username within [`RATE_WINDOW_MS`] before it is locked.
pub const MAX_FAILED_SIGN_INS: i64 = 5;
pub const RATE_WINDOW_MS: i64 = 15 * 60 * 1000;
/// The longest username: longer ones are refused at creation, and a sign-in with one is
/// answered without being recorded (failed sign-ins cannot fill the log with arbitrary text).
pub const USERNAME_MAX: usize = 64;
/// Why the last active admin keeps the role (every store refuses to demote them).
pub const LAST_ADMIN: &str = "This is the last active admin: make someone else admin first.";

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Actor {
    #[ts(type = "number")]
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn can(&self, p: Permission) -> bool {
        self.roles.iter().any(|r| r.grants(p))
    }
}

/// A signed-in user on this desk.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub actor: Actor,
    pub signed_in_ms: i64,
    pub stepped_up_ms: Option<i64>,
}

/// What the window shows about the signed-in user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SessionInfo {
    pub actor: Actor,
    /// Every permission the user holds (the window hides the rest).
    pub permissions: Vec<Permission>,
    /// Until when a step-up is valid (ms since the epoch), if one was made.
    #[ts(type = "number | null")]
    pub stepped_up_until_ms: Option<i64>,
    /// Opened with "Switch user" on someone else's desk: it ends after one approval decision,
    /// or at `ends_at_ms`, and the desk goes back to its owner.
    pub switched: bool,
    /// When the session ends by itself (ms since the epoch), if known.
    #[ts(type = "number | null")]
    pub ends_at_ms: Option<i64>,
    /// Idle for longer than the lock allows: the password unlocks it (a step-up).
    pub locked: bool,
}

impl Session {
    /// Allowed when a role grants it and, for sensitive actions, a step-up is fresh.
    pub fn authorize(&self, p: Permission, now_ms: i64) -> Result<(), PeopleError> {
        if !self.actor.can(p) {
            return Err(PeopleError::Forbidden(p));
        }
        if p.needs_step_up() && !self.stepped_up(now_ms) {
            return Err(PeopleError::StepUpRequired);
        }
        Ok(())
    }

    pub fn stepped_up(&self, now_ms: i64) -> bool {
        self.stepped_up_ms.is_some_and(|t| now_ms >= t && now_ms - t < STEP_UP_WINDOW_MS)
    }

    pub fn info(&self) -> SessionInfo {
        SessionInfo {
            actor: self.actor.clone(),
            permissions: Permission::ALL.iter().copied().filter(|p| self.actor.can(*p)).collect(),
            stepped_up_until_ms: self.stepped_up_ms.map(|t| t + STEP_UP_WINDOW_MS),
            switched: false,
            ends_at_ms: None,
            locked: false,
        }
    }
}

/// Why a people operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error("Wrong username or password.")]
    WrongCredentials,
    #[error("Too many failed sign-ins for this user. Try again in {retry_after_secs} s.")]
    RateLimited { retry_after_secs: i64 },
    #[error("Your role does not allow this ({0:?}).")]
    Forbidden(Permission),
    #[error("Confirm your password to do this.")]
    StepUpRequired,
    #[error("Sign in first.")]
    NotSignedIn,
    /// The session ended by itself (its time ran out, or it was for one decision).
    #[error("{0}")]
    SessionEnded(String),
    #[error("The desk locked after {idle_mins} minutes without activity. Enter your password to go on.")]
    Locked { idle_mins: i64 },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl From<sqlx::Error> for PeopleError {
    fn from(e: sqlx::Error) -> Self {
        PeopleError::Store(e.into())
    }
}

/// Now, in ms since the epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
