import { createHash } from 'node:crypto';
import type { EndpointAddress, EndpointPort, EndpointSubset } from './types';

/** Stands for "no port" while repacking, so that addresses of a portless subset are kept. */
const NO_PORT: EndpointPort = { port: -1 };

/**
 * endpoints.RepackSubsets (pkg/api/endpoints): the canonical layout of a list of subsets, so two
 * computations of the same endpoints compare equal. Every (address, port) pair is collected, an
 * address not ready on a port staying not ready; addresses are keyed by IP and pod UID. Ports
 * offered by exactly the same addresses (with the same readiness) share a subset; addresses of a
 * subset without ports keep a subset without ports. Then everything is sorted as sortSubsets does.
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const addresses = new Map<string, EndpointAddress>();
  const readinessByPort = new Map<string, { port: EndpointPort; ready: Map<string, boolean> }>();
  const note = (address: EndpointAddress, port: EndpointPort, ready: boolean) => {
    const key = addressKey(address);
    if (!addresses.has(key)) addresses.set(key, address);
    const portKey = JSON.stringify([port.name ?? '', port.port, port.protocol ?? '', port.appProtocol ?? null]);
    let entry = readinessByPort.get(portKey);
    if (!entry) readinessByPort.set(portKey, (entry = { port, ready: new Map() }));
    // Not ready wins: once not ready on a port, an address stays so.
    if (entry.ready.get(key) !== false) entry.ready.set(key, ready);
  };
  for (const subset of subsets) {
    for (const port of subset.ports?.length ? subset.ports : [NO_PORT]) {
      for (const address of subset.addresses ?? []) note(address, port, true);
      for (const address of subset.notReadyAddresses ?? []) note(address, port, false);
    }
  }
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, ready } of readinessByPort.values()) {
    const key = [...ready].sort(([a], [b]) => compareAddresses(addresses.get(a)!, addresses.get(b)!)).map(([k, r]) => `${k}\u0000${r}`).join('\n');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ready, ports: [] }));
    if (port !== NO_PORT) group.ports.push(port);
  }
  const repacked: EndpointSubset[] = [];
  for (const { ready, ports } of groups.values()) {
    const subset: EndpointSubset = {};
    const readyAddresses = [...ready].filter(([, r]) => r).map(([k]) => addresses.get(k)!);
    const notReadyAddresses = [...ready].filter(([, r]) => !r).map(([k]) => addresses.get(k)!);
    if (readyAddresses.length) subset.addresses = readyAddresses;
    if (notReadyAddresses.length) subset.notReadyAddresses = notReadyAddresses;
    if (ports.length) subset.ports = ports;
    repacked.push(subset);
  }
  return sortSubsets(repacked);
}

/**
 * endpoints.SortSubsets: addresses by IP then pod UID, and ports and subsets by the MD5 of their
 * Go rendering (hashutil.DeepHashObject: spew's `%#v`), reproduced by spewPort / spewSubset.
 * Kubernetes' apiserver canonicalizes every Endpoints it stores this way, on its internal types
 * (package `core`), so that is the order rendered here: the one `kubectl get endpoints` shows on
 * a real cluster.
 */
export function sortSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  for (const subset of subsets) {
    subset.addresses?.sort(compareAddresses);
    subset.notReadyAddresses?.sort(compareAddresses);
    subset.ports?.sort((a, b) => compareStrings(md5(spewPort(a)), md5(spewPort(b))));
  }
  return subsets.sort((a, b) => compareStrings(md5(spewSubset(a)), md5(spewSubset(b))));
}

/** LessEndpointAddress: by IP (as bytes), then by target UID (an address without a target first). */
function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  const byIP = compareStrings(a.ip, b.ip);
  if (byIP !== 0) return byIP;
  if (!b.targetRef) return a.targetRef ? 1 : 0;
  if (!a.targetRef) return -1;
  return compareStrings(a.targetRef.uid ?? '', b.targetRef.uid ?? '');
}

function addressKey(address: EndpointAddress): string {
  return `${address.ip}\u0000${address.targetRef?.uid ?? ''}`;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** spew `%#v` of a core.EndpointPort value. */
export function spewPort(port: EndpointPort): string {
  return `(core.EndpointPort)${spewPortFields(port)}`;
}

/** spew `%#v` of a core.EndpointSubset value (nil slices print `<nil>`, pointers their type then value). */
export function spewSubset(subset: EndpointSubset): string {
  const ports = subset.ports === undefined ? '<nil>' : `[${subset.ports.map(spewPortFields).join(' ')}]`;
  return `(core.EndpointSubset){Addresses:([]core.EndpointAddress)${spewAddresses(subset.addresses)} NotReadyAddresses:([]core.EndpointAddress)${spewAddresses(subset.notReadyAddresses)} Ports:([]core.EndpointPort)${ports}}`;
}

function spewPortFields(port: EndpointPort): string {
  return `{Name:(string)${port.name ?? ''} Port:(int32)${port.port} Protocol:(core.Protocol)${port.protocol ?? ''} AppProtocol:${spewStringPointer(port.appProtocol)}}`;
}

function spewAddresses(addresses: EndpointAddress[] | undefined): string {
  return addresses === undefined ? '<nil>' : `[${addresses.map(spewAddress).join(' ')}]`;
}

function spewAddress(a: EndpointAddress): string {
  const ref = a.targetRef;
  const targetRef = ref
    ? `(*core.ObjectReference){Kind:(string)${ref.kind} Namespace:(string)${ref.namespace ?? ''} Name:(string)${ref.name} UID:(types.UID)${ref.uid ?? ''} APIVersion:(string)${ref.apiVersion ?? ''} ResourceVersion:(string)${ref.resourceVersion ?? ''} FieldPath:(string)${ref.fieldPath ?? ''}}`
    : '(*core.ObjectReference)<nil>';
  return `{IP:(string)${a.ip} Hostname:(string)${a.hostname ?? ''} NodeName:${spewStringPointer(a.nodeName)} TargetRef:${targetRef}}`;
}

function spewStringPointer(value: string | undefined): string {
  return value === undefined ? '(*string)<nil>' : `(*string)${value}`;
}
