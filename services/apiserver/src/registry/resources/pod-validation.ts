import {
  duplicate,
  FieldError,
  FieldPath,
  inclusiveRangeError,
  invalid,
  invalidEach,
  isDNS1123Label,
  nameIsDNSSubdomain,
  notSupported,
  required,
  validateLabelName,
  validateLabels,
} from '@kubelab/apimachinery';
import { validateContainers, validateContainersOnlyForPod, validateInitContainers } from './container-validation';
import { validateEnum } from './field-enum';
import { int, isSet, list, record, records, stringMap, text, type JsonRecord } from './loose-json';
import { validateTolerations } from './toleration-validation';

/**
 * A pod spec, a Pod's own or a workload's template, as Kubernetes 1.32's ValidatePodSpec checks it
 * after defaulting, with its messages and field paths (pkg/apis/core/validation/validation.go).
 * What it leaves out: volume sources (only volume names are checked), security contexts, affinity,
 * topology spread, host network ports, DNS config beyond dnsPolicy None, ephemeral containers.
 */

export interface PodSpecValidationOptions {
  /** The spec is a Pod's (not a template's): the checks Kubernetes only makes for Pods apply too. */
  resourceIsPod: boolean;
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;
const MAX_DNS_NAMESERVERS = 3;

/** The pod's volumes by name (each a DNS label, unique); those with an error are not mountable. */
function validateVolumes(volumes: readonly JsonRecord[], path: FieldPath): { names: Set<string>; errors: FieldError[] } {
  const names = new Set<string>();
  const errors: FieldError[] = [];
  volumes.forEach((volume, i) => {
    const at = path.index(i).child('name');
    const name = text(volume.name);
    const own: FieldError[] = name === '' ? [required(at)] : invalidEach(at, name, isDNS1123Label(name));
    if (names.has(name)) own.push(duplicate(at, name));
    if (own.length === 0) names.add(name);
    errors.push(...own);
  });
  return { names, errors };
}

/** validatePodDNSConfig, for what the labs use: dnsPolicy None needs a dnsConfig with nameservers. */
function validateDNSConfig(dnsConfig: unknown, dnsPolicy: string, path: FieldPath): FieldError[] {
  const config = record(dnsConfig);
  if (dnsPolicy === 'None') {
    if (!config) return [required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (list(config.nameservers).length === 0) {
      return [required(path.child('nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
    }
  }
  const errors: FieldError[] = [];
  if (!config) return errors;
  const nameservers = list(config.nameservers);
  if (nameservers.length > MAX_DNS_NAMESERVERS) errors.push(invalid(path.child('nameservers'), nameservers, `must not have more than ${MAX_DNS_NAMESERVERS} nameservers`));
  records(config.options).forEach((option, i) => {
    if (text(option.name) === '') errors.push(required(path.child('options').index(i), 'must not be empty'));
  });
  return errors;
}

/** A name field that, when set, must pass a DNS name rule. */
function optionalName(value: unknown, rule: (name: string) => string[], path: FieldPath): FieldError[] {
  const name = text(value);
  return name === '' ? [] : invalidEach(path, name, rule(name));
}

const subdomain = (name: string) => nameIsDNSSubdomain(name, false);

/**
 * Validates a pod spec that has had its defaults (defaultPodSpec), at `path` (`spec`, or
 * `spec.template.spec` for a workload). Errors come in Kubernetes' order.
 */
export function validatePodSpec(spec: JsonRecord, path: FieldPath, options: PodSpecValidationOptions): FieldError[] {
  const errors: FieldError[] = [];
  if (!isSet(spec.terminationGracePeriodSeconds)) errors.push(required(path.child('terminationGracePeriodSeconds')));
  const grace = isSet(spec.terminationGracePeriodSeconds) ? int(spec.terminationGracePeriodSeconds) : undefined;

  const volumes = validateVolumes(records(spec.volumes), path.child('volumes'));
  errors.push(...volumes.errors);
  const containers = records(spec.containers);
  const initContainers = records(spec.initContainers);
  errors.push(...validateContainers(containers, volumes.names, grace, path.child('containers')));
  errors.push(...validateInitContainers(initContainers, containers, volumes.names, grace, path.child('initContainers')));

  errors.push(...validateEnum(spec.restartPolicy, RESTART_POLICIES, path.child('restartPolicy')));
  errors.push(...validateEnum(spec.dnsPolicy, DNS_POLICIES, path.child('dnsPolicy')));
  errors.push(...validateLabels(stringMap(spec.nodeSelector), path.child('nodeSelector')));
  errors.push(...validateDNSConfig(spec.dnsConfig, text(spec.dnsPolicy), path.child('dnsConfig')));
  records(spec.readinessGates).forEach((gate, i) => {
    errors.push(...validateLabelName(text(gate.conditionType), path.child('readinessGates').index(i).child('conditionType')));
  });
  errors.push(...optionalName(spec.serviceAccountName, subdomain, path.child('serviceAccountName')));
  errors.push(...optionalName(spec.nodeName, subdomain, path.child('nodeName')));
  if (isSet(spec.activeDeadlineSeconds)) {
    const seconds = int(spec.activeDeadlineSeconds);
    if (seconds < 1 || seconds > MAX_INT32) errors.push(invalid(path.child('activeDeadlineSeconds'), seconds, inclusiveRangeError(1, MAX_INT32)));
  }
  errors.push(...optionalName(spec.hostname, isDNS1123Label, path.child('hostname')));
  errors.push(...optionalName(spec.subdomain, isDNS1123Label, path.child('subdomain')));
  errors.push(...validateTolerations(spec.tolerations, path.child('tolerations')));
  errors.push(...optionalName(spec.priorityClassName, subdomain, path.child('priorityClassName')));

  if (options.resourceIsPod) {
    errors.push(...validateContainersOnlyForPod(containers, path.child('containers')));
    errors.push(...validateContainersOnlyForPod(initContainers, path.child('initContainers')));
  }
  return errors;
}
