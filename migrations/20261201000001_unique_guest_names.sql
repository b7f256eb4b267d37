-- Guest names are how people ring a guest, so no two sessions may share one. Earlier names were
-- short enough to collide: sessions holding a duplicate (all but the oldest) are ended.
DELETE FROM sessions
WHERE guest_name IS NOT NULL
  AND rowid NOT IN (
      SELECT min(rowid) FROM sessions
      WHERE guest_name IS NOT NULL
      GROUP BY guest_name COLLATE NOCASE
  );
CREATE UNIQUE INDEX sessions_guest_name ON sessions(guest_name COLLATE NOCASE)
    WHERE guest_name IS NOT NULL;
