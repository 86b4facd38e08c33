/// One requested change to the location service, as the registrar decides it from a REGISTER
/// (RFC 3261 §10.3 steps 6–8): store (create or refresh) a binding, or remove one.
public enum BindingUpdate: Sendable, Hashable {
    /// Create the binding, or replace the one with the same ``BindingKey``.
    case upsert(Binding)
    /// Remove the binding with this key (a Contact with `expires=0`, or `Contact: *`).
    case remove(BindingKey)

    /// The key the update touches.
    public var key: BindingKey {
        switch self {
        case .upsert(let binding): binding.key
        case .remove(let key): key
        }
    }
}

/// What a committed change did, as published on the change feed (``BindingChangeFeed``) for
/// consumers such as a reg-event package (RFC 3680 §5.1 uses the same vocabulary:
/// registered / refreshed / unregistered / expired).
public struct BindingChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// A binding that did not exist was stored.
        case added
        /// An existing binding (same key) was replaced, e.g. re-registration or a new flow.
        case refreshed
        /// A binding was removed on request (unregister, wildcard, administrative removal).
        case removed
        /// A binding was purged because it expired.
        case expired
    }

    public var kind: Kind
    /// The binding as stored after the change (added, refreshed), or as it was before it was
    /// removed or purged (removed, expired).
    public var binding: Binding
    /// For `refreshed`, the binding it replaced; nil otherwise.
    public var previous: Binding?

    public init(kind: Kind, binding: Binding, previous: Binding? = nil) {
        self.kind = kind
        self.binding = binding
        self.previous = previous
    }
}
