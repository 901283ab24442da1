import type { KubeObject } from '@kubelab/client';
import { findPort, isIPv6, podIPs, podSpec, primaryIPFamily, serviceSpec, shouldPodBeInEndpoints, shouldSetHostname } from '../../controller/endpoint-util';
import { isPodReady } from '../../controller/pod-util';
import { repackSubsets } from './repack-subsets';
import type { EndpointAddress, EndpointSubset } from './types';

/**
 * The subsets of a Service's Endpoints (the body of the endpoints controller's syncService): each
 * selected pod with an IP, not finished and not being deleted (unless publishNotReadyAddresses),
 * is an address, ready or not ready, on each Service port it resolves (a named targetPort is
 * looked up in the pod, so pods that number it differently end up in different subsets). Pods
 * are expected to be those the selector picks. The result is repacked and sorted.
 */
export function endpointSubsets(service: KubeObject, pods: KubeObject[]): EndpointSubset[] {
  const spec = serviceSpec(service);
  const publishNotReady = spec.publishNotReadyAddresses === true;
  const subsets: EndpointSubset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address = endpointAddress(service, pod);
    if (!address) continue;
    const ready = publishNotReady || isPodReady(pod);
    const add = (ports: EndpointSubset['ports']) => subsets.push(ready ? { addresses: [address], ports } : { notReadyAddresses: [address], ports });
    if (!spec.ports?.length) {
      // A headless Service may have no ports: its addresses alone.
      if (spec.clusterIP === 'None') add(undefined);
      continue;
    }
    for (const servicePort of spec.ports) {
      const port = findPort(pod, servicePort);
      if (port === undefined) continue;
      add([{ ...(servicePort.name ? { name: servicePort.name } : {}), port, protocol: servicePort.protocol ?? 'TCP', ...(servicePort.appProtocol ? { appProtocol: servicePort.appProtocol } : {}) }]);
    }
  }
  return repackSubsets(subsets);
}

/** podToEndpointAddressForService: the pod's IP of the Service's family, its node and a reference to it. */
export function endpointAddress(service: KubeObject, pod: KubeObject): EndpointAddress | undefined {
  const wantIPv6 = primaryIPFamily(service) === 'IPv6';
  const ip = podIPs(pod).find((candidate) => isIPv6(candidate) === wantIPv6);
  if (!ip) return undefined;
  const address: EndpointAddress = {
    ip,
    nodeName: podSpec(pod).nodeName ?? '',
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name!, uid: pod.metadata.uid },
  };
  if (shouldSetHostname(pod, service)) address.hostname = podSpec(pod).hostname;
  return address;
}
