import SIPStorage
import SIPTestSupport
import Testing

@Suite struct BindingChangeFeedTests {
    @Test func everySubscriberSeesEveryChangeInOrder() async throws {
        let feed = BindingChangeFeed()
        let first = feed.subscribe()
        let second = feed.subscribe()
        #expect(feed.subscriberCount == 2)
        let changes = (0..<5).map { BindingChange(kind: .added, binding: makeBinding(index: $0)) }
        feed.publish(changes)
        feed.finish()
        var seenFirst: [BindingChange] = []
        for try await change in first { seenFirst.append(change) }
        var seenSecond: [BindingChange] = []
        for try await change in second { seenSecond.append(change) }
        #expect(seenFirst == changes)
        #expect(seenSecond == changes)
        #expect(feed.subscriberCount == 0)
    }

    @Test func lateSubscriberSeesOnlyLaterChanges() async throws {
        let feed = BindingChangeFeed()
        feed.publish([BindingChange(kind: .added, binding: makeBinding(index: 0))])
        let late = feed.subscribe()
        feed.publish([BindingChange(kind: .removed, binding: makeBinding(index: 0))])
        feed.finish()
        var kinds: [BindingChange.Kind] = []
        for try await change in late { kinds.append(change.kind) }
        #expect(kinds == [.removed])
    }

    @Test func slowSubscriberGetsBufferedChangesThenOverflow() async throws {
        let feed = BindingChangeFeed()
        let slow = feed.subscribe(bufferSize: 3)
        let fast = feed.subscribe(bufferSize: 100)
        let changes = (0..<5).map { BindingChange(kind: .added, binding: makeBinding(index: $0)) }
        feed.publish(changes)
        #expect(feed.subscriberCount == 1)
        var received: [BindingChange] = []
        do {
            for try await change in slow { received.append(change) }
            Issue.record("expected overflow")
        } catch let error as BindingFeedError {
            #expect(error == .overflow(bufferSize: 3))
        }
        #expect(received == Array(changes.prefix(3)))
        feed.finish()
        var all: [BindingChange] = []
        for try await change in fast { all.append(change) }
        #expect(all == changes)
    }

    @Test func droppedSubscriptionUnsubscribes() async {
        let feed = BindingChangeFeed()
        do {
            let subscription = feed.subscribe()
            _ = subscription
            #expect(feed.subscriberCount == 1)
        }
        // The stream terminates when its last reference goes away.
        #expect(feed.subscriberCount == 0)
    }

    @Test func subscribeAfterFinishEndsAtOnce() async throws {
        let feed = BindingChangeFeed()
        feed.finish()
        var count = 0
        for try await _ in feed.subscribe() { count += 1 }
        #expect(count == 0)
    }
}
