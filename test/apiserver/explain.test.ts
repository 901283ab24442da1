import { describe, expect, it } from 'vitest';
import { apiserverSession } from './apiserver-session';

/**
 * `kubectl explain` against the apiserver's OpenAPI v3 schemas (built from Kubernetes' protos),
 * asserting the lines real Kubernetes prints; and `kubectl apply`, which now computes its strategic
 * merge patch from the same schemas, still creating and configuring objects.
 */
describe('kubectl explain and apply with the OpenAPI v3 schemas', () => {
  const { k, ok } = apiserverSession();
  const lines = (text: string) => text.split('\n');

  it('explains a kind: header, description and its fields with their types', () => {
    const out = lines(ok(['explain', 'pods']));
    expect(out.slice(0, 6)).toEqual([
      'KIND:       Pod',
      'VERSION:    v1',
      '',
      'DESCRIPTION:',
      '    Pod is a collection of containers that can run on a host. This resource is',
      '    created by clients and scheduled onto hosts.',
    ]);
    expect(out).toContain('FIELDS:');
    expect(out).toContain('  apiVersion\t<string>');
    expect(out).toContain('    APIVersion defines the versioned schema of this representation of an object.');
    expect(out).toContain('  kind\t<string>');
    expect(out).toContain('  metadata\t<ObjectMeta>');
    expect(out).toContain('  spec\t<PodSpec>');
    expect(out).toContain('    Specification of the desired behavior of the pod. More info:');
    expect(out).toContain('  status\t<PodStatus>');
  });

  it('explains a field of a kind in a named group', () => {
    const out = lines(ok(['explain', 'deployment.spec.replicas']));
    expect(out.slice(0, 5)).toEqual(['GROUP:      apps', 'KIND:       Deployment', 'VERSION:    v1', '', 'FIELD: replicas <integer>']);
    expect(out).toContain('    Number of desired pods. This is a pointer to distinguish between explicit');
    expect(out).toContain('    zero and not specified. Defaults to 1.');

    const spec = lines(ok(['explain', 'deployment.spec']));
    expect(spec).toContain('  selector\t<LabelSelector> -required-');
    expect(spec).toContain('  template\t<PodTemplateSpec> -required-');
    expect(spec).toContain('  strategy\t<DeploymentStrategy>');
    expect(spec).toContain('  paused\t<boolean>');
  });

  it('shows the enum values of a field, and its "Possible enum values", as Kubernetes publishes them', () => {
    const out = lines(ok(['explain', 'pod.spec.restartPolicy']));
    expect(out.slice(0, 20)).toEqual([
      'KIND:       Pod',
      'VERSION:    v1',
      '',
      'FIELD: restartPolicy <string>',
      'ENUM:',
      '    Always',
      '    Never',
      '    OnFailure',
      '',
      'DESCRIPTION:',
      '    Restart policy for all containers within the pod. One of Always, OnFailure,',
      '    Never. In some contexts, only a subset of those values may be permitted.',
      '    Default to Always. More info:',
      '    https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy',
      '    ',
      '    Possible enum values:',
      '     - `"Always"`',
      '     - `"Never"`',
      '     - `"OnFailure"`',
      '    ',
    ]);
    const strategy = lines(ok(['explain', 'deploy.spec.strategy.type']));
    expect(strategy).toContain('     - `"Recreate"` Kill all existing pods before creating new ones.');
    // In a list of fields, the values follow the type.
    const spec = lines(ok(['explain', 'svc.spec']));
    expect(spec[spec.indexOf('  type\t<string>') + 1]).toBe('  enum: ClusterIP, ExternalName, LoadBalancer, NodePort');
    const container = lines(ok(['explain', 'pod.spec.containers']));
    expect(container[container.indexOf('  imagePullPolicy\t<string>') + 1]).toBe('  enum: Always, IfNotPresent, Never');
  });

  it('explains lists of objects, maps of quantities and required fields deep in the pod template', () => {
    const containers = lines(ok(['explain', 'deployment.spec.template.spec.containers']));
    expect(containers).toContain('FIELD: containers <[]Container>');
    expect(containers).toContain('    A single application container that you want to run within a pod.');
    expect(containers).toContain('  name\t<string> -required-');
    expect(containers).toContain('  args\t<[]string>');
    expect(containers).toContain('  env\t<[]EnvVar>');
    expect(containers).toContain('  resources\t<ResourceRequirements>');

    const limits = lines(ok(['explain', 'pod.spec.containers.resources.limits']));
    expect(limits.slice(0, 4)).toEqual(['KIND:       Pod', 'VERSION:    v1', '', 'FIELD: limits <map[string]Quantity>']);
    expect(limits).toContain('    Limits describes the maximum amount of compute resources allowed. More info:');
    expect(limits).toContain('    Quantity is a fixed-point representation of a number. It provides convenient');

    const labels = lines(ok(['explain', 'pod.metadata']));
    expect(labels).toContain('  labels\t<map[string]string>');
    expect(labels).toContain('  creationTimestamp\t<string>');
    expect(labels).toContain('  ownerReferences\t<[]OwnerReference>');
  });

  it('explains recursively, with IntOrString and the fields of inlined Go structs', () => {
    const out = ok(['explain', 'svc.spec.ports', '--recursive']);
    expect(lines(out)).toEqual(
      expect.arrayContaining([
        'FIELD: ports <[]ServicePort>',
        '    ServicePort contains information on service\'s port.',
        'FIELDS:',
        '  appProtocol\t<string>',
        '  name\t<string>',
        '  nodePort\t<integer>',
        '  port\t<integer> -required-',
        '  protocol\t<string>',
        '  targetPort\t<IntOrString>',
      ]),
    );
    // a Volume's sources are fields of Volume itself (Go's embedded VolumeSource)
    const volumes = lines(ok(['explain', 'pod.spec.volumes']));
    expect(volumes).toContain('  name\t<string> -required-');
    expect(volumes).toContain('  configMap\t<ConfigMapVolumeSource>');
    expect(volumes).toContain('  emptyDir\t<EmptyDirVolumeSource>');
  });

  it('explains the kinds of the other groups', () => {
    const hpa = lines(ok(['explain', 'hpa.spec']));
    expect(hpa.slice(0, 5)).toEqual(['GROUP:      autoscaling', 'KIND:       HorizontalPodAutoscaler', 'VERSION:    v2', '', 'FIELD: spec <HorizontalPodAutoscalerSpec>']);
    expect(hpa).toContain('  maxReplicas\t<integer> -required-');
    expect(hpa).toContain('  scaleTargetRef\t<CrossVersionObjectReference> -required-');
    expect(hpa).toContain('  metrics\t<[]MetricSpec>');

    const lease = lines(ok(['explain', 'lease.spec']));
    expect(lease.slice(0, 3)).toEqual(['GROUP:      coordination.k8s.io', 'KIND:       Lease', 'VERSION:    v1']);
    expect(lease).toContain('  holderIdentity\t<string>');
    expect(lease).toContain('  renewTime\t<string>');
    expect(lease).toContain('  leaseDurationSeconds\t<integer>');

    expect(lines(ok(['explain', 'endpointslices']))).toContain('  addressType\t<string> -required-');
    expect(lines(ok(['explain', 'priorityclass']))).toContain('  value\t<integer> -required-');

    const missing = k(['explain', 'pods.spec.nosuchfield']);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('field "nosuchfield" does not exist');
  });

  it('kubectl apply creates, then configures an object from the schemas\' patch metadata (server-side field validation kept)', () => {
    const manifest = (replicas: number, image: string, withSidecar: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports: [{containerPort: 80}]
        env: [{name: MODE, value: "a"}]
        resources: {limits: {cpu: 500m, memory: 128Mi}}
${withSidecar ? '      - name: sidecar\n        image: busybox\n' : ''}`;
    expect(ok(['apply', '-f', '-'], manifest(2, 'nginx:1.27', true))).toBe('deployment.apps/web created\n');

    // -v=6 logs the requests: the patch is a strategic merge patch validated on the server
    const second = k(['apply', '-f', '-', '-v=6'], manifest(3, 'nginx:1.28', false));
    expect(second.status).toBe(0);
    expect(second.stdout).toBe('deployment.apps/web configured\n');
    expect(second.stderr).toMatch(/PATCH http:\/\/127\.0\.0\.1:\d+\/apis\/apps\/v1\/namespaces\/default\/deployments\/web\?fieldManager=kubectl-client-side-apply&fieldValidation=Strict 200 OK/);
    expect(second.stderr).not.toContain('error calculating patch');

    const got = JSON.parse(ok(['get', 'deployment', 'web', '-o', 'json'])) as {
      spec: { replicas: number; template: { spec: { containers: Array<{ name: string; image: string; env: unknown; resources: unknown }> } } };
    };
    expect(got.spec.replicas).toBe(3);
    expect(got.spec.template.spec.containers.map((c) => [c.name, c.image])).toEqual([['nginx', 'nginx:1.28']]);
    expect(got.spec.template.spec.containers[0]!.env).toEqual([{ name: 'MODE', value: 'a' }]);
    expect(got.spec.template.spec.containers[0]!.resources).toEqual({ limits: { cpu: '500m', memory: '128Mi' } });

    expect(ok(['apply', '-f', '-'], manifest(3, 'nginx:1.28', false))).toBe('deployment.apps/web unchanged\n');
  });
});
