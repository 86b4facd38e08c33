import SIPStorage
import Testing

@Suite struct UserImportTests {
    @Test func parsesSIPpFileWithHeaderCommentsAndExtraColumns() throws {
        let text = """
            SEQUENTIAL
            # bench users
            1000;example.net;pw1000;[authentication username=1000 password=pw1000]

            1001;EXAMPLE.net;pw 1001\r
            \t
            1002;example.net;pw1002;;extra;columns
            """
        let entries = try UserImport.parse(text)
        #expect(entries.map(\.line) == [3, 5, 7])
        #expect(entries.map(\.credential.user) == ["1000", "1001", "1002"])
        #expect(entries[1].credential.domain == "example.net")
        #expect(entries[1].credential.password == "pw 1001")
        #expect(entries[2].credential.password == "pw1002")
    }

    @Test(arguments: ["RANDOM", "RANDOM2", "USER", "SEQUENTIAL,PRINTF=10", "sequential"])
    func sippHeaderVariants(_ header: String) throws {
        let entries = try UserImport.parse("\(header)\n69;example.net;pw\n")
        #expect(entries.count == 1)
    }

    @Test func headerOnlyAsFirstContentLine() {
        #expect(throws: UserImportError(line: 3, reason: "expected user;domain;password, found 1 field")) {
            try UserImport.parse("69;example.net;pw\n\nSEQUENTIAL\n")
        }
    }

    @Test func userNamedUSERIsNotAHeader() throws {
        let entries = try UserImport.parse("USER;example.net;pw\n")
        #expect(entries.first?.credential.user == "USER")
    }

    @Test func badLineIsNamed() {
        let text = "SEQUENTIAL\n1;example.net;a\n2;example.net;b\n3;example.net\n4;example.net;d\n"
        #expect(throws: UserImportError(line: 4, reason: "expected user;domain;password, found 2 fields")) {
            try UserImport.parse(text)
        }
    }

    @Test func reservedNameIsRefusedWithItsLine() throws {
        do {
            _ = try UserImport.parse("1;example.net;a\n~~in~0000DEADBEEF;example.net;b\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.reason.contains("~~"))
            #expect(error.description.hasPrefix("line 2: "))
        }
    }

    @Test func duplicateUserNamesBothLines() {
        #expect(throws: UserImportError(line: 3, reason: "user 1@example.net already appears on line 1")) {
            try UserImport.parse("1;example.net;a\n2;example.net;b\n1;Example.net;c\n")
        }
    }

    @Test func emptyPasswordIsRefused() {
        #expect(throws: UserImportError(line: 1, reason: "invalid password: empty")) {
            try UserImport.parse("1;example.net;\n")
        }
    }

    @Test func entryLimit() {
        #expect(throws: UserImportError(line: 3, reason: "more than 2 users in one import")) {
            try UserImport.parse("1;d.net;a\n2;d.net;b\n3;d.net;c\n", maxEntries: 2)
        }
    }

    @Test func emptyFileGivesNoEntries() throws {
        #expect(try UserImport.parse("").isEmpty)
        #expect(try UserImport.parse("SEQUENTIAL\n# nothing\n").isEmpty)
    }
}
