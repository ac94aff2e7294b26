#!/usr/bin/env python3
"""Structural and policy checks of the deployment files, against each other and against the services' own config.

Needs only Python 3 and PyYAML (Debian: python3-yaml). Called by .ci/check-deploy.sh with the rendered
overlays and the compose file as docker-compose resolved it:

    policy-check.py --root REPO --compose-config resolved.yml --raw-compose docker-compose.yml \
                    base=base.yaml local=local.yaml production=production.yaml

What it holds the files to: every object named and labelled; one name per service everywhere (Maven module,
spring.application.name, metrics tag, image, compose service, Deployment, container, Service, PDB); probes on
actuator, resources, a locked-down securityContext and a read-only root with /tmp on every service; every
ConfigMap and Secret reference resolvable (production takes its Secret from outside and must not carry one);
tokens never written as values; the autoscalers and the compose scale-out rules. Exits 1 on any finding.
"""
import argparse
import re
import sys
from pathlib import Path

import yaml

SERVICES = {
    # name: (port variable, needs from the ConfigMap, needs from the Secret)
    "gateway-service": ("VIDEOGEN_PORT", ["KAFKA_BOOTSTRAP_SERVERS", "S3_ENDPOINT", "VIDEOGEN_STATUS_URL",
                                          "VIDEOGEN_MEDIA_URL"], ["S3_ACCESS_KEY", "S3_SECRET_KEY", "VIDEOGEN_OWNER_KEY"]),
    "status-service": ("VIDEOGEN_STATUS_PORT", ["KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL"], []),
    "media-service": ("VIDEOGEN_MEDIA_PORT", ["REDIS_URL", "S3_ENDPOINT"], ["S3_ACCESS_KEY", "S3_SECRET_KEY"]),
    "generation-worker": ("VIDEOGEN_WORKER_PORT", ["KAFKA_BOOTSTRAP_SERVERS", "S3_ENDPOINT"],
                          ["S3_ACCESS_KEY", "S3_SECRET_KEY"]),
}
PROVIDER_SECRETS = ["HF_TOKEN", "FAL_KEY"]  # optional: without them the worker runs its demo generator
PASS_THROUGH = PROVIDER_SECRETS + ["VIDEOGEN_OWNER_KEY"]  # compose: taken from the shell, never a value
AUTOSCALED_ON_CPU = ["gateway-service", "status-service", "media-service"]
WORKER = "generation-worker"
NAMESPACE = "videogen"
PUBLIC = "gateway-service"
INTERNAL = ["status-service", "media-service", "generation-worker"]
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
NAMESPACED_NOT = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
                  "StorageClass", "PriorityClass"}


class Findings:
    def __init__(self):
        self.items = []
        self.checks = 0

    def check(self, ok, where, message):
        self.checks += 1
        if not ok:
            self.items.append(f"{where}: {message}")
        return ok


def load_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def name_of(obj):
    return (obj.get("metadata") or {}).get("name")


def parse_duration_seconds(text, default):
    m = re.fullmatch(r"\s*(\d+)\s*(ms|s|m)?\s*", str(text or ""))
    if not m:
        return default
    value, unit = int(m.group(1)), m.group(2) or "ms"
    return {"ms": value / 1000, "s": value, "m": value * 60}[unit]


def placeholder_default(value):
    """'${VIDEOGEN_PORT:8080}' -> '8080'; a plain value as it is."""
    m = re.fullmatch(r"\$\{[A-Z0-9_]+:(.*)\}", str(value))
    return m.group(1) if m else str(value)


def dig(obj, *keys):
    for k in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj


