import Testing

@testable import NetAddr

/// `Shared` behaves as the value it holds: copies are independent once written, equality and
/// hashing are the value's, and its text is the value's text.
@Suite struct SharedTests {
  struct Fields: Hashable, Sendable {
    var name: String
    var list: [Int]
  }

  @Test func aWrittenCopyLeavesTheOriginalAlone() {
    let a = Shared(Fields(name: "a", list: [1, 2]))
    var b = a
    b.value.list.append(3)
    b.value.name = "b"
    #expect(a.value == Fields(name: "a", list: [1, 2]))
    #expect(b.value == Fields(name: "b", list: [1, 2, 3]))
    #expect(a != b)
  }

  @Test func separateBoxesWithEqualValuesAreEqualAndHashAlike() {
    let a = Shared(Fields(name: "x", list: [7]))
    let b = Shared(Fields(name: "x", list: [7]))
    #expect(a == b)
    #expect(a.hashValue == b.hashValue)
    #expect(Set([a, b]).count == 1)
    #expect(a != Shared(Fields(name: "x", list: [8])))
  }

  @Test func aCopyWrittenBackToItsValueIsEqualAgain() {
    let a = Shared(Fields(name: "n", list: []))
    var b = a
    b.value.name = "m"
    b.value.name = "n"
    #expect(a == b)
  }

  @Test func itsTextIsTheValuesText() {
    let f = Fields(name: "t", list: [1])
    #expect(String(describing: Shared(f)) == String(describing: f))
  }
}
