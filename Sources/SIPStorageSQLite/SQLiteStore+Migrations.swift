public import GRDB

extension SQLiteStore {
    /// The schema, as an ordered list of migrations (GRDB `DatabaseMigrator`); never edit a
    /// shipped migration, add a new one.
    ///
    /// v1:
    /// - `sip_user(domain, name, password BLOB, created_ms, updated_ms)`, primary key
    ///   (domain, name); `password` is an AES-GCM box (``PasswordCipher``), never plain text.
    /// - `binding(key PRIMARY KEY, aor, contact, expires_ms, q, call_id, cseq, instrument,
    ///   instance, reg_id, path, source, transport, connection_id, local_listener, user_agent,
    ///   registered_ms, updated_ms)` with indices on aor, instrument, instance and expires_ms.
    ///   `key` is ``BindingKey/storageKey``; `path` joins the Path values with LF (a header
    ///   value holds no LF after unfolding); times are milliseconds since the epoch.
    ///
    /// v2 (provisioning, RFC 6011 §1.3.2):
    /// - `instrument(id PRIMARY KEY, vendor, model, label, version, created_ms, updated_ms)`:
    ///   `id` is the canonical MAC, `version` the configuration version;
    /// - `line_appearance(instrument → instrument ON DELETE CASCADE, line_index, user, domain,
    ///   display_name)`, primary key (instrument, line_index), unique (instrument, domain, user),
    ///   indexed by (domain, user).
    ///
    /// v3 (subscriptions, RFC 6665): `subscription`, one row per notifier dialog, primary key
    /// (call_id, local_tag, event_id), indexed by (package, resource); `route_set` joins the
    /// routes with LF.
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-users-bindings") { db in
            try db.execute(sql: """
                CREATE TABLE sip_user (
                    domain TEXT NOT NULL,
                    name TEXT NOT NULL,
                    password BLOB NOT NULL,
                    created_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL,
                    PRIMARY KEY (domain, name)
                ) WITHOUT ROWID;
                CREATE TABLE binding (
                    key TEXT NOT NULL PRIMARY KEY,
                    aor TEXT NOT NULL,
                    contact TEXT NOT NULL,
                    expires_ms INTEGER NOT NULL,
                    q INTEGER NOT NULL,
                    call_id TEXT NOT NULL,
                    cseq INTEGER NOT NULL,
                    instrument TEXT,
                    instance TEXT,
                    reg_id INTEGER,
                    path TEXT NOT NULL,
                    source TEXT NOT NULL,
                    transport TEXT NOT NULL,
                    connection_id INTEGER,
                    local_listener TEXT NOT NULL,
                    user_agent TEXT,
                    registered_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL
                );
                CREATE INDEX binding_aor ON binding(aor);
                CREATE INDEX binding_instrument ON binding(instrument);
                CREATE INDEX binding_instance ON binding(instance);
                CREATE INDEX binding_expires ON binding(expires_ms);
                """)
        }
        migrator.registerMigration("v2-provisioning") { db in
            try db.execute(sql: """
                CREATE TABLE instrument (
                    id TEXT NOT NULL PRIMARY KEY,
                    vendor TEXT NOT NULL,
                    model TEXT,
                    label TEXT,
                    version INTEGER NOT NULL,
                    created_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE line_appearance (
                    instrument TEXT NOT NULL REFERENCES instrument(id) ON DELETE CASCADE,
                    line_index INTEGER NOT NULL,
                    user TEXT NOT NULL,
                    domain TEXT NOT NULL,
                    display_name TEXT,
                    PRIMARY KEY (instrument, line_index),
                    UNIQUE (instrument, domain, user)
                ) WITHOUT ROWID;
                CREATE INDEX line_appearance_user ON line_appearance(domain, user);
                """)
        }
        migrator.registerMigration("v3-subscriptions") { db in
            try db.execute(sql: """
                CREATE TABLE subscription (
                    call_id TEXT NOT NULL,
                    local_tag TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    remote_tag TEXT NOT NULL,
                    package TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    local_uri TEXT NOT NULL,
                    remote_uri TEXT NOT NULL,
                    remote_target TEXT NOT NULL,
                    route_set TEXT NOT NULL,
                    local_cseq INTEGER NOT NULL,
                    remote_cseq INTEGER NOT NULL,
                    expires_ms INTEGER NOT NULL,
                    transport TEXT NOT NULL,
                    remote_address TEXT NOT NULL,
                    local_address TEXT NOT NULL,
                    subscriber TEXT NOT NULL,
                    wants_body INTEGER NOT NULL,
                    last_state TEXT NOT NULL,
                    PRIMARY KEY (call_id, local_tag, event_id)
                ) WITHOUT ROWID;
                CREATE INDEX subscription_resource ON subscription(package, resource);
                """)
        }
        return migrator
    }
}
