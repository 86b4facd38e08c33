import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Provisioning
import SIPCore
import SIPStorage
import Testing

/// Each vendor's template in `conf/templates`, rendered for a two-line phone, against the keys
/// of the vendor's documentation (peers.md §5): the auth user of every line is `user/MAC`.
@Suite("Configuration templates: vendor keys")
struct TemplateRenderingTests {
    static func instrument() throws -> ProvisionedInstrument {
        try ProvisionedInstrument(
            InstrumentDefinition(
                id: deadBeef, vendor: "yealink", model: "T54W",
                lines: [
                    LineDefinition(user: "69", domain: "example.net", displayName: "Ann & Bob <front>"),
                    LineDefinition(user: "70", domain: "example.net"),
                ]),
            now: SIPTimestamp(secondsSince1970: 0))
    }

    func render(_ template: String, transport: ProvisionedSIPService.Transport = .udp, outboundProxy: String? = nil) async throws -> String {
        let templates = try await ConfigurationTemplates(directory: repositoryTemplates)
        let context = ConfigurationContext(
            instrument: try Self.instrument(), passwords: [1: "pw-69", 2: "pw-70"],
            service: ProvisionedSIPService(registrar: "sip.example.net", port: 5062, transport: transport, outboundProxy: outboundProxy),
            resyncSeconds: 1800)
        return String(decoding: templates.render(template, context: context), as: UTF8.self)
    }

    @Test("Yealink: account.N.* keys, first line #!version, transport code, re-sync and no reboot on check-sync")
    func yealink() async throws {
        let text = try await render("yealink", transport: .tls, outboundProxy: "edge.example.net:5061")
        #expect(text.hasPrefix("#!version:1.0.0.1\n"))
        for expected in [
            "account.1.auth_name = 69/0000DEADBEEF", "account.2.auth_name = 70/0000DEADBEEF", "account.1.user_name = 69",
            "account.1.password = pw-69", "account.2.password = pw-70", "account.1.sip_server.1.address = sip.example.net",
            "account.1.sip_server.1.port = 5062", "account.1.sip_server.1.transport_type = 2",
            "account.1.display_name = Ann & Bob <front>", "account.1.outbound_proxy_enable = 1",
            "account.2.outbound_proxy.1.address = edge.example.net:5061", "auto_provision.repeat.minutes = 30",
            "sip.notify_reboot_enable = 0",
        ] {
            #expect(text.contains(expected + "\n"), "missing \(expected)")
        }
        #expect(!(try await render("yealink")).contains("outbound_proxy"), "no outbound proxy keys when there is none")
    }

    @Test("snom: user_pname idx=N is user/MAC, XML escaped and well-formed")
    func snom() async throws {
        let text = try await render("snom")
        #expect(text.contains(#"<user_pname idx="1" perm="R">69/0000DEADBEEF</user_pname>"#))
        #expect(text.contains(#"<user_pname idx="2" perm="R">70/0000DEADBEEF</user_pname>"#))
        #expect(text.contains(#"<user_name idx="1" perm="R">69</user_name>"#))
        #expect(text.contains(#"<user_pass idx="2" perm="R">pw-70</user_pass>"#))
        #expect(text.contains(#"<user_host idx="1" perm="R">sip.example.net:5062;transport=udp</user_host>"#))
        #expect(text.contains("Ann &amp; Bob &lt;front&gt;"))
        try expectWellFormed(text)
    }

    @Test("Polycom: reg.N.auth.userId is user/MAC; the master file lists the per-phone file")
    func polycom() async throws {
        let text = try await render("polycom", transport: .tcp)
        #expect(text.contains(#"reg.1.auth.userId="69/0000DEADBEEF""#))
        #expect(text.contains(#"reg.2.auth.userId="70/0000DEADBEEF""#))
        #expect(text.contains(#"reg.1.address="sip:69@example.net""#))
        #expect(text.contains(#"reg.2.auth.password="pw-70""#))
        #expect(text.contains(#"reg.1.server.1.transport="TCPOnly""#))
        #expect(text.contains(#"voIpProt.SIP.specialEvent.checkSync.alwaysReboot="0""#))
        try expectWellFormed(text)
        let master = try await render("polycom-master")
        #expect(master.contains(#"CONFIG_FILES="0000deadbeef-switchboard.cfg""#))
        try expectWellFormed(master)
    }

