//! Endpoints of test syncs. STUB: being written (engine issue).
