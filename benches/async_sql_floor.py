"""The SQL floor of an async round: the statements the engine runs per row, alone.

Runs the same SQL an async round of N rows runs on SQLite (change-log read, enqueue with the
cursor, claim, the four batch reads, the target upsert with its capture triggers, snapshots and
done marks), through Python's sqlite3 with no engine at all, in batches of 1,000 rows, and
prints each step's time against a raw INSERT of the same rows measured by the same driver. The
schema is the store's own migrations; the capture triggers are those of
src/endpoint/sqlite/capture.rs written out for one table. What it tells: how far the engine's
async ratio can go without changing what the round writes (BENCHMARKS.md).

Usage: python3 benches/async_sql_floor.py [ROWS]   (default 200,000; files in a temp dir)
"""
import json
import os
import sqlite3
import sys
import tempfile
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
B = 1000
d = tempfile.mkdtemp(prefix='async-sql-floor-')
MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'migrations')
def fresh(name):
    p = os.path.join(d, name)
    for s in ('', '-wal', '-shm'):
        if os.path.exists(p + s): os.remove(p + s)
    c = sqlite3.connect(p, isolation_level=None)
    c.execute('pragma journal_mode=wal'); c.execute('pragma synchronous=normal')
    return c
ITEM = "CREATE TABLE {t} (k TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, price REAL, note TEXT)"
rows = [('I-%07d' % i, 'Item %d' % i, i % 1000, i * 0.25, 'note %d' % i) for i in range(N)]
# raw limit
raw = fresh('raw.db'); raw.execute(ITEM.format(t='item'))
t = time.time(); raw.execute('begin')
raw.executemany('insert into item values (?,?,?,?,?)', rows); raw.execute('commit')
t_raw = time.time() - t
CAP = """
CREATE TABLE _dw_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL, key TEXT NOT NULL, op TEXT NOT NULL, row_version INTEGER NOT NULL, origin TEXT NOT NULL, txid INTEGER, captured_at TEXT NOT NULL);
CREATE TABLE _dw_versions (table_name TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (table_name, key)) WITHOUT ROWID;
CREATE TABLE _dw_applying (origin TEXT NOT NULL);
CREATE TRIGGER ins AFTER INSERT ON item FOR EACH ROW BEGIN
INSERT INTO _dw_versions (table_name, key, version) SELECT 'item', json_array(NEW.k), 1 WHERE 1 ON CONFLICT (table_name, key) DO UPDATE SET version = version + 1;
INSERT INTO _dw_changes (table_name, key, op, row_version, origin, captured_at) SELECT 'item', json_array(NEW.k), 'upsert', version, COALESCE((SELECT origin FROM _dw_applying LIMIT 1), 'app'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM _dw_versions WHERE table_name = 'item' AND key = json_array(NEW.k) AND 1;
END;
"""
src = fresh('src.db'); src.execute(ITEM.format(t='item')); src.executescript(CAP)
src.execute('begin'); src.executemany('insert into item values (?,?,?,?,?)', rows); src.execute('commit')
dst = fresh('dst.db'); dst.execute(ITEM.format(t='item')); dst.executescript(CAP)
st = fresh('store.db')
# 0004 needs SQLite 3.44 (aggregate ORDER BY), newer than Debian's Python sqlite3; its
# snapshot table is created below. 0002 (the live journal) plays no part in a round.
for f in ['0001_runtime_store.sql', '0003_queue_lease_owner.sql']:
    st.executescript(open(os.path.join(MIGRATIONS, f)).read())
st.executescript("""CREATE TABLE snapshots_c (map_id TEXT NOT NULL, key_text TEXT NOT NULL, fno_layout INTEGER, fno_values TEXT NOT NULL, fno_version TEXT, dataverse_layout INTEGER, dataverse_values TEXT, dataverse_version TEXT, synced_at INTEGER NOT NULL, PRIMARY KEY (map_id, key_text)) STRICT, WITHOUT ROWID;""")
steps = {}
def timed(name, f):
    t = time.time(); r = f(); steps[name] = steps.get(name, 0) + time.time() - t; return r
