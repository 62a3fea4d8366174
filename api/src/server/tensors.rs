//! The zone's record of each subject's compliance tensor: the latest document in the store's
//! tensor snapshots, read back and rehashed, and new evaluations folded into it.
//!
//! Owns [`TensorBook`] and [`RecordedTensor`].
//!
//! Never: evaluates a cell or decides how cells combine (`msez_protocol::tensor` does), or lets
//! two writers of one subject interleave their read and write inside this process (the
//! subject's stripe lock is held from the read of the latest document to the write of the
//! next, so an evaluation of one jurisdiction cannot drop another's cells).

use msez_persistence::store::Store;
use msez_protocol::digest::Digest;
use msez_protocol::ids::EntityId;
use msez_protocol::tensor::cell::Cell;
use msez_protocol::tensor::subject::{SubjectTensor, SubjectTensorError};
use msez_protocol::time::Timestamp;

use super::error::ApiError;
use super::stripes::Stripes;

/// The recorded tensors of every subject.
#[derive(Debug, Default)]
pub struct TensorBook {
    /// Write locks by subject.
    writers: Stripes,
}

/// A subject's recorded tensor and the digest it is filed under.
#[derive(Debug, Clone)]
pub struct RecordedTensor {
    /// The document.
    pub tensor: SubjectTensor,
    /// The digest of its canonical bytes.
    pub digest: Digest,
    /// The store's ordering key: strictly increasing per subject (see [`TensorBook::record`]).
    pub taken_at_unix_ms: i64,
}

impl TensorBook {
    /// The subject's latest recorded tensor, if any.
    pub async fn latest(
        &self,
        store: &Store,
        subject: &EntityId,
    ) -> Result<Option<RecordedTensor>, ApiError> {
        let Some(stored) = store
            .latest_tensor_snapshot(subject.as_str())
            .await
            .map_err(ApiError::internal)?
        else {
            return Ok(None);
        };
        let tensor = SubjectTensor::parse(stored.tensor.as_bytes()).map_err(ApiError::internal)?;
        if tensor.subject() != subject {
            return Err(ApiError::internal(format!(
                "tensor filed under {subject} is about {}",
                tensor.subject()
            )));
        }
        Ok(Some(RecordedTensor {
            digest: stored.tensor.digest(),
            taken_at_unix_ms: stored.taken_at_unix_ms,
            tensor,
        }))
    }

    /// Folds `cells` (one evaluation of `subject`, determined no later than `taken_at`) into
    /// the subject's recorded tensor and files the result.
    pub async fn record(
        &self,
        store: &Store,
        subject: &EntityId,
        cells: Vec<Cell>,
        taken_at: Timestamp,
    ) -> Result<RecordedTensor, ApiError> {
        let _writer = self.writers.lock(subject).await;
        let previous = self.latest(store, subject).await?;
        // The store returns the latest record by this key, so it must grow with every record
        // even when two fall in one second (a document's time is whole seconds).
        let taken_at_unix_ms = previous.as_ref().map_or(i64::MIN, |recorded| {
            recorded.taken_at_unix_ms.saturating_add(1)
        });
        let taken_at_unix_ms = taken_at_unix_ms.max(taken_at.unix_seconds().saturating_mul(1000));
        let tensor = SubjectTensor::record(
            subject,
            previous.map(|recorded| recorded.tensor),
            cells,
            taken_at,
        )
        .map_err(record_error)?;
        let canonical = tensor.to_canonical().map_err(ApiError::internal)?;
        let digest = store
            .put_tensor_snapshot(subject.as_str(), taken_at_unix_ms, &canonical)
            .await
            .map_err(ApiError::internal)?;
        Ok(RecordedTensor {
            tensor,
            digest,
            taken_at_unix_ms,
        })
    }
}

/// A refused record: too many jurisdictions is the caller's (422); a clock that moved back
/// behind the last record is a conflict with the recorded state (409); anything else means the
/// evaluator broke its own contract (500).
fn record_error(error: SubjectTensorError) -> ApiError {
    match error {
        SubjectTensorError::TooManyJurisdictions { .. } => {
            ApiError::invalid("/jurisdiction", &error)
        }
        SubjectTensorError::TakenAtBackwards { .. } => ApiError::Conflict {
            message: error.to_string(),
        },
        SubjectTensorError::WrongSubject { .. }
        | SubjectTensorError::RevisionOverflow
        | SubjectTensorError::DeterminedAfterTaken { .. }
        | SubjectTensorError::CellOrder { .. }
        | SubjectTensorError::WrongType { .. }
        | SubjectTensorError::Shape { .. }
        | SubjectTensorError::Canonical(_) => ApiError::internal(error),
    }
}
