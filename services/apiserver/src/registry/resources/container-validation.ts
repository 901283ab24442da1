import {
  duplicate,
  FieldError,
  FieldPath,
  forbidden,
  invalidEach,
  isDNS1123Label,
  isValidPortName,
  isValidPortNum,
  notFound,
  notSupported,
  required,
  invalid,
  SUPPORTED_PORT_PROTOCOLS,
} from '@kubelab/apimachinery';
import { validateEnv, validateEnvFrom } from './env-validation';
import { validateEnum } from './field-enum';
import { int, isSet, records, text, type JsonRecord } from './loose-json';
import { validateProbesAndLifecycle, type GracePeriod } from './probe-validation';
import { validateResources, type Resources } from './resources';

/**
 * A pod's containers and init containers, as Kubernetes 1.32 validates them (validateContainers,
 * validateInitContainers, validateContainerCommon, validateContainerPorts, ValidateVolumeMounts,
 * validatePullPolicy, checkHostPortConflicts in pkg/apis/core/validation).
 */

const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const SIDECAR_ONLY = 'may not be set for init containers without restartPolicy=Always';

/** A container's ports: a unique IANA_SVC_NAME, a containerPort, a hostPort if any, a protocol. */
function validateContainerPorts(ports: unknown, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  records(ports).forEach((port, i) => {
    const at = path.index(i);
    const name = text(port.name);
    if (name !== '') {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) errors.push(...invalidEach(at.child('name'), name, msgs));
      else if (names.has(name)) errors.push(duplicate(at.child('name'), name));
      else names.add(name);
    }
    const containerPort = int(port.containerPort);
    if (containerPort === 0) errors.push(required(at.child('containerPort')));
    else errors.push(...invalidEach(at.child('containerPort'), containerPort, isValidPortNum(containerPort)));
    const hostPort = int(port.hostPort);
    if (hostPort !== 0) errors.push(...invalidEach(at.child('hostPort'), hostPort, isValidPortNum(hostPort)));
    const protocol = text(port.protocol);
    if (protocol === '') errors.push(required(at.child('protocol')));
    else if (!SUPPORTED_PORT_PROTOCOLS.includes(protocol)) errors.push(notSupported(at.child('protocol'), protocol, SUPPORTED_PORT_PROTOCOLS));
  });
  return errors;
}

/** A container's volumeMounts: each names a volume of the pod, at a path of its own. */
function validateVolumeMounts(mounts: unknown, volumes: ReadonlySet<string>, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const mountPaths = new Set<string>();
  records(mounts).forEach((mount, i) => {
    const at = path.index(i);
    const name = text(mount.name);
    const mountPath = text(mount.mountPath);
    if (name === '') errors.push(required(at.child('name')));
    if (!volumes.has(name)) errors.push(notFound(at.child('name'), name));
    if (mountPath === '') errors.push(required(at.child('mountPath')));
    if (mountPaths.has(mountPath)) errors.push(invalid(at.child('mountPath'), mountPath, 'must be unique'));
    mountPaths.add(mountPath);
  });
  return errors;
}

/** What every kind of container must satisfy: name, image, ports, env, mounts, policies, resources. */
function validateContainerCommon(container: JsonRecord, volumes: ReadonlySet<string>, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const name = text(container.name);
  if (name === '') errors.push(required(path.child('name')));
  else errors.push(...invalidEach(path.child('name'), name, isDNS1123Label(name)));
  if (text(container.image) === '') errors.push(required(path.child('image')));
  errors.push(...validateEnum(container.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES, path.child('terminationMessagePolicy')));
  errors.push(...validateContainerPorts(container.ports, path.child('ports')));
  errors.push(...validateEnv(container.env, path.child('env')));
  errors.push(...validateEnvFrom(container.envFrom, path.child('envFrom')));
  errors.push(...validateVolumeMounts(container.volumeMounts, volumes, path.child('volumeMounts')));
  errors.push(...validateEnum(container.imagePullPolicy, PULL_POLICIES, path.child('imagePullPolicy')));
  errors.push(...validateResources(container.resources as Resources | undefined, path.child('resources')));
  return errors;
}

/**
 * No two ports of these containers take the same host port (protocol, hostIP and port):
 * `Duplicate value: "TCP//8080"` at the later one, indexed from `path` as Kubernetes does.
 */
function checkHostPortConflicts(containers: readonly JsonRecord[], path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const taken = new Set<string>();
  containers.forEach((container, ci) => {
    records(container.ports).forEach((port, pi) => {
      const hostPort = int(port.hostPort);
      if (hostPort === 0) return;
      const key = `${text(port.protocol)}/${text(port.hostIP)}/${hostPort}`;
      if (taken.has(key)) errors.push(duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key));
      else taken.add(key);
    });
  });
  return errors;
}

/** A pod's regular containers: at least one, unique names, probes and hooks, no restartPolicy. */
export function validateContainers(containers: readonly JsonRecord[], volumes: ReadonlySet<string>, grace: GracePeriod, path: FieldPath): FieldError[] {
  if (containers.length === 0) return [required(path)];
  const errors: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((container, i) => {
    const at = path.index(i);
    errors.push(...validateContainerCommon(container, volumes, at));
    const name = text(container.name);
    if (names.has(name)) errors.push(duplicate(at.child('name'), name));
    else names.add(name);
    errors.push(...validateProbesAndLifecycle(container, grace, at));
    if (isSet(container.restartPolicy)) errors.push(forbidden(at.child('restartPolicy'), 'may not be set for non-init containers'));
  });
  errors.push(...checkHostPortConflicts(containers, path));
  return errors;
}

/**
 * A pod's init containers: names unique among all containers, restartPolicy only Always (a
 * sidecar, which alone may have probes and hooks).
 */
export function validateInitContainers(
  initContainers: readonly JsonRecord[],
  containers: readonly JsonRecord[],
  volumes: ReadonlySet<string>,
  grace: GracePeriod,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set(containers.map((c) => text(c.name)));
  initContainers.forEach((container, i) => {
    const at = path.index(i);
    errors.push(...validateContainerCommon(container, volumes, at));
    let sidecar = false;
    if (isSet(container.restartPolicy)) {
      const policy = text(container.restartPolicy);
      if (policy !== 'Always') errors.push(notSupported(at.child('restartPolicy'), policy, ['Always']));
      sidecar = policy === 'Always';
    }
    const name = text(container.name);
    if (names.has(name)) errors.push(duplicate(at.child('name'), name));
    else if (name !== '') names.add(name);
    // Init containers run one at a time, so each is checked alone (and indexed as the first).
    errors.push(...checkHostPortConflicts([container], path));
    if (sidecar) {
      errors.push(...validateProbesAndLifecycle(container, grace, at));
    } else {
      for (const field of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (isSet(container[field])) errors.push(forbidden(at.child(field), SIDECAR_ONLY));
      }
    }
  });
  return errors;
}

/** What only a Pod's containers (not a template's) must satisfy: no spaces around the image. */
export function validateContainersOnlyForPod(containers: readonly JsonRecord[], path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  containers.forEach((container, i) => {
    const image = text(container.image);
    if (image.length !== image.trim().length) errors.push(invalid(path.index(i).child('image'), image, 'must not have leading or trailing whitespace'));
  });
  return errors;
}
