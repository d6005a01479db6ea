// swift-tools-version: 6.0
// The wire server alone, for benchmarking and profiling without the Lua lab: the engine and
// Wire modules (Sources/ holds links to the repository's own) and one executable that serves
// them with the poll loop of `WireServer` or with SwiftNIO (Docs/Benchmarks.md, "DNS on the
// wire"). Not part of svclab's build: swift-nio is needed only here.
//   swift build -c release --package-path Scripts/bench/wire-server --scratch-path .build-wire
import PackageDescription

let package = Package(
  name: "wire-server",
  platforms: [.macOS(.v14)],
  dependencies: [
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2")
  ],
  targets: [
    .target(name: "NetAddr", exclude: ["README.md"]),
    .target(name: "CoreDNS", dependencies: ["NetAddr"], exclude: ["README.md"]),
    .target(name: "CDatagrams", exclude: ["README.md"]),
    .target(
      name: "Wire", dependencies: ["CDatagrams", "CoreDNS", "NetAddr"], exclude: ["README.md"]),
    .executableTarget(
      name: "wire-server",
      dependencies: [
        "CoreDNS", "NetAddr", "Wire",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ],
      // A benchmark harness: Swift 5 mode spares it strict-concurrency ceremony.
      swiftSettings: [.swiftLanguageMode(.v5)]),
  ]
)