def service_facts(root, f):
    """What each module says about itself: port, names, shutdown timeout, consumer group."""
    facts = {}
    for svc, (port_var, _, _) in SERVICES.items():
        where = f"{svc} module"
        pom = root / svc / "pom.xml"
        if not f.check(pom.is_file(), where, f"Maven module {svc}/pom.xml missing"):
            continue
        artifact = re.search(r"</parent>.*?<artifactId>([^<]+)</artifactId>", pom.read_text(), re.S)
        f.check(artifact and artifact.group(1) == svc, where, "artifactId differs from the module directory")
        app_yml = root / svc / "src/main/resources/application.yml"
        if not f.check(app_yml.is_file(), where, "src/main/resources/application.yml missing"):
            continue
        cfg = yaml.safe_load(app_yml.read_text()) or {}
        f.check(dig(cfg, "spring", "application", "name") == svc, where, "spring.application.name differs")
        f.check(dig(cfg, "management", "metrics", "tags", "service") == svc, where,
                "management.metrics.tags.service differs (the metrics tag must be the service name)")
        port_expr = str(dig(cfg, "server", "port"))
        f.check(port_var in port_expr, where, f"server.port does not read {port_var}")
        exposure = str(dig(cfg, "management", "endpoints", "web", "exposure", "include") or "")
        f.check("prometheus" in exposure and "health" in exposure, where, "actuator health/prometheus not exposed")
        f.check(dig(cfg, "management", "endpoint", "health", "probes", "enabled") is True, where,
                "health probes (liveness/readiness groups) not enabled")
        f.check(dig(cfg, "server", "shutdown") == "graceful", where, "server.shutdown is not graceful")
        facts[svc] = {
            "port": int(placeholder_default(port_expr)),
            "shutdown": parse_duration_seconds(dig(cfg, "spring", "lifecycle", "timeout-per-shutdown-phase"), 30),
            "group": dig(cfg, "spring", "kafka", "consumer", "group-id"),
            "concurrency": placeholder_default(dig(cfg, "videogen", "worker", "concurrency") or 1),
        }
    return facts


def contract_topics(root, f):
    found = sorted(root.glob("generation-events/src/main/java/**/Topics.java"))
    if not found:
        print("policy: note: generation-events Topics.java not found; topic names not cross-checked", file=sys.stderr)
        return None, None
    text = found[0].read_text()
    names = {k: v for k, v in re.findall(r'static final String (\w+)\s*=\s*"([^"]+)"', text)
             if v.startswith("videogen.")}  # topics, not header names
    partitions = re.search(r"REQUESTED_PARTITIONS\s*=\s*(\d+)", text)
    return names, int(partitions.group(1)) if partitions else None


def containers_of(pod_spec):
    return (pod_spec.get("initContainers") or []) + (pod_spec.get("containers") or [])


def image_is_pinned(image):
    last = image.rsplit("/", 1)[-1]
    return "@sha256:" in image or (":" in last and not last.endswith(":latest"))


def check_pod_security(f, where, pod_spec, container, strict):
    pod_sc = pod_spec.get("securityContext") or {}
    sc = container.get("securityContext") or {}
    f.check(sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True, where, "runAsNonRoot is not true")
    f.check(sc.get("allowPrivilegeEscalation") is False, where, "allowPrivilegeEscalation is not false")
    f.check(not sc.get("privileged"), where, "privileged container")
    f.check("ALL" in (dig(sc, "capabilities", "drop") or []), where, "capabilities do not drop ALL")
    seccomp = dig(sc, "seccompProfile", "type") or dig(pod_sc, "seccompProfile", "type")
    f.check(seccomp in ("RuntimeDefault", "Localhost"), where, "no RuntimeDefault seccomp profile")
    res = container.get("resources") or {}
    f.check(dig(res, "requests", "cpu") and dig(res, "requests", "memory"), where, "cpu/memory requests missing")
    f.check(dig(res, "limits", "memory"), where, "memory limit missing")
    f.check(image_is_pinned(container.get("image", "")) or not strict, where,
            f"image {container.get('image')!r} has no tag or uses latest")
    f.check(pod_spec.get("automountServiceAccountToken") is False, where,
            "automountServiceAccountToken is not false (no pod here talks to the API server)")


