import Mustache

/// The operator-editable templates, one `*.mustache` file per configuration file kind
/// (swift-mustache; Mustache spec 1.x), loaded once at start from
/// ``ProvisioningConfiguration/templatesDirectory``.
///
/// Every template of ``required`` must be there, or the service does not start: a phone must
/// never get an empty configuration. XML templates write `{{value}}` (escaped for XML); text
/// templates start with `{{% CONTENT_TYPE: TEXT}}` so that nothing is escaped. What a template
/// sees is described by ``ConfigurationContext``.
public struct ConfigurationTemplates: Sendable {
    /// Template name → `Content-Type` of what it renders.
    public static let required: [String: String] = [
        "yealink": "text/plain; charset=utf-8", "yealink-boot": "text/plain; charset=utf-8",
        "yealink-common": "text/plain; charset=utf-8", "fanvil": "text/plain; charset=utf-8",
        "snom": "application/xml; charset=utf-8", "snom-common": "application/xml; charset=utf-8",
        "polycom": "application/xml; charset=utf-8", "polycom-master": "application/xml; charset=utf-8",
        "polycom-common": "application/xml; charset=utf-8", "grandstream": "application/xml; charset=utf-8",
        "grandstream-common": "application/xml; charset=utf-8", "cisco": "application/xml; charset=utf-8",
    ]

    let library: MustacheLibrary

    /// Loads `directory/*.mustache`; throws when one of ``required`` is missing or a template
    /// does not parse.
    public init(directory: String) async throws(ProvisioningError) {
        let library: MustacheLibrary
        do {
            library = try await MustacheLibrary(directory: directory)
        } catch {
            throw .configuration("provisioning.templates: cannot load templates from \(directory): \(error)")
        }
        try self.init(library: library, origin: directory)
    }

    /// Templates given as text, by name (tests).
    public init(templates: [String: String]) throws(ProvisioningError) {
        var library = MustacheLibrary()
        for (name, text) in templates {
            do { try library.register(text, named: name) } catch {
                throw .configuration("template \(name) does not parse: \(error)")
            }
        }
        try self.init(library: library, origin: "(given)")
    }

    private init(library: MustacheLibrary, origin: String) throws(ProvisioningError) {
        let missing = Self.required.keys.filter { library.getTemplate(named: $0) == nil }.sorted()
        guard missing.isEmpty else {
            throw .configuration(
                "provisioning.templates: \(origin) lacks \(missing.map { $0 + ".mustache" }.joined(separator: ", "))")
        }
        self.library = library
    }

    /// Renders template `name` with `context`.
    public func render(_ name: String, context: ConfigurationContext) -> [UInt8] {
        Array((library.render(context.values, withTemplate: name) ?? "").utf8)
    }

    /// The `Content-Type` of template `name`'s output.
    public func contentType(of name: String) -> String { Self.required[name] ?? "text/plain; charset=utf-8" }
}
