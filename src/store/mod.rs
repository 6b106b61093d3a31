//! The runtime store. STUB: being written (engine issue).