def check_k8s(f, overlay, docs, facts, topics, partitions, root):
    is_base = overlay == "base"
    where0 = f"k8s/{overlay}"
    index = {}
    for obj in docs:
        kind, name = obj.get("kind"), name_of(obj)
        where = f"{where0}: {kind}/{name}"
        f.check(obj.get("apiVersion") and kind and name, where, "apiVersion, kind and metadata.name are required")
        if not name:
            continue
        f.check(bool(DNS1123.match(name)) and len(name) <= 253, where, "name is not a DNS-1123 name")
        ns = dig(obj, "metadata", "namespace")
        key = (kind, ns, name)
        f.check(key not in index, where, "defined twice")
        index[key] = obj
        labels = dig(obj, "metadata", "labels") or {}
        if kind != "Namespace":
            f.check(labels.get("app.kubernetes.io/part-of") == "videogen", where, "label app.kubernetes.io/part-of=videogen missing")
            f.check("app.kubernetes.io/name" in labels or kind in ("ConfigMap", "Secret"), where,
                    "label app.kubernetes.io/name missing")
        if not is_base and kind not in NAMESPACED_NOT:
            f.check(ns == NAMESPACE, where, f"namespace is {ns!r}, not {NAMESPACE!r}")

    def find(kind, name):
        return [o for (k, _, n), o in index.items() if k == kind and n == name]

    configmaps = {n: o for (k, _, n), o in index.items() if k == "ConfigMap"}
    secrets = {n: o for (k, _, n), o in index.items() if k == "Secret"}
    services = {n: o for (k, _, n), o in index.items() if k == "Service"}

    # Production takes every secret from the cluster's secret store; the repository holds no value of it.
    if overlay == "production":
        f.check(not secrets, where0, f"carries Secret objects {sorted(secrets)}: production secrets come from outside")
    for sname, sobj in secrets.items():
        data = {**(sobj.get("data") or {}), **(sobj.get("stringData") or {})}
        for token in PROVIDER_SECRETS:
            f.check(token not in data, f"{where0}: Secret/{sname}", f"{token} must never be written into the repository")

    # The settings the services need, and that the in-cluster URLs point at real Services.
    config = next((o for n, o in configmaps.items() if n.startswith("videogen-config")), None)
    if f.check(config is not None, where0, "ConfigMap videogen-config missing"):
        data = config.get("data") or {}
        for needed in sorted({k for _, cm, _ in SERVICES.values() for k in cm}):
            f.check(data.get(needed), f"{where0}: ConfigMap/videogen-config", f"{needed} missing or empty")
        for key, target in (("VIDEOGEN_STATUS_URL", "status-service"), ("VIDEOGEN_MEDIA_URL", "media-service")):
            url = data.get(key, "")
            port = facts.get(target, {}).get("port")
            f.check(url == f"http://{target}:{port}", f"{where0}: ConfigMap/videogen-config",
                    f"{key}={url!r}, expected http://{target}:{port} (its Service)")
        for token in PROVIDER_SECRETS + ["S3_SECRET_KEY", "S3_ACCESS_KEY", "VIDEOGEN_OWNER_KEY"]:
            f.check(token not in data, f"{where0}: ConfigMap/videogen-config", f"secret {token} in a ConfigMap")

    # Every workload: security, resources, resolvable references.
    for (kind, _, name), obj in index.items():
        pod = None
        if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
            pod = dig(obj, "spec", "template")
        elif kind == "Job":
            pod = dig(obj, "spec", "template")
        elif kind == "CronJob":
            pod = dig(obj, "spec", "jobTemplate", "spec", "template")
        if pod is None:
            continue
        spec = pod.get("spec") or {}
        volumes = {v.get("name"): v for v in spec.get("volumes") or []}
        for v in volumes.values():
            if "configMap" in v and not is_base:
                f.check(v["configMap"].get("name") in configmaps, f"{where0}: {kind}/{name}",
                        f"volume {v['name']} refers to a missing ConfigMap {v['configMap'].get('name')}")
            if "secret" in v and not is_base:
                f.check(v["secret"].get("secretName") in secrets or overlay == "production", f"{where0}: {kind}/{name}",
                        f"volume {v['name']} refers to a missing Secret")
        for c in containers_of(spec):
            where = f"{where0}: {kind}/{name} container {c.get('name')}"
            check_pod_security(f, where, spec, c, strict=not is_base)
            for m in c.get("volumeMounts") or []:
                f.check(m.get("name") in volumes or m.get("name") in [t["metadata"]["name"] for t in
                                                                     dig(obj, "spec", "volumeClaimTemplates") or []],
                        where, f"volumeMount {m.get('name')} has no volume")
            for env in c.get("env") or []:
                ref = env.get("valueFrom") or {}
                if env.get("name") in PROVIDER_SECRETS + ["S3_SECRET_KEY", "VIDEOGEN_OWNER_KEY"]:
                    f.check("value" not in env, where, f"{env.get('name')} given as a literal value")
                if "secretKeyRef" in ref:
                    r = ref["secretKeyRef"]
                    if env.get("name") in PROVIDER_SECRETS:
                        f.check(r.get("optional") is True, where,
                                f"{env['name']} must be optional (the worker falls back to the demo generator)")
                    if not is_base and overlay != "production":
                        s = secrets.get(r.get("name"))
                        f.check(s is not None, where, f"Secret {r.get('name')} missing for {env.get('name')}")
                        if s is not None and not r.get("optional"):
                            data = {**(s.get("data") or {}), **(s.get("stringData") or {})}
                            f.check(r.get("key") in data, where, f"Secret {r.get('name')} has no key {r.get('key')}")
                if "configMapKeyRef" in ref and not is_base:
                    r = ref["configMapKeyRef"]
                    cm = configmaps.get(r.get("name"))
                    f.check(cm is not None and r.get("key") in (cm.get("data") or {}), where,
                            f"ConfigMap key {r.get('name')}/{r.get('key')} missing")
            for src in c.get("envFrom") or []:
                if "configMapRef" in src and not is_base:
                    f.check(src["configMapRef"].get("name") in configmaps, where, "envFrom ConfigMap missing")

    # The four services: one name everywhere, probes, read-only root, graceful termination, metrics.
    for svc, (port_var, _, secret_keys) in SERVICES.items():
        fact = facts.get(svc, {})
        port = fact.get("port")
        deps = find("Deployment", svc)
        if not f.check(len(deps) == 1, where0, f"Deployment {svc} missing"):
            continue
        dep = deps[0]
        where = f"{where0}: Deployment/{svc}"
        pod_labels = dig(dep, "spec", "template", "metadata", "labels") or {}
        f.check(dig(dep, "metadata", "labels", "app.kubernetes.io/name") == svc, where, "label app.kubernetes.io/name differs")
        f.check(pod_labels.get("app.kubernetes.io/name") == svc, where, "pod label app.kubernetes.io/name differs")
        f.check(dig(dep, "spec", "selector", "matchLabels") == {"app.kubernetes.io/name": svc}, where,
                "selector must be exactly app.kubernetes.io/name")
        spec = dig(dep, "spec", "template", "spec") or {}
        cs = spec.get("containers") or []
        if not f.check(len(cs) == 1 and cs[0].get("name") == svc, where, "expected one container named after the service"):
            continue
        c = cs[0]
        image = c.get("image", "")
        repo = image.split("@")[0].rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image.split("@")[0]
        f.check(repo.endswith(f"/{svc}"), where, f"image {image!r} is not named after the service")
        ports = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}
        f.check(ports.get("http") == port, where, f"container port http={ports.get('http')}, the service listens on {port}")
        env = {e.get("name"): e for e in c.get("env") or []}
        f.check(str(dig(env, port_var, "value")) == str(port), where, f"{port_var} not set to {port}")
        for key in secret_keys:
            ref = dig(env, key, "valueFrom", "secretKeyRef")
            f.check(ref is not None and ref.get("key") == key, where, f"{key} not taken from a Secret")
        if svc == WORKER:
            for key in PROVIDER_SECRETS:
                f.check(dig(env, key, "valueFrom", "secretKeyRef") is not None, where, f"{key} not taken from a Secret")
        probes = {p: c.get(p) or {} for p in ("startupProbe", "livenessProbe", "readinessProbe")}
        for probe, expected in (("startupProbe", "/actuator/health/liveness"), ("livenessProbe", "/actuator/health/liveness"),
                                ("readinessProbe", "/actuator/health/readiness")):
            get = probes[probe].get("httpGet") or {}
            f.check(get.get("path") == expected and get.get("port") in ("http", port), where,
                    f"{probe} must GET {expected} on the http port")
        sc = c.get("securityContext") or {}
        f.check(sc.get("readOnlyRootFilesystem") is True, where, "readOnlyRootFilesystem is not true")
        tmp = [m for m in c.get("volumeMounts") or [] if m.get("mountPath") == "/tmp"]
        vols = {v.get("name"): v for v in spec.get("volumes") or []}
        f.check(len(tmp) == 1 and "emptyDir" in vols.get(tmp[0].get("name"), {}), where, "/tmp is not an emptyDir")
        grace = spec.get("terminationGracePeriodSeconds", 30)
        f.check(grace >= fact.get("shutdown", 0) + 10, where,
                f"terminationGracePeriodSeconds {grace} leaves no room for the {fact.get('shutdown')} s graceful shutdown")
        ann = dig(dep, "spec", "template", "metadata", "annotations") or {}
        f.check(ann.get("prometheus.io/scrape") == "true" and ann.get("prometheus.io/port") == str(port)
                and ann.get("prometheus.io/path") == "/actuator/prometheus", where, "prometheus scrape annotations wrong")
        f.check(spec.get("serviceAccountName") == svc and find("ServiceAccount", svc), where,
                "ServiceAccount named after the service missing")
        f.check(spec.get("enableServiceLinks") is False, where, "enableServiceLinks should be false")
        svc_obj = services.get(svc)
        if f.check(svc_obj is not None, where0, f"Service {svc} missing"):
            sel = dig(svc_obj, "spec", "selector") or {}
            f.check(sel and all(pod_labels.get(k) == v for k, v in sel.items()), f"{where0}: Service/{svc}",
                    "selector does not match the Deployment's pods")
            sports = dig(svc_obj, "spec", "ports") or []
            f.check(any(p.get("port") == port and p.get("targetPort") in ("http", port) for p in sports),
                    f"{where0}: Service/{svc}", f"does not expose port {port} to the http port")
            f.check(dig(svc_obj, "spec", "type") in (None, "ClusterIP"), f"{where0}: Service/{svc}",
                    "must be ClusterIP (the gateway is published by an Ingress, not a node port)")
        pdbs = find("PodDisruptionBudget", svc)
        if f.check(len(pdbs) == 1, where0, f"PodDisruptionBudget {svc} missing"):
            sel = dig(pdbs[0], "spec", "selector", "matchLabels") or {}
            f.check(sel and all(pod_labels.get(k) == v for k, v in sel.items()), f"{where0}: PodDisruptionBudget/{svc}",
                    "selector does not match the Deployment's pods")

    # Internal services trust the gateway's owner header: only the gateway (and Prometheus) may reach them.
    for svc in INTERNAL:
        where = f"{where0}: NetworkPolicy/{svc}"
        pols = find("NetworkPolicy", svc)
        if not f.check(len(pols) == 1, where0, f"NetworkPolicy {svc} missing: {svc} must not be reachable by any pod"):
            continue
        spec = pols[0].get("spec") or {}
        f.check(dig(spec, "podSelector", "matchLabels") == {"app.kubernetes.io/name": svc}, where, "selects other pods")
        f.check("Ingress" in (spec.get("policyTypes") or []), where, "does not restrict ingress")
        allowed = {PUBLIC, "prometheus"} if svc != WORKER else {"prometheus"}
        for rule in spec.get("ingress") or []:
            for peer in rule.get("from") or [{}]:
                who = dig(peer, "podSelector", "matchLabels", "app.kubernetes.io/name")
                f.check(who in allowed and ("ipBlock" not in peer), where, f"lets {peer or 'everyone'} in")

    if overlay == "production":
        for svc in AUTOSCALED_ON_CPU:
            hpa = find("HorizontalPodAutoscaler", svc)
            where = f"{where0}: HorizontalPodAutoscaler/{svc}"
            if not f.check(len(hpa) == 1, where0, f"HorizontalPodAutoscaler {svc} missing"):
                continue
            spec = hpa[0].get("spec") or {}
            f.check(dig(spec, "scaleTargetRef", "kind") == "Deployment" and dig(spec, "scaleTargetRef", "name") == svc,
                    where, "does not target its Deployment")
            f.check(any(dig(m, "resource", "name") == "cpu" for m in spec.get("metrics") or []), where, "no CPU metric")
            f.check((spec.get("minReplicas") or 1) >= 2, where, "minReplicas below 2: no redundancy")
        so = find("ScaledObject", WORKER)
        where = f"{where0}: ScaledObject/{WORKER}"
        if f.check(len(so) == 1, where0, f"KEDA ScaledObject {WORKER} missing"):
            spec = so[0].get("spec") or {}
            f.check(dig(spec, "scaleTargetRef", "name") == WORKER, where, "does not target the worker Deployment")
            kafka = [t for t in spec.get("triggers") or [] if t.get("type") == "kafka"]
            if f.check(len(kafka) == 1, where, "needs one kafka trigger"):
                md = kafka[0].get("metadata") or {}
                group = facts.get(WORKER, {}).get("group")
                f.check(md.get("consumerGroup") == group, where,
                        f"consumerGroup {md.get('consumerGroup')!r} is not the worker's group {group!r}")
                expected_topic = (topics or {}).get("REQUESTED", "videogen.generation.requested")
                f.check(md.get("topic") == expected_topic, where, f"topic must be {expected_topic}")
                bootstrap = dig(config or {}, "data", "KAFKA_BOOTSTRAP_SERVERS")
                f.check(md.get("bootstrapServers") == bootstrap, where,
                        "bootstrapServers differs from the services' KAFKA_BOOTSTRAP_SERVERS")
            f.check((spec.get("minReplicaCount") or 0) >= 1, where, "minReplicaCount must keep a worker running")
            # Each pod runs VIDEOGEN_WORKER_CONCURRENCY consumers; past partitions / concurrency pods, some idle.
            concurrency = int((dig(config or {}, "data", "VIDEOGEN_WORKER_CONCURRENCY")
                               or facts.get(WORKER, {}).get("concurrency") or 1))
            ceiling = (partitions or 12) // max(1, concurrency)
            f.check((spec.get("maxReplicaCount") or 100) <= ceiling, where,
                    f"maxReplicaCount above {ceiling} ({partitions or 12} partitions / {concurrency} consumers a pod): "
                    "the extra pods would idle")
        for svc in AUTOSCALED_ON_CPU + [WORKER]:
            for dep in find("Deployment", svc):
                f.check("replicas" not in (dep.get("spec") or {}), f"{where0}: Deployment/{svc}",
                        "spec.replicas set although an autoscaler owns it")
        ing = [o for (k, _, _), o in index.items() if k == "Ingress"]
        for o in ing:
            backends = [dig(p, "backend", "service", "name") for r in dig(o, "spec", "rules") or []
                        for p in dig(r, "http", "paths") or []]
            f.check(set(backends) == {PUBLIC}, f"{where0}: Ingress/{name_of(o)}", "only the gateway may be public")

    if overlay == "local":
        for infra in ("kafka", "redis", "minio"):
            sts = find("StatefulSet", infra)
            if f.check(len(sts) == 1, where0, f"StatefulSet {infra} missing"):
                f.check(dig(sts[0], "spec", "volumeClaimTemplates"), f"{where0}: StatefulSet/{infra}",
                        "no PersistentVolumeClaim template: data would not survive a restart")
                f.check(infra in services, where0, f"Service {infra} missing")
        jobs = [o for (k, _, _), o in index.items() if k == "Job"]
        f.check(jobs, where0, "no init Job for topics and buckets")
        scripts = next((o for n, o in configmaps.items() if n.startswith("videogen-init-scripts")), None)
        if f.check(scripts is not None, where0, "ConfigMap videogen-init-scripts missing"):
            f.check(set((scripts.get("data") or {})) == {"create-topics.sh", "create-buckets.sh"},
                    f"{where0}: ConfigMap/videogen-init-scripts", "must hold create-topics.sh and create-buckets.sh")
    return index


