import type { KubeObject } from '@kubelab/client';
import { IMAGE_ENV } from '@kubelab/images';
import type { Container, PodSpec } from '../status/api-types';
import { fieldRefValue, resourceFieldRefValue } from './downward-api';
import { expand } from './expansion';
import { serviceEnvironment } from './service-env';

/** Where env values come from besides the pod: read on demand, as the kubelet's managers do. */
export interface EnvSources {
  /** undefined: not found. */
  getConfigMap(namespace: string, name: string): Promise<KubeObject | undefined>;
  getSecret(namespace: string, name: string): Promise<KubeObject | undefined>;
  /** Every Service the kubelet's informer holds. */
  services(): readonly KubeObject[];
  /** The node's allocatable (limits a container does not set, for resourceFieldRef). */
  nodeAllocatable(): Promise<Readonly<Record<string, string>>>;
  /** A warning about the pod (invalid envFrom keys), recorded as an event. */
  warn(pod: KubeObject, reason: string, message: string): void;
}

/** What the kubelet knows of the pod's sandbox when it builds a container's environment. */
export interface EnvContext {
  podIP: string;
  hostIP: string;
  hostname: string;
  dns?: { nameservers: string[]; searches: string[] };
}

/** The environment cannot be built (a missing ConfigMap, Secret or key): the container waits with CreateContainerConfigError. */
export class CreateContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * A container's environment, command and args as the kubelet resolves them
 * (makeEnvironmentVariables): envFrom, then env in order (values with `$(VAR)` expanded against
 * the variables declared before and the service links; valueFrom fieldRef, resourceFieldRef,
 * configMapKeyRef and secretKeyRef, optional ones skipped when missing), then the service-link
 * variables not already set; HOSTNAME; and the KUBELAB_* variables the built-in images read.
 * Command and args have their `$(VAR)` expanded against the result.
 */
export async function containerEnvironment(
  pod: KubeObject,
  container: Container,
  context: EnvContext,
  sources: EnvSources,
): Promise<{ env: Record<string, string>; command?: string[]; args?: string[] }> {
  const spec = pod.spec as unknown as PodSpec;
  const namespace = pod.metadata.namespace ?? 'default';
  const serviceEnv = serviceEnvironment(sources.services(), namespace, spec.enableServiceLinks ?? true);
  const declared: Record<string, string> = {};
  const configMaps = new Map<string, KubeObject | undefined>();
  const secrets = new Map<string, KubeObject | undefined>();
  const configMap = async (name: string) => {
    if (!configMaps.has(name)) configMaps.set(name, await sources.getConfigMap(namespace, name));
    return configMaps.get(name);
  };
  const secret = async (name: string) => {
    if (!secrets.has(name)) secrets.set(name, await sources.getSecret(namespace, name));
    return secrets.get(name);
  };
  /** The data of the ConfigMap or Secret `ref` names; undefined when it is missing and optional. */
  const sourceData = async (ref: { name: string; optional?: boolean }, isConfigMap: boolean) => {
    const object = isConfigMap ? await configMap(ref.name) : await secret(ref.name);
    if (!object) {
      if (ref.optional) return undefined;
      throw new CreateContainerConfigError(`${isConfigMap ? 'configmap' : 'secret'} "${ref.name}" not found`);
    }
    return dataOf(object, !isConfigMap);
  };

  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const isConfigMap = Boolean(from.configMapRef);
    const data = await sourceData(ref, isConfigMap);
    if (!data) continue;
    const invalid: string[] = [];
    for (const [key, value] of Object.entries(data)) {
      const name = (from.prefix ?? '') + key;
      if (!ENV_VAR_NAME.test(name)) invalid.push(name);
      else declared[name] = value;
    }
    if (invalid.length) {
      sources.warn(
        pod,
        'InvalidEnvironmentVariableNames',
        `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${isConfigMap ? 'configMap' : 'secret'} ${namespace}/${ref.name} were skipped since they are considered invalid environment variable names.`,
      );
    }
  }

  for (const variable of container.env ?? []) {
    let value = variable.value ?? '';
    const from = variable.valueFrom;
    if (value !== '') value = expand(value, declared, serviceEnv);
    else if (from?.fieldRef) value = fieldRefValue(pod, from.fieldRef.fieldPath, context);
    else if (from?.resourceFieldRef) {
      const ref = from.resourceFieldRef;
      const target = ref.containerName ? [...spec.containers, ...(spec.initContainers ?? [])].find((c) => c.name === ref.containerName) : container;
      if (!target) throw new CreateContainerConfigError(`container ${ref.containerName} not found in pod`);
      value = resourceFieldRefValue(target, ref.resource, ref.divisor, await sources.nodeAllocatable());
    } else if (from?.configMapKeyRef || from?.secretKeyRef) {
      const ref = (from.configMapKeyRef ?? from.secretKeyRef)!;
      const isConfigMap = Boolean(from.configMapKeyRef);
      const data = await sourceData(ref, isConfigMap);
      if (!data) continue;
      if (!(ref.key in data)) {
        if (ref.optional) continue;
        throw new CreateContainerConfigError(`couldn't find key ${ref.key} in ${isConfigMap ? 'ConfigMap' : 'Secret'} ${namespace}/${ref.name}`);
      }
      value = data[ref.key]!;
    }
    declared[variable.name] = value;
  }

  const env: Record<string, string> = { HOSTNAME: context.hostname, ...serviceEnv, ...declared };
  env[IMAGE_ENV.POD_IP] = context.podIP;
  env[IMAGE_ENV.POD_NAME] = pod.metadata.name ?? '';
  if (context.dns?.nameservers.length) {
    env[IMAGE_ENV.NAMESERVER] = context.dns.nameservers[0]!;
    env[IMAGE_ENV.DNS_SEARCH] = context.dns.searches.join(' ');
  }
  const result: { env: Record<string, string>; command?: string[]; args?: string[] } = { env };
  if (container.command) result.command = container.command.map((c) => expand(c, env));
  if (container.args) result.args = container.args.map((a) => expand(a, env));
  return result;
}

/** A ConfigMap's data, or a Secret's data decoded from base64 (stringData as is). */
function dataOf(object: KubeObject, isSecret: boolean): Record<string, string> {
  const data = (object.data ?? {}) as Record<string, string>;
  if (!isSecret) return { ...data };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) out[key] = Buffer.from(value, 'base64').toString('utf8');
  for (const [key, value] of Object.entries((object.stringData ?? {}) as Record<string, string>)) out[key] = value;
  return out;
}