    @Test("Grandstream: P35/P36/P34 for account 1, P404/P405/P406 for account 2")
    func grandstream() async throws {
        let text = try await render("grandstream")
        for expected in [
            "<P35>69</P35>", "<P36>69/0000DEADBEEF</P36>", "<P34>pw-69</P34>", "<P47>sip.example.net:5062</P47>",
            "<P404>70</P404>", "<P405>70/0000DEADBEEF</P405>", "<P406>pw-70</P406>", "<mac>0000deadbeef</mac>",
        ] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        try expectWellFormed(text)
    }

    @Test("Cisco: Auth_ID_N_ with Use_Auth_ID_N_=Yes")
    func cisco() async throws {
        let text = try await render("cisco")
        #expect(text.contains(#"<Auth_ID_1_ ua="na">69/0000DEADBEEF</Auth_ID_1_>"#))
        #expect(text.contains(#"<Auth_ID_2_ ua="na">70/0000DEADBEEF</Auth_ID_2_>"#))
        #expect(text.contains(#"<Use_Auth_ID_1_ ua="na">Yes</Use_Auth_ID_1_>"#))
        #expect(text.contains(#"<User_ID_2_ ua="na">70</User_ID_2_>"#))
        #expect(text.contains(#"<Password_1_ ua="na">pw-69</Password_1_>"#))
        #expect(text.contains(#"<Resync_From_SIP ua="na">Yes</Resync_From_SIP>"#))
        try expectWellFormed(text)
    }

    @Test("Fanvil: SIPn Register User is user/MAC, file framed by the VOIP CONFIG markers")
    func fanvil() async throws {
        let text = try await render("fanvil")
        #expect(text.hasPrefix("<<VOIP CONFIG FILE>>Version:2.0000000000"))
        #expect(text.contains("SIP1 Register User :69/0000DEADBEEF\n"))
        #expect(text.contains("SIP2 Register User :70/0000DEADBEEF\n"))
        #expect(text.contains("SIP1 Phone Number  :69\n"))
        #expect(text.contains("SIP2 Register Pswd :pw-70\n"))
        #expect(text.hasSuffix("<<END OF FILE>>\n"))
    }

    @Test("Every common file renders without any account or secret", arguments: ["yealink-common", "snom-common", "polycom-common", "grandstream-common"])
    func common(template: String) async throws {
        let templates = try await ConfigurationTemplates(directory: repositoryTemplates)
        let text = String(
            decoding: templates.render(
                template, context: ConfigurationContext(service: ProvisionedSIPService(registrar: "sip.example.net"), resyncSeconds: 600)),
            as: UTF8.self)
        #expect(!text.isEmpty)
        #expect(!text.lowercased().contains("deadbeef") && !text.contains("pw-"), "no MAC, no password")
        if templates.contentType(of: template).contains("xml") { try expectWellFormed(text) }
    }

    @Test("A template directory lacking a vendor's template is refused at start, naming the file")
    func missingTemplate() async throws {
        #expect(throws: ProvisioningError.self) { try ConfigurationTemplates(templates: ["yealink": "x"]) }
        do {
            _ = try ConfigurationTemplates(templates: ["yealink": "x"])
        } catch {
            #expect(error.message.contains("snom.mustache"))
        }
    }

    func expectWellFormed(_ xml: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let document = try? XMLDocument(xmlString: xml)
        #expect(document != nil, "not well-formed XML", sourceLocation: sourceLocation)
    }
}