def check_init_scripts(f, root, topics, partitions):
    init = root / "k8s/overlays/local/init"
    where = "k8s/overlays/local/init/create-topics.sh"
    text = (init / "create-topics.sh").read_text() if (init / "create-topics.sh").is_file() else ""
    if not f.check(text, where, "missing"):
        return
    created = re.findall(r"^create\s+(\S+)", text, re.M)
    expected = sorted((topics or {}).values()) or sorted(
        ["videogen.generation.requested", "videogen.generation.events", "videogen.generation.requested-dlt",
         "videogen.generation.commands"])
    f.check(sorted(created) == expected, where, f"creates {sorted(created)}, the contract has {expected}")
    if partitions:
        f.check(f"VIDEOGEN_TOPIC_PARTITIONS:-{partitions}" in text, where, f"default partitions differ from {partitions}")
    f.check(re.search(r"^create videogen\.generation\.commands .*cleanup\.policy=compact", text, re.M), where,
            "the commands topic must be compacted")
    f.check(re.search(r"^create videogen\.generation\.events .*retention\.ms=", text, re.M), where,
            "the events topic needs its long retention")
    buckets = (init / "create-buckets.sh").read_text() if (init / "create-buckets.sh").is_file() else ""
    f.check("uploads videos" in buckets, "k8s/overlays/local/init/create-buckets.sh", "must create uploads and videos")


