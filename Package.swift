// swift-tools-version:6.2
// Switchboard: an instrument-aware SIP registrar and proxy.
// Target graph (one-way, bottom first) is drawn in docs/ARCHITECTURE.md.
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SIPCore", targets: ["SIPCore"]),
        .library(name: "SIPTransport", targets: ["SIPTransport"]),
        .library(name: "SIPTransaction", targets: ["SIPTransaction"]),
        .library(name: "SIPAuth", targets: ["SIPAuth"]),
        .library(name: "SIPStorage", targets: ["SIPStorage"]),
        .library(name: "SIPStorageSQLite", targets: ["SIPStorageSQLite"]),
        .library(name: "SIPRegistrar", targets: ["SIPRegistrar"]),
        .library(name: "SIPProxy", targets: ["SIPProxy"]),
        .library(name: "LogTap", targets: ["LogTap"]),
        .library(name: "AdminAPI", targets: ["AdminAPI"]),
        .library(name: "Provisioning", targets: ["Provisioning"]),
        .library(name: "SIPEvents", targets: ["SIPEvents"]),
        .library(name: "SwitchboardServer", targets: ["SwitchboardServer"]),
        .executable(name: "switchboard", targets: ["switchboard"]),
        .executable(name: "SIPCoreFuzz", targets: ["SIPCoreFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", .upToNextMinor(from: "2.101.0")),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // Layer 0: pure Swift message model, parser, serializer, framer. No Foundation, no NIO.
        .target(name: "SIPCore", swiftSettings: upcoming),

        // Layer 1: digest authentication (RFC 2617, 7616, 8760), nonces, HA1.
        .target(
            name: "SIPAuth",
            dependencies: ["SIPCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: upcoming
        ),

        // Layer 1: storage models and protocols, change feeds, in-memory implementation.
        .target(
            name: "SIPStorage",
            dependencies: [
                "SIPCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: upcoming
        ),

        // Layer 2: SQLite (GRDB) implementation of the SIPStorage protocols; the default backend.
        .target(
            name: "SIPStorageSQLite",
            dependencies: [
                "SIPCore", "SIPStorage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),

        // Layer 1: NIO transports (UDP, TCP, TLS), framing handlers, connection table, listeners.
        .target(
            name: "SIPTransport",
            dependencies: [
                "SIPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcoming
        ),

        // Layer 2: RFC 3261 §17 transactions as state machines plus a clock-driven driver.
        .target(
            name: "SIPTransaction",
            dependencies: [
                "SIPCore",
                "SIPTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: upcoming
        ),

        // Layer 3: the registrar (RFC 3261 §10, RFC 5626, RFC 3327) and the location service.
        .target(
            name: "SIPRegistrar",
            dependencies: [
                "SIPCore", "SIPAuth", "SIPStorage", "SIPTransport", "SIPTransaction",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcoming
        ),

        // Layer 3: the stateful forking proxy (RFC 3261 §16) with instrument targets (`~~in~MAC`).
        .target(
            name: "SIPProxy",
            dependencies: [
                "SIPCore", "SIPAuth", "SIPStorage", "SIPTransport", "SIPTransaction",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: upcoming
        ),

        // Layer 1: the log tap: recent log records in a ring buffer and live subscribers with
        // bounded queues and server-side filters (`switchboard logs`); the line formats.
        .target(
            name: "LogTap",
            dependencies: [
                "SIPCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),

        // Layer 3: the admin HTTP API (users, registrations, logs, metrics) on Hummingbird.
        .target(
            name: "AdminAPI",
            dependencies: [
                "SIPCore", "SIPStorage", "LogTap",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcoming
        ),

        // Layer 3: the phone configuration service (RFC 6011) over HTTPS on Hummingbird, with
        // vendor templates (swift-mustache), HTTP digest (SIPAuth) and client certificates.
        .target(
            name: "Provisioning",
            dependencies: [
                "SIPCore", "SIPAuth", "SIPStorage", "SIPTransport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcoming
        ),

        // Layer 3: the RFC 6665 notifier and its event packages (http-monitor, RFC 5989).
        .target(
            name: "SIPEvents",
            dependencies: [
                "SIPCore", "SIPAuth", "SIPStorage", "SIPTransport", "SIPTransaction",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: upcoming
        ),

        // Layer 4: composition root.
        .target(
            name: "SwitchboardServer",
            dependencies: [
                "SIPCore",
                "SIPTransport",
                "SIPTransaction",
                "SIPAuth",
                "SIPStorage",
                "SIPStorageSQLite",
                "SIPRegistrar",
                "SIPProxy",
                "AdminAPI",
                "Provisioning",
                "LogTap",
                "SIPEvents",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: upcoming
        ),

        // Layer 5: the thin executable.
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "SwitchboardServer",
                "AdminAPI",
                "Provisioning",
                "LogTap",
                "SIPCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),

        // Tests only (not a product): the helpers every test target shares — one manual clock for
        // time and timers, log capture, binding and request builders, a phone, a SIP client.
        .target(
            name: "SIPTestSupport",
            dependencies: [
                "SIPCore", "SIPAuth", "SIPStorage", "SIPTransport", "SIPTransaction",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),

        // libFuzzer harness for the SIPCore parser (see sip-tests/fuzz.sh).
        .executableTarget(name: "SIPCoreFuzz", dependencies: ["SIPCore"], swiftSettings: upcoming),

        .testTarget(
            name: "SIPCoreTests",
            dependencies: [
                "SIPCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SIPRegistrarTests",
            dependencies: [
                "SIPCore", "SIPAuth", "SIPStorage", "SIPTransport", "SIPRegistrar", "SIPTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SIPProxyTests",
            dependencies: [
                "SIPCore", "SIPAuth", "SIPStorage", "SIPTransport", "SIPTransaction", "SIPProxy", "SIPTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "AdminAPITests",
            dependencies: [
                "SIPCore", "SIPStorage", "AdminAPI", "LogTap", "SIPTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SIPEventsTests",
            dependencies: [
                "SIPCore", "SIPAuth", "SIPStorage", "SIPTransport", "SIPTransaction", "SIPEvents", "SIPTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "ProvisioningTests",
            dependencies: [
                "SIPCore", "SIPAuth", "SIPStorage", "Provisioning", "SIPTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "LogTapTests",
            dependencies: ["SIPCore", "LogTap", .product(name: "Logging", package: "swift-log")],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SIPAuthTests", dependencies: ["SIPCore", "SIPAuth", "SIPTestSupport"], swiftSettings: upcoming),
        .testTarget(
            name: "SIPStorageTests", dependencies: ["SIPCore", "SIPStorage", "SIPTestSupport"],
            swiftSettings: upcoming),
        .testTarget(
            name: "SwitchboardCLITests",
            dependencies: [
                "switchboard", "SwitchboardServer", "AdminAPI", "LogTap",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SIPStorageSQLiteTests",
            dependencies: [
                "SIPCore", "SIPStorage", "SIPStorageSQLite", "SIPTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SIPTransportTests",
            dependencies: [
                "SIPCore", "SIPTransport", "SIPTestSupport",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SIPTransactionTests",
            dependencies: [
                "SIPCore", "SIPTransport", "SIPTransaction", "SIPTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SwitchboardServerTests",
            dependencies: [
                "SwitchboardServer", "SIPCore", "SIPTransport", "SIPAuth", "SIPStorage", "SIPStorageSQLite",
                "SIPRegistrar", "AdminAPI", "LogTap", "Provisioning", "SIPEvents", "SIPTestSupport",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: upcoming
        ),
    ],
    swiftLanguageModes: [.v6]
)
