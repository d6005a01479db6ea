#!/usr/bin/env python3
"""Writes the output of

  kubectl get nodes,namespaces,pods,services,endpointslices,deployments,replicasets,\
daemonsets,statefulsets,configmaps -A -o yaml   (or -o json)

for a made-up cluster shaped like a kind/kubeadm cluster (Kubernetes 1.35, Calico with
host-local IPAM on the nodes' pod CIDRs, kube-proxy in iptables mode), for importCluster's
tests, the "Debug your own cluster" tutorial and the import benchmark.

  gen-dump.py fixture yaml|json            the 3-node cluster of Tests/fixtures
  gen-dump.py bench SERVICES PODS json     a large cluster (10 pods per Service by default)

Objects carry what a real dump carries (uid, resourceVersion, managedFields, status noise),
since an import must accept all of it.
"""
import hashlib
import json
import sys
from json.encoder import encode_basestring_ascii as encode_string

import yaml

TS = "2026-12-01T09:00:00Z"


def uid(*parts):
    h = hashlib.sha1("/".join(parts).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def rv(*parts):
    return str(int(hashlib.sha1("/".join(parts).encode()).hexdigest()[:6], 16) % 900000 + 1000)


def meta(kind, name, ns=None, labels=None, annotations=None, owner=None, managed=None):
    m = {"creationTimestamp": TS}
    if labels:
        m["labels"] = labels
    if annotations:
        m["annotations"] = annotations
    if managed:
        m["managedFields"] = managed
    m["name"] = name
    if ns:
        m["namespace"] = ns
    if owner:
        m["ownerReferences"] = [owner]
    m["resourceVersion"] = rv(kind, ns or "", name)
    m["uid"] = uid(kind, ns or "", name)
    return m


def owner(kind, name, api="apps/v1", ns=""):
    return {"apiVersion": api, "blockOwnerDeletion": True, "controller": True, "kind": kind,
            "name": name, "uid": uid(kind, ns, name)}


def managed_fields(manager, fields, operation="Update", subresource=None):
    e = {"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": fields, "manager": manager,
         "operation": operation, "time": TS}
    if subresource:
        e["subresource"] = subresource
    return e


NODES = [
    # name, ip, pod CIDR, zone
    ("kind-control-plane", "172.18.0.2", "10.244.0.0/24", "zone-a"),
    ("kind-worker", "172.18.0.3", "10.244.1.0/24", "zone-b"),
    ("kind-worker2", "172.18.0.4", "10.244.2.0/24", "zone-c"),
]


def node(name, ip, cidr, zone, control_plane=False):
    labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
              "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
              "topology.kubernetes.io/zone": zone}
    if control_plane:
        labels["node-role.kubernetes.io/control-plane"] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    spec = {"podCIDR": cidr, "podCIDRs": [cidr], "providerID": f"kind://docker/kind/{name}"}
    if control_plane:
        spec["taints"] = [{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": meta("Node", name, labels=labels, annotations={
            "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
            "node.alpha.kubernetes.io/ttl": "0",
            "projectcalico.org/IPv4Address": f"{ip}/16",
            "projectcalico.org/IPv4IPIPTunnelAddr": cidr.replace("0/24", "1"),
            "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
            managed=[managed_fields("kubelet", {"f:metadata": {"f:annotations": {".": {}}}}),
                     managed_fields("kube-controller-manager", {"f:spec": {"f:podCIDR": {}, "f:podCIDRs": {".": {}}}}),
                     managed_fields("kubelet", {"f:status": {"f:conditions": {}}}, subresource="status")]),
        "spec": spec,
        "status": {
            "addresses": [{"address": ip, "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
            "allocatable": {"cpu": "8", "ephemeral-storage": "102625208Ki", "memory": "32746332Ki", "pods": "110"},
            "capacity": {"cpu": "8", "ephemeral-storage": "102625208Ki", "memory": "32746332Ki", "pods": "110"},
            "conditions": [
                {"lastHeartbeatTime": TS, "lastTransitionTime": TS, "message": "kubelet has sufficient memory available",
                 "reason": "KubeletHasSufficientMemory", "status": "False", "type": "MemoryPressure"},
                {"lastHeartbeatTime": TS, "lastTransitionTime": TS, "message": "kubelet is posting ready status",
                 "reason": "KubeletReady", "status": "True", "type": "Ready"}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"architecture": "amd64", "containerRuntimeVersion": "containerd://2.1.4",
                         "kernelVersion": "6.8.0-49-generic", "kubeProxyVersion": "", "kubeletVersion": "v1.35.0",
                         "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)"},
        },
    }


def namespace(name, extra_labels=None):
    labels = {"kubernetes.io/metadata.name": name}
    labels.update(extra_labels or {})
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": meta("Namespace", name, labels=labels,
                             managed=[managed_fields("kube-apiserver", {"f:metadata": {"f:labels": {".": {}}}})]),
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


def pod(name, ns, node_name, ip, node_ip, labels, ports, owner_ref=None, ready=True, phase="Running",
        host_network=False, hostname=None, subdomain=None, dns_policy="ClusterFirst", image="nginx:1.27"):
    containers = [{"image": image, "imagePullPolicy": "IfNotPresent", "name": name.split("-")[0],
                   "ports": [dict(p) for p in ports],
                   "resources": {}, "terminationMessagePath": "/dev/termination-log",
                   "terminationMessagePolicy": "File",
                   "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                                     "name": "kube-api-access", "readOnly": True}]}]
    spec = {"containers": containers, "dnsPolicy": dns_policy, "enableServiceLinks": True,
            "preemptionPolicy": "PreemptLowerPriority", "priority": 0, "restartPolicy": "Always",
            "schedulerName": "default-scheduler", "securityContext": {}, "serviceAccount": "default",
            "serviceAccountName": "default", "terminationGracePeriodSeconds": 30,
            "tolerations": [{"effect": "NoExecute", "key": "node.kubernetes.io/not-ready",
                             "operator": "Exists", "tolerationSeconds": 300}]}
    if node_name:
        spec["nodeName"] = node_name
    if host_network:
        spec["hostNetwork"] = True
    if hostname:
        spec["hostname"] = hostname
    if subdomain:
        spec["subdomain"] = subdomain
    status = {"phase": phase, "qosClass": "BestEffort"}
    if phase == "Pending" and not node_name:
        status["conditions"] = [{"lastProbeTime": None, "lastTransitionTime": TS,
                                 "message": "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
                                 "reason": "Unschedulable", "status": "False", "type": "PodScheduled"}]
    else:
        rs = "True" if ready else "False"
        status["conditions"] = [
            {"lastProbeTime": None, "lastTransitionTime": TS, "status": "True", "type": "PodReadyToStartContainers"},
            {"lastProbeTime": None, "lastTransitionTime": TS, "status": "True", "type": "Initialized"},
            {"lastProbeTime": None, "lastTransitionTime": TS, "status": rs, "type": "Ready"},
            {"lastProbeTime": None, "lastTransitionTime": TS, "status": rs, "type": "ContainersReady"},
            {"lastProbeTime": None, "lastTransitionTime": TS, "status": "True", "type": "PodScheduled"}]
        status["containerStatuses"] = [{
            "containerID": "containerd://" + hashlib.sha256(name.encode()).hexdigest(), "image": image,
            "imageID": "docker.io/library/" + image + "@sha256:" + hashlib.sha256(image.encode()).hexdigest(),
            "lastState": {}, "name": containers[0]["name"], "ready": ready, "restartCount": 0, "started": True,
            "state": {"running": {"startedAt": TS}}}]
        status["hostIP"] = node_ip
        status["hostIPs"] = [{"ip": node_ip}]
        status["podIP"] = ip
        status["podIPs"] = [{"ip": ip}]
        status["startTime"] = TS
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": meta("Pod", name, ns, labels=labels, owner=owner_ref,
                             managed=[managed_fields("kube-controller-manager", {"f:metadata": {"f:generateName": {}}}),
                                      managed_fields("kubelet", {"f:status": {"f:conditions": {}}}, subresource="status")]),
            "spec": spec, "status": status}


def service(name, ns, spec, labels=None, status=None, annotations=None):
    s = {"apiVersion": "v1", "kind": "Service",
         "metadata": meta("Service", name, ns, labels=labels, annotations=annotations,
                          managed=[managed_fields("kubectl-client-side-apply", {"f:spec": {"f:ports": {}}})]),
         "spec": spec, "status": status or {"loadBalancer": {}}}
    return s


def cluster_ip_spec(ip, ports, selector=None, **extra):
    spec = {"clusterIP": ip, "clusterIPs": [ip], "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "ports": ports,
            "sessionAffinity": "None", "type": "ClusterIP"}
    if selector:
        spec["selector"] = selector
    spec.update(extra)
    return spec


def slice_(name, ns, service_name, endpoints, ports, managed=True):
    labels = {"kubernetes.io/service-name": service_name}
    if managed:
        labels["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io"
    o = owner("Service", service_name, api="v1", ns=ns) if managed else None
    return {"addressType": "IPv4", "apiVersion": "discovery.k8s.io/v1", "endpoints": endpoints,
            "kind": "EndpointSlice",
            "metadata": meta("EndpointSlice", name, ns, labels=labels,
                             annotations={"endpoints.kubernetes.io/last-change-trigger-time": TS} if managed else None,
                             owner=o, managed=[managed_fields("kube-controller-manager", {"f:endpoints": {}})]),
            "ports": ports}


def endpoint(ip, pod_name, ns, node_name, zone, ready=True, hostname=None):
    e = {"addresses": [ip], "conditions": {"ready": ready, "serving": ready, "terminating": False}}
    if hostname:
        e["hostname"] = hostname
    e["nodeName"] = node_name
    e["targetRef"] = {"kind": "Pod", "name": pod_name, "namespace": ns, "uid": uid("Pod", ns, pod_name)}
    e["zone"] = zone
    return e


def workload(kind, name, ns, replicas, labels, ports, ready=None, extra_status=None, service_name=None):
    template = {"metadata": {"labels": labels}, "spec": {
        "containers": [{"image": "nginx:1.27", "name": name, "ports": ports}], "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always", "schedulerName": "default-scheduler", "terminationGracePeriodSeconds": 30}}
    spec = {"replicas": replicas, "revisionHistoryLimit": 10, "selector": {"matchLabels": labels},
            "template": template}
    if service_name:
        spec["serviceName"] = service_name
    status = {"observedGeneration": 1, "replicas": replicas,
              "readyReplicas": replicas if ready is None else ready,
              "availableReplicas": replicas if ready is None else ready}
    status.update(extra_status or {})
    return {"apiVersion": "apps/v1", "kind": kind,
            "metadata": meta(kind, name, ns, labels=labels, annotations={"deployment.kubernetes.io/revision": "1"}
                             if kind == "Deployment" else None,
                             managed=[managed_fields("kube-controller-manager", {"f:status": {}}, subresource="status")]),
            "spec": spec, "status": status}


def replicaset(deploy, hash_, ns, replicas, labels, ports, ready=None):
    rs = workload("ReplicaSet", f"{deploy}-{hash_}", ns, replicas, dict(labels, **{"pod-template-hash": hash_}), ports,
                  ready=ready)
    rs["metadata"]["annotations"] = {"deployment.kubernetes.io/desired-replicas": str(replicas),
                                     "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                                     "deployment.kubernetes.io/revision": "1"}
    rs["metadata"]["ownerReferences"] = [owner("Deployment", deploy, ns=ns)]
    return rs


def daemonset(name, ns, labels):
    d = workload("DaemonSet", name, ns, 3, labels, [])
    d["spec"].pop("replicas")
    d["status"] = {"currentNumberScheduled": 3, "desiredNumberScheduled": 3, "numberAvailable": 3,
                   "numberMisscheduled": 0, "numberReady": 3, "observedGeneration": 1, "updatedNumberScheduled": 3}
    return d


def configmap(name, ns, data):
    return {"apiVersion": "v1", "data": data, "kind": "ConfigMap",
            "metadata": meta("ConfigMap", name, ns,
                             managed=[managed_fields("kubeadm", {"f:data": {}})])}


COREFILE = """.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
"""

KUBEADM = """apiServer: {}
apiVersion: kubeadm.k8s.io/v1beta4
caCertificateValidityPeriod: 87600h0m0s
certificateValidityPeriod: 8760h0m0s
certificatesDir: /etc/kubernetes/pki
clusterName: kind
controlPlaneEndpoint: kind-control-plane:6443
controllerManager:
  extraArgs:
  - name: enable-hostpath-provisioner
    value: "true"
dns: {}
encryptionAlgorithm: RSA-2048
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: v1.35.0
networking:
  dnsDomain: cluster.local
  podSubnet: 10.244.0.0/16
  serviceSubnet: 10.96.0.0/16
proxy: {}
scheduler: {}
"""

KUBE_PROXY = """apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: 10.244.0.0/16
configSyncPeriod: 0s
conntrack:
  maxPerCore: 0
  min: null
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
detectLocalMode: ""
enableProfiling: false
healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 1s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: ""
  strictARP: false
  syncPeriod: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
  verbosity: 0
metricsBindAddress: ""
mode: iptables
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
showHiddenMetricsForAlphaFeatures: false
winkernel:
  enableDSR: false
"""


def fixture():
    items = []
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system", "local-path-storage"]:
        items.append(namespace(ns))
    items.append(namespace("shop", {"team": "web"}))
    for i, (n, ip, cidr, zone) in enumerate(NODES):
        items.append(node(n, ip, cidr, zone, control_plane=(i == 0)))
    node_ip = {n: ip for n, ip, _, _ in NODES}
    node_zone = {n: z for n, _, _, z in NODES}
    pods, slices = [], []

    # kube-system: CoreDNS (a Deployment), the control plane and DaemonSets on the host network.
    dns_labels = {"k8s-app": "kube-dns"}
    dns_ports = [{"containerPort": 53, "name": "dns", "protocol": "UDP"},
                 {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                 {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}]
    coredns = [("coredns-674b8bbfcf-6xq2w", "kind-control-plane", "10.244.0.3"),
               ("coredns-674b8bbfcf-qz8lk", "kind-control-plane", "10.244.0.4")]
    for name, n, ip in coredns:
        pods.append(pod(name, "kube-system", n, ip, node_ip[n], dict(dns_labels, **{"pod-template-hash": "674b8bbfcf"}),
                        dns_ports, owner("ReplicaSet", "coredns-674b8bbfcf", ns="kube-system"), dns_policy="Default",
                        image="registry.k8s.io/coredns/coredns:v1.12.1"))
    pods.append(pod("kube-apiserver-kind-control-plane", "kube-system", "kind-control-plane", "172.18.0.2", "172.18.0.2",
                    {"component": "kube-apiserver", "tier": "control-plane"}, [],
                    {"apiVersion": "v1", "controller": True, "kind": "Node", "name": "kind-control-plane",
                     "uid": uid("Node", "", "kind-control-plane")},
                    host_network=True, image="registry.k8s.io/kube-apiserver:v1.35.0"))
    for i, (n, ip, _, _) in enumerate(NODES):
        suffix = ["7kq9x", "b2m4d", "h8w5t"][i]
        pods.append(pod(f"kube-proxy-{suffix}", "kube-system", n, ip, ip,
                        {"controller-revision-hash": "5c8d6bd6b4", "k8s-app": "kube-proxy", "pod-template-generation": "1"},
                        [], owner("DaemonSet", "kube-proxy", ns="kube-system"), host_network=True,
                        image="registry.k8s.io/kube-proxy:v1.35.0"))
        suffix = ["2lfxk", "9rc7v", "tq4pn"][i]
        pods.append(pod(f"calico-node-{suffix}", "kube-system", n, ip, ip,
                        {"controller-revision-hash": "6d9f84b7f8", "k8s-app": "calico-node", "pod-template-generation": "1"},
                        [], owner("DaemonSet", "calico-node", ns="kube-system"), host_network=True,
                        image="docker.io/calico/node:v3.30.3"))
    pods.append(pod("calico-kube-controllers-5b8f9c7d4-jm2rt", "kube-system", "kind-control-plane", "10.244.0.2",
                    "172.18.0.2", {"k8s-app": "calico-kube-controllers", "pod-template-hash": "5b8f9c7d4"}, [],
                    owner("ReplicaSet", "calico-kube-controllers-5b8f9c7d4", ns="kube-system"),
                    image="docker.io/calico/kube-controllers:v3.30.3"))
    dns_eps = [endpoint(ip, name, "kube-system", n, node_zone[n]) for name, n, ip in coredns]
    slices.append(slice_("kube-dns-vx7bk", "kube-system", "kube-dns", dns_eps,
                         [{"name": "dns", "port": 53, "protocol": "UDP"},
                          {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
                          {"name": "metrics", "port": 9153, "protocol": "TCP"}]))
    slices.append(slice_("kubernetes", "default", "kubernetes",
                         [{"addresses": ["172.18.0.2"], "conditions": {"ready": True}}],
                         [{"name": "https", "port": 6443, "protocol": "TCP"}], managed=False))

    # shop: web (a Deployment: two ready pods, one not ready, one Pending), db (a StatefulSet
    # behind a headless Service), and Services of every type.
    web_labels = {"app": "web"}
    web_ports = [{"containerPort": 8080, "name": "http", "protocol": "TCP"}]
    web = [("web-6d4cf56db6-4mzkp", "kind-worker", "10.244.1.4", True),
           ("web-6d4cf56db6-8tq2n", "kind-worker2", "10.244.2.5", True),
           ("web-6d4cf56db6-x7hbc", "kind-worker2", "10.244.2.6", False)]
    web_owner = owner("ReplicaSet", "web-6d4cf56db6", ns="shop")
    for name, n, ip, ready in web:
        pods.append(pod(name, "shop", n, ip, node_ip[n], dict(web_labels, **{"pod-template-hash": "6d4cf56db6"}),
                        web_ports, web_owner, ready=ready))
    pods.append(pod("web-6d4cf56db6-zk5rd", "shop", None, None, None,
                    dict(web_labels, **{"pod-template-hash": "6d4cf56db6"}), web_ports, web_owner, ready=False,
                    phase="Pending"))
    db_labels = {"app": "db"}
    db_ports = [{"containerPort": 5432, "name": "postgres", "protocol": "TCP"}]
    db = [("db-0", "kind-worker", "10.244.1.5"), ("db-1", "kind-worker2", "10.244.2.7")]
    for name, n, ip in db:
        pods.append(pod(name, "shop", n, ip, node_ip[n],
                        dict(db_labels, **{"apps.kubernetes.io/pod-index": name[-1],
                                           "controller-revision-hash": "db-7b9c5d8f6",
                                           "statefulset.kubernetes.io/pod-name": name}),
                        db_ports, owner("StatefulSet", "db", ns="shop"), hostname=name, subdomain="db",
                        image="postgres:17"))

    web_eps = [endpoint(ip, name, "shop", n, node_zone[n], ready=ready) for name, n, ip, ready in web]
    http = [{"name": "http", "port": 8080, "protocol": "TCP"}]
    slices.append(slice_("web-np-r8s2d", "shop", "web-np", list(web_eps), http))
    slices.append(slice_("web-lb-5jx9w", "shop", "web-lb", list(web_eps), http))
    # Stale: web's own slice still lists a pod that is gone (web-6d4cf56db6-old00 on
    # kind-worker) and misses the not-ready one: the controller has not caught up.
    stale = [web_eps[0], web_eps[1],
             endpoint("10.244.1.9", "web-6d4cf56db6-gn2vq", "shop", "kind-worker", node_zone["kind-worker"])]
    slices.append(slice_("web-2x8fq", "shop", "web", stale, http))
    slices.append(slice_("db-k4t7m", "shop", "db",
                         [endpoint(ip, name, "shop", n, node_zone[n], hostname=name) for name, n, ip in db],
                         [{"name": "postgres", "port": 5432, "protocol": "TCP"}]))

    services = [
        service("kubernetes", "default", cluster_ip_spec("10.96.0.1", [
            {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]),
            labels={"component": "apiserver", "provider": "kubernetes"}),
        service("kube-dns", "kube-system", cluster_ip_spec("10.96.0.10", [
            {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
            {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
            {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}], dns_labels),
            labels={"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
            annotations={"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}),
        service("web", "shop", cluster_ip_spec("10.96.112.40", [
            {"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}], web_labels),
            annotations={"kubectl.kubernetes.io/last-applied-configuration": '{"apiVersion":"v1","kind":"Service"}\n'}),
        service("web-np", "shop", cluster_ip_spec("10.96.45.17", [
            {"name": "http", "nodePort": 30080, "port": 80, "protocol": "TCP", "targetPort": "http"}], web_labels,
            type="NodePort", externalTrafficPolicy="Cluster")),
        service("web-lb", "shop", cluster_ip_spec("10.96.201.9", [
            {"name": "http", "nodePort": 31380, "port": 80, "protocol": "TCP", "targetPort": "http"}], web_labels,
            type="LoadBalancer", externalTrafficPolicy="Local", healthCheckNodePort=32123,
            allocateLoadBalancerNodePorts=True),
            status={"loadBalancer": {"ingress": [{"ip": "172.18.255.200", "ipMode": "VIP"}]}},
            annotations={"metallb.io/ip-allocated-from-pool": "kind-pool"}),
        service("db", "shop", {"clusterIP": "None", "clusterIPs": ["None"], "internalTrafficPolicy": "Cluster",
                               "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                               "ports": [{"name": "postgres", "port": 5432, "protocol": "TCP", "targetPort": 5432}],
                               "selector": db_labels, "sessionAffinity": "None", "type": "ClusterIP"}),
        service("payments", "shop", {"externalName": "payments.example.com", "sessionAffinity": "None",
                                     "type": "ExternalName"}),
    ]

    workloads = [
        workload("Deployment", "coredns", "kube-system", 2, dns_labels, dns_ports),
        replicaset("coredns", "674b8bbfcf", "kube-system", 2, dns_labels, dns_ports),
        workload("Deployment", "calico-kube-controllers", "kube-system", 1, {"k8s-app": "calico-kube-controllers"}, []),
        replicaset("calico-kube-controllers", "5b8f9c7d4", "kube-system", 1, {"k8s-app": "calico-kube-controllers"}, []),
        workload("Deployment", "web", "shop", 4, web_labels, web_ports, ready=2,
                 extra_status={"unavailableReplicas": 2}),
        replicaset("web", "6d4cf56db6", "shop", 4, web_labels, web_ports, ready=2),
        daemonset("kube-proxy", "kube-system", {"k8s-app": "kube-proxy"}),
        daemonset("calico-node", "kube-system", {"k8s-app": "calico-node"}),
        workload("StatefulSet", "db", "shop", 2, db_labels, db_ports, service_name="db"),
    ]
    for w in workloads:
        if w["kind"] == "StatefulSet":
            w["status"] = {"availableReplicas": 2, "collisionCount": 0, "currentReplicas": 2,
                           "currentRevision": "db-7b9c5d8f6", "observedGeneration": 1, "readyReplicas": 2,
                           "replicas": 2, "updateRevision": "db-7b9c5d8f6", "updatedReplicas": 2}
    ca = "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIQ2xhc3NpYyBrdWJlYWRtIENBIGZvciBraW5kIGNsdXN0ZXI=\n-----END CERTIFICATE-----\n"
    configmaps = [configmap("kube-root-ca.crt", ns, {"ca.crt": ca}) for ns in ["default", "kube-system", "shop"]]
    configmaps += [configmap("coredns", "kube-system", {"Corefile": COREFILE}),
                   configmap("kube-proxy", "kube-system", {"config.conf": KUBE_PROXY,
                                                           "kubeconfig.conf": "apiVersion: v1\nkind: Config\n"}),
                   configmap("kubeadm-config", "kube-system", {"ClusterConfiguration": KUBEADM}),
                   configmap("calico-config", "kube-system", {"calico_backend": "bird", "typha_service_name": "none",
                                                              "veth_mtu": "0"})]
    # kubectl prints the kinds in the order they were asked for.
    kinds = ["Node", "Namespace", "Pod", "Service", "EndpointSlice", "Deployment", "ReplicaSet", "DaemonSet",
             "StatefulSet", "ConfigMap"]
    everything = items + pods + services + slices + workloads + configmaps
    everything.sort(key=lambda o: kinds.index(o["kind"]))
    return everything


def bench_layout(n_services, n_pods):
    """Where each pod of the bench cluster goes: one node per 240 pods (each node's /24 hands
    out .2 to .254, and a pod that finds its node full stays Pending), n_services Services of
    n_pods // n_services pods (the last takes the rest). Returns the nodes and, per Service,
    (index, namespace, app, pod-template hash, pod count, [(pod index, node or None, ip)])."""
    n_nodes = max(3, n_pods // 240 + 1)
    nodes = []
    for i in range(n_nodes):
        cidr = f"10.{64 + i // 256}.{i % 256}.0/24"
        ip = f"172.20.{i // 250}.{i % 250 + 2}"
        nodes.append((f"node-{i:03d}", ip, cidr, f"zone-{'abc'[i % 3]}"))
    next_ip = [2] * n_nodes
    per = max(1, n_pods // n_services)
    services, made = [], 0
    for s in range(n_services):
        app = f"app-{s}"
        count = per if s < n_services - 1 else n_pods - made
        members = []
        for k in range(count):
            ni = (s * 7 + k) % n_nodes
            ip = f"{nodes[ni][2].rsplit('.', 1)[0]}.{next_ip[ni]}" if next_ip[ni] < 255 else None
            next_ip[ni] += 1
            members.append((k, nodes[ni] if ip else None, ip))
        made += count
        h = hashlib.sha1(app.encode()).hexdigest()[:10]
        services.append((s, f"team-{s % 50}", app, h, count, members))
    return nodes, services


def bench(n_services, n_pods):
    """A cluster of one node per 240 pods, n_services Deployments each behind a ClusterIP Service
    (every tenth a NodePort), with n_pods pods spread over them, all with their EndpointSlices: the
    objects one at a time, in the order kubectl prints them (a large dump never sits in memory)."""
    nodes, layout = bench_layout(n_services, n_pods)
    yield namespace("default")
    yield namespace("kube-system")
    for i in range(50):
        yield namespace(f"team-{i}")
    for n in nodes:
        yield node(*n)
    http = [{"containerPort": 8080, "name": "http", "protocol": "TCP"}]
    for s, ns, app, h, count, members in layout:
        for k, n, ip in members:
            # Fresh dicts per object: yaml.safe_dump would print shared ones as aliases.
            labels = {"app": app, "pod-template-hash": h}
            rs = owner("ReplicaSet", f"{app}-{h}", ns=ns)
            if n is None:
                # A node's /24 is full: the rest of this Service's pods stay Pending.
                yield pod(f"{app}-{h}-{k:05d}", ns, None, None, None, labels, http, rs, ready=False,
                          phase="Pending")
            else:
                yield pod(f"{app}-{h}-{k:05d}", ns, n[0], ip, n[1], labels, http, rs)
    yield service("kubernetes", "default", cluster_ip_spec("10.96.0.1", [
        {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]))
    for s, ns, app, h, count, members in layout:
        ip = f"10.96.{(s + 256) // 254 % 256}.{(s + 256) % 254 + 1}"
        extra = {}
        ports = [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}]
        if s % 10 == 0:
            extra["type"] = "NodePort"
            extra["externalTrafficPolicy"] = "Cluster"
            ports[0]["nodePort"] = 30000 + s // 10
        yield service(app, ns, cluster_ip_spec(ip, ports, {"app": app}, **extra))
    for s, ns, app, h, count, members in layout:
        eps = [endpoint(ip, f"{app}-{h}-{k:05d}", ns, n[0], n[3]) for k, n, ip in members if n]
        for j in range(0, max(1, len(eps)), 100):
            yield slice_(f"{app}-{j // 100:05x}", ns, app, eps[j:j + 100],
                         [{"name": "http", "port": 8080, "protocol": "TCP"}])
    for s, ns, app, h, count, members in layout:
        yield workload("Deployment", app, ns, count, {"app": app}, http)
        yield replicaset(app, h, ns, count, {"app": app}, http)


def _shape(o, leaves):
    """The structure of a JSON value with its strings and numbers left out (appended to leaves,
    ready to print): objects of one kind share a shape, hence one printed template."""
    t = type(o)
    if t is dict:
        return (dict,) + tuple([(k, _shape(v, leaves)) for k, v in o.items()])
    if t is list:
        return (list,) + tuple([_shape(v, leaves) for v in o])
    if t is str:
        leaves.append(encode_string(o))
        return str
    if t is int or t is float:
        leaves.append(repr(o))
        return int
    return o  # True, False, None: printed in the template


def _template(shape, level):
    """json.dumps(value, indent=4) for a shape, with %s where its leaves go."""
    if shape is str or shape is int:
        return "%s"
    if shape is True or shape is False or shape is None:
        return json.dumps(shape)
    inner, outer = "\n" + "    " * (level + 1), "\n" + "    " * level
    if shape[0] is dict:
        if len(shape) == 1:
            return "{}"
        parts = [encode_string(k).replace("%", "%%") + ": " + _template(v, level + 1)
                 for k, v in shape[1:]]
        return "{" + inner + ("," + inner).join(parts) + outer + "}"
    if len(shape) == 1:
        return "[]"
    items = [_template(v, level + 1) for v in shape[1:]]
    return "[" + inner + ("," + inner).join(items) + outer + "]"


def write_json_list(items, out):
    """Writes a v1/List of items exactly as json.dump(list, indent=4) would (kubectl -o json's
    layout), one item at a time, each through the template of its shape."""
    templates = {}
    out.write('{\n    "apiVersion": "v1",\n    "items": [')
    sep = "\n        "
    for item in items:
        leaves = []
        shape = _shape(item, leaves)
        t = templates.get(shape)
        if t is None:
            t = templates[shape] = _template(shape, 2)
        out.write(sep)
        out.write(t % tuple(leaves))
        sep = ",\n        "
    out.write('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n'
              '    }\n}\n')


class KubectlDumper(yaml.SafeDumper):
    """kubectl -o yaml prints every value in place: no anchors and aliases for shared ones."""

    def ignore_aliases(self, data):
        return True


def main():
    mode = sys.argv[1]
    if mode == "fixture":
        items, fmt = fixture(), sys.argv[2]
    else:
        items, fmt = bench(int(sys.argv[2]), int(sys.argv[3])), sys.argv[4]
    if fmt == "json":
        write_json_list(items, sys.stdout)
    else:
        doc = {"apiVersion": "v1", "items": list(items), "kind": "List",
               "metadata": {"resourceVersion": ""}}
        sys.stdout.write(yaml.dump(doc, Dumper=KubectlDumper, sort_keys=False, default_flow_style=False,
                                   width=4096))


if __name__ == "__main__":
    main()
