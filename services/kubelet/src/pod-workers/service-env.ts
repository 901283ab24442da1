import type { KubeObject } from '@kubelab/client';

interface ServiceSpec {
  clusterIP?: string;
  ports?: Array<{ name?: string; port: number; protocol?: string }>;
}

/**
 * The Docker-link style variables the kubelet gives every container for the Services it can see
 * (getServiceEnvVarMap + envvars.FromServices): the `kubernetes` Service of the default namespace
 * always, every Service of the pod's own namespace when enableServiceLinks (the default). Each
 * gives REDIS_SERVICE_HOST, REDIS_SERVICE_PORT, REDIS_SERVICE_PORT_<NAME> for named ports,
 * REDIS_PORT=tcp://ip:port and REDIS_PORT_6379_TCP{,_PROTO,_PORT,_ADDR}. Headless Services
 * (clusterIP None) and those without a ClusterIP give none.
 */
export function serviceEnvironment(services: readonly KubeObject[], namespace: string, enableServiceLinks: boolean): Record<string, string> {
  const chosen = new Map<string, KubeObject>();
  for (const service of services) {
    if (!isServiceIPSet(service)) continue;
    const name = service.metadata.name!;
    if (service.metadata.namespace === 'default' && name === 'kubernetes') {
      if (!chosen.has(name)) chosen.set(name, service);
    } else if (service.metadata.namespace === namespace && enableServiceLinks) chosen.set(name, service);
  }
  const env: Record<string, string> = {};
  for (const name of [...chosen.keys()].sort()) Object.assign(env, variablesOf(chosen.get(name)!));
  return env;
}

function isServiceIPSet(service: KubeObject): boolean {
  const ip = (service.spec as ServiceSpec | undefined)?.clusterIP;
  return Boolean(ip) && ip !== 'None';
}

function envName(name: string): string {
  return name.replace(/-/g, '_').toUpperCase();
}

function variablesOf(service: KubeObject): Record<string, string> {
  const spec = service.spec as ServiceSpec;
  const ports = spec.ports ?? [];
  const ip = spec.clusterIP!;
  const prefix = envName(service.metadata.name!);
  const env: Record<string, string> = { [`${prefix}_SERVICE_HOST`]: ip };
  if (ports.length === 0) return env;
  env[`${prefix}_SERVICE_PORT`] = String(ports[0]!.port);
  for (const port of ports) if (port.name) env[`${prefix}_SERVICE_PORT_${envName(port.name)}`] = String(port.port);
  const hostPort = (port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  ports.forEach((port, i) => {
    const protocol = port.protocol || 'TCP';
    const url = `${protocol.toLowerCase()}://${hostPort(port.port)}`;
    if (i === 0) env[`${prefix}_PORT`] = url;
    const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
    env[portPrefix] = url;
    env[`${portPrefix}_PROTO`] = protocol.toLowerCase();
    env[`${portPrefix}_PORT`] = String(port.port);
    env[`${portPrefix}_ADDR`] = ip;
  });
  return env;
}
