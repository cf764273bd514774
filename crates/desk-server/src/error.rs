//! Every error as the API answers it: the core's error kinds ([`IpcError`]) with their HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use desk_core::ipc::{IpcError, IpcErrorKind};

/// An error answer: `{"kind", "message"}` (and `"errors"` with JSON paths for a bad document).
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: serde_json::Value,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: IpcErrorKind, message: impl Into<String>) -> Self {
        let e = IpcError { kind, message: message.into() };
        Self { status, body: serde_json::to_value(e).expect("json") }
    }

    pub fn unauthenticated(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, IpcErrorKind::Unauthenticated, message)
    }
}

/// The HTTP status of each kind of core error.
pub fn status_of(kind: IpcErrorKind) -> StatusCode {
    match kind {
        IpcErrorKind::NotFound => StatusCode::NOT_FOUND,
        IpcErrorKind::InvalidInput => StatusCode::UNPROCESSABLE_ENTITY,
        IpcErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        IpcErrorKind::Unauthenticated | IpcErrorKind::WrongCredentials => StatusCode::UNAUTHORIZED,
        IpcErrorKind::Forbidden | IpcErrorKind::StepUpRequired => StatusCode::FORBIDDEN,
        IpcErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        IpcErrorKind::Conflict => StatusCode::CONFLICT,
        IpcErrorKind::Locked => StatusCode::LOCKED,
        IpcErrorKind::Offline => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl From<IpcError> for ApiError {
    fn from(e: IpcError) -> Self {
        if e.kind == IpcErrorKind::Internal {
            tracing::error!(error = %e.message, "internal error");
        }
        Self { status: status_of(e.kind), body: serde_json::to_value(e).expect("json") }
    }
}

macro_rules! via_ipc {
    ($($t:ty),*) => {
        $(impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                IpcError::from(e).into()
            }
        })*
    };
}

via_ipc!(desk_core::store::StoreError, desk_core::people::PeopleError, desk_core::gates::GateError, desk_core::drafts::service::DraftsError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

pub type ApiResult<T> = Result<Json<T>, ApiError>;
