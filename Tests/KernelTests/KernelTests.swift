import Foundation
import NetAddr
import Testing

@testable import Kernel

/// kube-proxy's partial restore: only the chains whose rules changed are declared (and so
/// flushed) and rewritten; chains that went are flushed and deleted.
struct RuleDiffCase: CustomTestStringConvertible, Sendable {
  var name: String
  var old: String
  var new: String
  var expected: String?
  var testDescription: String { name }
}

let ruleDiffCases: [RuleDiffCase] = [
  .init(
    name: "nothing changed",
    old: "*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -j KUBE-SVC-A\nCOMMIT\n",
    new: "*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -j KUBE-SVC-A\nCOMMIT\n", expected: nil),
  .init(
    name: "one chain's rules changed",
    old:
      "*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-A - [0:0]\n"
      + "-A KUBE-SERVICES -j KUBE-SVC-A\n-A KUBE-SVC-A -j KUBE-SEP-1\nCOMMIT\n",
    new:
      "*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-A - [0:0]\n"
      + "-A KUBE-SERVICES -j KUBE-SVC-A\n-A KUBE-SVC-A -j KUBE-SEP-2\nCOMMIT\n",
    expected: "*nat\n:KUBE-SVC-A - [0:0]\n-A KUBE-SVC-A -j KUBE-SEP-2\nCOMMIT\n"),
  .init(
    name: "a chain added and one deleted",
    old:
      "*nat\n:KUBE-SVC-A - [0:0]\n:KUBE-SEP-1 - [0:0]\n"
      + "-A KUBE-SVC-A -j KUBE-SEP-1\n-A KUBE-SEP-1 -j DNAT\nCOMMIT\n",
    new:
      "*nat\n:KUBE-SVC-A - [0:0]\n:KUBE-SEP-2 - [0:0]\n"
      + "-A KUBE-SVC-A -j KUBE-SEP-2\n-A KUBE-SEP-2 -j DNAT\nCOMMIT\n",
    expected:
      "*nat\n:KUBE-SVC-A - [0:0]\n:KUBE-SEP-2 - [0:0]\n:KUBE-SEP-1 - [0:0]\n"
      + "-A KUBE-SVC-A -j KUBE-SEP-2\n-A KUBE-SEP-2 -j DNAT\n-X KUBE-SEP-1\nCOMMIT\n"
  ),
  .init(
    name: "an untouched table is left out",
    old:
      "*filter\n:KUBE-FORWARD - [0:0]\n-A KUBE-FORWARD -j ACCEPT\n"
      + "COMMIT\n*nat\n:KUBE-SVC-A - [0:0]\nCOMMIT\n",
    new:
      "*filter\n:KUBE-FORWARD - [0:0]\n-A KUBE-FORWARD -j ACCEPT\nCOMMIT\n*nat\n"
      + ":KUBE-SVC-A - [0:0]\n-A KUBE-SVC-A -j KUBE-SEP-1\nCOMMIT\n",
    expected: "*nat\n:KUBE-SVC-A - [0:0]\n-A KUBE-SVC-A -j KUBE-SEP-1\nCOMMIT\n"),
]

@Test(arguments: ruleDiffCases)
func ruleDiff(_ c: RuleDiffCase) {
  #expect(RuleDiff.partial(from: c.old, to: c.new)?.input == c.expected)
}

@Test func ruleDiffFromNothingIsTheWholeInput() throws {
  let text = "*nat\n:KUBE-SVC-A - [0:0]\n-A KUBE-SVC-A -j KUBE-SEP-1\nCOMMIT\n"
  let diff = try #require(RuleDiff.partial(from: "", to: text))
  #expect(diff.input == text)
  #expect(diff.changed == ["nat/KUBE-SVC-A"])
}

@Test func namesCarryThePrefixAndFitInterfaceNames() {
  let names = KernelNames(prefix: "svl-")
  #expect(names.node("node-1") == "svl-node-1")
  #expect(names.pod(namespace: "default", name: "web-1") == "svl-default.web-1")
  #expect(names.external(IPAddress("203.0.113.7")!) == "svl-ext-203-0-113-7")
  for pod in ["web-1", "a-very-long-pod-name-that-goes-on-and-on-0123456789"] {
    let veth = names.podVeth(namespace: "default", name: pod)
    #expect(veth.hasPrefix("svl"))
    #expect(veth.count <= 15)
  }
  #expect(names.podVeth(namespace: "a", name: "b") != names.podVeth(namespace: "a", name: "c"))
}

@Test func jumpRulesOnlyForDeclaredChains() {
  let input =
    "*filter\n:KUBE-FORWARD - [0:0]\nCOMMIT\n*nat\n"
    + ":KUBE-SERVICES - [0:0]\n:KUBE-POSTROUTING - [0:0]\nCOMMIT\n"
  let jumps = KernelLab.jumpRules(declaredIn: input)
  #expect(
    jumps.contains(
      "-I FORWARD 1 -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD"))
  #expect(
    jumps.contains(
      "-I PREROUTING 1 -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"))
  #expect(
    jumps.contains(
      "-I POSTROUTING 1 -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING"))
  #expect(!jumps.contains("KUBE-PROXY-FIREWALL"))
  #expect(KernelLab.jumpRules(declaredIn: "") == "")
}

@Test func calicoOutgoingNATFollowsThePool() {
  let node = KernelNode(
    name: "node-1", ip: IPAddress("10.0.0.1")!, podCIDR: CIDR("10.244.1.0/24")!, tunnelAddress: nil,
    proxyMode: .iptables, iptablesRestore: "", nftRuleset: "", localhostNodePorts: true)
  var layout = KernelLayout(
    nodes: [node], pods: [], podNetwork: .bgp, clusterCIDR: CIDR("10.244.0.0/16"))
  #expect(
    KernelLab.calicoRules(layout).contains("-s 10.244.0.0/16 ! -d 10.244.0.0/16 -j MASQUERADE"))
  layout.natOutgoing = false
  #expect(!KernelLab.calicoRules(layout).contains("-A cali-nat-outgoing"))
}

@Test func commandFailuresNameTheCommandAndItsError() {
  let runner = CommandRunner()
  #expect(throws: KernelError.self) { try runner.run(["ls", "/nonexistent-svclab-path"]) }
  do {
    try runner.run(["ls", "/nonexistent-svclab-path"])
  } catch {
    #expect("\(error)".contains("`ls /nonexistent-svclab-path` failed (status"))
    #expect("\(error)".contains("No such file"))
  }
  #expect((try? runner.run(["cat"], input: "hello\n")) == "hello\n")
}

@Test func probeRefusedOnLoopback() throws {
  // A TCP connection to a loopback port where nothing listens is answered with a reset.
  #expect(Probe.run(address: "127.0.0.1", port: 1, proto: "TCP", timeoutMs: 500) == "refused")
}
