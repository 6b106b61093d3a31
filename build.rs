//! Build script: the runtime store embeds its SQL migrations with `sqlx::migrate!`, which
//! reads `migrations/` at compile time. Cargo does not know about that directory, so without
//! this line a changed or added migration would not trigger a rebuild and the binary would
//! ship a stale migration set.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
