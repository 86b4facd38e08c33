// SIPCore parser and serializer benchmarks (issue 2, item 4). Every benchmark runs its body
// `scaledIterations` (1,000) times per measured iteration; figures marked `*` in the output are
// per message. Results: ../../../docs/PERFORMANCE.md.
import Benchmark
import BenchmarkMessages
import SIPCore

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .cpuTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 10_000
    )
    let parser = SIPMessageParser()

    Benchmark("Parse REGISTER (\(Messages.register.count) B, Digest)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try parser.parse(Messages.register))
        }
    }

    let parsedRegister = try! parser.parse(Messages.register)
    Benchmark("Serialize REGISTER") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(parsedRegister.serialized())
        }
    }

    Benchmark("Parse 200 OK (REGISTER, 3 Contacts)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try parser.parse(Messages.registerOK))
        }
    }

    Benchmark("Parse SUBSCRIBE (dialog)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try parser.parse(Messages.subscribe))
        }
    }

    Benchmark("Parse REGISTER + registrar headers") { benchmark in
        for _ in benchmark.scaledIterations {
            guard case .request(let request) = try parser.parse(Messages.register) else {
                fatalError("REGISTER parsed as a response")
            }
            blackHole(try request.topVia)
            blackHole(try request.from)
            blackHole(try request.to)
            blackHole(request.callID)
            blackHole(try request.cseq)
            blackHole(try request.contacts())
            blackHole(try request.authorizations())
        }
    }
}