def check_compose(f, root, resolved_path, raw_path, facts):
    resolved = (load_docs(resolved_path) or [{}])[0]
    raw = (load_docs(raw_path) or [{}])[0]
    services = resolved.get("services") or {}
    raw_services = raw.get("services") or {}
    where0 = "docker-compose.yml"
    f.check("version" not in raw, where0, "no `version:` key (Compose Specification)")
    infra_images = {"kafka": "apache/kafka:", "redis": "redis:", "minio": "minio/minio:",
                    "kafka-init": "apache/kafka:", "minio-init": "minio/mc:"}
    for name, prefix in infra_images.items():
        s = services.get(name)
        if f.check(s is not None, where0, f"service {name} missing"):
            f.check(str(s.get("image", "")).startswith(prefix) and image_is_pinned(s.get("image", "")),
                    f"{where0}: {name}", f"image must be the official {prefix}<pinned tag>")
    for name in ("kafka-init", "minio-init"):
        s = services.get(name) or {}
        f.check(str(s.get("restart", "no")) == "no", f"{where0}: {name}", "an init step must not restart")
        for v in s.get("volumes") or []:
            src = v.get("source") if isinstance(v, dict) else str(v).split(":")[0]
            f.check(Path(src).exists(), f"{where0}: {name}", f"mounted script {src} does not exist")
    for name in ("kafka", "redis", "minio"):
        s = services.get(name) or {}
        vols = s.get("volumes") or []
        f.check(any((v.get("type") == "volume") if isinstance(v, dict) else True for v in vols),
                f"{where0}: {name}", "no named volume for its data")
    for name, s in services.items():
        where = f"{where0}: {name}"
        f.check("container_name" not in s, where, "container_name prevents scaling and parallel stacks")
        long_running = name not in ("kafka-init", "minio-init")
        if long_running:
            f.check(dig(s, "healthcheck", "test"), where, "no healthcheck")
            f.check(s.get("mem_limit") or dig(s, "deploy", "resources", "limits", "memory"), where, "no memory limit")
        for dep, cond in (s.get("depends_on") or {}).items():
            condition = (cond or {}).get("condition")
            f.check(condition in ("service_healthy", "service_completed_successfully"), where,
                    f"depends_on {dep} without a health condition")
            if condition == "service_healthy":
                f.check(dig(services.get(dep, {}), "healthcheck", "test"), where, f"depends on {dep}, which has no healthcheck")
        for p in s.get("ports") or []:
            published = p.get("published") if isinstance(p, dict) else str(p)
            host_ip = p.get("host_ip") if isinstance(p, dict) else (str(p).split(":")[0] if str(p).count(":") == 2 else None)
            f.check(name == PUBLIC or host_ip == "127.0.0.1", where,
                    f"publishes {published} on every interface; only {PUBLIC} is public")
    for svc, (port_var, cm_keys, secret_keys) in SERVICES.items():
        s = services.get(svc)
        where = f"{where0}: {svc}"
        if not f.check(s is not None, where0, f"service {svc} missing"):
            continue
        port = facts.get(svc, {}).get("port")
        build = s.get("build") or {}
        f.check(str(build.get("dockerfile", "")).endswith("deploy/Dockerfile"), where, "not built with deploy/Dockerfile")
        f.check(dig(build, "args", "MODULE") == svc, where, "build arg MODULE differs from the service name")
        f.check(str(s.get("image", "")).split(":")[0] == f"videogen/{svc}", where, "image is not videogen/<service>")
        env = s.get("environment") or {}
        f.check(str(env.get(port_var)) == str(port), where, f"{port_var} is not {port}")
        for key in cm_keys + secret_keys:
            if key == "VIDEOGEN_OWNER_KEY":
                continue
            f.check(key in env, where, f"{key} not set")
        f.check(str(port) in " ".join(map(str, dig(s, "healthcheck", "test") or [])), where, "healthcheck on another port")
        f.check(s.get("read_only") is True and "/tmp" in " ".join(map(str, s.get("tmpfs") or [])), where,
                "root file system should be read-only with a /tmp tmpfs")
        f.check(dig(s, "depends_on") and all((c or {}).get("condition") for c in s["depends_on"].values()), where,
                "depends_on without conditions")
    worker = services.get(WORKER) or {}
    f.check(not worker.get("ports"), f"{where0}: {WORKER}", "publishes host ports: --scale would collide")
    raw_env = {n: (s or {}).get("environment") or {} for n, s in raw_services.items()}
    for svc, env in raw_env.items():
        if isinstance(env, list):
            env = dict(e.split("=", 1) if "=" in e else (e, None) for e in env)
        for key in PASS_THROUGH:
            if key in env:
                f.check(env[key] is None, f"{where0}: {svc}",
                        f"{key} must pass through from the shell (`{key}:` with no value), never be written here")
    f.check("HF_TOKEN" in (raw_env.get(WORKER) or {}), f"{where0}: {WORKER}", "HF_TOKEN is not passed to the worker")


