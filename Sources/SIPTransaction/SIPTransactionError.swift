/// Errors of the transaction layer (RFC 3261 §17).
///
/// `code` wraps a private enum so cases can be added without breaking callers.
public struct SIPTransactionError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Sendable, Hashable {
            case invalidConfiguration, missingBranch, invalidRequest, duplicateTransaction
            case transactionTerminated, invalidResponse, timeout, transportError
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A timer or limit value is out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A request to send has no top Via with a branch parameter.
        public static let missingBranch = Code(.missingBranch)
        /// The request cannot start a transaction (ACK, or unparsable Via/CSeq).
        public static let invalidRequest = Code(.invalidRequest)
        /// A client transaction with the same branch and method already exists.
        public static let duplicateTransaction = Code(.duplicateTransaction)
        /// The server transaction no longer exists or is past accepting this response.
        public static let transactionTerminated = Code(.transactionTerminated)
        /// The response does not fit the request (e.g. a 1xx where a final one is required).
        public static let invalidResponse = Code(.invalidResponse)
        /// Timer B or F fired before a final response arrived.
        public static let timeout = Code(.timeout)
        /// The transport could not send the request.
        public static let transportError = Code(.transportError)

        public var description: String { "\(base)" }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}
