-- The owner of a queue lease: the name of the owner lock file (queue-owners/<owner>.lock beside
-- this database) that the claiming engine holds while it is open. An engine that starts releases
-- only the leases whose owner lock it can take (the owner is gone), so it never frees the claims
-- of a `sync --watch` running beside it. NULL for leases taken before owners were recorded (and
-- by claims that name no owner): released at start as before.
ALTER TABLE queue_entries ADD COLUMN lease_owner TEXT;