after = 0
while True:
    ch = timed('read change log', lambda: src.execute("select seq, table_name, key, op, row_version, origin, txid, captured_at from _dw_changes where seq > ? and origin <> 'engine' order by seq limit ?", (after, B)).fetchall())
    if not ch: break
    after = ch[-1][0]
    def enq():
        st.execute('begin immediate')
        st.executemany("insert into queue_entries (map_id,source_side,key_text,row_version,op,group_id,sequence,wave,next_attempt_at,enqueued_at,updated_at) values ('items','fno',?,?,'upsert','g',0,0,1,1,1) on conflict (map_id, source_side, key_text, row_version) do nothing", [(c[2], str(c[4])) for c in ch])
        st.execute("insert into cursors values ('fo', ?, 1) on conflict (endpoint_id) do update set last_seq = excluded.last_seq", (after,))
        st.execute('commit')
    timed('enqueue', enq)
CLAIM = """UPDATE queue_entries SET attempts = attempts + 1, leased_until = ?, lease_owner = 'o', updated_at = 2 WHERE id IN (SELECT id FROM queue_entries WHERE status = 'pending' AND next_attempt_at <= 2 AND (leased_until IS NULL OR leased_until <= 2) AND map_id NOT IN (SELECT map_id FROM map_state WHERE paused = 1) AND group_id = 'g' ORDER BY sequence, wave, id LIMIT ?) RETURNING id, map_id, source_side, key_text, row_version, op, group_id, sequence, wave, status, attempts, next_attempt_at, leased_until, enqueued_at, updated_at"""
while True:
    def claim():
        st.execute('begin immediate'); r = st.execute(CLAIM, (10**12, B)).fetchall(); st.execute('commit'); return r
    es = timed('claim', claim)
    if not es: break
    keys = [json.loads(e[3])[0] for e in es]
    qs = ','.join('?' * len(keys))
    timed('read versions', lambda: src.execute("select key, version from _dw_versions where table_name='item' and key in (%s)" % ','.join(['json_array(?)'] * len(keys)), keys).fetchall())
    got = timed('read source rows', lambda: src.execute('select * from item where k in (%s)' % qs, keys).fetchall())
    timed('read snapshots', lambda: st.execute("select * from snapshots_c where map_id='items' and key_text in (%s)" % qs, [json.dumps([k]) for k in keys]).fetchall())
    timed('read target rows', lambda: dst.execute('select * from item where k in (%s)' % qs, keys).fetchall())
    def write():
        dst.execute('begin immediate'); dst.execute("insert into _dw_applying values ('engine')")
        dst.executemany('insert into item values (?,?,?,?,?) on conflict (k) do update set name=excluded.name, qty=excluded.qty, price=excluded.price, note=excluded.note', got)
        dst.execute('delete from _dw_applying'); dst.execute('commit')
    timed('write target (+capture)', write)
    def settle():
        st.execute('begin immediate')
        st.executemany("insert into snapshots_c values ('items', ?, 1, ?, '1', 2, NULL, '1', 3) on conflict (map_id, key_text) do update set fno_values = excluded.fno_values", [(json.dumps([r[0]]), json.dumps(list(r))) for r in got])
        st.execute("update queue_entries set status='done', leased_until=NULL, updated_at=3 where status in ('pending','held') and id in (%s)" % ','.join('?' * len(es)), [e[0] for e in es])
        st.execute('commit')
    timed('settle (snapshots + done)', settle)
total = sum(steps.values())
print(f'rows {N}; raw insert {t_raw:.3f} s ({N/t_raw:,.0f} rows/s)')
for k, v in steps.items(): print(f'  {k:28s} {v:6.3f} s  {v/N*1e6:5.1f} us/row')
print(f'  {"total":28s} {total:6.3f} s  -> {t_raw/total:.3f} of the raw insert')
for name in os.listdir(d):
    os.remove(os.path.join(d, name))
os.rmdir(d)
