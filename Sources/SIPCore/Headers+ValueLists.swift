extension SIPHeaders {
    /// The comma-separated values of the one field at `index` (RFC 3261 §7.3.1), e.g. the Route
    /// values of a single `Route:` line.
    public func values(at index: Int, limits: SIPParserLimits = .default) throws(SIPParseError) -> [Substring] {
        var result: [Substring] = []
        try Lexer.forEachPart(
            value(at: index), separator: Lexer.comma, limit: limits.maxParameters, nesting: limits.maxNesting
        ) { part throws(SIPParseError) in
            result.append(part)
        }
        return result
    }

    /// Removes one value of the comma-separated field at `index` (the whole field when it is the
    /// only one): a proxy popping its Route (RFC 3261 §16.4) or its Via (§16.7 step 3) from a
    /// combined line.
    public mutating func removeValue(at index: Int, valueIndex: Int) throws(SIPParseError) {
        var parts = try values(at: index)
        guard parts.indices.contains(valueIndex) else { return }
        parts.remove(at: valueIndex)
        if parts.isEmpty {
            _ = remove(at: index)
        } else {
            replace(at: index, with: SIPHeaderField(self[index].name, parts.joined(separator: ", ")))
        }
    }
}
