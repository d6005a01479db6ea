// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "svclab",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "svclab", targets: ["svclab"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
  ],
  targets: [
    // Debian's Lua 5.4 and GNU readline, linked as system libraries.
    .systemLibrary(
      name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
    .systemLibrary(name: "CReadline", providers: [.apt(["libreadline-dev"])]),
    // The small C layer: Lua's macros as functions, the error trampoline, hooks.
    .target(name: "CLuaGlue", dependencies: ["CLua"], exclude: ["README.md"]),
    .target(name: "LuaKit", dependencies: ["CLua", "CLuaGlue"], exclude: ["README.md"]),

    // The engine: no Lua in here.
    .target(name: "NetAddr", exclude: ["README.md"]),
    .target(name: "Cluster", dependencies: ["NetAddr"], exclude: ["README.md"]),
    .target(name: "CoreDNS", dependencies: ["NetAddr"], exclude: ["README.md"]),
    .target(
      name: "KubeProxy",
      dependencies: ["NetAddr", .product(name: "Crypto", package: "swift-crypto")],
      exclude: ["README.md"]),
    // DNS on the wire: the message codec and a UDP/TCP server over the CoreDNS engine;
    // recvmmsg/sendmmsg in C (Glibc's Swift module does not declare them).
    .target(name: "CDatagrams", exclude: ["README.md"]),
    .target(
      name: "Wire", dependencies: ["CDatagrams", "CoreDNS", "NetAddr"], exclude: ["README.md"]),
    // The lab on this machine's kernel: namespaces, links, rules, responders.
    .target(name: "Kernel", dependencies: ["NetAddr"], exclude: ["README.md"]),

    // The Lua API over the engine.
    .target(
      name: "Lab",
      dependencies: [
        "LuaKit", "NetAddr", "Cluster", "CoreDNS", "KubeProxy", "Kernel", "Wire",
        .product(name: "Yams", package: "Yams"),
      ],
      exclude: ["README.md"]),
    .executableTarget(
      name: "svclab",
      dependencies: [
        "Lab", "LuaKit", "CLuaGlue", "CReadline", "Kernel",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      exclude: ["README.md"]),

    .testTarget(name: "NetAddrTests", dependencies: ["NetAddr"]),
    .testTarget(name: "LuaKitTests", dependencies: ["LuaKit"]),
    .testTarget(name: "ClusterTests", dependencies: ["Cluster", "NetAddr"]),
    .testTarget(name: "CoreDNSTests", dependencies: ["CoreDNS", "NetAddr"]),
    .testTarget(name: "KernelTests", dependencies: ["Kernel", "NetAddr"]),
    .testTarget(name: "WireTests", dependencies: ["Wire", "CoreDNS", "NetAddr"]),
    .testTarget(
      name: "KubeProxyTests", dependencies: ["KubeProxy", "NetAddr"],
      resources: [.copy("Snapshots")]),
    .testTarget(
      name: "LabTests",
      dependencies: ["Lab", "LuaKit", "Cluster", "CoreDNS", "KubeProxy", "NetAddr"],
      resources: [.copy("Fixtures")]),
    // Runs the built svclab binary: scripts, errors, the test runner, the REPL on a pipe.
    .testTarget(name: "CLITests", dependencies: ["svclab"]),
  ]
)
