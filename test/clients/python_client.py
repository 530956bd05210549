"""The official Kubernetes Python client (Debian's python3-kubernetes 22.6.0), used as a script
or an operator uses it. Prints one JSON object of what it saw; test/scenarios/pythonClient.ts
checks it. Each step is what the client library does by itself: nothing here shapes a request."""
import json
import warnings

from kubernetes import client, config, dynamic, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import stream

warnings.filterwarnings("ignore")  # urllib3's InsecureRequestWarning: the kubeconfig skips TLS verification
config.load_kube_config()
core = client.CoreV1Api()
apps = client.AppsV1Api()
seen = {}

seen["nodes"] = sorted(n.metadata.name for n in core.list_node().items)

try:
    core.read_namespaced_config_map("nope", "default")
except ApiException as err:
    seen["missing"] = {"status": err.status, "body": json.loads(err.body)}

start = core.list_namespaced_config_map("default").metadata.resource_version
created = core.create_namespaced_config_map("default", {"metadata": {"name": "py"}, "data": {"v": "1"}})
core.replace_namespaced_config_map("py", "default", {"metadata": {"name": "py", "resourceVersion": created.metadata.resource_version}, "data": {"v": "2"}})
try:
    core.replace_namespaced_config_map("py", "default", {"metadata": {"name": "py", "resourceVersion": created.metadata.resource_version}, "data": {"v": "3"}})
except ApiException as err:
    seen["stale"] = {"status": err.status, "reason": json.loads(err.body)["reason"]}
core.patch_namespaced_config_map("py", "default", {"data": {"extra": "yes"}})
core.delete_namespaced_config_map("py", "default")

# The client asks for `watch=True` (Python's spelling of a boolean), from the list's revision.
events = []
for event in watch.Watch().stream(core.list_namespaced_config_map, "default", resource_version=start, timeout_seconds=30):
    if event["object"].metadata.name != "py":
        continue
    events.append(f'{event["type"]} {",".join(sorted((event["object"].data or {}).keys()))}')
    if event["type"] == "DELETED":
        break
seen["events"] = events

# The dynamic client finds ConfigMaps through discovery, as kubectl does.
dyn = dynamic.DynamicClient(client.ApiClient())
configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
seen["dynamic"] = sorted(c.metadata.name for c in configmaps.get(namespace="kube-system").items)

apps.create_namespaced_deployment("default", {
    "metadata": {"name": "pyweb"},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "pyweb"}},
             "template": {"metadata": {"labels": {"app": "pyweb"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}},
})
pod = None
for event in watch.Watch().stream(core.list_namespaced_pod, "default", label_selector="app=pyweb", timeout_seconds=120):
    if event["object"].status.phase == "Running":
        pod = event["object"].metadata.name
        break
seen["pod"] = pod
if pod:
    seen["log"] = core.read_namespaced_pod_log(pod, "default", container="nginx")
    seen["exec"] = stream(core.connect_get_namespaced_pod_exec, pod, "default", command=["sh", "-c", "echo hi from $HOSTNAME"],
                          stderr=True, stdin=False, stdout=True, tty=False)

print(json.dumps(seen))
