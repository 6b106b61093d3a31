//! The [`Endpoint`](super::Endpoint) implementation every SQL backend shares.
//!
//! SQLite and PostgreSQL answer the trait the same way: the schema is discovered once and cached
//! (installing capture discovers it again, so triggers see tables created since), reads and
//! change-log queries run against the cached schema, and each operation is carried out by the
//! backend's own `read`, `write` and `capture` modules in its dialect. That policy is written
//! once here, as a macro a backend invokes in its `mod.rs`, rather than copied per backend.
//!
//! A backend invoking [`impl_sql_endpoint!`] provides: fields `name: String`, `side: Side`,
//! `pool` (an sqlx pool) and `schema: SchemaCache`; modules `read` (`read_by_keys`, `scan`, `count`, and `release`,
//! which lets go of anything the reads hold outside the pool when the endpoint closes) and
//! `capture` (`install`, `remove`, `drop_all`, `read_changes`, `row_versions`, `trim`) taking
//! the endpoint first; and a transaction type with `begin(&endpoint, Arc<Schema>, Origin)`.

/// Implements [`Endpoint`](crate::endpoint::Endpoint) for a SQL backend (see the module docs).
///
/// `discover(this) => expr` is how the backend reads its schema (`this` names the endpoint);
/// `extra { ... }` adds methods of its own (overrides of the trait's provided methods).
macro_rules! impl_sql_endpoint {
    ($endpoint:ty, $transaction:ty, discover($this:ident) => $discover:expr
        $(, extra { $($extra:item)* })? $(,)?) => {
        #[::async_trait::async_trait]
        impl $crate::endpoint::Endpoint for $endpoint {
            $($($extra)*)?

            fn side(&self) -> $crate::model::Side {
                self.side
            }

            fn name(&self) -> &str {
                &self.name
            }

            async fn discover(
                &self,
            ) -> $crate::endpoint::Result<::std::sync::Arc<$crate::endpoint::Schema>> {
                let $this = self;
                let schema = ::std::sync::Arc::new($discover.await?);
                self.schema.set(schema.clone());
                Ok(schema)
            }

            async fn schema(
                &self,
            ) -> $crate::endpoint::Result<::std::sync::Arc<$crate::endpoint::Schema>> {
                match self.schema.get() {
                    Some(schema) => Ok(schema),
                    None => self.discover().await,
                }
            }

            async fn read_by_keys(
                &self,
                table: &str,
                key_columns: &[String],
                keys: &[$crate::endpoint::Key],
            ) -> $crate::endpoint::Result<Vec<$crate::endpoint::Row>> {
                let schema = self.schema().await?;
                read::read_by_keys(self, &schema, table, key_columns, keys).await
            }

            async fn scan(
                &self,
                request: &$crate::endpoint::ScanRequest,
            ) -> $crate::endpoint::Result<Vec<$crate::endpoint::Row>> {
                let schema = self.schema().await?;
                read::scan(self, &schema, request).await
            }

            async fn count(
                &self,
                request: &$crate::endpoint::ScanRequest,
            ) -> $crate::endpoint::Result<u64> {
                let schema = self.schema().await?;
                read::count(self, &schema, request).await
            }

            async fn begin_as(
                &self,
                origin: $crate::endpoint::Origin,
            ) -> $crate::endpoint::Result<Box<dyn $crate::endpoint::EndpointTransaction>> {
                let schema = self.schema().await?;
                let transaction = <$transaction>::begin(self, schema, origin).await?;
                Ok(Box::new(transaction))
            }

            async fn install_capture(
                &self,
                tables: &[$crate::endpoint::CaptureSpec],
            ) -> $crate::endpoint::Result<()> {
                let schema = self.discover().await?;
                capture::install(self, &schema, tables).await
            }

            async fn remove_capture(&self, tables: &[String]) -> $crate::endpoint::Result<()> {
                capture::remove(self, tables).await
            }

            async fn drop_change_log(&self) -> $crate::endpoint::Result<()> {
                capture::drop_all(self).await
            }

            async fn read_changes_matching(
                &self,
                query: &$crate::endpoint::ChangeQuery,
            ) -> $crate::endpoint::Result<Vec<$crate::endpoint::Change>> {
                let schema = self.schema().await?;
                capture::read_changes(self, query, &schema).await
            }

            async fn row_versions(
                &self,
                table: &str,
                keys: &[$crate::endpoint::Key],
            ) -> $crate::endpoint::Result<Vec<Option<i64>>> {
                let schema = self.schema().await?;
                capture::row_versions(self, &schema, table, keys).await
            }

            async fn trim_changes(&self, upto_seq: i64) -> $crate::endpoint::Result<u64> {
                capture::trim(self, upto_seq).await
            }

            async fn close(&self) {
                read::release(self);
                self.pool.close().await;
            }
        }
    };
}

pub(crate) use impl_sql_endpoint;