def check_dockerfile(f, root):
    path = root / "deploy/Dockerfile"
    where = "deploy/Dockerfile"
    if not f.check(path.is_file(), where, "missing"):
        return
    text = path.read_text()
    f.check(re.search(r"^FROM maven:\S*temurin-17\S* AS build", text, re.M), where, "build stage is not maven + temurin 17")
    f.check(re.search(r"\./mvnw .*package .*-DskipTests .*-pl \"?\$MODULE\"? -am", text), where,
            "does not build the module with ./mvnw package -DskipTests -pl $MODULE -am")
    f.check("-Djarmode=tools" in text and "--layers" in text and "--launcher" in text, where,
            "no Spring Boot layered extraction")
    f.check(re.search(r"^FROM eclipse-temurin:17-jre", text, re.M), where, "runtime is not eclipse-temurin:17-jre")
    user = re.findall(r"^USER\s+(\S+)", text, re.M)
    f.check(user and re.match(r"^[1-9]\d*(:\d+)?$", user[-1]), where, "last USER must be a numeric non-root uid")
    f.check((root / "deploy/healthcheck.sh").is_file(), where, "deploy/healthcheck.sh missing")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--compose-config")
    ap.add_argument("--raw-compose")
    ap.add_argument("rendered", nargs="*", help="overlay=rendered.yaml")
    args = ap.parse_args()
    root = Path(args.root).resolve()
    f = Findings()
    facts = service_facts(root, f)
    topics, partitions = contract_topics(root, f)
    check_dockerfile(f, root)
    check_init_scripts(f, root, topics, partitions)
    for item in args.rendered:
        overlay, _, path = item.partition("=")
        check_k8s(f, overlay, load_docs(path), facts, topics, partitions, root)
    if args.compose_config:
        check_compose(f, root, args.compose_config, args.raw_compose, facts)
    for item in f.items:
        print(f"  {item}", file=sys.stderr)
    if f.items:
        print(f"policy: {len(f.items)} of {f.checks} checks failed", file=sys.stderr)
        return 1
    print(f"policy: {f.checks} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
