import { describe, expect, it } from 'vitest';
import { apiserverSession } from './apiserver-session';

/**
 * Typos in a pod spec, applied with the real kubectl: the apiserver refuses them as Kubernetes
 * 1.32 does (ValidatePodSpec after defaults), and kubectl prints what it prints against a real
 * cluster, one error on the line, several as a list.
 */
describe('pod spec validation through kubectl apply', () => {
  const { k } = apiserverSession();
  /** `kubectl apply -f -` that must fail: its stderr. */
  const refused = (manifest: string) => {
    const r = k(['apply', '-f', '-'], manifest);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(1);
    return r.stderr;
  };

  const pod = (name: string, spec: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
${spec}`;

  it('a restartPolicy typo: Unsupported value, with the supported values in Kubernetes\' order', () => {
    const stderr = refused(pod('x', '  restartPolicy: Alway\n  containers:\n  - name: app\n    image: nginx\n'));
    expect(stderr).toBe('The Pod "x" is invalid: spec.restartPolicy: Unsupported value: "Alway": supported values: "Always", "OnFailure", "Never"\n');
    expect(k(['get', 'pod', 'x']).stderr).toBe('Error from server (NotFound): pods "x" not found\n');
  });

  it('several mistakes in one container: each on its own line', () => {
    const stderr = refused(
      pod(
        'web',
        `  containers:
  - name: Web
    image: nginx
    imagePullPolicy: IfNotPresnt
    ports:
    - containerPort: 80800
      name: http_port
    env:
    - name: A=B
    livenessProbe:
      initialDelaySeconds: 5
    readinessProbe:
      httpGet:
        port: 8080
      tcpSocket:
        port: 8080
`,
      ),
    );
    expect(stderr).toBe(
      [
        'The Pod "web" is invalid: ',
        `* spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        '* spec.containers[0].ports[0].name: Invalid value: "http_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        '* spec.containers[0].ports[0].containerPort: Invalid value: 80800: must be between 1 and 65535, inclusive',
        `* spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
        '* spec.containers[0].imagePullPolicy: Unsupported value: "IfNotPresnt": supported values: "Always", "IfNotPresent", "Never"',
        '* spec.containers[0].livenessProbe: Required value: must specify a handler type',
        '* spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
        '',
      ].join('\n'),
    );
  });

  it('a preStop sleep longer than the grace period, and a toleration without Exists', () => {
    const stderr = refused(
      pod(
        'sleeper',
        `  terminationGracePeriodSeconds: 10
  tolerations:
  - operator: Equal
    effect: NoSchedule
  containers:
  - name: app
    image: nginx
    lifecycle:
      preStop:
        sleep:
          seconds: 20
`,
      ),
    );
    expect(stderr).toBe(
      [
        'The Pod "sleeper" is invalid: ',
        '* spec.containers[0].lifecycle.preStop.sleep: Invalid value: 20: must be greater than 0 and less than terminationGracePeriodSeconds (10). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.',
        '* spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
        '',
      ].join('\n'),
    );
  });

  it('an init container with a restartPolicy other than Always, and named as a container', () => {
    const stderr = refused(
      pod(
        'init',
        `  initContainers:
  - name: app
    image: busybox
    restartPolicy: OnFailure
  containers:
  - name: app
    image: nginx
`,
      ),
    );
    expect(stderr).toBe(
      [
        'The Pod "init" is invalid: ',
        '* spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
        '* spec.initContainers[0].name: Duplicate value: "app"',
        '',
      ].join('\n'),
    );
  });

  it('a Deployment\'s template is validated as a pod spec, at spec.template.spec', () => {
    const stderr = refused(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      dnsPolicy: ClusterFist
      containers:
      - name: web
        image: nginx
        livenessProbe:
          httpGet:
            path: /healthz
            port: 8080
          successThreshold: 2
`);
    expect(stderr).toBe(
      [
        'The Deployment "web" is invalid: ',
        '* spec.template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
        '* spec.template.spec.dnsPolicy: Unsupported value: "ClusterFist": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
        '',
      ].join('\n'),
    );
  });

  it('a valid pod with all of these is created, and can be applied again', () => {
    const manifest = pod(
      'good',
      `  terminationGracePeriodSeconds: 30
  nodeSelector:
    disktype: ssd
  initContainers:
  - name: proxy
    image: busybox
    restartPolicy: Always
    readinessProbe:
      tcpSocket:
        port: 15000
  containers:
  - name: app
    image: nginx
    ports:
    - containerPort: 80
      name: http
    env:
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    livenessProbe:
      httpGet:
        path: /
        port: http
    lifecycle:
      preStop:
        sleep:
          seconds: 5
`,
    );
    const first = k(['apply', '-f', '-'], manifest);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('pod/good created\n');
    const again = k(['apply', '-f', '-'], manifest);
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe('pod/good unchanged\n');
  });

  it('accepted but likely wrong: warnings kubectl prints, for a pod on create and a Deployment on each new generation', () => {
    const created = k(
      ['apply', '-f', '-'],
      pod(
        'warned',
        `  terminationGracePeriodSeconds: -1
  nodeSelector: {beta.kubernetes.io/os: linux}
  containers:
  - name: app
    image: nginx
    resources: {requests: {memory: 100m}}
    env: [{name: MODE, value: a}, {name: MODE, value: b}, {name: MODE, value: "$(MODE)-c"}]
`,
      ),
    );
    expect(created.stdout).toBe('pod/warned created\n');
    expect(created.stderr).toBe(
      [
        'Warning: spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead',
        'Warning: spec.containers[0].resources.requests[memory]: fractional byte value "100m" is invalid, must be an integer',
        'Warning: spec.containers[0].env[1]: hides previous definition of "MODE", which may be dropped when using apply',
        'Warning: spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1',
        '',
      ].join('\n'),
    );
    const deployment = (image: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: warned}\nspec:\n  selector: {matchLabels: {app: w}}\n  template:\n    metadata: {labels: {app: w}}\n    spec:\n      containers:\n      - {name: c, image: ${image}, resources: {limits: {memory: 0.5Gi}, requests: {memory: "1.5"}}}\n`;
    const warning = 'Warning: spec.template.spec.containers[0].resources.requests[memory]: fractional byte value "1500m" is invalid, must be an integer\n';
    expect(k(['apply', '-f', '-'], deployment('nginx')).stderr).toBe(warning);
    // A label changes no generation: no warning. A new image does.
    expect(k(['label', 'deployment', 'warned', 'tier=web']).stderr).toBe('');
    expect(k(['apply', '-f', '-'], deployment('nginx:1.27')).stderr).toBe(warning);
  });

  it("a value of the wrong JSON type is refused as Go's decoder words it", () => {
    const stderr = refused(pod('typed', '  containers:\n  - name: app\n    image: nginx\n    env: [{name: DEBUG, value: yes}]\n'));
    expect(stderr).toBe('Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal bool into Go struct field EnvVar.spec.containers.env.value of type string\n');
    const port = refused(pod('typed', '  containers:\n  - name: app\n    image: nginx\n    ports: [{containerPort: "80"}]\n'));
    expect(port).toBe('Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32\n');
  });
});
