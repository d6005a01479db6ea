import Cluster
import CoreDNS
import KubeProxy
import LuaKit

/// `importCluster`: a real cluster's `kubectl get … -o yaml|json` dump as a fresh lab.
enum ImportAPI {
  static func register(_ lab: LabSession, in state: LuaState) throws {
    try state.register(
      "importCluster",
      help: HelpEntry(
        usage: "importCluster(path | {paths...})",
        summary:
          "a fresh lab from a real cluster's objects as `kubectl get KINDS -A -o yaml` "
          + "prints them (or -o json, or several files)",
        details:
          "KINDS: nodes, namespaces, pods, services, endpointslices, deployments, replicasets, "
          + "daemonsets, statefulsets, configmaps (written without spaces on kubectl's command "
          + "line). Addresses, node ports, pod CIDRs, readiness, phases and EndpointSlices are the "
          + "dump's, not re-allocated or recomputed; checkInvariants() then says where the dump "
          + "and the controllers disagree. Service and pod CIDRs and the DNS domain come from the "
          + "kubeadm-config ConfigMap (else they are inferred from the objects), the proxy mode "
          + "and options from kube-proxy's config.conf, the DNS settings from the coredns "
          + "Corefile. Kinds the lab does not model are counted in the summary line. Returns "
          + "{summary, counts, skipped, notes, serviceCIDR, podCIDR, proxyMode}."
      )
    ) { call in
      let sources: [String]
      switch call.type(at: 1) {
      case .string: sources = [try call.checkString(1)]
      case .table:
        sources = try call.checkTable(1).array.map { v in
          guard case .string(let s) = v else {
            throw call.argumentError(1, "list of paths expected, got a \(v.type.name) in it")
          }
          return s
        }
        guard !sources.isEmpty else { throw call.argumentError(1, "no paths given") }
      default:
        throw call.argumentError(
          1, "path or list of paths expected, got \(call.value(at: 1).type.name)")
      }
      let result: ImportResult
      do throws(ManifestError) {
        result = try importCluster(sources, into: lab)
      } catch {
        throw call.error(error.message)
      }
      return try call.result(result.table)
    }
  }

  /// What an import did.
  struct ImportResult {
    var dump: ClusterDump
    var notes: [String]
    var cluster: Cluster
    var proxyMode: String

    /// One line: what was imported, what was read only for its settings, what was skipped.
    var summary: String {
      let o = dump.objects
      var line =
        "imported \(o.nodes.count) nodes, \(o.namespaces.count) namespaces, \(o.pods.count) pods, "
        + "\(o.services.count) services, \(o.endpointSlices.count) "
        + "endpointslices, \(o.deployments.count) deployments"
      if dump.replicaSets > 0 { line += " (\(dump.replicaSets) replicasets folded into them)" }
      if !dump.configMapsUsed.isEmpty {
        line += "; settings from configmaps \(dump.configMapsUsed.joined(separator: ", "))"
      }
      let skipped = dump.skipped.values.reduce(0, +)
      if skipped > 0 {
        let kinds = dump.skipped.keys.sorted().map { "\(dump.skipped[$0] ?? 0) \($0)" }.joined(
          separator: ", ")
        line += "; skipped \(skipped) objects of kinds the lab does not model (\(kinds))"
      }
      return line
    }

    var table: LuaValue {
      let o = dump.objects
      var r = Record()
      r["summary"] = .string(summary)
      var counts = Record()
      counts["nodes"] = .int(o.nodes.count)
      counts["namespaces"] = .int(o.namespaces.count)
      counts["pods"] = .int(o.pods.count)
      counts["services"] = .int(o.services.count)
      counts["endpointSlices"] = .int(o.endpointSlices.count)
      counts["deployments"] = .int(o.deployments.count)
      counts["replicaSets"] = .int(dump.replicaSets)
      r["counts"] = counts.value
      var skipped = Record()
      for (k, n) in dump.skipped.sorted(by: { $0.key < $1.key }) { skipped[k] = .int(n) }
      r["skipped"] = skipped.value
      r["configMaps"] = .strings(dump.configMapsUsed)
      r["notes"] = .strings(notes)
      r["serviceCIDR"] = .strings(cluster.serviceCIDRs.map(\.description))
      r["podCIDR"] = .string(cluster.podCIDRs.map(\.description).joined(separator: ","))
      r["domain"] = .string(cluster.domain)
      r["proxyMode"] = .string(proxyMode)
      return r.value
    }
  }

  /// Reads the dump, builds its cluster aside, and only then makes it the lab's: a dump
  /// that cannot be read or inserted leaves the lab as it was.
  static func importCluster(
    _ sources: [String], into lab: LabSession
  ) throws(ManifestError) -> ImportResult {
    var builder = DumpBuilder()
    guard try DumpInput.read(sources, into: &builder) > 0 else {
      throw .input("no objects in the dump")
    }
    let dump = try builder.finish()
    var notes = dump.notes
    let fresh: Cluster
    do {
      fresh = try Cluster(config: dump.config)
      notes += try fresh.importObjects(dump.objects)
    } catch let e as ClusterError {
      throw .input(e.rendered())
    } catch {
      throw .input("\(error)")
    }
    var settings: KubernetesPluginSettings?
    if let text = dump.corefile {
      do throws(CoreDNSError) {
        settings = try parseCorefile(text)
      } catch {
        notes.append("coredns Corefile not used (\(error)); the DNS settings are kubeadm's")
      }
    }
    lab.adopt(fresh)
    lab.currentNamespace = "default"
    if let settings { DNSAPI.dns(lab).server.settings = settings }
    let proxy = TrafficAPI.proxy(lab).proxy
    if let c = dump.proxy {
      var config = proxy.defaultConfig
      config.mode = c.mode
      config.ipvsScheduler = c.ipvsScheduler
      config.detectLocal = c.detectLocal
      config.masqueradeAll = c.masqueradeAll
      config.localhostNodePorts = c.localhostNodePorts
      config.nodePortAddresses = c.nodePortAddresses
      proxy.setProxyConfig(config)
    }
    return ImportResult(
      dump: dump, notes: notes, cluster: fresh, proxyMode: proxy.defaultConfig.mode.rawValue)
  }
}
