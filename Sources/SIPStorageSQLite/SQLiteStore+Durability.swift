import GRDB
package import SIPStorage

extension SQLiteStore {
    /// The durability settings SQLite reports on the writer connection, the one every commit
    /// goes through. ``Configuration/synchronous`` and the WAL journal are applied when the
    /// connection opens; this reads them back, so tests and diagnostics see what is in effect.
    package struct WriterDurability: Sendable, Equatable {
        /// `PRAGMA synchronous`: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
        package var synchronous: Int
        /// `PRAGMA journal_mode`, lower case (`wal`).
        package var journalMode: String

        package init(synchronous: Int, journalMode: String) {
            self.synchronous = synchronous
            self.journalMode = journalMode
        }
    }

    /// Reads `PRAGMA synchronous` and `PRAGMA journal_mode` on the writer connection, outside
    /// any transaction. Blocks until the writer is free: not for an event loop.
    package func writerDurability() throws(StorageError) -> WriterDurability {
        try Self.run {
            try pool.writeWithoutTransaction { db in
                WriterDurability(
                    synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                    journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "")
            }
        }
    }
}
