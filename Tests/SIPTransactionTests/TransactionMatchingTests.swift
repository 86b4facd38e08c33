import SIPCore
import SIPTransaction
import Testing

@Suite("Transaction matching (RFC 3261 §17.1.3, §17.2.3, §9.2)")
struct TransactionMatchingTests {
    @Test func rfc3261KeyUsesBranchSentByAndMethod() throws {
        let key = try SIPServerTransactionKey(request: Fixtures.request(.register))
        #expect(key == .rfc3261(branch: Fixtures.branch, sentBy: "pc33.atlanta.com", method: .register))
        // Retransmission: same key even though other headers differ (the branch decides).
        #expect(try SIPServerTransactionKey(request: Fixtures.request(.register, callID: "other")) == key)
        // Sent-by host compares without case; another port or host is another transaction.
        #expect(try SIPServerTransactionKey(request: Fixtures.request(.register, sentBy: "PC33.Atlanta.COM")) == key)
        #expect(try SIPServerTransactionKey(request: Fixtures.request(.register, sentBy: "pc33.atlanta.com:5070")) != key)
        #expect(try SIPServerTransactionKey(request: Fixtures.request(.register, branch: "z9hG4bKother")) != key)
        #expect(try SIPServerTransactionKey(request: Fixtures.request(.options)) != key)
    }

    @Test func ackMatchesItsInviteAndCancelIsSeparate() throws {
        let invite = try SIPServerTransactionKey(request: Fixtures.request(.invite))
        let ack = try SIPServerTransactionKey(request: Fixtures.request(.ack, toTag: "x"))
        let cancel = try SIPServerTransactionKey(request: Fixtures.request(.cancel))
        #expect(ack == invite)
        #expect(cancel != invite)
        #expect(cancel.method == .cancel)
        #expect(try SIPServerTransactionKey(cancelTarget: Fixtures.request(.cancel)) == invite)
    }

    @Test func branchWithoutCookieFallsBackToRFC2543Fields() throws {
        let invite = Fixtures.request(.invite, branch: nil)
        let key = try SIPServerTransactionKey(request: invite)
        guard case .rfc2543(let legacy) = key else {
            Issue.record("expected an RFC 2543 key")
            return
        }
        #expect(legacy.callID == "a84b4c76e66710")
        #expect(legacy.fromTag == "1928301774")
        #expect(legacy.sequence == 314159)
        #expect(legacy.method == .invite)
        // A non-cookie branch is also RFC 2543.
        guard case .rfc2543 = try SIPServerTransactionKey(request: Fixtures.request(.invite, branch: "1234")) else {
            Issue.record("branch without z9hG4bK must use the fallback")
            return
        }
        // Request-URI compares by §19.1.4 (host case-insensitive).
        #expect(try SIPServerTransactionKey(request: Fixtures.request(.invite, uri: "sip:bob@EXAMPLE.com", branch: nil)) == key)
        // ACK: CSeq number matches the INVITE, method counts as INVITE.
        #expect(try SIPServerTransactionKey(request: Fixtures.request(.ack, branch: nil, toTag: "t")) == key)
        #expect(try SIPServerTransactionKey(cancelTarget: Fixtures.request(.cancel, branch: nil)) == key)
        // Any differing field means another transaction.
        #expect(try SIPServerTransactionKey(request: Fixtures.request(.invite, uri: "sip:carol@example.com", branch: nil)) != key)
        #expect(try SIPServerTransactionKey(request: Fixtures.request(.invite, branch: nil, fromTag: "9")) != key)
        #expect(try SIPServerTransactionKey(request: Fixtures.request(.invite, branch: nil, callID: "c2")) != key)
        #expect(try SIPServerTransactionKey(request: Fixtures.request(.invite, branch: nil, cseq: 2)) != key)
        #expect(try SIPServerTransactionKey(request: Fixtures.request(.invite, branch: nil, sentBy: "other.host")) != key)
        #expect(try SIPServerTransactionKey(request: Fixtures.request(.options, branch: nil)) != key)
    }

    @Test func missingViaIsAParseError() {
        let request = SIPRequest(method: .options, uri: try! SIPURI(parsing: "sip:example.com"))
        #expect(throws: SIPParseError.self) { try SIPServerTransactionKey(request: request) }
    }

    @Test func clientKeyUsesBranchAndCSeqMethod() {
        let invite = Fixtures.request(.invite)
        let key = SIPClientTransactionKey(request: invite)
        #expect(key == SIPClientTransactionKey(branch: Fixtures.branch, method: .invite))
        #expect(SIPClientTransactionKey(response: Fixtures.response(180, to: invite)) == key)
        let cancel = Fixtures.request(.cancel)
        #expect(SIPClientTransactionKey(response: Fixtures.response(200, to: cancel)) != key)
        let other = Fixtures.request(.invite, branch: "z9hG4bKelse")
        #expect(SIPClientTransactionKey(response: Fixtures.response(180, to: other)) != key)
        #expect(SIPClientTransactionKey(request: Fixtures.request(.invite, branch: nil)) == nil)
    }

    @Test func branchGeneratorMakesDistinctCookieBranches() {
        let branches = Set((0..<100).map { _ in SIPTransactionLayer.makeBranch() })
        #expect(branches.count == 100)
        #expect(branches.allSatisfy { $0.hasPrefix("z9hG4bK") && $0.count == 23 })
    }
}
