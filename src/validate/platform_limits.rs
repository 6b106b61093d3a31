//! The dual-write platform limits that validation checks, in one place with their source.
//!
//! These are Microsoft's numbers, not ours: when the platform changes them, this file is the
//! only one to edit. Source for all of them: "Dual-write limits for live synchronization"
//! (learn.microsoft.com, dynamics365/fin-ops-core/dev-itpro/data-entities/dual-write/sync-limits),
//! as summarised in `/work/shared/reference/README.md` ("Facts from the documentation").

/// Records one live-sync transaction may carry (F&O -> Dataverse). Above it the whole
/// transaction fails and is rolled back on both sides.
pub const MAX_LIVE_RECORDS_PER_TRANSACTION: u64 = 1_000;

/// The documented payload limit of one live-sync transaction (Dataverse -> F&O), in MB as the
/// documentation writes it; exceeding it fails with -2147220970 "Message size exceeded".
pub const MAX_LIVE_PAYLOAD_MB: f64 = 116.85;

/// [`MAX_LIVE_PAYLOAD_MB`] in bytes.
///
/// The documentation says "116.85 MB" without defining the megabyte. We read it as binary
/// megabytes (MiB, 1,048,576 bytes), the unit Windows and .NET tooling report sizes in:
/// 116.85 * 1,048,576 = 122,526,105.6 bytes, rounded down, so a payload is over the limit
/// exactly when it is larger than this many whole bytes.
pub const MAX_LIVE_PAYLOAD_BYTES: u64 = 122_526_105;

/// Legal entities one live-sync transaction may span.
pub const MAX_LIVE_LEGAL_ENTITIES: usize = 250;

/// Legal entities an initial synchronization (and linking) supports, lower than live sync
/// because of the larger data volumes.
pub const MAX_INITIAL_SYNC_LEGAL_ENTITIES: usize = 40;

/// Bytes in the megabyte [`MAX_LIVE_PAYLOAD_MB`] is written in.
pub(crate) const BYTES_PER_MB: f64 = 1_048_576.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_bytes_match_the_documented_megabytes() {
        let exact = MAX_LIVE_PAYLOAD_MB * BYTES_PER_MB;
        assert_eq!(MAX_LIVE_PAYLOAD_BYTES, exact.floor() as u64);
        assert!((MAX_LIVE_PAYLOAD_BYTES as f64) < exact);
        assert!((MAX_LIVE_PAYLOAD_BYTES + 1) as f64 > exact);
    }
}
