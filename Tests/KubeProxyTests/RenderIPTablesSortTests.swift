import Testing

@testable import KubeProxy

/// kube-proxy's `TestSortIPTablesRules` cases.
@Suite struct RenderIPTablesSortTests {
  @Test func matchesSameServiceNameInDifferentCommentStyles() throws {
    let input = """
      *filter
      COMMIT
      *nat
      :KUBE-SERVICES - [0:0]
      -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" svc2 line 1
      -A KUBE-SERVICES -m comment --comment ns2/svc2 svc2 line 2
      -A KUBE-SERVICES -m comment --comment "ns2/svc2 blah" svc2 line 3
      -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" svc1 line 1
      -A KUBE-SERVICES -m comment --comment ns1/svc1 svc1 line 2
      -A KUBE-SERVICES -m comment --comment "ns1/svc1 blah" svc1 line 3
      -A KUBE-SERVICES -m comment --comment ns4/svc4 svc4 line 1
      -A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" svc4 line 2
      -A KUBE-SERVICES -m comment --comment "ns4/svc4 blah" svc4 line 3
      -A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" svc3 line 1
      -A KUBE-SERVICES -m comment --comment "ns3/svc3 blah" svc3 line 2
      -A KUBE-SERVICES -m comment --comment ns3/svc3 svc3 line 3
      COMMIT

      """
    let expected = """
      *filter
      COMMIT
      *nat
      :KUBE-SERVICES - [0:0]
      -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" svc1 line 1
      -A KUBE-SERVICES -m comment --comment ns1/svc1 svc1 line 2
      -A KUBE-SERVICES -m comment --comment "ns1/svc1 blah" svc1 line 3
      -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" svc2 line 1
      -A KUBE-SERVICES -m comment --comment ns2/svc2 svc2 line 2
      -A KUBE-SERVICES -m comment --comment "ns2/svc2 blah" svc2 line 3
      -A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" svc3 line 1
      -A KUBE-SERVICES -m comment --comment "ns3/svc3 blah" svc3 line 2
      -A KUBE-SERVICES -m comment --comment ns3/svc3 svc3 line 3
      -A KUBE-SERVICES -m comment --comment ns4/svc4 svc4 line 1
      -A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" svc4 line 2
      -A KUBE-SERVICES -m comment --comment "ns4/svc4 blah" svc4 line 3
      COMMIT

      """
    #expect(try sortIPTablesRules(input) == expected)
  }

  @Test func unexpectedLinesArePreservedAndChainsOrdered() throws {
    let input = """
      *filter
      COMMIT
      *nat
      :KUBE-SERVICES - [0:0]
      :KUBE-SEP-RS4RBKLTHTF2IUXJ - [0:0]
      :KUBE-AAAAA - [0:0]
      :KUBE-ZZZZZ - [0:0]
      :WHY-IS-THIS-CHAIN-HERE - [0:0]
      -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" svc2 line 1
      -A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT \
      --to-destination 10.180.0.2:80
      -A KUBE-ZZZZZ -m comment --comment "mystery chain number 1"
      -A KUBE-SERVICES -m comment --comment ns2/svc2 svc2 line 2
      -A WHY-IS-THIS-CHAIN-HERE -j ACCEPT
      -A KUBE-SERVICES -m comment --comment "ns2/svc2 blah" svc2 line 3
      -A KUBE-AAAAA -m comment --comment "mystery chain number 2"
      COMMIT

      """
    let expected = """
      *filter
      COMMIT
      *nat
      :KUBE-SERVICES - [0:0]
      :KUBE-AAAAA - [0:0]
      :KUBE-SEP-RS4RBKLTHTF2IUXJ - [0:0]
      :KUBE-ZZZZZ - [0:0]
      :WHY-IS-THIS-CHAIN-HERE - [0:0]
      -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" svc2 line 1
      -A KUBE-SERVICES -m comment --comment ns2/svc2 svc2 line 2
      -A KUBE-SERVICES -m comment --comment "ns2/svc2 blah" svc2 line 3
      -A KUBE-AAAAA -m comment --comment "mystery chain number 2"
      -A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT \
      --to-destination 10.180.0.2:80
      -A KUBE-ZZZZZ -m comment --comment "mystery chain number 1"
      -A WHY-IS-THIS-CHAIN-HERE -j ACCEPT
      COMMIT

      """
    #expect(try sortIPTablesRules(input) == expected)
  }

  @Test func lastRuleStaysLastAndTablesSortByName() throws {
    let input = """
      *nat
      :KUBE-SERVICES - [0:0]
      :KUBE-NODEPORTS - [0:0]
      -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the \
      last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
      -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 \
      --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
      COMMIT
      *filter
      :KUBE-FORWARD - [0:0]
      COMMIT

      """
    let sorted = try sortIPTablesRules(input)
    let lines = sorted.split(separator: "\n").map(String.init)
    #expect(lines.first == "*filter")
    #expect(lines[4] == ":KUBE-NODEPORTS - [0:0]")
    #expect(lines[6].contains("ns1/svc1:p80 cluster IP"))
    #expect(lines[7].contains("must be the last rule"))
  }

  @Test(arguments: [
    ("*filter\n:A - [0:0]\n", IPTablesDumpError.noCommit),
    (":A - [0:0]\nCOMMIT\n", .noTable(line: ":A - [0:0]")),
    ("*nat\n-A KUBE-X -j ACCEPT\nCOMMIT\n", .undeclaredChain("KUBE-X")),
    ("*nat\n:A - [0:0]\n-X A\n-A A -j ACCEPT\nCOMMIT\n", .deletedChain("A")),
  ])
  func malformedDumpsAreRejected(input: String, error: IPTablesDumpError) {
    #expect(throws: error) { try IPTablesDump(parsing: input) }
  }
}
