/// A SIP method (RFC 3261 §7.1, §25.1 `Method`): one of the well-known methods or any
/// extension token. Methods are case-sensitive.
public struct SIPMethod: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let invite = SIPMethod("INVITE")
    public static let ack = SIPMethod("ACK")
    public static let bye = SIPMethod("BYE")
    public static let cancel = SIPMethod("CANCEL")
    public static let options = SIPMethod("OPTIONS")
    public static let register = SIPMethod("REGISTER")
    public static let subscribe = SIPMethod("SUBSCRIBE")
    public static let notify = SIPMethod("NOTIFY")
    public static let publish = SIPMethod("PUBLISH")
    public static let message = SIPMethod("MESSAGE")
    public static let info = SIPMethod("INFO")
    public static let prack = SIPMethod("PRACK")
    public static let update = SIPMethod("UPDATE")
    public static let refer = SIPMethod("REFER")

    public var description: String { rawValue }

    /// The method spelled by `p[start..<end]` (case-sensitive): a constant above for the
    /// well-known methods, so that parsing them makes no string.
    static func from(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> SIPMethod {
        func spells(_ literal: StaticString) -> Bool {
            guard literal.utf8CodeUnitCount == end - start else { return false }
            let q = literal.utf8Start
            for k in 0..<(end - start) where p[start + k] != q[k] { return false }
            return true
        }
        switch end - start {
        case 3:
            if spells("ACK") { return .ack }
            if spells("BYE") { return .bye }
        case 4:
            if spells("INFO") { return .info }
        case 5:
            if spells("PRACK") { return .prack }
            if spells("REFER") { return .refer }
        case 6:
            if spells("INVITE") { return .invite }
            if spells("CANCEL") { return .cancel }
            if spells("NOTIFY") { return .notify }
            if spells("UPDATE") { return .update }
        case 7:
            if spells("OPTIONS") { return .options }
            if spells("PUBLISH") { return .publish }
            if spells("MESSAGE") { return .message }
        case 8:
            if spells("REGISTER") { return .register }
        case 9:
            if spells("SUBSCRIBE") { return .subscribe }
        default: break
        }
        return SIPMethod(String(decoding: UnsafeBufferPointer(rebasing: p[start..<end]), as: UTF8.self))
    }

    /// True when `p[start..<end]` spells this method.
    func isSpelled(by p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var raw = rawValue
        return raw.withUTF8 { q in
            guard q.count == end - start else { return false }
            for k in 0..<q.count where p[start + k] != q[k] { return false }
            return true
        }
    }
}
