//! A consistency check of the hub's state, for tests and fuzzing.
use super::{Hub, Role};

impl Hub {
    /// Checks the hub's internal consistency; for tests and fuzzing. Returns what is wrong.
    pub fn check_invariants(&self) -> Result<(), String> {
        let st = self.state.lock();
        for (name, room) in &st.rooms {
            if room.members.is_empty() {
                return Err(format!("empty room {name} kept"));
            }
            for m in &room.members {
                let Some(p) = st.peers.get(m) else {
                    return Err(format!("{m} in {name} is not registered"));
                };
                if p.room.as_deref() != Some(&**name) {
                    return Err(format!(
                        "{m} listed in {name} but thinks it is in {:?}",
                        p.room
                    ));
                }
            }
            if room
                .members
                .iter()
                .filter(|m| st.peers.get(*m).is_some_and(|p| p.role == Role::Talk))
                .count()
                > 1
            {
                return Err(format!("two talkers in {name}"));
            }
        }
        for (id, p) in &st.peers {
            if let Some(r) = &p.room {
                let n = st
                    .rooms
                    .get(r)
                    .map_or(0, |room| room.members.iter().filter(|m| *m == id).count());
                if n != 1 {
                    return Err(format!("{id} is in {r} {n} times"));
                }
            }
        }
        Ok(())
    }
}
