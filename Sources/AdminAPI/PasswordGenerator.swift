/// Generates SIP passwords for `switchboard user add` / `user passwd` when the operator gives
/// none: `length` characters drawn uniformly from the 62 letters and digits by a
/// cryptographically secure generator (`SystemRandomNumberGenerator`: getrandom(2) on Linux,
/// arc4random on Darwin). Letters and digits only, so the password survives every phone's web UI,
/// a SIPp CSV file and a shell command line unquoted. The default 24 characters carry
/// 24 × log2(62) ≈ 143 bits of entropy (RFC 4086 §8.2 asks for far less).
public struct PasswordGenerator: Sendable {
    /// The alphabet, `0-9A-Za-z`.
    public static let alphabet: [Character] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    /// The shortest length accepted (≈ 119 bits).
    public static let minimumLength = 20

    /// Characters per password; at least ``minimumLength``.
    public let length: Int

    /// `length` is raised to ``minimumLength`` when smaller.
    public init(length: Int = 24) {
        self.length = max(length, Self.minimumLength)
    }

    public func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// `Int.random(in:using:)` draws without modulo bias.
    public func generate(using generator: inout some RandomNumberGenerator) -> String {
        var password = ""
        password.reserveCapacity(length)
        for _ in 0..<length {
            password.append(Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &generator)])
        }
        return password
    }
}
