/// Limits of the admin API, every one with a documented default.
public struct AdminAPILimits: Sendable, Hashable {
    /// Largest JSON request body (`POST /v1/users`, `PUT …/password`). Default 64 KiB.
    public var maxJSONBodyBytes: Int
    /// Largest `POST /v1/users/import` body. Default 64 MiB (a million `user;domain;password`
    /// lines of typical length).
    public var maxImportBytes: Int
    /// Most users in one import. Default 1,000,000.
    public var maxImportUsers: Int
    /// Length of generated passwords; at least ``PasswordGenerator/minimumLength``. Default 24.
    public var generatedPasswordLength: Int
    /// How often a `GET /v1/logs?follow=true` stream checks its reader's drop count. Default 1 s.
    public var logDropCheck: Duration
    /// Longest silence on a log stream before a keep-alive comment is sent (so a reader that
    /// vanished is noticed). Default 15 s.
    public var logKeepAlive: Duration
    /// How long a `GET /v1/logs?follow=true` stream gathers records before it writes them (one
    /// write per batch, not per record: a reader taking every event costs the server far less).
    /// Default 20 ms; at most this much delay on a live record.
    public var logFlushInterval: Duration

    public init(
        maxJSONBodyBytes: Int = 64 * 1024, maxImportBytes: Int = 64 * 1024 * 1024, maxImportUsers: Int = 1_000_000,
        generatedPasswordLength: Int = 24, logDropCheck: Duration = .seconds(1), logKeepAlive: Duration = .seconds(15),
        logFlushInterval: Duration = .milliseconds(20)
    ) {
        self.logFlushInterval = min(logFlushInterval, logDropCheck)
        self.logDropCheck = logDropCheck
        self.logKeepAlive = logKeepAlive
        self.maxJSONBodyBytes = maxJSONBodyBytes
        self.maxImportBytes = maxImportBytes
        self.maxImportUsers = maxImportUsers
        self.generatedPasswordLength = generatedPasswordLength
    }
}
