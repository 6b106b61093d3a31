-- The owner of a live transaction: the name of the owner lock file (live-owners/<owner>.lock
-- beside this database) that the running process holds until the transaction is settled.
-- Recovery at start settles only entries whose owner lock can be taken (the owner is gone).
-- NULL for entries journaled before owners were recorded: those are settled once older than
-- the live time limit plus a margin.
ALTER TABLE live_journal ADD COLUMN owner TEXT;
