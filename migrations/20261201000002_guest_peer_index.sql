-- Guests' peer ids are looked up whenever a PeerJS client claims an id.
CREATE INDEX sessions_guest_peer ON sessions(guest_peer) WHERE guest_peer IS NOT NULL;
