//! What this instance hears on its subscription: relays for its connections (its own
//! channel), joins, leaves and room-wide relays of rooms it has members in (their channels),
//! users' connections elsewhere opening and closing, and word that the room list changed.
use super::store::{node_channel, ROOM_CHANNEL_PREFIX, ROOM_LIST_CHANNEL, USERS_CHANNEL};
use super::wire::Envelope;
use super::Cluster;
use crate::signaling::hub::RemoteMember;

/// Acts on one message; returns whether the room list should be read again.
pub(super) fn handle(cluster: &Cluster, msg: &redis::Msg) -> bool {
    let channel = msg.get_channel_name();
    if channel == ROOM_LIST_CHANNEL {
        return true;
    }
    let Ok(env) = serde_json::from_slice::<Envelope>(msg.get_payload_bytes()) else {
        tracing::warn!(channel, "cluster message that does not decode");
        return false;
    };
    let me = cluster.node_id();
    let hub = &cluster.hub;
    if let Some(room) = channel.strip_prefix(ROOM_CHANNEL_PREFIX) {
        match env {
            Envelope::Relay {
                node,
                from,
                role,
                frame,
            } if node != me => {
                hub.deliver_room(room, &from, role, frame.into());
            }
            Envelope::Joined { node, peer } if node != me => {
                let member = RemoteMember {
                    id: peer.id,
                    node,
                    name: peer.name,
                    role: peer.role,
                };
                hub.remote_joined(room, &member);
            }
            Envelope::Left { node, id } if node != me => hub.remote_left(room, &id),
            _ => {}
        }
    } else if channel == node_channel(me) {
        match env {
            Envelope::To {
                node,
                to,
                frame,
                call,
            } => {
                if let Some(call) = call {
                    cluster.ringing_from(call, node);
                }
                hub.deliver_to(&to, frame.into());
            }
            Envelope::Answer { conn, call, answer } => hub.answer_for(&conn, answer, &call),
            Envelope::ToAddr { realm, addr, frame } => {
                let _ = hub.deliver_here(&realm, &addr, frame.into());
            }
            _ => {}
        }
    } else if channel == USERS_CHANNEL {
        match env {
            Envelope::ConnUp { node, conn } if node != me => hub.remote_conn_up(&node, &conn),
            Envelope::ConnDown { node, conn } if node != me => hub.remote_conn_down(&conn),
            Envelope::Addr {
                node,
                realm,
                addr,
                bound,
            } if node != me => {
                if bound {
                    hub.remote_bound(&node, &realm, &addr);
                    if let Some(peerjs) = &cluster.peerjs {
                        peerjs.held_elsewhere(&realm, &addr);
                    }
                } else {
                    hub.remote_unbound(&node, &realm, &addr);
                }
            }
            Envelope::Private {
                node,
                room,
                allowed,
            } if node != me => hub.remote_private(&room, &allowed),
            _ => {}
        }
    }
    false
}
