import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { kubectl, startEtcd, startKubelabApiserver, startKubelabStore, tempDir, type ApiserverProcess, type ServerProcess } from '@kubelab/testkit';

/**
 * The real kubectl against `kubelab apiserver`, asserting what a person sees: tables, messages,
 * errors. The same suite runs with the kubelab store and with a real etcd 3.4 underneath.
 */
/**
 * The scenario manifests live in ../shared beside the repository (as in CI); a clone on its own
 * uses the copy in test/fixtures.
 */
const SHARED_MANIFESTS = path.resolve(__dirname, '../../../shared/scenarios/manifests');
const scenarioManifest = (name: string) => (fs.existsSync(path.join(SHARED_MANIFESTS, name)) ? path.join(SHARED_MANIFESTS, name) : path.resolve(__dirname, '../fixtures', name));

/** The rows of a kubectl table as arrays of cells (columns split on runs of 2+ spaces). */
function table(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));
}

describe.each([
  ['the kubelab store', () => startKubelabStore()],
  ['a real etcd 3.4', () => startEtcd()],
])('kubectl against the apiserver on %s', (_backend, startBackend) => {
  let backend: ServerProcess;
  let apiserver: ApiserverProcess;
  const k = (args: string[], input?: string) => kubectl(apiserver.kubeconfig, args, { input });
  const ok = (args: string[], input?: string) => {
    const r = k(args, input);
    expect(r.stderr, `kubectl ${args.join(' ')}`).toBe('');
    expect(r.status, `kubectl ${args.join(' ')}`).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    backend = await startBackend();
    apiserver = await startKubelabApiserver(backend.endpoint, { args: ['--bookmark-interval', '500'] });
  });

  afterAll(async () => {
    await apiserver?.stop();
    await backend?.stop();
  });

  it('a fresh cluster has the four namespaces, the kubernetes and kube-dns Services and the system PriorityClasses', () => {
    const ns = table(ok(['get', 'namespaces']));
    expect(ns[0]).toEqual(['NAME', 'STATUS', 'AGE']);
    expect(ns.slice(1).map((row) => row.slice(0, 2))).toEqual([
      ['default', 'Active'],
      ['kube-node-lease', 'Active'],
      ['kube-public', 'Active'],
      ['kube-system', 'Active'],
    ]);
    const svc = table(ok(['get', 'services']));
    expect(svc[0]).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    // The first address of the service range (the lab's 127.96.0.0/16 by default), as kubeadm's 10.96.0.1.
    expect(svc[1]!.slice(0, 5)).toEqual(['kubernetes', 'ClusterIP', '127.96.0.1', '<none>', '443/TCP']);
    // The cluster DNS Service on the tenth address, as kubeadm's CoreDNS add-on has it.
    const dns = table(ok(['get', 'services', '-n', 'kube-system', '-o', 'wide']));
    expect(dns[1]!.slice(0, 5)).toEqual(['kube-dns', 'ClusterIP', '127.96.0.10', '<none>', '53/UDP,53/TCP,9153/TCP']);
    expect(dns[1]![6]).toBe('k8s-app=kube-dns');
    const bad = k(['create', 'service', 'clusterip', 'elsewhere', '--clusterip', '10.96.0.20', '--tcp', '80:80']);
    expect(bad.stderr).toContain('spec.clusterIPs: Invalid value: []string{"10.96.0.20"}: failed to allocate IP 10.96.0.20: the provided IP (10.96.0.20) is not in the valid range. The range of valid IPs is 127.96.0.0/16');
    // The Service's endpoints are the apiserver itself.
    const port = new URL(apiserver.url).port;
    expect(table(ok(['get', 'endpoints', 'kubernetes']))[1]!.slice(0, 2)).toEqual(['kubernetes', `127.0.0.1:${port}`]);
    expect(table(ok(['get', 'endpointslices', 'kubernetes']))[1]!.slice(0, 4)).toEqual(['kubernetes', 'IPv4', port, '127.0.0.1']);
    expect(table(ok(['get', 'priorityclasses'])).map((row) => row.slice(0, 3))).toEqual([
      ['NAME', 'VALUE', 'GLOBAL-DEFAULT'],
      ['system-cluster-critical', '2000000000', 'false'],
      ['system-node-critical', '2000001000', 'false'],
    ]);
    expect(ok(['version'])).toMatch(/Server Version: v1\.32\.0-kubelab/);
  });

  it('api-resources lists the served kinds with short names and groups', () => {
    const out = ok(['api-resources']);
    expect(out).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(out).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(out).toMatch(/^horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler$/m);
    expect(out).toMatch(/^nodes\s+no\s+v1\s+false\s+Node$/m);
  });

  it('apply -f a multi-document scenario manifest creates each object, and again says unchanged', () => {
    const file = scenarioManifest('web-nodeport.yaml');
    const first = ok(['apply', '-f', file]);
    expect(first).toMatch(/deployment\.apps\/\S+ created/);
    expect(first).toMatch(/service\/\S+ created/);
    const again = ok(['apply', '-f', file]);
    expect(again).toMatch(/deployment\.apps\/\S+ unchanged/);
    expect(again).toMatch(/service\/\S+ unchanged/);
    const docs = fs.readFileSync(file, 'utf8');
    const nodePort = /nodePort:\s*(\d+)/.exec(docs)?.[1];
    if (nodePort) expect(ok(['get', 'services'])).toContain(`:${nodePort}/TCP`);
  });

  it('get shows deployment columns, -o wide, jsonpath, custom-columns and yaml', () => {
    ok(['apply', '-f', '-'], DEPLOYMENT('shop', 3));
    const rows = table(ok(['get', 'deployment', 'shop']));
    expect(rows[0]).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(rows[1]!.slice(0, 4)).toEqual(['shop', '0/3', '0', '0']);
    const wide = table(ok(['get', 'deployment', 'shop', '-o', 'wide']));
    expect(wide[0]).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(wide[1]!.slice(5)).toEqual(['hello', 'blux2/hello-server:1.8', 'app=shop']);
    expect(ok(['get', 'deploy', 'shop', '-o', 'jsonpath={.spec.replicas} {.spec.strategy.type} {.metadata.generation}'])).toBe('3 RollingUpdate 1');
    expect(table(ok(['get', 'deploy', '-o', 'custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[0].image', '--sort-by=.metadata.name']))).toContainEqual(['shop', 'blux2/hello-server:1.8']);
    const yaml = ok(['get', 'deploy', 'shop', '-o', 'yaml']);
    expect(yaml).toMatch(/^  resourceVersion: "\d+"$/m);
    expect(yaml).toMatch(/^  uid: [0-9a-f-]{36}$/m);
    expect(yaml).toMatch(/^  creationTimestamp: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"$/m);
  });

  it('scale, label, annotate and the three kinds of patch change what get shows', () => {
    ok(['apply', '-f', '-'], DEPLOYMENT('cart', 1));
    expect(ok(['scale', 'deployment', 'cart', '--replicas=4'])).toBe('deployment.apps/cart scaled\n');
    expect(ok(['get', 'deploy', 'cart', '-o', 'jsonpath={.spec.replicas}'])).toBe('4');
    expect(ok(['label', 'deployment', 'cart', 'tier=backend'])).toBe('deployment.apps/cart labeled\n');
    expect(ok(['get', 'deploy', '-l', 'tier=backend', '-o', 'name'])).toBe('deployment.apps/cart\n');
    expect(ok(['annotate', 'deployment', 'cart', 'owner=team-a'])).toBe('deployment.apps/cart annotated\n');
    expect(ok(['patch', 'deployment', 'cart', '--type=merge', '-p', '{"spec":{"replicas":2}}'])).toBe('deployment.apps/cart patched\n');
    expect(ok(['patch', 'deployment', 'cart', '--type=json', '-p', '[{"op":"replace","path":"/spec/minReadySeconds","value":5}]'])).toBe('deployment.apps/cart patched\n');
    expect(ok(['patch', 'deployment', 'cart', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"hello","image":"blux2/hello-server:1.7"}]}}}}'])).toBe('deployment.apps/cart patched\n');
    // Each change of the spec counts, and so does the annotation (a Deployment's annotations go to its ReplicaSets); the label does not.
    expect(ok(['get', 'deploy', 'cart', '-o', 'jsonpath={.spec.replicas} {.spec.minReadySeconds} {.spec.template.spec.containers[0].image} {.metadata.generation}'])).toBe('2 5 blux2/hello-server:1.7 6');
    expect(ok(['patch', 'deployment', 'cart', '--type=merge', '-p', '{"spec":{"replicas":2}}'])).toBe('deployment.apps/cart patched (no change)\n');
    expect(ok(['set', 'image', 'deployment/cart', 'hello=blux2/hello-server:1.8'])).toBe('deployment.apps/cart image updated\n');
  });

  it('replace keeps the generation of an unchanged spec, defaults what the manifest leaves out, and keeps a Service\'s addresses', () => {
    // Created, not applied: apply's last-applied annotation, which replace drops, would count (as on Kubernetes).
    ok(['create', '-f', '-'], DEPLOYMENT('same', 2));
    ok(['replace', '-f', '-'], DEPLOYMENT('same', 2));
    expect(ok(['get', 'deploy', 'same', '-o', 'jsonpath={.metadata.generation}'])).toBe('1');
    ok(['replace', '-f', '-'], DEPLOYMENT('same', 2).replace('  replicas: 2\n', ''));
    expect(ok(['get', 'deploy', 'same', '-o', 'jsonpath={.spec.replicas} {.metadata.generation}'])).toBe('1 2');
    // --validate=false (fieldValidation=Ignore): an unknown field is dropped, not stored.
    ok(['replace', '--validate=false', '-f', '-'], DEPLOYMENT('same', 2).replace('  replicas: 2\n', '  replicas: 2\n  replicaz: 3\n'));
    expect(ok(['get', 'deploy', 'same', '-o', 'json'])).not.toContain('replicaz');
    ok(['apply', '-f', '-'], SERVICE('kept', 30444));
    const before = ok(['get', 'svc', 'kept', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}']);
    ok(['replace', '-f', '-'], SERVICE('kept', 30444).replace('    nodePort: 30444\n', ''));
    expect(ok(['get', 'svc', 'kept', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}'])).toBe(before);
    const moved = k(['patch', 'svc', 'kept', '-p', '{"spec":{"clusterIP":"127.96.0.200"}}']);
    expect(moved.stderr).toBe('The Service "kept" is invalid: spec.clusterIPs[0]: Invalid value: []string{"127.96.0.200"}: may not change once set\n');
    const huge = k(['apply', '-f', '-'], DEPLOYMENT('huge', 3000000000));
    expect(huge.stderr).toBe('Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32\n');
  });

  it('edit with a scripted EDITOR saves the change', () => {
    ok(['apply', '-f', '-'], DEPLOYMENT('editme', 1));
    const editor = path.join(tempDir('editor'), 'edit.sh');
    fs.writeFileSync(editor, '#!/bin/sh\nsed -i "s/replicas: 1/replicas: 6/" "$1"\n', { mode: 0o755 });
    const r = kubectl(apiserver.kubeconfig, ['edit', 'deployment', 'editme'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    expect(r.stdout).toBe('deployment.apps/editme edited\n');
    expect(ok(['get', 'deploy', 'editme', '-o', 'jsonpath={.spec.replicas}'])).toBe('6');
  });

  it('diff shows what apply would change, through a server-side dry run that changes nothing', () => {
    ok(['apply', '-f', '-'], DEPLOYMENT('diffme', 1));
    const r = k(['diff', '-f', '-'], DEPLOYMENT('diffme', 2));
    expect(r.status).toBe(1); // kubectl diff exits 1 when there are differences
    expect(r.stdout).toMatch(/^-  replicas: 1$/m);
    expect(r.stdout).toMatch(/^\+  replicas: 2$/m);
    expect(ok(['get', 'deploy', 'diffme', '-o', 'jsonpath={.spec.replicas}'])).toBe('1');
  });

  it('apply --server-side creates, changes, drops the fields the manifest no longer sets, and refuses fields another manager set', async () => {
    const manifest = (replicas: number | undefined, env: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ssa
  labels:
    app: ssa
spec:
${replicas === undefined ? '' : `  replicas: ${replicas}\n`}  selector:
    matchLabels:
      app: ssa
  template:
    metadata:
      labels:
        app: ssa
    spec:
      containers:
      - name: web
        image: nginx:1.27
${env ? '        env:\n        - name: MODE\n          value: blue\n' : ''}`;
    const view = () => ok(['get', 'deploy', 'ssa', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].env[*].name}']);
    expect(ok(['apply', '--server-side', '-f', '-'], manifest(2, true))).toBe('deployment.apps/ssa serverside-applied\n');
    expect(view()).toBe('2 MODE');
    const managed = JSON.parse(ok(['get', 'deploy', 'ssa', '-o', 'json', '--show-managed-fields'])) as { metadata: { managedFields: Array<Record<string, unknown>> } };
    expect(managed.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1' }),
    ]);
    expect(managed.metadata.managedFields[0]!.fieldsV1).toMatchObject({ 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:env': { 'k:{"name":"MODE"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } } } } });

    // The env var left the manifest: it leaves the object.
    ok(['apply', '--server-side', '-f', '-'], manifest(2, false));
    expect(view()).toBe('2 ');

    // Another manager with another replica count: a conflict, kubectl's advice, nothing changed.
    const other = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa\nspec:\n  replicas: 5\n`;
    const refused = k(['apply', '--server-side', '--field-manager=autoscaler', '-f', '-'], other);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('error: Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas\nPlease review the fields above--they currently have other managers.');
    expect(view()).toBe('2 ');
    // --force-conflicts takes the field; then kubectl's own apply of another count conflicts with it.
    ok(['apply', '--server-side', '--field-manager=autoscaler', '--force-conflicts', '-f', '-'], other);
    expect(view()).toBe('5 ');
    expect(k(['apply', '--server-side', '-f', '-'], manifest(3, false)).stderr).toContain('Apply failed with 1 conflict: conflict with "autoscaler": .spec.replicas');
    // A manifest without replicas shares nothing with the autoscaler: it applies, and 5 stays.
    ok(['apply', '--server-side', '-f', '-'], manifest(undefined, false));
    expect(view()).toBe('5 ');
    // The same manifest again changes nothing: nothing is written.
    const version = () => ok(['get', 'deploy', 'ssa', '-o', 'jsonpath={.metadata.resourceVersion}']);
    const before = version();
    ok(['apply', '--server-side', '-f', '-'], manifest(undefined, false));
    expect(version()).toBe(before);
    // Entries are listed as Kubernetes sorts them: by operation, then time (whole seconds, so the
    // text sorts), then manager. Both apply here; which came in a later second decides.
    const entries = () => (JSON.parse(ok(['get', 'deploy', 'ssa', '-o', 'json', '--show-managed-fields'])) as { metadata: { managedFields?: Array<{ manager: string; operation: string; time: string }> } }).metadata.managedFields;
    const managers = () => entries()?.map((m) => m.manager);
    const [first, second] = entries()!;
    expect([first!.manager, second!.manager].sort()).toEqual(['autoscaler', 'kubectl']);
    expect(`${first!.time} ${first!.manager}` < `${second!.time} ${second!.manager}`).toBe(true);
    const listed = managers();
    // A replace without managedFields keeps them; `[{}]` clears them, as on Kubernetes.
    ok(['replace', '-f', '-'], ok(['get', 'deploy', 'ssa', '-o', 'json']));
    expect(managers()).toEqual(listed);
    const cleared = JSON.parse(ok(['get', 'deploy', 'ssa', '-o', 'json'])) as { metadata: Record<string, unknown> };
    cleared.metadata.managedFields = [{}];
    ok(['replace', '-f', '-'], JSON.stringify(cleared));
    expect(managers()).toBeUndefined();
    // A strategic merge patch directive is no part of an apply configuration.
    const directive = k(['apply', '--server-side', '-f', '-'], manifest(2, false).replace('      - name: web\n', '      - name: web\n        $patch: delete\n'));
    expect(directive.stderr).toContain('unknown field "spec.template.spec.containers[0].$patch"');
    // fieldManager is required (kubectl always sends one), as Kubernetes' PatchOptions validation says.
    const raw = await fetch(`${apiserver.url}/apis/apps/v1/namespaces/default/deployments/ssa`, { method: 'PATCH', headers: { 'content-type': 'application/apply-patch+yaml' }, body: '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"ssa"}}' });
    expect(raw.status).toBe(422);
    expect(((await raw.json()) as { message: string }).message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    // An apply configuration may be YAML (what curl users send), not only JSON (what kubectl sends).
    const yamlApply = await fetch(`${apiserver.url}/api/v1/namespaces/default/configmaps/from-yaml?fieldManager=curl`, { method: 'PATCH', headers: { 'content-type': 'application/apply-patch+yaml' }, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  greeting: hello\n' });
    expect(yamlApply.status).toBe(201);
    expect(ok(['get', 'configmap', 'from-yaml', '-o', 'jsonpath={.data.greeting}'])).toBe('hello');
    // managedFields are the server's: an apply configuration with them, even empty, is refused;
    // so is one naming the uid of an object that does not exist.
    const applyRaw = async (name: string, body: object) => {
      const response = await fetch(`${apiserver.url}/api/v1/namespaces/default/configmaps/${name}?fieldManager=curl`, { method: 'PATCH', headers: { 'content-type': 'application/apply-patch+yaml' }, body: JSON.stringify(body) });
      const status = (await response.json()) as { reason: string; message: string };
      return `${response.status} ${status.reason} ${status.message}`;
    };
    expect(await applyRaw('from-yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-yaml', managedFields: [] } })).toBe('400 BadRequest metadata.managedFields must be nil');
    expect(await applyRaw('ghost', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ghost', uid: 'c0ffee' } })).toBe('409 Conflict Operation cannot be fulfilled on configmaps "ghost": uid mismatch: the provided object specified uid c0ffee, and no existing object was found');
    // A PUT may write managedFields, but only as Kubernetes' types hold them: a number is no string to Go's decoder.
    const stored = JSON.parse(ok(['get', 'configmap', 'from-yaml', '-o', 'json', '--show-managed-fields'])) as { metadata: { managedFields: Array<Record<string, unknown>> } };
    stored.metadata.managedFields[0]!.subresource = 5;
    const put = await fetch(`${apiserver.url}/api/v1/namespaces/default/configmaps/from-yaml`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(stored) });
    expect(put.status).toBe(400);
    expect(((await put.json()) as { message: string }).message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ManagedFieldsEntry.metadata.managedFields.subresource of type string',
    );
    // A Service's ports are keyed by port and protocol: one port on UDP and TCP survives re-applies.
    const dns = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: ssa-dns\nspec:\n  selector: {app: dns}\n  ports:\n  - {name: dns, port: 53, protocol: UDP}\n  - {name: dns-tcp, port: 53, protocol: TCP}\n';
    ok(['apply', '--server-side', '-f', '-'], dns);
    ok(['apply', '--server-side', '-f', '-'], dns);
    expect(ok(['get', 'service', 'ssa-dns', '-o', 'jsonpath={.spec.ports[*].name} {.spec.ports[*].protocol}'])).toBe('dns dns-tcp UDP TCP');
  });

  it('errors read as Kubernetes words them', () => {
    expect(k(['get', 'pod', 'missing']).stderr).toBe('Error from server (NotFound): pods "missing" not found\n');
    expect(k(['get', 'deployment', 'missing']).stderr).toBe('Error from server (NotFound): deployments.apps "missing" not found\n');
    const invalid = k(['apply', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: Bad_Name\nspec:\n  selector:\n    matchLabels: {app: x}\n  template:\n    metadata:\n      labels: {app: x}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n');
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain('The Deployment "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters');
    const mismatch = k(['apply', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mismatch\nspec:\n  selector:\n    matchLabels: {app: x}\n  template:\n    metadata:\n      labels: {app: other}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n');
    expect(mismatch.stderr).toContain('The Deployment "mismatch" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`');
    ok(['apply', '-f', '-'], SERVICE('taken-a', 30123));
    const taken = k(['apply', '-f', '-'], SERVICE('taken-b', 30123));
    expect(taken.stderr).toContain('The Service "taken-b" is invalid: spec.ports[0].nodePort: Invalid value: 30123: provided port is already allocated');
    const outOfRange = k(['apply', '-f', '-'], SERVICE('far', 80));
    expect(outOfRange.stderr).toContain('spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767');
    expect(k(['get', 'nope']).stderr).toBe('error: the server doesn\'t have a resource type "nope"\n');
    expect(k(['get', 'pods', '--field-selector', 'spec.foo=x']).stderr).toBe('Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.foo=x": field label not supported: spec.foo\n');
    expect(k(['get', 'pods', '-l', 'app in (a']).stderr).toContain("unable to parse requirement: found '', expected: ',' or ')'");
    const typo = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: typo}\nspec:\n  replicaz: 2\n  selector: {matchLabels: {app: t}}\n  template:\n    metadata: {labels: {app: t}}\n    spec:\n      containers:\n      - {name: c, image: nginx, imagez: x}\n';
    const strict = k(['apply', '-f', '-'], typo);
    expect(strict.stderr).toBe('Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz", unknown field "spec.template.spec.containers[0].imagez"\n');
    const warned = k(['apply', '-f', '-', '--validate=warn'], typo);
    expect(warned.stdout).toBe('deployment.apps/typo created\n');
    expect(warned.stderr).toBe('Warning: unknown field "spec.replicaz"\nWarning: unknown field "spec.template.spec.containers[0].imagez"\n');
  });

  it("an object over the store's request limit is refused in etcd's words, and one over 3 MiB with a 413; neither is stored", () => {
    const pod = (name: string, bytes: number) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', env: Array.from({ length: Math.ceil(bytes / 100_000) }, (_, i) => ({ name: `V${i}`, value: 'x'.repeat(100_000) })) }] } });
    // 1.7 MB: under the apiserver's 3 MiB body limit, over etcd's 1.5 MiB --max-request-bytes.
    const big = k(['create', '-f', '-'], pod('big', 1_700_000));
    expect(big.status).toBe(1);
    expect(big.stderr).toBe('Error from server: error when creating "STDIN": etcdserver: request is too large\n');
    const huge = k(['create', '-f', '-'], pod('huge', 3_200_000));
    expect(huge.stderr).toBe('Error from server (RequestEntityTooLarge): error when creating "STDIN": Request entity too large: limit is 3145728\n');
    expect(k(['get', 'pods', 'big', 'huge', '-o', 'name']).stderr).toBe('Error from server (NotFound): pods "big" not found\nError from server (NotFound): pods "huge" not found\n');
  });

  it('get -w prints the table, then each change as a row', async () => {
    ok(['apply', '-f', '-'], DEPLOYMENT('watched', 1));
    const child = spawn('kubectl', ['get', 'deployment', 'watched', '-w'], { env: { ...process.env, KUBECONFIG: apiserver.kubeconfig } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      await waitFor(() => out.includes('watched'), { timeoutMs: 10_000, what: 'the first row' });
      ok(['scale', 'deployment', 'watched', '--replicas=3']);
      await waitFor(() => /watched\s+0\/3/.test(out), { timeoutMs: 10_000, what: 'a row for the scaled deployment' });
      const lines = out.trim().split('\n');
      expect(lines[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
      expect(lines.filter((l) => l.startsWith('NAME')).length).toBe(1);
    } finally {
      child.kill();
    }
  });

  it('create deployment, configmap and secret (sent as protobuf by kubectl), then expose', () => {
    expect(ok(['create', 'deployment', 'hello', '--image=blux2/hello-server:1.6', '--replicas=2', '--port=8080'])).toBe('deployment.apps/hello created\n');
    expect(ok(['get', 'deploy', 'hello', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.selector.matchLabels.app} {.spec.template.spec.containers[0].ports[0].containerPort}'])).toBe('2 blux2/hello-server:1.6 hello 8080');
    expect(ok(['create', 'configmap', 'greeting', '--from-literal=text=hi', '--from-literal=lang=en'])).toBe('configmap/greeting created\n');
    expect(table(ok(['get', 'configmap', 'greeting']))[1]!.slice(0, 2)).toEqual(['greeting', '2']);
    expect(ok(['create', 'secret', 'generic', 'token', '--from-literal=key=s3cret'])).toBe('secret/token created\n');
    expect(Buffer.from(ok(['get', 'secret', 'token', '-o', 'jsonpath={.data.key}']), 'base64').toString()).toBe('s3cret');
    expect(table(ok(['get', 'secret', 'token']))[1]!.slice(0, 3)).toEqual(['token', 'Opaque', '1']);
    expect(ok(['expose', 'deployment', 'hello', '--port=80', '--target-port=8080', '--type=NodePort'])).toBe('service/hello exposed\n');
    const svc = table(ok(['get', 'service', 'hello']))[1]!;
    expect(svc.slice(0, 2)).toEqual(['hello', 'NodePort']);
    expect(svc[2]).toMatch(/^127\.96\.\d+\.\d+$/);
    expect(svc[4]).toMatch(/^80:3\d{4}\/TCP$/);
    expect(ok(['create', 'service', 'clusterip', 'plain', '--tcp=5678:8080'])).toBe('service/plain created\n');
    expect(ok(['create', 'namespace', 'dev'])).toBe('namespace/dev created\n');
    expect(k(['create', 'namespace', 'dev']).stderr).toBe('Error from server (AlreadyExists): namespaces "dev" already exists\n');
  });

  it('get prints the columns real Kubernetes prints for every kind', () => {
    ok(['apply', '-f', '-'], EVERY_KIND);
    const header = (kind: string) => table(ok(['get', kind]))[0];
    const row = (kind: string, name: string) => table(ok(['get', kind, name]))[1]!;
    expect(header('pods')).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(row('pod', 'solo').slice(0, 4)).toEqual(['solo', '0/2', 'Pending', '0']);
    expect(table(ok(['get', 'pod', 'solo', '-o', 'wide']))[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    expect(header('nodes')).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(row('node', 'worker-1').slice(0, 3)).toEqual(['worker-1', 'Unknown', 'worker']);
    expect(header('replicasets')).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    expect(row('rs', 'rs-1').slice(0, 4)).toEqual(['rs-1', '3', '0', '0']);
    expect(header('daemonsets')).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    expect(row('ds', 'agent').slice(0, 7)).toEqual(['agent', '0', '0', '0', '0', '0', 'kubernetes.io/os=linux']);
    expect(header('statefulsets')).toEqual(['NAME', 'READY', 'AGE']);
    expect(row('sts', 'db').slice(0, 2)).toEqual(['db', '0/2']);
    expect(header('hpa')).toEqual(['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
    expect(row('hpa', 'scaler').slice(0, 6)).toEqual(['scaler', 'Deployment/shop', 'cpu: <unknown>/50%', '1', '10', '0']);
    expect(header('leases')).toEqual(['NAME', 'HOLDER', 'AGE']);
    expect(row('lease', 'lock').slice(0, 2)).toEqual(['lock', 'me']);
    expect(header('endpoints')).toEqual(['NAME', 'ENDPOINTS', 'AGE']);
    expect(row('endpoints', 'backend').slice(0, 2)).toEqual(['backend', '10.244.1.5:8080,10.244.2.7:8080']);
    expect(header('endpointslices')).toEqual(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    expect(row('endpointslices', 'backend-abc').slice(0, 4)).toEqual(['backend-abc', 'IPv4', '8080', '10.244.1.5,10.244.2.7']);
    expect(header('serviceaccounts')).toEqual(['NAME', 'SECRETS', 'AGE']);
    expect(row('sa', 'robot').slice(0, 2)).toEqual(['robot', '0']);
    expect(header('events')).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(table(ok(['get', 'events']))[1]!.slice(1)).toEqual(['Warning', 'BackOff', 'pod/solo', 'Back-off restarting failed container']);
  });

  it('taint, cordon, autoscale, cluster-info and auth, as the labs use them', () => {
    ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Node\nmetadata: {name: gpu-1, labels: {kubernetes.io/hostname: gpu-1}}\n');
    expect(ok(['taint', 'nodes', 'gpu-1', 'dedicated=gpu:NoSchedule'])).toBe('node/gpu-1 tainted\n');
    expect(JSON.parse(ok(['get', 'node', 'gpu-1', '-o', 'jsonpath={.spec.taints}']))).toEqual([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
    expect(ok(['taint', 'nodes', 'gpu-1', 'dedicated=gpu:NoSchedule-'])).toBe('node/gpu-1 untainted\n');
    expect(ok(['get', 'node', 'gpu-1', '-o', 'jsonpath={.spec.taints}'])).toBe('');
    expect(ok(['cordon', 'gpu-1'])).toBe('node/gpu-1 cordoned\n');
    expect(table(ok(['get', 'node', 'gpu-1']))[1]!.slice(0, 2)).toEqual(['gpu-1', 'Unknown,SchedulingDisabled']);
    ok(['apply', '-f', '-'], DEPLOYMENT('scaled', 1));
    expect(ok(['autoscale', 'deployment', 'scaled', '--cpu-percent=50', '--min=1', '--max=5'])).toBe('horizontalpodautoscaler.autoscaling/scaled autoscaled\n');
    expect(table(ok(['get', 'hpa', 'scaled']))[1]!.slice(0, 5)).toEqual(['scaled', 'Deployment/scaled', 'cpu: <unknown>/50%', '1', '5']);
    expect(ok(['cluster-info'])).toContain(`Kubernetes control plane is running at ${apiserver.url}`);
    expect(ok(['auth', 'can-i', 'create', 'pods'])).toBe('yes\n');
    expect(ok(['auth', 'whoami'])).toMatch(/^Username\s+kubernetes-admin$/m);
  });

  it('stores resource amounts in Kubernetes\' canonical form', () => {
    ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: amounts}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    resources:\n      requests: {cpu: "0.5", memory: 1024Mi}\n      limits: {cpu: "2000m", memory: 1.5Gi}\n');
    expect(ok(['get', 'pod', 'amounts', '-o', 'jsonpath={.spec.containers[0].resources.requests.cpu} {.spec.containers[0].resources.requests.memory} {.spec.containers[0].resources.limits.cpu} {.spec.containers[0].resources.limits.memory}'])).toBe('500m 1Gi 2 1536Mi');
  });

  it('a globalDefault PriorityClass gives its name and value to pods created without one', async () => {
    const plain = 'apiVersion: v1\nkind: Pod\nmetadata: {name: plain}\nspec:\n  containers:\n  - name: c\n    image: nginx\n';
    const admitted = () => JSON.parse(ok(['create', '--dry-run=server', '-o', 'json', '-f', '-'], plain)) as { spec: { priority?: number; priorityClassName?: string } };
    expect(admitted().spec.priority).toBe(0);
    ok(['apply', '-f', '-'], 'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: everyone}\nvalue: 700\nglobalDefault: true\n');
    try {
      // Admission reads classes as an informer's lister does: the class applies once the watch cache has it.
      await waitFor(() => admitted().spec.priority === 700, { timeoutMs: 5_000, what: 'the default class applied at admission' });
      expect(admitted().spec.priorityClassName).toBe('everyone');
    } finally {
      ok(['delete', 'priorityclass', 'everyone']);
    }
  });

  it('delete removes what it names and says so', () => {
    ok(['apply', '-f', '-'], DEPLOYMENT('gone', 1));
    expect(ok(['delete', 'deployment', 'gone'])).toBe('deployment.apps "gone" deleted\n');
    expect(k(['get', 'deployment', 'gone']).stderr).toBe('Error from server (NotFound): deployments.apps "gone" not found\n');
    ok(['create', 'namespace', 'scratch']);
    expect(ok(['get', 'namespace', 'scratch', '-o', 'jsonpath={.status.phase}'])).toBe('Active');
  });

  it('a namespace deleted twice stays Terminating (no controller here) until replace --raw on its finalize subresource empties it', () => {
    ok(['create', 'namespace', 'stuck']);
    expect(ok(['delete', 'namespace', 'stuck', '--wait=false'])).toBe('namespace "stuck" deleted\n');
    expect(ok(['delete', 'namespace', 'stuck', '--wait=false'])).toBe('namespace "stuck" deleted\n');
    expect(ok(['get', 'namespace', 'stuck', '-o', 'jsonpath={.status.phase} {.spec.finalizers}'])).toBe('Terminating ["kubernetes"]');
    const ns = JSON.parse(ok(['get', 'namespace', 'stuck', '-o', 'json'])) as { spec: { finalizers: string[] } };
    ns.spec.finalizers = [];
    ok(['replace', '--raw', '/api/v1/namespaces/stuck/finalize', '-f', '-'], JSON.stringify(ns));
    expect(k(['get', 'namespace', 'stuck']).stderr).toBe('Error from server (NotFound): namespaces "stuck" not found\n');
  });

  it('replace --dry-run=server refuses a stale object as the real replace does, and writes nothing', () => {
    ok(['create', 'configmap', 'versions', '--from-literal=a=1']);
    const stale = ok(['get', 'configmap', 'versions', '-o', 'json']);
    ok(['patch', 'configmap', 'versions', '-p', '{"data":{"a":"2"}}']);
    const refused = k(['replace', '--dry-run=server', '-f', '-'], stale.replace('"a": "1"', '"a": "3"'));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('Error from server (Conflict): ');
    expect(refused.stderr).toContain('Operation cannot be fulfilled on configmaps "versions": the object has been modified; please apply your changes to the latest version and try again');
    const current = ok(['get', 'configmap', 'versions', '-o', 'json']);
    expect(ok(['replace', '--dry-run=server', '-f', '-'], current.replace('"a": "2"', '"a": "3"'))).toBe('configmap/versions replaced (server dry run)\n');
    expect(ok(['get', 'configmap', 'versions', '-o', 'jsonpath={.data.a}'])).toBe('2');
  });
});

function DEPLOYMENT(name: string, replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: hello
        image: blux2/hello-server:1.8
        ports:
        - containerPort: 8080
`;
}

function SERVICE(name: string, nodePort: number): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  type: NodePort
  selector: {app: ${name}}
  ports:
  - port: 80
    targetPort: 8080
    nodePort: ${nodePort}
`;
}

const EVERY_KIND = `apiVersion: v1
kind: Pod
metadata: {name: solo}
spec:
  containers:
  - {name: a, image: nginx}
  - {name: b, image: redis}
---
apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels: {node-role.kubernetes.io/worker: ""}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs-1}
spec:
  replicas: 3
  selector: {matchLabels: {app: rs-1}}
  template:
    metadata: {labels: {app: rs-1}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: c, image: busybox}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: redis}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: scaler}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: shop}
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: lock}
spec: {holderIdentity: me, leaseDurationSeconds: 15}
---
apiVersion: v1
kind: Endpoints
metadata: {name: backend}
subsets:
- addresses: [{ip: 10.244.1.5}, {ip: 10.244.2.7}]
  ports: [{port: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: backend-abc}
addressType: IPv4
ports: [{port: 8080}]
endpoints:
- addresses: [10.244.1.5]
- addresses: [10.244.2.7]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot}
---
apiVersion: v1
kind: Event
metadata: {name: solo.1}
involvedObject: {kind: Pod, name: solo, namespace: default}
type: Warning
reason: BackOff
message: Back-off restarting failed container
count: 3
lastTimestamp: "2026-01-01T00:00:00Z"
firstTimestamp: "2026-01-01T00:00:00Z"
source: {component: kubelet}
`;
