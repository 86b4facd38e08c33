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

    public init(
        maxJSONBodyBytes: Int = 64 * 1024, maxImportBytes: Int = 64 * 1024 * 1024, maxImportUsers: Int = 1_000_000,
        generatedPasswordLength: Int = 24
    ) {
        self.maxJSONBodyBytes = maxJSONBodyBytes
        self.maxImportBytes = maxImportBytes
        self.maxImportUsers = maxImportUsers
        self.generatedPasswordLength = generatedPasswordLength
    }
}
