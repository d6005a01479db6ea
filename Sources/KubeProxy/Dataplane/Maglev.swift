import NetAddr

/// The mh scheduler (`ip_vs_mh.c`): a Maglev lookup table of 4093 slots over the real
/// servers, indexed by a hash of the client's address and, because kube-proxy sets the
/// `mh-port` flag, its source port.
extension IPVSVirtualServerState {
  static let maglevSize = 4093
  private static let hashKey1: (UInt64, UInt64) = (2_654_435_761, 2_654_435_761)
  private static let hashKey2: (UInt64, UInt64) = (2_654_446_892, 2_654_446_892)

  /// The `ip_vs_mh_hashkey` of an address and port.
  static func maglevHash(_ ip: IPAddress, port: Int, key: (UInt64, UInt64)) -> UInt32 {
    KernelHash.hsiphash(KernelHash.fold(ip) &+ UInt32(truncatingIfNeeded: port), key: key)
  }

  /// The server for a client, nil when its slot's server has weight 0 (no fallback flag).
  func maglev(client: IPAddress, clientPort: Int) -> Int? {
    guard !dests.isEmpty else { return nil }
    let table = maglevTable ?? buildMaglevTable()
    maglevTable = table
    let slot =
      Int(Self.maglevHash(client, port: clientPort, key: Self.hashKey1))
      % Self.maglevSize
    let index = table[slot]
    return index >= 0 && dests[index].weight > 0 ? index : nil
  }

  /// Fills the table: each server in list order takes its next preferred free slot, in turn,
  /// until every slot is taken. Draining servers keep their last weight (1), so they keep
  /// their slots.
  private func buildMaglevTable() -> [Int] {
    let size = Self.maglevSize
    var perm = dests.map {
      Int(Self.maglevHash($0.endpoint.ip, port: $0.endpoint.port, key: Self.hashKey1)) % size
    }
    let skip = dests.map {
      Int(Self.maglevHash($0.endpoint.ip, port: $0.endpoint.port, key: Self.hashKey2))
        % (size - 1) + 1
    }
    var table = [Int](repeating: -1, count: size)
    var filled = 0
    while filled < size {
      for index in dests.indices {
        while table[perm[index]] >= 0 {
          perm[index] += skip[index]
          if perm[index] >= size { perm[index] -= size }
        }
        table[perm[index]] = index
        filled += 1
        if filled == size { break }
      }
    }
    return table
  }
}
