import Testing

@testable import CoreDNS

@Suite("dig output")
struct DigTests {
  @Test func positiveAnswer() {
    let reply = Fixture.server().ask(svc1, .a)
    let text = dig(reply, options: DigOptions(id: 4242, time: fixtureTime))
    #expect(
      text == """

        ; <<>> DiG 9.18.33 <<>> svc1.testns.svc.cluster.local.
        ;; global options: +cmd
        ;; Got answer:
        ;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242
        ;; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1
        ;; WARNING: recursion requested but not available

        ;; OPT PSEUDOSECTION:
        ; EDNS: version: 0, flags:; udp: 1232
        ;; QUESTION SECTION:
        ;svc1.testns.svc.cluster.local.\tIN\tA

        ;; ANSWER SECTION:
        svc1.testns.svc.cluster.local. 5 IN\tA\t10.0.0.1

        ;; Query time: 0 msec
        ;; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)
        ;; WHEN: Tue Nov 14 22:13:20 UTC 2023
        ;; MSG SIZE  rcvd: 103


        """)
  }

  @Test func negativeAnswer() {
    let reply = Fixture.server().ask("nosvc.testns.svc.cluster.local.", .a)
    let text = dig(reply, options: DigOptions(id: 1, time: 0))
    #expect(text.contains(";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 1\n"))
    #expect(text.contains(";; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1\n"))
    #expect(text.contains(";nosvc.testns.svc.cluster.local. IN\tA\n"))
    #expect(
      text.contains(
        """
        ;; AUTHORITY SECTION:
        cluster.local.\t\t5\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1700000000 \
        7200 1800 86400 5
        """))
    #expect(text.contains(";; WHEN: Thu Jan 01 00:00:00 UTC 1970\n;; MSG SIZE  rcvd: 152\n"))
  }

  @Test func forwardedAnswerHasRecursionAvailable() {
    let reply = Fixture.server().ask("example.com.", .a)
    let text = dig(reply, options: DigOptions(id: 7))
    #expect(
      text.contains(";; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n\n"))
    #expect(text.contains(";example.com.\t\t\tIN\tA\n"))
    #expect(text.contains("example.com.\t\t300\tIN\tA\t93.184.216.34\n"))
    // 12 + (13 + 4) + (13 + 10 + 4) + 11
    #expect(text.contains(";; MSG SIZE  rcvd: 67\n"))
  }
}
