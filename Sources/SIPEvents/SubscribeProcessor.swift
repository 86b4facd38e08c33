public import SIPCore
public import SIPTransaction

/// The SUBSCRIBE step of the request chain (RFC 6665 §4.2): hands to the ``Notifier`` the
/// SUBSCRIBEs that are ours — an initial one whose Request-URI names a resource of one of its
/// packages, or one in a dialog the notifier holds — and lets every other SUBSCRIBE pass (to
/// the proxy: a BLF SUBSCRIBE to `~~in~MAC` is forwarded, not answered).
public struct SubscribeProcessor: SIPRequestProcessor {
    public let notifier: Notifier
    let packages: [any EventPackage]

    public init(notifier: Notifier, packages: [any EventPackage]) {
        self.notifier = notifier
        self.packages = packages
    }

    public var capabilities: SIPProcessorCapabilities {
        SIPProcessorCapabilities(
            methods: [.subscribe], events: packages.map(\.name))
    }

    public func process(_ context: inout SIPRequestContext) throws(SIPResponseError) -> SIPProcessorAction {
        guard context.request.method == .subscribe else { return .continue }
        let ours: Bool
        if context.essentials.to.tag != nil {
            // In a dialog: ours when it is to one of our monitor URIs' dialogs (the Request-URI
            // is our Contact, so look at the package instead).
            let event = try? context.request.event
            ours = event.flatMap { $0 }.map { event in packages.contains { event.isSamePackage($0.name) } } ?? false
        } else {
            ours = packages.contains { $0.resource(for: context.request.uri) != nil }
        }
        guard ours else { return .continue }
        context.event.isLogged = true
        let subscribe = try SubscribeRequest(request: context.request, essentials: context.essentials, source: context.source)
        let answering = context
        let notifier = self.notifier
        Task { await notifier.handle(subscribe) { answering.respond($0) } }
        return .takeOver
    }
}
