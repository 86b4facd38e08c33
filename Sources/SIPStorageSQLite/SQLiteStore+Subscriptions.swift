public import SIPCore
public import SIPStorage
import GRDB

/// ``SubscriptionStore`` on the `subscription` table (migration `v3-subscriptions`).
extension SQLiteStore: SubscriptionStore {
    public func saveSubscription(_ s: StoredSubscription) async throws(StorageError) {
        try await Self.run {
            try await pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO subscription (call_id, local_tag, event_id, remote_tag, package, resource, local_uri,
                            remote_uri, remote_target, route_set, local_cseq, remote_cseq, expires_ms, transport,
                            remote_address, local_address, subscriber, wants_body, last_state)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (call_id, local_tag, event_id) DO UPDATE SET
                            remote_tag = excluded.remote_tag, package = excluded.package, resource = excluded.resource,
                            local_uri = excluded.local_uri, remote_uri = excluded.remote_uri,
                            remote_target = excluded.remote_target, route_set = excluded.route_set,
                            local_cseq = excluded.local_cseq, remote_cseq = excluded.remote_cseq,
                            expires_ms = excluded.expires_ms, transport = excluded.transport,
                            remote_address = excluded.remote_address, local_address = excluded.local_address,
                            subscriber = excluded.subscriber, wants_body = excluded.wants_body,
                            last_state = excluded.last_state
                        """,
                    arguments: [
                        s.callID, s.localTag, s.eventID, s.remoteTag, s.package, s.resource, s.localURI, s.remoteURI,
                        s.remoteTarget, s.routeSet.joined(separator: "\n"), Int64(s.localCSeq), Int64(s.remoteCSeq),
                        s.expiresAt.millisecondsSince1970, s.transport, s.remoteAddress, s.localAddress, s.subscriber,
                        s.wantsBody, s.lastState,
                    ])
            }
        }
    }

    public func removeSubscription(_ key: SubscriptionKey) async throws(StorageError) {
        try await Self.run {
            try await pool.write { db in
                try db.execute(
                    sql: "DELETE FROM subscription WHERE call_id = ? AND local_tag = ? AND event_id = ?",
                    arguments: [key.callID, key.localTag, key.eventID])
            }
        }
    }

    public func activeSubscriptions(at now: SIPTimestamp) async throws(StorageError) -> [StoredSubscription] {
        try await Self.run {
            try await pool.write { db in
                try db.execute(sql: "DELETE FROM subscription WHERE expires_ms <= ?", arguments: [now.millisecondsSince1970])
                return try Row.fetchAll(db, sql: "SELECT * FROM subscription ORDER BY call_id, local_tag").map { row in
                    let routes: String = row["route_set"]
                    return StoredSubscription(
                        callID: row["call_id"], localTag: row["local_tag"], remoteTag: row["remote_tag"],
                        eventID: row["event_id"], package: row["package"], resource: row["resource"],
                        localURI: row["local_uri"], remoteURI: row["remote_uri"], remoteTarget: row["remote_target"],
                        routeSet: routes.isEmpty ? [] : routes.split(separator: "\n").map(String.init),
                        localCSeq: UInt32(clamping: row["local_cseq"] as Int64),
                        remoteCSeq: UInt32(clamping: row["remote_cseq"] as Int64),
                        expiresAt: SIPTimestamp(millisecondsSince1970: row["expires_ms"]), transport: row["transport"],
                        remoteAddress: row["remote_address"], localAddress: row["local_address"],
                        subscriber: row["subscriber"], wantsBody: row["wants_body"], lastState: row["last_state"])
                }
            }
        }
    }
}
