//! Extractors: who is calling (API token, or session cookie with its CSRF
//! token), and JSON/query bodies whose rejections speak our error format.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use keel_app::{Actor, AppError};
use serde::de::DeserializeOwned;

pub const SESSION_COOKIE: &str = "keel_session";
pub const LANG_COOKIE: &str = "keel_lang";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Reads one cookie from the request headers.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The caller of an API endpoint. A bearer token needs nothing else; a
/// session cookie must come with the session's CSRF token on any request
/// that changes something.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
            let token = auth.strip_prefix("Bearer ").ok_or(ApiError(AppError::Unauthorized))?;
            return Ok(ApiActor(state.app.token_actor(token.trim()).await?));
        }
        let token = cookie(parts, SESSION_COOKIE).ok_or(ApiError(AppError::Unauthorized))?;
        let (actor, csrf) = state.app.session(token).await?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if sent != Some(csrf.as_str()) {
                return Err(ApiError(AppError::forbidden("missing or wrong X-CSRF-Token header")));
            }
        }
        Ok(ApiActor(actor))
    }
}

/// JSON body; a malformed body is a 400 in our error format.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => {
                let text = rejection.body_text();
                // Drop the library's preamble; keep serde's own words and position.
                let message = text
                    .split_once("target type: ")
                    .map(|(_, rest)| rest.to_string())
                    .unwrap_or_else(|| text.replace("Failed to parse the request body as JSON: ", "not valid JSON: "));
                Err(ApiError::invalid(&json_error_field(&text), message))
            }
        }
    }
}

/// Query string; a malformed one is a 400 in our error format.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError::invalid("query", rejection.body_text())),
        }
    }
}

/// Path parameters; an id that is not a number is a 422 in our error format.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(ApiError::invalid("path", rejection.body_text())),
        }
    }
}

/// The field a JSON body error is about, from serde's "path: message" text
/// (e.g. "start_date: input contains invalid characters"), else "body".
fn json_error_field(text: &str) -> String {
    let detail = text.split_once("target type: ").map(|(_, rest)| rest).unwrap_or(text);
    match detail.split_once(": ") {
        Some((path, _))
            if !path.is_empty() && path.chars().all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c)) =>
        {
            path.to_string()
        }
        _ => unknown_field(detail).unwrap_or_else(|| "body".to_string()),
    }
}

/// serde names a field it does not know as "unknown field `x`" and one that
/// is absent as "missing field `x`".
fn unknown_field(text: &str) -> Option<String> {
    let start = ["unknown field `", "missing field `"].iter().find_map(|p| text.find(p).map(|i| i + p.len()))?;
    let end = text[start..].find('`')? + start;
    Some(text[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::json_error_field;

    #[test]
    fn json_errors_name_their_field() {
        let typed = "Failed to deserialize the JSON body into the target type: start_date: input contains invalid characters at line 1 column 30";
        assert_eq!(json_error_field(typed), "start_date");
        let nested = "Failed to deserialize the JSON body into the target type: items[0].weight: invalid type: string \"x\", expected f64 at line 1 column 9";
        assert_eq!(json_error_field(nested), "items[0].weight");
        let unknown = "Failed to deserialize the JSON body into the target type: unknown field `targt_value`, expected one of `title` at line 1 column 14";
        assert_eq!(json_error_field(unknown), "targt_value");
        assert_eq!(
            json_error_field("Failed to parse the request body as JSON: EOF while parsing at line 1 column 1"),
            "body"
        );
    }
}
