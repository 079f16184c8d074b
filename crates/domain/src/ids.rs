//! Typed identifiers, so a task id can never be passed where a KR id is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    UserId,
    UnitId,
    CycleId,
    ObjectiveId,
    KeyResultId,
    KrItemId,
    CheckInId,
    ProjectId,
    MilestoneId,
    TaskId,
    CommentId,
    WorklogId,
    TokenId,
    ChangeId,
    KrCommentId,
    FieldId,
    ViewId,
);
