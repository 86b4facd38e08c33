import ArgumentParser
import Provisioning

/// `switchboard discovery …`: the DNS and DHCP records that lead phones to the configuration
/// service (RFC 6011 §2.1–2.3, §4). Computed locally; no server needed.
struct DiscoveryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discovery",
        abstract: "Print the DNS U-NAPTR record and DHCP options that point phones at the configuration service.",
        subcommands: [NAPTRCommand.self, DHCPOptionCommand.self]
    )
}

/// `switchboard discovery naptr --domain D --url https://…`.
struct NAPTRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "naptr",
        abstract: "Print the U-NAPTR 'SFUA.CFG' record (RFC 6011 §2.3.1) for a zone file.",
        discussion: """
            Phones that know only a domain look up its NAPTR records and take the base URL from the \
            SFUA.CFG one. Publish several with different --order for redundancy (§2.3.1.1).
            """
    )

    @Option(name: .long, help: "The configuration service domain (the SIP domain, e.g. example.net).")
    var domain: String

    @Option(name: .long, help: "The base URL of the configuration service, e.g. https://config.example.net:8443/cfg.")
    var url: String

    @Option(name: .long, help: "NAPTR order (lower first).")
    var order = 10

    @Option(name: .long, help: "NAPTR preference among equal orders.")
    var preference = 10

    @Option(name: .long, help: "TTL in seconds (default: the zone's).")
    var ttl: Int?

    func run() throws {
        do {
            print(try ConfigurationServiceDiscovery.naptrRecord(
                domain: domain, url: url, order: order, preference: preference, ttl: ttl))
        } catch {
            throw ValidationError(error.description)
        }
    }
}

/// `switchboard discovery dhcp-option --domain D [--domain D2 …]`.
struct DHCPOptionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dhcp-option",
        abstract: "Print DHCPv4 option 141 and DHCPv6 option 58 (RFC 6011 §4.1, §4.2) for a list of domains.",
        discussion: """
            Option 141 holds the names compressed as in RFC 1035 §4.1.4 (pointers relative to the \
            option data, RFC 3397); option 58 holds them uncompressed (RFC 3315 §8). Bytes are \
            printed in hex: the whole option (code, length, data), then the data alone as an ISC \
            dhcpd / Kea 'string' value.
            """
    )

    @Option(name: .long, help: "A configuration service domain (repeatable, in preference order).")
    var domain: [String] = []

    func validate() throws {
        if domain.isEmpty { throw ValidationError("give at least one --domain") }
    }

    func run() throws {
        let v4Data: [UInt8]
        let v4: [UInt8]
        let v6: [UInt8]
        do {
            v4Data = try ConfigurationServiceDiscovery.dhcpv4Data(domains: domain)
            v4 = try ConfigurationServiceDiscovery.dhcpv4Options(domains: domain)
            v6 = try ConfigurationServiceDiscovery.dhcpv6Option(domains: domain)
        } catch {
            throw ValidationError(error.description)
        }
        print("DHCPv4 option 141 (SIP UA configuration service domains), \(v4Data.count) data bytes:")
        print("  option:  \(Self.hex(v4, separator: " "))")
        print("  dhcpd:   option sip-ua-cs-domains code 141 = string;")
        print("           option sip-ua-cs-domains \(Self.hex(v4Data, separator: ":"));")
        print("DHCPv6 option 58 (OPTION_SIP_UA_CS_LIST), \(v6.count - 4) data bytes:")
        print("  option:  \(Self.hex(v6, separator: " "))")
    }

    static func hex(_ bytes: [UInt8], separator: String) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined(separator: separator)
    }
}
